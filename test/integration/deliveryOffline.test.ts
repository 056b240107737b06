// An offline laptop is not 5 dead servers: when every remote stops answering at once,
// Outpost reports itself offline, charges no host and spends no attempts, and delivers
// everything once the remotes are back (found by its periodic connectivity re-check).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sleep } from '../support/outpost';
import { followAll, startInboxServers, type InboxServer } from '../support/remote/inboxServer';
import { startTunedOutpost, type TunedOutpost } from '../support/tunedOutpost';

let o: TunedOutpost;
let servers: InboxServer[];

beforeAll(async () => {
  // The default connectivity probe: a real TCP connect to hosts we reached before.
  o = await startTunedOutpost({ ip: '127.0.2.40', username: 'otto' });
  servers = await startInboxServers('127.0.2.41', 5);
  await followAll(o, servers);
  await eventually(async () => (await o.rpc('hosts')).filter((h) => h.successes === 1).length === servers.length, 10_000, 'Accepts recorded');
});
afterAll(async () => {
  await o?.stop();
  await Promise.all((servers ?? []).map((s) => s.stop()));
});

const metricsText = async () =>
  (await fetch(`${o.adminUrl}/metrics`, { headers: { authorization: `Bearer ${o.token}` } })).text();

describe('offline', () => {
  it('all remotes gone: offline, no host charged, then everything delivered when they return', async () => {
    await Promise.all(servers.map((s) => s.stop()));
    const { noteId, activityId } = await o.rpc('compose', { content: 'written on a plane' });

    const stats = await eventually(async () => {
      const s = await o.rpc('queueStats');
      return s.offline && s;
    }, 8000, 'offline');
    expect(stats.hostsBackingOff).toBe(0);
    expect(stats.failed).toBe(0);
    expect(await metricsText()).toMatch(/^outpost_offline 1$/m);

    // A while later: still offline, nothing charged, nothing spent, nothing given up.
    await sleep(1000);
    expect((await o.rpc('queueStats')).offline).toBe(true);
    for (const h of await o.rpc('hosts')) {
      expect(h, h.host).toMatchObject({ state: 'healthy', consecutiveFailures: 0, backoffUntil: null, failures: 0, lastErrorClass: null });
      const detail = await o.rpc('host', { host: h.host });
      // Any attempt made before the outage was noticed is recorded as not counted.
      expect(detail.recentAttempts.filter((a) => a.errorClass !== 'ok').every((a) => !a.counted)).toBe(true);
    }
    const progress = await o.rpc('deliveryProgress', { activityId });
    expect(progress.total).toBe(5);
    expect(progress.delivered + progress.failed).toBe(0);
    for (const row of progress.inboxes) {
      expect(row.state, row.inbox).toBe('queued');
      expect(row.attempts, row.inbox).toBe(0);
    }

    // The remotes come back on the same ports.
    await Promise.all(servers.map((s) => s.start()));
    await eventually(async () => (await o.rpc('deliveryProgress', { activityId })).delivered === 5, 15_000, 'delivered after the network returned');
    expect((await o.rpc('queueStats')).offline).toBe(false);
    for (const s of servers) expect(s.creates(noteId), s.host).toHaveLength(1);
    for (const row of (await o.rpc('deliveryProgress', { activityId })).inboxes) expect(row.attempts, row.inbox).toBe(1);
    expect((await o.rpc('hosts')).every((h) => h.state === 'healthy' && h.consecutiveFailures === 0)).toBe(true);
    expect(await metricsText()).toMatch(/^outpost_offline 0$/m);
  }, 28_000);
});
