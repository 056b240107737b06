import { describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, timerDelay } from '../../../src/main/core/timers';

describe('timerDelay', () => {
  it('is the time until the due time, never negative and never past what setTimeout takes', () => {
    expect(timerDelay(1_500, 1_000)).toBe(500);
    expect(timerDelay(900, 1_000)).toBe(0);
    expect(timerDelay(1_000 + 30 * 86_400_000, 1_000)).toBe(MAX_TIMER_MS);
  });
});
