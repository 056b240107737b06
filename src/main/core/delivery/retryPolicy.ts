// When to try a failed delivery again. A policy is a pure function so the queue can take
// it as a parameter and tests can pin it with an injected random source.
import { DEFAULT_RETRY, withDefaults, type RetryOptions } from '../config';

export interface RetryContext {
  /** Attempts made so far, including the one that just failed (1 after the first failure). */
  attempts: number;
  /** When the delivery was first queued (epoch ms). */
  createdAt: number;
  now: number;
  /** Delay the server asked for (Retry-After), if any. */
  retryAfterMs?: number;
}

/** Milliseconds until the next attempt, or null to give up. */
export type RetryPolicy = (ctx: RetryContext) => number | null;

/** Options of `exponentialBackoff`: any part of the retry schedule, and a random source for tests. */
export type ExponentialBackoffOptions = Partial<RetryOptions> & {
  /** Source of randomness in [0, 1). Default Math.random. */
  random?: () => number;
};

/**
 * Exponential backoff with jitter, over the schedule in config.ts (DEFAULT_RETRY): long
 * enough for a laptop closed over a weekend, or a server down for a day, to still get the
 * post (Mastodon retries for about the same time).
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): RetryPolicy {
  const { random = Math.random, ...schedule } = options;
  const o: RetryOptions = withDefaults(DEFAULT_RETRY, schedule);
  return ({ attempts, createdAt, now, retryAfterMs }) => {
    if (now - createdAt >= o.maxElapsedMs) return null;
    const base = Math.min(o.maxDelayMs, o.initialDelayMs * o.factor ** Math.max(0, attempts - 1));
    const jittered = base * (1 - o.jitter + 2 * o.jitter * random());
    const delay = Math.max(jittered, Math.min(retryAfterMs ?? 0, o.maxRetryAfterMs));
    return Math.round(delay);
  };
}

/** The delays a policy produces for a delivery failing every time (for docs and tests). */
export function retrySchedule(policy: RetryPolicy, createdAt = 0): number[] {
  const delays: number[] = [];
  let now = createdAt;
  for (let attempts = 1; attempts < 1000; attempts++) {
    const d = policy({ attempts, createdAt, now });
    if (d === null) break;
    delays.push(d);
    now += d;
  }
  return delays;
}
