// What the delivery engine knows survives a restart: a host in backoff is still backing
// off, its parked deliveries stay parked (and unsent) with their attempts, and the
// per-minute metric rollups are still there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, sleep } from '../support/outpost';
import { followAll, InboxServer } from '../support/remote/inboxServer';
import { startTunedOutpost, type TunedOutpost } from '../support/tunedOutpost';

const IP = '127.0.2.30';
// The backoff follows the user's retry settings where they are shorter (FAST_RETRY's would end
// it within a second): two failures 50 ms apart start it, and the next retry, 100 s later,
// keeps it long enough to restart inside it.
const BACKOFF_AFTER = 2;
const LONG_BACKOFF = { hosts: { failuresBeforeBackoff: BACKOFF_AFTER }, retry: { initialDelayMs: 50, factor: 2000, maxDelayMs: 3600_000 } };
const dataDir = mkdtempSync(join(tmpdir(), 'outpost-restart-'));
const down = new InboxServer({ ip: '127.0.2.31' });
const up = new InboxServer({ ip: '127.0.2.32', sharedInbox: true });
const instances: TunedOutpost[] = [];
afterAll(async () => {
  for (const o of instances.splice(0)) await o.stop().catch(() => {});
  await down.stop();
  await up.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const rowOf = async (o: TunedOutpost, activityId: string, inbox: string) =>
  (await o.rpc('deliveryProgress', { activityId })).inboxes.find((r) => r.inbox === inbox)!;
const refusedInRollup = async (o: TunedOutpost) =>
  (await o.rpc('metrics', { range: '1h' })).points.reduce((n, p) => n + (p.errors.refused ?? 0), 0);

describe('restart', () => {
  it('a backing-off host and its parked deliveries survive a restart, and so do the metrics', async () => {
    const a = await startTunedOutpost({ ip: IP, username: 'rita', dataDir, delivery: LONG_BACKOFF });
    instances.push(a);
    await Promise.all([down.start(), up.start()]);
    await followAll(a, [down, up]);
    await eventually(async () => (await a.rpc('queueStats')).delivered === 2, 10_000, 'Accepts delivered');
    await down.stop();
    const post = await a.rpc('compose', { content: 'waiting across a restart' });
    const before = await eventually(async () => {
      const h = (await a.rpc('hosts')).find((x) => x.host === down.host);
      return h?.state === 'backing_off' && h;
    }, 8000, 'backing_off');
    expect(await rowOf(a, post.activityId, down.inbox)).toMatchObject({ state: 'parked', attempts: BACKOFF_AFTER });
    const refusedBefore = await refusedInRollup(a);
    expect(refusedBefore).toBeGreaterThanOrEqual(1);
    await instances.pop()!.stop(); // a clean stop; the data folder stays

    await down.start(); // back, but still in its backoff window: nothing may be sent
    const b = await startTunedOutpost({ ip: IP, username: 'rita', dataDir, port: a.port, delivery: LONG_BACKOFF });
    instances.push(b);
    expect(b.actor).toBe(a.actor);
    const after = (await b.rpc('hosts')).find((x) => x.host === down.host)!;
    expect(after).toMatchObject({
      state: 'backing_off', backoffUntil: before.backoffUntil, consecutiveFailures: BACKOFF_AFTER, lastErrorClass: 'refused', parked: 1, followers: 1,
    });
    expect((await b.rpc('queueStats')).hostsBackingOff).toBe(1);
    await sleep(600);
    expect(await rowOf(b, post.activityId, down.inbox)).toMatchObject({ state: 'parked', attempts: BACKOFF_AFTER });
    expect(down.creates(post.noteId)).toHaveLength(0);
    expect(await refusedInRollup(b)).toBe(refusedBefore);

    await b.rpc('retryHost', { host: down.host });
    await eventually(async () => (await rowOf(b, post.activityId, down.inbox)).state === 'delivered', 3000, 'delivered after retryHost');
    expect(down.creates(post.noteId)).toHaveLength(1);
    expect(up.creates(post.noteId)).toHaveLength(1);
  });
});
