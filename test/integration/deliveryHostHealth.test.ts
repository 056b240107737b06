// Dead-server tracking end to end: backoff after consecutive failures, parked deliveries
// that spend no attempts, retry now / suspend / resume from the admin API, the probe that
// goes first when a backoff ends, and what /events and /metrics show of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sleep } from '../support/outpost';
import { followAll, InboxServer } from '../support/remote/inboxServer';
import { FAST_RETRY, readEvents, startTunedOutpost, type TunedOutpost } from '../support/tunedOutpost';
import { DEFAULT_HOST_POLICY } from '../../src/main/core/config';

const HOUR = 3600_000;
let o: TunedOutpost;
const dead = new InboxServer({ ip: '127.0.2.21' });
const steady = new InboxServer({ ip: '127.0.2.22', sharedInbox: true });
const watched = new InboxServer({ ip: '127.0.2.23', sharedInbox: true });
const servers = [dead, steady, watched];

const rowOf = async (activityId: string, inbox: string) => {
  const row = (await o.rpc('deliveryProgress', { activityId })).inboxes.find((r) => r.inbox === inbox);
  if (!row) throw new Error(`no delivery of ${activityId} to ${inbox}`);
  return row;
};
const hostOf = async (host: string) => {
  const h = (await o.rpc('hosts')).find((x) => x.host === host);
  if (!h) throw new Error(`rpc('hosts') does not list ${host}`);
  return h;
};

// The backoff follows the user's retry settings where they are shorter (FAST_RETRY's would
// end it within a second): a second retry 100 s after the first keeps the host backing off
// for the whole of the first test; two failures start it.
const BACKOFF_AFTER = 2;
const SECOND_RETRY_MS = 100_000;

beforeAll(async () => {
  o = await startTunedOutpost({ ip: '127.0.2.20', username: 'hana', delivery: {
    hosts: { failuresBeforeBackoff: BACKOFF_AFTER }, retry: { initialDelayMs: 50, factor: SECOND_RETRY_MS / 50, maxDelayMs: HOUR },
  } });
  await Promise.all(servers.map((s) => s.start()));
  await followAll(o, servers);
  await eventually(() => servers.every((s) => s.ofType('Accept').length === 1), 10_000, 'Accepts');
  await eventually(async () => (await o.rpc('hosts')).filter((h) => h.successes === 1).length === 3, 10_000, 'Accepts recorded');
});
afterAll(async () => {
  await o?.stop();
  await Promise.all(servers.map((s) => s.stop()));
});

describe('host health', () => {
  it('a refusing host backs off after its failures; a later post is parked and not sent; retryHost sends at once', async () => {
    await dead.stop();
    const first = await o.rpc('compose', { content: 'first, while it is down' });
    const backingOff = await eventually(async () => {
      const h = await hostOf(dead.host);
      return h.state === 'backing_off' && h;
    }, 8000, 'backing_off');
    const now = Date.now();
    expect(backingOff.consecutiveFailures).toBe(BACKOFF_AFTER);
    expect(backingOff.lastErrorClass).toBe('refused');
    // The host's rule says 5 min; the user's retry after a second failure, 100 s, is shorter.
    expect(backingOff.backoffUntil).toBeGreaterThan(now + SECOND_RETRY_MS - 10_000);
    expect(backingOff.backoffUntil).toBeLessThanOrEqual(now + SECOND_RETRY_MS);
    expect(backingOff.followers).toBe(1);
    const stats = await o.rpc('queueStats');
    expect(stats.hostsBackingOff).toBe(1);
    expect(stats.offline).toBe(false);
    const firstRow = await rowOf(first.activityId, dead.inbox);
    expect(firstRow).toMatchObject({ state: 'parked', attempts: BACKOFF_AFTER });
    expect(firstRow.lastError).toMatch(/ECONNREFUSED/);
    // The other followers were not held up.
    await eventually(async () => (await rowOf(first.activityId, steady.deliveryInbox)).state === 'delivered', 5000, 'steady delivered');

    // The server is back, but Outpost cannot know: the host stays in backoff and sends nothing.
    await dead.start();
    const second = await o.rpc('compose', { content: 'second, while it backs off' });
    await eventually(async () => (await rowOf(second.activityId, watched.deliveryInbox)).state === 'delivered', 5000, 'others delivered');
    await sleep(800);
    const secondRow = await rowOf(second.activityId, dead.inbox);
    expect(secondRow).toMatchObject({ state: 'parked', attempts: 0 });
    expect(dead.ofType('Create')).toHaveLength(0);
    const parked = await o.rpc('host', { host: dead.host });
    expect(parked).toMatchObject({ state: 'backing_off', parked: 2, queued: 0, attempts: 1 + BACKOFF_AFTER }); // the Accept and the failures
    expect((await o.rpc('queueStats')).parked).toBe(2);

    const asked = Date.now();
    const retried = await o.rpc('retryHost', { host: dead.host });
    expect(retried.state).toBe('healthy');
    expect(retried.backoffUntil).toBeNull();
    expect(retried.consecutiveFailures).toBe(0); // a fresh start: one more failure must not mean a long backoff
    await eventually(() => dead.creates(first.noteId).length === 1 && dead.creates(second.noteId).length === 1, 2000, 'both sent after retryHost');
    expect(Math.max(...dead.ofType('Create').map((c) => c.at)) - asked).toBeLessThan(1000);
    await eventually(async () => (await rowOf(first.activityId, dead.inbox)).state === 'delivered'
      && (await rowOf(second.activityId, dead.inbox)).state === 'delivered', 3000, 'both delivered');
    expect(await hostOf(dead.host)).toMatchObject({ state: 'healthy', consecutiveFailures: 0, parked: 0, queued: 0 });
    expect((await rowOf(second.activityId, dead.inbox)).attempts).toBe(1);
  });

  it('suspendHost parks deliveries to a healthy host until resumeHost', async () => {
    const suspended = await o.rpc('suspendHost', { host: steady.host });
    expect(suspended.state).toBe('suspended');
    const post = await o.rpc('compose', { content: 'held for a suspended host' });
    await eventually(async () => (await rowOf(post.activityId, watched.deliveryInbox)).state === 'delivered', 5000, 'others delivered');
    await sleep(500);
    expect(await rowOf(post.activityId, steady.deliveryInbox)).toMatchObject({ state: 'parked', attempts: 0 });
    expect(steady.creates(post.noteId)).toHaveLength(0);
    expect(await hostOf(steady.host)).toMatchObject({ state: 'suspended', parked: 1 });
    const resumed = await o.rpc('resumeHost', { host: steady.host });
    expect(resumed.state).toBe('healthy');
    await eventually(async () => (await rowOf(post.activityId, steady.deliveryInbox)).state === 'delivered', 3000, 'delivered after resume');
    expect(steady.creates(post.noteId)).toHaveLength(1);
    expect(await hostOf(steady.host)).toMatchObject({ state: 'healthy', parked: 0 });
  });

  it('unknown hosts are refused by retryHost, suspendHost and resumeHost', async () => {
    for (const method of ['retryHost', 'suspendHost', 'resumeHost'] as const) {
      const res = await o.rpcRaw(method, { host: 'never.seen.example' });
      expect(res.status, method).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('/events streams host state changes and delivery progress', async () => {
    let activityId = '';
    const stream = readEvents(o.adminUrl, o.token, (ev) =>
      ev.some((e) => e.event === 'host' && e.data.host === watched.host && e.data.state === 'healthy')
      && ev.some((e) => e.event === 'delivery' && e.data.activityId === activityId && e.data.delivered === e.data.total), 6000);
    await stream.ready;
    await o.rpc('suspendHost', { host: watched.host });
    await sleep(300); // events of one kind are throttled to one per 250 ms
    await o.rpc('resumeHost', { host: watched.host });
    ({ activityId } = await o.rpc('compose', { content: 'watch me go' }));
    const { status, events } = await stream.done;
    expect(status).toBe(200);
    const hostEvents = events.filter((e) => e.event === 'host' && e.data.host === watched.host);
    expect(hostEvents.map((e) => e.data.state)).toEqual(['suspended', 'healthy']);
    expect(hostEvents[0]!.data).toMatchObject({ consecutiveFailures: 0, backoffUntil: null });
    // Other activities' progress may be in the stream too; this one ends fully delivered.
    const progress = events.filter((e) => e.event === 'delivery' && e.data.activityId === activityId);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)!.data).toMatchObject({ activityId, total: 3, delivered: 3, failed: 0 });
  });

  it('GET /metrics needs the token and exports delivery attempts by result and class', async () => {
    const url = `${o.adminUrl}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${url}?token=${o.token}`)).status).toBe(401); // the query token is for EventSource only
    const res = await fetch(url, { headers: { authorization: `Bearer ${o.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('# TYPE outpost_delivery_attempts_total counter');
    const value = (labels: string) => Number(new RegExp(`^outpost_delivery_attempts_total\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
    expect(value('result="delivered",error_class="none"')).toBeGreaterThanOrEqual(3 + 3 + 3 + 3);
    expect(value('result="retry",error_class="refused"')).toBeGreaterThanOrEqual(BACKOFF_AFTER);
    expect(text).toMatch(/^outpost_offline 0$/m);
    expect(text).toMatch(/^outpost_remote_hosts\{state="healthy"\} 3$/m);
  });
});

describe('the end of a backoff', () => {
  let p: TunedOutpost;
  const sick = new InboxServer({ ip: '127.0.2.24' });
  const fine = new InboxServer({ ip: '127.0.2.25' });
  afterAll(async () => {
    await p?.stop();
    await sick.stop();
    await fine.stop();
  });

  it('one probe goes first; while it fails the rest stay parked; its success releases them all', async () => {
    // Backoff capped at 1.5 s so it ends within the test (the retry settings allow 0.8 s, then 1.5 s).
    p = await startTunedOutpost({ ip: '127.0.2.26', username: 'pia', delivery: {
      hosts: { ...DEFAULT_HOST_POLICY, maxBackoffMs: 1500 }, retry: { ...FAST_RETRY, maxDelayMs: 1500, maxElapsedMs: 60_000 },
    } });
    await Promise.all([sick.start(), fine.start()]);
    await followAll(p, [sick, fine]);
    await eventually(() => sick.ofType('Accept').length === 1 && fine.ofType('Accept').length === 1, 10_000, 'Accepts');
    let healthy = false;
    sick.respond = (req) => (req.type === 'Create' && !healthy ? { status: 503 } : { status: 202 });
    const posts: { noteId: string; activityId: string }[] = [];
    for (let i = 0; i < 3; i++) posts.push(await p.rpc('compose', { content: `post ${i} to a sick host` }));
    // 3 posts × retries: the fifth 503 puts the host in backoff (attempts already under way may add one or two).
    await eventually(async () => (await p.rpc('hosts')).find((h) => h.host === sick.host)?.state === 'backing_off', 5000, 'backing_off');
    await sleep(100);
    const before = sick.ofType('Create').length;
    expect(before).toBeGreaterThanOrEqual(5);
    expect(before).toBeLessThanOrEqual(7);
    // The backoff (0.8 s) ends: exactly one probe, which fails, and the host backs off again.
    await eventually(() => sick.ofType('Create').length > before, 3000, 'probe');
    await sleep(300);
    expect(sick.ofType('Create')).toHaveLength(before + 1);
    const probe = (await p.rpc('host', { host: sick.host })).recentAttempts[0]!;
    expect(probe).toMatchObject({ probe: true, status: 503, errorClass: 'http_5xx' });
    expect((await p.rpc('hosts')).find((h) => h.host === sick.host)?.state).toBe('backing_off');

    healthy = true;
    const released = Date.now();
    await eventually(async () => {
      const rows = await Promise.all(posts.map(async (x) => (await p.rpc('deliveryProgress', { activityId: x.activityId })).inboxes.find((r) => r.inbox === sick.inbox)!));
      return rows.every((r) => r.state === 'delivered');
    }, 5000, 'all released and delivered');
    expect(Date.now() - released).toBeLessThan(3500);
    for (const x of posts) expect(sick.creates(x.noteId).filter((c) => c.at >= released)).toHaveLength(1);
    const creates = sick.ofType('Create').filter((c) => c.at >= released);
    expect(creates).toHaveLength(3); // one probe, then the other two
    expect((await p.rpc('host', { host: sick.host })).recentAttempts.filter((a) => a.at >= released).map((a) => a.probe).sort())
      .toEqual([false, false, true]);
  });
});
