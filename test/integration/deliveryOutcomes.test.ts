// Delivery outcome classes, end to end: a real Outpost delivers one post to followers on
// real loopback servers, each scripted to answer one way; what happened is read only
// from the admin API and from what the servers received.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, sleep } from '../support/outpost';
import { followAll, InboxServer, type InboxAnswer } from '../support/remote/inboxServer';
import { startTunedOutpost, type TunedOutpost } from '../support/tunedOutpost';
import type { DeliveryRowDto } from '../../src/shared/dto';

// Long enough that a loaded CI machine still gets both knocks of a 400/401 inside one
// attempt; short enough that the silent server's timeouts come quickly.
const ATTEMPT_TIMEOUT_MS = 1500;
const DNS_INBOX = 'http://nonexistent.invalid/inbox';

let o: TunedOutpost;
const onCreate = (script: (nth: number) => InboxAnswer) => (req: { type: string | undefined }, nth: number): InboxAnswer =>
  req.type === 'Create' ? script(nth) : { status: 202 };

const ok = new InboxServer({ ip: '127.0.2.2', sharedInbox: true });
const gone = new InboxServer({ ip: '127.0.2.3', respond: onCreate(() => ({ status: 410 })) }); // personal inbox only
const notFound = new InboxServer({ ip: '127.0.2.4', respond: onCreate(() => ({ status: 404 })) });
const badRequest = new InboxServer({ ip: '127.0.2.5', sharedInbox: true, respond: onCreate(() => ({ status: 400 })) });
const flaky = new InboxServer({ ip: '127.0.2.6', sharedInbox: true, respond: onCreate((n) => ({ status: [500, 502, 503][n - 1] ?? 202 })) });
const limited = new InboxServer({ ip: '127.0.2.7', respond: onCreate((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 202 })) });
// 401 to both knocks of the first attempt (RFC 9421, then draft-cavage at once), then 202.
const unauthorized = new InboxServer({ ip: '127.0.2.8', respond: onCreate((n) => ({ status: n <= 2 ? 401 : 202 })) });
const silent = new InboxServer({ ip: '127.0.2.9', respond: onCreate(() => 'hang') });
const closed = new InboxServer({ ip: '127.0.2.10' });
const all = [ok, gone, notFound, badRequest, flaky, limited, unauthorized, silent, closed];

let noteId: string;
let activityId: string;
/** The same post, queued by the Outbox for a follower whose server's name stopped resolving. */
let dnsActivityId: string;
let composedAt: number;

const rowFor = async (inbox: string, of = activityId): Promise<DeliveryRowDto> => {
  const row = (await o.rpc('deliveryProgress', { activityId: of })).inboxes.find((r) => r.inbox === inbox);
  if (!row) throw new Error(`no delivery row for ${inbox}`);
  return row;
};
/** Attempts to deliver the post (not the earlier Accept) to `inbox`, oldest first. */
const attemptsAt = async (host: string, inbox: string) =>
  (await o.rpc('host', { host })).recentAttempts.filter((a) => a.inbox === inbox && a.at >= composedAt).reverse();

beforeAll(async () => {
  o = await startTunedOutpost({ ip: '127.0.2.1', username: 'olive', delivery: { attemptTimeoutMs: ATTEMPT_TIMEOUT_MS } });
  await Promise.all(all.map((s) => s.start()));
  await followAll(o, all);
  // Every Accept delivered: each host has answered once, so the connectivity check has references.
  await eventually(() => all.every((s) => s.ofType('Accept').length === 1), 10_000, 'Accepts');
  await eventually(async () => (await o.rpc('hosts')).filter((h) => h.successes >= 1).length === all.length, 10_000, 'Accepts recorded');
  await closed.stop();
  composedAt = Date.now();
  ({ noteId, activityId } = await o.rpc('compose', { content: 'one post, nine ways to answer' }));
  // An inbox must be on its actor's host, so no follower can name a host that does not
  // resolve; a follower's domain can lapse, though. The Outbox queues for it as it would.
  const { outbox, db } = o.instance;
  dnsActivityId = `${activityId}-dns`;
  db.transaction(() => outbox.enqueue(dnsActivityId, { id: `${o.actor}/activities/${dnsActivityId}`, type: 'Create', actor: o.actor }, [DNS_INBOX]))();
});
afterAll(async () => {
  await o?.stop();
  await Promise.all(all.map((s) => s.stop()));
});

describe('delivery outcome classes', () => {
  it('2xx: delivered on the first attempt, signed', async () => {
    const row = await eventually(async () => {
      const r = await rowFor(ok.deliveryInbox);
      return r.state === 'delivered' && r;
    }, 5000, '2xx delivered');
    expect(row).toMatchObject({ attempts: 1, lastStatus: 202, lastError: null });
    const creates = ok.creates(noteId);
    expect(creates).toHaveLength(1);
    expect(creates[0]!.path).toBe('/inbox');
    // Signed with RFC 9421 first (the preferred spec), which this server takes.
    expect(creates[0]!.headers['signature-input']).toContain(`keyid="${o.actor}#main-key"`);
    expect((await o.rpc('host', { host: ok.host })).state).toBe('healthy');
  });

  it('410 from a personal inbox: failed, not retried, and the follower is removed', async () => {
    const row = await eventually(async () => {
      const r = await rowFor(gone.inbox);
      return r.state === 'failed' && r;
    }, 5000, '410 failed');
    expect(row).toMatchObject({ attempts: 1, lastStatus: 410 });
    expect(row.lastError).toMatch(/gone/);
    await eventually(async () => !(await o.rpc('followers')).some((f) => f.actor.uri === gone.actorId), 5000, 'follower removed');
    const followers = (await o.rpc('followers')).map((f) => f.actor.uri);
    expect(followers).toContain(ok.actorId); // only that one is dropped
    await sleep(300); // several retry delays
    expect(gone.creates(noteId)).toHaveLength(1);
    expect((await o.rpc('host', { host: gone.host })).state).toBe('healthy'); // it answered: alive
  });

  it('404 and 400: failed after one attempt, never retried', async () => {
    for (const [server, status] of [[notFound, 404], [badRequest, 400]] as const) {
      const row = await eventually(async () => {
        const r = await rowFor(server.deliveryInbox);
        return r.state === 'failed' && r;
      }, 5000, `${status} failed`);
      expect(row).toMatchObject({ attempts: 1, lastStatus: status, lastError: `HTTP ${status}` });
    }
    await sleep(600); // the first retry would come after 50 ms
    for (const server of [notFound, badRequest]) {
      // A 400 is knocked twice (the other signature spec at once, in the same attempt); a 404 once.
      expect(server.creates(noteId)).toHaveLength(server === badRequest ? 2 : 1);
      const h = await o.rpc('host', { host: server.host });
      expect(h.state).toBe('healthy');
      expect(h.consecutiveFailures).toBe(0);
      expect((await attemptsAt(server.host, server.deliveryInbox)).map((a) => a.errorClass)).toEqual(['http_4xx']);
    }
    // Still followers: a 4xx other than 410 says nothing about the account.
    const followers = (await o.rpc('followers')).map((f) => f.actor.uri);
    expect(followers).toEqual(expect.arrayContaining([notFound.actorId, badRequest.actorId]));
  });

  it('500, 502, 503: retried with backoff, then delivered once the server recovers', async () => {
    const row = await eventually(async () => {
      const r = await rowFor(flaky.deliveryInbox);
      return r.state === 'delivered' && r;
    }, 5000, '5xx then delivered');
    expect(row).toMatchObject({ attempts: 4, lastStatus: 202 });
    const creates = flaky.creates(noteId);
    expect(creates).toHaveLength(4);
    // Exponential: 50, 100, 200 ms between attempts (no jitter in this config).
    const gaps = creates.slice(1).map((c, i) => c.at - creates[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(50);
    expect(gaps[1]).toBeGreaterThanOrEqual(100);
    expect(gaps[2]).toBeGreaterThanOrEqual(200);
    const attempts = await attemptsAt(flaky.host, flaky.deliveryInbox);
    expect(attempts.map((a) => [a.status, a.errorClass])).toEqual([[500, 'http_5xx'], [502, 'http_5xx'], [503, 'http_5xx'], [202, 'ok']]);
    const h = await o.rpc('host', { host: flaky.host });
    expect(h).toMatchObject({ state: 'healthy', consecutiveFailures: 0 });
  });

  it('429 with Retry-After: 1 → the retry waits at least 1 s', async () => {
    const row = await eventually(async () => {
      const r = await rowFor(limited.inbox);
      return r.state === 'delivered' && r;
    }, 5000, '429 then delivered');
    expect(row).toMatchObject({ attempts: 2, lastStatus: 202 });
    const creates = limited.creates(noteId);
    expect(creates).toHaveLength(2);
    expect(creates[1]!.at - creates[0]!.at).toBeGreaterThanOrEqual(1000);
    const attempts = await attemptsAt(limited.host, limited.inbox);
    expect(attempts.map((a) => [a.status, a.errorClass])).toEqual([[429, 'http_429'], [202, 'ok']]);
  });

  it('401: double-knocked at once with the other spec, then retried (a key fetch may have failed on their side), then delivered', async () => {
    const row = await eventually(async () => {
      const r = await rowFor(unauthorized.inbox);
      return r.state === 'delivered' && r;
    }, 5000, '401 then delivered');
    expect(row).toMatchObject({ attempts: 2, lastStatus: 202 });
    const creates = unauthorized.creates(noteId);
    expect(creates.map((c) => (c.headers['signature-input'] ? 'rfc9421' : 'draft-cavage'))).toEqual(['rfc9421', 'draft-cavage', 'rfc9421']);
    const attempts = await attemptsAt(unauthorized.host, unauthorized.inbox);
    expect(attempts.map((a) => [a.status, a.errorClass])).toEqual([[401, 'http_401'], [202, 'ok']]);
  });

  it('a server that accepts the connection but never answers: timeout class, retried', async () => {
    const attempts = await eventually(async () => {
      const a = await attemptsAt(silent.host, silent.inbox);
      return a.length >= 2 && a;
    }, 4 * ATTEMPT_TIMEOUT_MS + 5000, 'two timed-out attempts');
    for (const a of attempts) {
      expect(a.errorClass).toBe('timeout');
      expect(a.status).toBeNull();
      expect(a.counted).toBe(true);
      expect(a.latencyMs).toBeGreaterThanOrEqual(ATTEMPT_TIMEOUT_MS - 50);
      expect(a.latencyMs).toBeLessThan(ATTEMPT_TIMEOUT_MS + 1500);
    }
    const row = await rowFor(silent.inbox);
    expect(row.state).not.toBe('delivered');
    expect(row.state).not.toBe('failed');
    expect(row.attempts).toBeGreaterThanOrEqual(2);
    expect(row.lastError).toMatch(/timed out/);
    expect(silent.creates(noteId).length).toBeGreaterThanOrEqual(2); // the requests did arrive
    expect((await o.rpc('host', { host: silent.host })).lastErrorClass).toBe('timeout');
  });

  it('connection refused (a closed port): refused class, retried', async () => {
    const attempts = await eventually(async () => {
      const a = await attemptsAt(closed.host, closed.inbox);
      return a.length >= 2 && a;
    }, 5000, 'two refused attempts');
    expect(attempts.map((a) => a.errorClass)).toContain('refused');
    expect(attempts.every((a) => a.counted && a.status === null)).toBe(true);
    const row = await rowFor(closed.inbox);
    expect(['queued', 'parked', 'in_flight']).toContain(row.state);
    expect(row.lastError).toMatch(/ECONNREFUSED/);
    const h = await o.rpc('host', { host: closed.host });
    expect(h.lastErrorClass).toBe('refused');
    expect(h.consecutiveFailures).toBeGreaterThanOrEqual(2);
  });

  it('a host name that does not resolve: dns class, retried', async () => {
    const host = 'nonexistent.invalid';
    const attempts = await eventually(async () => {
      const a = await attemptsAt(host, DNS_INBOX);
      return a.length >= 2 && a;
    }, 5000, 'two dns attempts');
    expect(attempts.every((a) => a.errorClass === 'dns' && a.status === null && a.counted)).toBe(true);
    const row = await rowFor(DNS_INBOX, dnsActivityId);
    expect(['queued', 'parked', 'in_flight']).toContain(row.state);
    expect(row.lastError).toMatch(/ENOTFOUND|EAI_AGAIN/);
    expect((await o.rpc('host', { host })).lastErrorClass).toBe('dns');
  });

  it('the metrics rollup counts every failure class', async () => {
    const m = await o.rpc('metrics', { range: '1h' });
    const errors: Record<string, number> = {};
    let attempts = 0;
    let delivered = 0;
    for (const p of m.points) {
      attempts += p.attempts;
      delivered += p.delivered;
      for (const [k, v] of Object.entries(p.errors)) errors[k] = (errors[k] ?? 0) + v;
    }
    for (const cls of ['gone', 'http_4xx', 'http_5xx', 'http_429', 'http_401', 'timeout', 'refused', 'dns']) {
      expect(errors[cls], cls).toBeGreaterThanOrEqual(1);
    }
    expect(errors.http_4xx).toBe(2);
    expect(errors.http_5xx).toBe(3);
    // 9 Accepts, and the Create to ok, flaky, limited, unauthorized.
    expect(delivered).toBe(13);
    expect(attempts).toBeGreaterThanOrEqual(13 + 8);
  });
});
