import { describe, expect, it } from 'vitest';
import { exponentialBackoff, retrySchedule } from '../../../../src/main/core/delivery/retryPolicy';
import { DEFAULT_DELIVERY } from '../../../../src/main/core/config';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

describe('exponentialBackoff', () => {
  it('with the defaults (no jitter draw) waits 30 s, 1, 2, 4 … 256 min, then 6 h', () => {
    const delays = retrySchedule(exponentialBackoff({ random: () => 0.5 }));
    expect(delays.slice(0, 11)).toEqual([
      30 * SEC, 1 * MIN, 2 * MIN, 4 * MIN, 8 * MIN, 16 * MIN, 32 * MIN, 64 * MIN, 128 * MIN, 256 * MIN, 6 * HOUR,
    ]);
    for (const d of delays.slice(10)) expect(d).toBe(6 * HOUR);
  });

  it('the configured defaults are the same schedule', () => {
    expect(retrySchedule(exponentialBackoff({ ...DEFAULT_DELIVERY.retry, random: () => 0.5 }))).toEqual(
      retrySchedule(exponentialBackoff({ random: () => 0.5 })),
    );
  });

  it('keeps trying for at least 48 h (72 h by default), then gives up', () => {
    const policy = exponentialBackoff({ random: () => 0.5 });
    const delays = retrySchedule(policy);
    const total = delays.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(48 * HOUR);
    expect(total).toBeGreaterThanOrEqual(72 * HOUR);
    expect(total).toBeLessThan(72 * HOUR + 6 * HOUR);
    expect(delays.length).toBeGreaterThanOrEqual(18);
    expect(delays.length).toBeLessThanOrEqual(22);
    // Once 72 h have passed since the delivery was queued: null, give up.
    expect(policy({ attempts: delays.length + 1, createdAt: 0, now: total })).toBeNull();
    expect(policy({ attempts: 3, createdAt: 0, now: 72 * HOUR })).toBeNull();
    expect(policy({ attempts: 3, createdAt: 0, now: 72 * HOUR - 1 })).not.toBeNull();
  });

  it('still covers 48 h with the worst jitter draw', () => {
    const delays = retrySchedule(exponentialBackoff({ random: () => 0 }));
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(48 * HOUR);
  });

  it('jitter stays within ±20 % of the base delay', () => {
    const low = exponentialBackoff({ random: () => 0 });
    const high = exponentialBackoff({ random: () => 0.999999 });
    for (let attempts = 1; attempts <= 15; attempts++) {
      const base = Math.min(6 * HOUR, 30 * SEC * 2 ** (attempts - 1));
      const ctx = { attempts, createdAt: 0, now: 0 };
      expect(low(ctx)).toBe(Math.round(base * 0.8));
      expect(high(ctx)!).toBeLessThanOrEqual(Math.round(base * 1.2));
      expect(high(ctx)!).toBeGreaterThan(Math.round(base * 1.19));
    }
    // And a real random source draws inside the bounds, not always the same value.
    const real = exponentialBackoff();
    const draws = Array.from({ length: 200 }, () => real({ attempts: 1, createdAt: 0, now: 0 })!);
    for (const d of draws) {
      expect(d).toBeGreaterThanOrEqual(24 * SEC);
      expect(d).toBeLessThanOrEqual(36 * SEC);
    }
    expect(new Set(draws).size).toBeGreaterThan(10);
  });

  it('Retry-After lengthens a delay (never shortens it), capped at 6 h', () => {
    const p = exponentialBackoff({ random: () => 0.5 });
    expect(p({ attempts: 1, createdAt: 0, now: 0, retryAfterMs: 10 * MIN })).toBe(10 * MIN);
    expect(p({ attempts: 1, createdAt: 0, now: 0, retryAfterMs: 5 * SEC })).toBe(30 * SEC);
    expect(p({ attempts: 1, createdAt: 0, now: 0, retryAfterMs: 3 * 24 * HOUR })).toBe(6 * HOUR);
    expect(exponentialBackoff({ random: () => 0.5, maxRetryAfterMs: HOUR })({ attempts: 1, createdAt: 0, now: 0, retryAfterMs: 5 * HOUR })).toBe(HOUR);
  });
});
