// The host health rules on their own: backoff length, the unreachable rule, revival.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/main/core/store/database';
import { backoffDelayMs, HostHealth, stateOf, isHeld } from '../../../../src/main/core/delivery/hostHealth';
import { DAY, HOUR, MIN, T0 } from './harness';
import { DEFAULT_HOST_POLICY, DEFAULT_RETRY } from '../../../../src/main/core/config';

const SECOND = 1000;

const ORIGIN = 'https://dead.test';

describe('backoffDelayMs', () => {
  it('is null below 5 failures, then 5, 10, 20 … min, capped at 24 h', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n))).toEqual([null, null, null, null]);
    expect([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 30].map((n) => backoffDelayMs(n)! / MIN)).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440]);
  });

  it("is never longer than the user's own retry after as many failures", () => {
    // The default retry settings (30 s doubling, at most 6 h): the host's own rule until 6 h.
    expect([5, 10, 11, 12, 20].map((n) => backoffDelayMs(n, DEFAULT_HOST_POLICY, DEFAULT_RETRY)! / MIN)).toEqual([5, 160, 320, 360, 360]);
    // First retry after 1 s: a server down for 15 s costs 16 s (the 5th failure), not an hour.
    const quick = { ...DEFAULT_RETRY, initialDelayMs: SECOND };
    expect([4, 5, 6, 7].map((n) => backoffDelayMs(n, DEFAULT_HOST_POLICY, quick))).toEqual([null, 16 * SECOND, 32 * SECOND, 64 * SECOND]);
  });
});

describe('HostHealth', () => {
  const fail = (hh: HostHealth, at: number) => hh.recordFailure('dead.test', ORIGIN, at, 'refused', 'ECONNREFUSED', null);

  it('backs off after 5 consecutive failures, and each failure past the backoff doubles it (5 min on), as long as the retry settings allow', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    for (let i = 0; i < 4; i++) expect(fail(hh, T0).enteredBackoff).toBe(false);
    expect(stateOf(hh.get('dead.test')!, T0)).toBe('healthy');
    expect(fail(hh, T0)).toEqual({ enteredBackoff: true, becameUnreachable: false });
    expect(hh.get('dead.test')).toMatchObject({ consecutiveFailures: 5, backoffUntil: T0 + 5 * MIN });
    expect(stateOf(hh.get('dead.test')!, T0)).toBe('backing_off');
    let at = T0 + 5 * MIN;
    // The default retry settings retry at most every 6 h: the probes follow them past that.
    for (const minutes of [10, 20, 40, 80, 160, 320, 360, 360]) {
      expect(fail(hh, at).enteredBackoff).toBe(true);
      expect(hh.get('dead.test')!.backoffUntil).toBe(at + minutes * MIN);
      at += minutes * MIN;
    }
  });

  it('reads the retry settings at each failure: a shorter first retry shortens the backoff', () => {
    let retry = DEFAULT_RETRY;
    const hh = new HostHealth(openDatabase(':memory:'), DEFAULT_HOST_POLICY, () => retry);
    for (let i = 0; i < 4; i++) fail(hh, T0);
    retry = { ...DEFAULT_RETRY, initialDelayMs: SECOND };
    fail(hh, T0);
    expect(hh.get('dead.test')!.backoffUntil).toBe(T0 + 16 * SECOND);
  });

  it('failures of attempts that were under way when the backoff began neither count nor lengthen it', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    for (let i = 0; i < 5; i++) fail(hh, T0);
    // perHostConcurrency - 1 stragglers come back a moment later
    for (let i = 0; i < 3; i++) expect(fail(hh, T0 + 10).enteredBackoff).toBe(false);
    expect(hh.get('dead.test')).toMatchObject({ consecutiveFailures: 5, backoffUntil: T0 + 5 * MIN, failures: 8 });
    // the probe's failure is the 6th: 10 min
    fail(hh, T0 + 5 * MIN);
    expect(hh.get('dead.test')).toMatchObject({ consecutiveFailures: 6, backoffUntil: T0 + 15 * MIN });
  });

  it('any answer resets the streak and ends the backoff', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    for (let i = 0; i < 6; i++) fail(hh, T0 + i * 2 * HOUR);
    hh.recordAlive('dead.test', ORIGIN, T0 + DAY, false, 404);
    expect(hh.get('dead.test')).toMatchObject({ consecutiveFailures: 0, backoffUntil: null, streakStartedAt: null, lastSuccessAt: null });
    hh.recordAlive('dead.test', ORIGIN, T0 + DAY, true, 202);
    expect(hh.get('dead.test')!.lastSuccessAt).toBe(T0 + DAY);
  });

  it('is unreachable after failures on 7 distinct UTC days without a success, not 6', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    for (let d = 0; d < 6; d++) {
      for (const hour of [1, 23]) expect(fail(hh, T0 + d * DAY + hour * HOUR).becameUnreachable).toBe(false);
    }
    expect(hh.get('dead.test')!.unreachableSince).toBeNull();
    expect(fail(hh, T0 + 6 * DAY + HOUR).becameUnreachable).toBe(true);
    expect(hh.get('dead.test')!.unreachableSince).toBe(T0 + 6 * DAY + HOUR);
    expect(stateOf(hh.get('dead.test')!, T0 + 6 * DAY + HOUR)).toBe('unreachable');
  });

  it('a success restarts the count of days', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    for (let d = 0; d < 4; d++) fail(hh, T0 + d * DAY + HOUR);
    hh.recordAlive('dead.test', ORIGIN, T0 + 4 * DAY, true, 202);
    for (let d = 4; d < 10; d++) fail(hh, T0 + d * DAY + 2 * HOUR);
    expect(hh.get('dead.test')!.unreachableSince).toBeNull(); // 6 days since the success
    expect(fail(hh, T0 + 10 * DAY + HOUR).becameUnreachable).toBe(true);
  });

  it('revive clears backoff and the unreachable mark; suspension holds; all of it persists', () => {
    const db = openDatabase(':memory:');
    const hh = new HostHealth(db);
    for (let d = 0; d < 7; d++) fail(hh, T0 + d * DAY);
    hh.setSuspended('other.test', 'https://other.test', true);
    hh.persist();
    const again = new HostHealth(db);
    expect(again.get('dead.test')!.unreachableSince).not.toBeNull();
    expect(isHeld(again.get('other.test')!, T0)).toBe(true);
    expect(stateOf(again.get('other.test')!, T0)).toBe('suspended');
    expect(again.revive('dead.test', true)).toBe(true);
    expect(again.get('dead.test')).toMatchObject({ unreachableSince: null, backoffUntil: null, consecutiveFailures: 0 });
  });
});

describe('HostHealth decisions', () => {
  const at = (now: number, underWay = 0) => ({ now, underWay });
  const refused = { kind: 'retry', status: null, errorClass: 'refused', error: 'ECONNREFUSED' } as const;
  const failing = (hh: HostHealth, n: number, t = T0) => {
    for (let i = 0; i < n; i++) hh.afterAttempt('dead.test', ORIGIN, refused, { at: t, probe: false });
  };

  it('send while healthy; hold until the backoff ends, then one probe once nothing else is under way', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    expect(hh.beforeSend('new.test', at(T0))).toEqual({ kind: 'send' });
    hh.ensure('dead.test', ORIGIN);
    failing(hh, 4);
    expect(hh.beforeSend('dead.test', at(T0))).toEqual({ kind: 'send' });
    expect(hh.afterAttempt('dead.test', ORIGIN, refused, { at: T0, probe: false })).toEqual({ change: 'park', enteredBackoff: true, becameUnreachable: false });
    expect(hh.isParked('dead.test')).toBe(true);
    expect(hh.beforeSend('dead.test', at(T0 + 5 * MIN - 1))).toEqual({ kind: 'hold', until: T0 + 5 * MIN });
    expect(hh.beforeSend('dead.test', at(T0 + 5 * MIN))).toEqual({ kind: 'probe' });
    // A probe (or a straggler) under way answers first.
    expect(hh.beforeSend('dead.test', at(T0 + 5 * MIN, 1))).toEqual({ kind: 'hold', until: Infinity });
  });

  it('a failed probe parks again for longer; a probe answered releases the host', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    failing(hh, 5);
    expect(hh.afterAttempt('dead.test', ORIGIN, refused, { at: T0 + 5 * MIN, probe: true })).toMatchObject({ change: 'park' });
    expect(hh.beforeSend('dead.test', at(T0 + 5 * MIN))).toEqual({ kind: 'hold', until: T0 + 15 * MIN });
    // Not delivered, but an answer: the host is alive.
    expect(hh.afterAttempt('dead.test', ORIGIN, { kind: 'permanent', status: 404, errorClass: 'http_4xx', error: 'HTTP 404' }, { at: T0 + 3 * HOUR, probe: true }))
      .toEqual({ change: 'release', enteredBackoff: false, becameUnreachable: false });
    expect(hh.isParked('dead.test')).toBe(false);
    expect(hh.beforeSend('dead.test', at(T0 + 3 * HOUR))).toEqual({ kind: 'send' });
  });

  it('a 429 holds the whole host until its Retry-After, capped; other answers and refunds change nothing', () => {
    const hh = new HostHealth(openDatabase(':memory:'), undefined, () => ({ ...DEFAULT_RETRY, maxRetryAfterMs: HOUR }));
    const limited = (retryAfterMs: number) => ({ kind: 'retry', status: 429, errorClass: 'http_429', error: 'HTTP 429', retryAfterMs }) as const;
    expect(hh.afterAttempt('busy.test', 'https://busy.test', limited(600_000), { at: T0, probe: false }).change).toBeNull();
    expect(hh.beforeSend('busy.test', at(T0))).toEqual({ kind: 'hold', until: T0 + 600_000 });
    hh.afterAttempt('busy.test', 'https://busy.test', limited(DAY), { at: T0, probe: false });
    expect(hh.beforeSend('busy.test', at(T0))).toEqual({ kind: 'hold', until: T0 + HOUR });
    expect(hh.beforeSend('busy.test', at(T0 + HOUR))).toEqual({ kind: 'send' });
    const refund = { kind: 'refunded', status: null, errorClass: 'refused', error: 'offline' } as const;
    expect(hh.afterAttempt('busy.test', 'https://busy.test', refund, { at: T0, probe: false })).toEqual({ change: null, enteredBackoff: false, becameUnreachable: false });
    expect(hh.get('busy.test')!.attempts).toBe(2);
  });

  it('skips deliveries queued since the host became unreachable, unless it is suspended', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    for (let d = 0; d < 7; d++) failing(hh, 1, T0 + d * DAY);
    const since = hh.get('dead.test')!.unreachableSince!;
    expect(hh.beforeSend('dead.test', { ...at(since), queuedAt: since })).toEqual({ kind: 'skip' });
    expect(hh.beforeSend('dead.test', { ...at(since), queuedAt: since - 1 }).kind).not.toBe('skip');
    expect(hh.beforeSend('dead.test', at(since)).kind).not.toBe('skip'); // already waiting: never skipped
    hh.setSuspended('dead.test', ORIGIN, true);
    expect(hh.beforeSend('dead.test', { ...at(since), queuedAt: since })).toEqual({ kind: 'hold', until: Infinity });
  });

  it('suspended: held; resumed: released unless still backing off, and a backoff that ended meanwhile is over', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    failing(hh, 5);
    hh.setSuspended('dead.test', ORIGIN, true);
    expect(hh.beforeSend('dead.test', at(T0 + 2 * HOUR))).toEqual({ kind: 'hold', until: Infinity });
    expect(hh.resume('dead.test', T0 + 2 * MIN)).toBe(false);
    expect(hh.beforeSend('dead.test', at(T0 + 2 * MIN))).toEqual({ kind: 'hold', until: T0 + 5 * MIN });
    hh.setSuspended('dead.test', ORIGIN, true);
    expect(hh.resume('dead.test', T0 + 2 * HOUR)).toBe(true);
    expect(hh.beforeSend('dead.test', at(T0 + 2 * HOUR))).toEqual({ kind: 'send' });
    expect(hh.get('dead.test')!.consecutiveFailures).toBe(5); // resuming is not a retry
  });

  it('a signed request from a failing host revives it; from a healthy or suspended one it changes nothing', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    hh.ensure('fine.test', 'https://fine.test');
    expect(hh.heardFrom('fine.test', T0)).toBe(false);
    failing(hh, 5);
    hh.setSuspended('dead.test', ORIGIN, true);
    expect(hh.heardFrom('dead.test', T0)).toBe(false);
    hh.setSuspended('dead.test', ORIGIN, false);
    expect(hh.heardFrom('dead.test', T0)).toBe(true);
    expect(hh.get('dead.test')).toMatchObject({ consecutiveFailures: 0, backoffUntil: null });
    expect(hh.beforeSend('dead.test', at(T0))).toEqual({ kind: 'send' });
  });
});
