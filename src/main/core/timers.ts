// Timers for due times that may lie far ahead: setTimeout takes at most 2^31 − 1 ms (about
// 24.8 days); a longer delay fires at once. Callers re-arm when the capped timer fires early.

/** The longest delay setTimeout takes. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The delay until `at` as setTimeout can take it: never negative, never over MAX_TIMER_MS. */
export function timerDelay(at: number, now: number): number {
  return Math.max(0, Math.min(at - now, MAX_TIMER_MS));
}
