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
