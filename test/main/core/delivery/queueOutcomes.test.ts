// What the queue does with each outcome: retries on the schedule, gives up, honours
// Retry-After, drops gone inboxes, fails permanent errors without retrying.
import { afterEach, describe, expect, it } from 'vitest';
import { exponentialBackoff } from '../../../../src/main/core/delivery/retryPolicy';
import { FetchError } from '../../../../src/main/core/federation/httpClient';
import { HOUR, Harness, MIN, SEC, T0, inboxes, netError, until, type Answer } from './harness';

let h: Harness;
afterEach(async () => {
  await h?.stop();
});

describe('retry schedule in the queue', () => {
  it('retries when the policy says, not before, and gives up with a visible error', async () => {
    h = new Harness({
      respond: () => 503,
      retryPolicy: exponentialBackoff({ initialDelayMs: 1000, factor: 2, maxElapsedMs: 5000, jitter: 0 }),
    });
    const [inbox] = inboxes('flaky.test', 1) as [string];
    h.enqueue([inbox]);
    h.start();
    await until(() => h.row(inbox).attempts === 1, 'first attempt recorded');
    expect(h.row(inbox)).toMatchObject({ state: 'queued', next_attempt_at: T0 + 1000, last_status: 503 });

    h.advance(999);
    await h.queue.idle();
    expect(h.transport.count()).toBe(1);

    h.advance(1); // T0 + 1 s
    await until(() => h.row(inbox).attempts === 2, 'second attempt');
    expect(h.row(inbox).next_attempt_at).toBe(T0 + 3000);

    h.advance(2000); // T0 + 3 s
    await until(() => h.row(inbox).attempts === 3, 'third attempt');
    expect(h.row(inbox).next_attempt_at).toBe(T0 + 7000);

    h.advance(4000); // T0 + 7 s: past maxElapsed, this failure is the last
    await until(() => h.row(inbox).state === 'failed', 'given up');
    expect(h.row(inbox).attempts).toBe(4);
    expect(h.row(inbox).last_error).toMatch(/gave up after 4 attempts/);
    expect(h.transport.requests.map((r) => r.at - T0)).toEqual([0, 1000, 3000, 7000]);
    expect(h.queue.queueStats()).toMatchObject({ failed: 1, queued: 0 });

    h.advance(HOUR);
    await h.queue.idle();
    expect(h.transport.count()).toBe(4);
  });
});

describe('Retry-After', () => {
  it('429 holds the whole host until Retry-After, then delivery goes on', async () => {
    let limited = true;
    h = new Harness({
      config: { perHostConcurrency: 1 },
      respond: () => (limited ? { status: 429, headers: { 'retry-after': '600' } } : 202),
    });
    const list = inboxes('busy.test', 3);
    h.enqueue(list);
    h.start();
    await until(() => h.row(list[0]!).attempts === 1, 'first attempt');
    limited = false;
    expect(h.row(list[0]!)).toMatchObject({ state: 'queued', next_attempt_at: T0 + 600 * SEC, last_status: 429 });

    h.advance(599 * SEC);
    await h.queue.idle();
    expect(h.transport.count()).toBe(1); // the two never-tried rows wait too

    h.advance(1 * SEC);
    await until(() => h.countIn('delivered') === 3, 'all delivered after Retry-After');
    expect(h.transport.requests.slice(1).every((r) => r.at === T0 + 600 * SEC)).toBe(true);
    // 429 is an answer: the host is alive, not failing.
    expect(h.hostHealth.get('busy.test')).toMatchObject({ consecutiveFailures: 0, backoffUntil: null });
  });

  it('a huge Retry-After is capped at 6 h', async () => {
    let limited = true;
    h = new Harness({ config: { perHostConcurrency: 1 }, respond: () => (limited ? { status: 429, headers: { 'retry-after': '9999999' } } : 202) });
    const list = inboxes('greedy.test', 2);
    h.enqueue(list);
    h.start();
    await until(() => h.row(list[0]!).attempts === 1, 'first attempt');
    limited = false;
    expect(h.row(list[0]!).next_attempt_at).toBe(T0 + 6 * HOUR);
    h.advance(6 * HOUR - 1);
    await h.queue.idle();
    expect(h.transport.count()).toBe(1);
    h.advance(1);
    await until(() => h.countIn('delivered') === 2, 'delivered at the cap');
  });

  it('the host waits no longer than the configured Retry-After cap either', async () => {
    let limited = true;
    h = new Harness({
      config: { perHostConcurrency: 1, retry: { maxRetryAfterMs: HOUR } },
      retryPolicy: exponentialBackoff({ maxRetryAfterMs: HOUR, random: () => 0.5 }),
      respond: () => (limited ? { status: 429, headers: { 'retry-after': '86400' } } : 202),
    });
    const list = inboxes('greedy.test', 3);
    h.enqueue(list);
    h.start();
    await until(() => h.row(list[0]!).attempts === 1, 'first attempt');
    limited = false;
    expect(h.row(list[0]!).next_attempt_at).toBe(T0 + HOUR);
    h.advance(HOUR);
    await until(() => h.countIn('delivered') === 3, 'the host is free again at the cap');
  });

  it('503 with Retry-After lengthens that delivery’s delay (capped) without holding the host', async () => {
    const answers: Record<string, Answer> = {
      'https://down.test/users/u0/inbox': { status: 503, headers: { 'retry-after': '3600' } },
      'https://down.test/users/u1/inbox': { status: 503, headers: { 'retry-after': String(3 * 24 * 3600) } },
      'https://down.test/users/u2/inbox': 503,
    };
    h = new Harness({ respond: (url) => answers[url] ?? 202 });
    h.enqueue([...inboxes('down.test', 4)]);
    h.start();
    await until(() => h.transport.count() === 4 && h.countIn('in_flight') === 0, 'all tried once');
    expect(h.row('https://down.test/users/u0/inbox').next_attempt_at).toBe(T0 + HOUR);
    expect(h.row('https://down.test/users/u1/inbox').next_attempt_at).toBe(T0 + 6 * HOUR);
    expect(h.row('https://down.test/users/u2/inbox').next_attempt_at).toBe(T0 + 30 * SEC);
    expect(h.row('https://down.test/users/u3/inbox').state).toBe('delivered');
  });

  it('a probe answered 429 releases the parked rest only after Retry-After', async () => {
    let answer: Answer = netError('ECONNREFUSED');
    h = new Harness({ config: { perHostConcurrency: 1 }, respond: () => answer });
    const list = inboxes('limited.test', 8);
    h.enqueue(list);
    h.start();
    await until(() => h.hostHealth.get('limited.test')?.backoffUntil === T0 + 5 * MIN, 'backing off');
    answer = { status: 429, headers: { 'retry-after': '1800' } };
    h.advance(5 * MIN);
    await until(() => h.transport.count() === 6, 'probe sent');
    answer = 202;
    await h.queue.idle();
    expect(h.transport.count()).toBe(6); // the host said "in 30 min": nothing rushes in
    expect(h.countIn('parked')).toBe(0); // but the rest is released (waiting, not parked)
    h.advance(30 * MIN);
    await until(() => h.countIn('delivered') === 8, 'delivered after Retry-After');
  });
});

describe('classification in the queue', () => {
  const cases: [string, Answer, { state: string; errorClass: string; status: number | null }][] = [
    ['ok', 202, { state: 'delivered', errorClass: 'ok', status: 202 }],
    ['ok200', 200, { state: 'delivered', errorClass: 'ok', status: 200 }],
    ['gone', 410, { state: 'failed', errorClass: 'gone', status: 410 }],
    ['bad', 400, { state: 'failed', errorClass: 'http_4xx', status: 400 }],
    ['forbidden', 403, { state: 'failed', errorClass: 'http_4xx', status: 403 }],
    ['missing', 404, { state: 'failed', errorClass: 'http_4xx', status: 404 }],
    ['unauth', 401, { state: 'queued', errorClass: 'http_401', status: 401 }],
    ['reqtimeout', 408, { state: 'queued', errorClass: 'http_408', status: 408 }],
    ['ratelimit', 429, { state: 'queued', errorClass: 'http_429', status: 429 }],
    ['error', 500, { state: 'queued', errorClass: 'http_5xx', status: 500 }],
    ['unavailable', 503, { state: 'queued', errorClass: 'http_5xx', status: 503 }],
    ['redirect', 301, { state: 'queued', errorClass: 'http_other', status: 301 }],
    ['refused', netError('ECONNREFUSED'), { state: 'queued', errorClass: 'refused', status: null }],
    ['nxdomain', netError('ENOTFOUND', 'getaddrinfo ENOTFOUND'), { state: 'queued', errorClass: 'dns', status: null }],
    ['connecttimeout', netError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'), { state: 'queued', errorClass: 'timeout', status: null }],
    ['slow', new FetchError('slow.test timed out', 'timeout', undefined, 'TimeoutError'), { state: 'queued', errorClass: 'timeout', status: null }],
    ['reset', netError('ECONNRESET', 'socket hang up'), { state: 'queued', errorClass: 'reset', status: null }],
    ['tls', netError('CERT_HAS_EXPIRED', 'certificate has expired'), { state: 'queued', errorClass: 'tls', status: null }],
    ['private', new FetchError('resolves to a private address', 'blocked', undefined, 'EPRIVATEADDR'), { state: 'failed', errorClass: 'blocked', status: null }],
  ];

  // A 400 or 401 is double-knocked at once with the other signature spec: two requests, one attempt.
  const knocks = (name: string) => (name === 'bad' || name === 'unauth' ? 2 : 1);
  const requestsPerRound = cases.reduce((n, [name]) => n + knocks(name), 0);

  it('records each status and error class as the policy says, retrying only what may recover', async () => {
    h = new Harness({ respond: (_url, host) => cases.find(([name]) => `${name}.test` === host)![1] });
    h.enqueue(cases.map(([name]) => `https://${name}.test/inbox`));
    h.start();
    await until(() => h.transport.count() === requestsPerRound && h.countIn('in_flight') === 0 && h.attempts().length === cases.length, 'every host tried');
    const attempts = h.attempts();
    for (const [name, , want] of cases) {
      const row = h.row(`https://${name}.test/inbox`);
      expect({ name, state: row.state, attempts: row.attempts }).toEqual({ name, state: want.state, attempts: 1 });
      const a = attempts.find((x) => x.delivery_id === row.id)!;
      expect({ name, errorClass: a.error_class, status: a.status, counted: a.counted }).toEqual({ name, errorClass: want.errorClass, status: want.status, counted: 1 });
      if (want.state === 'queued') expect(row.next_attempt_at).toBe(T0 + 30 * SEC);
    }
    // Permanent failures are not retried, ever.
    h.advance(HOUR);
    await until(() => h.transport.count() === requestsPerRound + cases.filter(([, , w]) => w.state === 'queued').reduce((n, [name]) => n + knocks(name), 0), 'retries sent');
    await h.queue.idle();
    for (const [name, , want] of cases) {
      if (want.state !== 'queued') expect(h.transport.count(`${name}.test`)).toBe(knocks(name));
    }
    // Only failures without an HTTP answer (or 5xx/408) count against a host.
    expect(h.hostHealth.get('unavailable.test')!.consecutiveFailures).toBe(2);
    expect(h.hostHealth.get('refused.test')!.consecutiveFailures).toBe(2);
    expect(h.hostHealth.get('reqtimeout.test')!.consecutiveFailures).toBe(2);
    expect(h.hostHealth.get('unauth.test')!.consecutiveFailures).toBe(0);
    expect(h.hostHealth.get('ratelimit.test')!.consecutiveFailures).toBe(0);
    expect(h.hostHealth.get('missing.test')!.consecutiveFailures).toBe(0);
  });
});

describe('gone and permanent', () => {
  it('410 from a personal inbox fails the delivery and reports the inbox gone', async () => {
    h = new Harness({ respond: (url) => (url.includes('/users/u0/') ? 410 : 202) });
    const list = inboxes('social.test', 2);
    const id = h.enqueue(list);
    h.start();
    await until(() => h.countIn('in_flight') === 0 && h.countIn('queued') === 0 && h.attempts().length === 2, 'both tried');
    expect(h.gone).toEqual([list[0]]);
    expect(h.row(list[0]!, id)).toMatchObject({ state: 'failed', last_status: 410, attempts: 1 });
    expect(h.row(list[0]!, id).last_error).toMatch(/gone/);
    expect(h.row(list[1]!, id).state).toBe('delivered');
    expect(h.queue.progress(id)).toMatchObject({ total: 2, delivered: 1, failed: 1 });
  });

  it('a permanent 4xx fails at once, is never retried, and does not hurt the host', async () => {
    h = new Harness({ respond: () => 403 });
    const [inbox] = inboxes('strict.test', 1) as [string];
    h.enqueue([inbox]);
    h.start();
    await until(() => h.row(inbox).state === 'failed', 'failed');
    expect(h.row(inbox)).toMatchObject({ attempts: 1, last_status: 403, last_error: 'HTTP 403' });
    expect(h.gone).toEqual([]);
    for (let i = 0; i < 5; i++) h.advance(6 * HOUR);
    await h.queue.idle();
    expect(h.transport.count()).toBe(1);
    expect(h.hostHealth.get('strict.test')).toMatchObject({ consecutiveFailures: 0, backoffUntil: null });
  });
});
