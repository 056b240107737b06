// The host health rules on their own: backoff length, the unreachable rule, revival.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/main/core/store/database';
import { backoffDelayMs, HostHealth, stateOf, isHeld } from '../../../../src/main/core/delivery/hostHealth';
import { DAY, HOUR, T0 } from './harness';

const ORIGIN = 'https://dead.test';

describe('backoffDelayMs', () => {
  it('is null below 5 failures, then 1, 2, 4 … h, capped at 24 h', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n))).toEqual([null, null, null, null]);
    expect([5, 6, 7, 8, 9, 10, 11, 30].map((n) => backoffDelayMs(n)! / HOUR)).toEqual([1, 2, 4, 8, 16, 24, 24, 24]);
  });
});

describe('HostHealth', () => {
  const fail = (hh: HostHealth, at: number) => hh.recordFailure('dead.test', ORIGIN, at, 'refused', 'ECONNREFUSED', null);

  it('backs off after 5 consecutive failures, and each failure past the backoff doubles it up to 24 h', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    for (let i = 0; i < 4; i++) expect(fail(hh, T0).enteredBackoff).toBe(false);
    expect(stateOf(hh.get('dead.test')!, T0)).toBe('healthy');
    expect(fail(hh, T0)).toEqual({ enteredBackoff: true, becameUnreachable: false });
    expect(hh.get('dead.test')).toMatchObject({ consecutiveFailures: 5, backoffUntil: T0 + HOUR });
    expect(stateOf(hh.get('dead.test')!, T0)).toBe('backing_off');
    let at = T0 + HOUR;
    for (const hours of [2, 4, 8, 16, 24, 24]) {
      expect(fail(hh, at).enteredBackoff).toBe(true);
      expect(hh.get('dead.test')!.backoffUntil).toBe(at + hours * HOUR);
      at += hours * HOUR;
    }
  });

  it('failures of attempts that were under way when the backoff began neither count nor lengthen it', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    for (let i = 0; i < 5; i++) fail(hh, T0);
    // perHostConcurrency - 1 stragglers come back a moment later
    for (let i = 0; i < 3; i++) expect(fail(hh, T0 + 10).enteredBackoff).toBe(false);
    expect(hh.get('dead.test')).toMatchObject({ consecutiveFailures: 5, backoffUntil: T0 + HOUR, failures: 8 });
    // the probe's failure is the 6th: 2 h
    fail(hh, T0 + HOUR);
    expect(hh.get('dead.test')).toMatchObject({ consecutiveFailures: 6, backoffUntil: T0 + 3 * HOUR });
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
    expect(hh.beforeSend('dead.test', at(T0 + HOUR - 1))).toEqual({ kind: 'hold', until: T0 + HOUR });
    expect(hh.beforeSend('dead.test', at(T0 + HOUR))).toEqual({ kind: 'probe' });
    // A probe (or a straggler) under way answers first.
    expect(hh.beforeSend('dead.test', at(T0 + HOUR, 1))).toEqual({ kind: 'hold', until: Infinity });
  });

  it('a failed probe parks again for longer; a probe answered releases the host', () => {
    const hh = new HostHealth(openDatabase(':memory:'));
    failing(hh, 5);
    expect(hh.afterAttempt('dead.test', ORIGIN, refused, { at: T0 + HOUR, probe: true })).toMatchObject({ change: 'park' });
    expect(hh.beforeSend('dead.test', at(T0 + HOUR))).toEqual({ kind: 'hold', until: T0 + 3 * HOUR });
    // Not delivered, but an answer: the host is alive.
    expect(hh.afterAttempt('dead.test', ORIGIN, { kind: 'permanent', status: 404, errorClass: 'http_4xx', error: 'HTTP 404' }, { at: T0 + 3 * HOUR, probe: true }))
      .toEqual({ change: 'release', enteredBackoff: false, becameUnreachable: false });
    expect(hh.isParked('dead.test')).toBe(false);
    expect(hh.beforeSend('dead.test', at(T0 + 3 * HOUR))).toEqual({ kind: 'send' });
  });

  it('a 429 holds the whole host until its Retry-After, capped; other answers and refunds change nothing', () => {
    const hh = new HostHealth(openDatabase(':memory:'), undefined, () => HOUR);
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
    expect(hh.resume('dead.test', T0 + 10 * 60_000)).toBe(false);
    expect(hh.beforeSend('dead.test', at(T0 + 10 * 60_000))).toEqual({ kind: 'hold', until: T0 + HOUR });
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
