// When to try a failed delivery again. A policy is a pure function so the queue can take
// it as a parameter and tests can pin it with an injected random source.

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

export interface ExponentialBackoffOptions {
  /** Delay after the first failure. Default 30 s. */
  initialDelayMs?: number;
  /** Growth per attempt. Default 2. */
  factor?: number;
  /** Longest single delay. Default 6 h. */
  maxDelayMs?: number;
  /** Give up once this long has passed since the delivery was queued. Default 72 h. */
  maxElapsedMs?: number;
  /** Randomize each delay by ±this fraction, so retries from many hosts spread out. Default 0.2. */
  jitter?: number;
  /** Longest Retry-After we honour. Default 6 h. */
  maxRetryAfterMs?: number;
  /** Source of randomness in [0, 1). Default Math.random. */
  random?: () => number;
}

const HOUR = 3600_000;

/**
 * Exponential backoff with jitter. With the defaults the attempts come 30 s, 1, 2, 4, 8,
 * 16, 32, 64, 128, 256 min after each other, then every 6 h, until 72 h have passed
 * (about 20 attempts): long enough for a laptop closed over a weekend, or a server down
 * for a day, to still get the post (Mastodon retries for about the same time).
 */
export function exponentialBackoff(options: ExponentialBackoffOptions = {}): RetryPolicy {
  const initial = options.initialDelayMs ?? 30_000;
  const factor = options.factor ?? 2;
  const maxDelay = options.maxDelayMs ?? 6 * HOUR;
  const maxElapsed = options.maxElapsedMs ?? 72 * HOUR;
  const jitter = options.jitter ?? 0.2;
  const maxRetryAfter = options.maxRetryAfterMs ?? 6 * HOUR;
  const random = options.random ?? Math.random;
  return ({ attempts, createdAt, now, retryAfterMs }) => {
    if (now - createdAt >= maxElapsed) return null;
    const base = Math.min(maxDelay, initial * factor ** Math.max(0, attempts - 1));
    const jittered = base * (1 - jitter + 2 * jitter * random());
    const delay = Math.max(jittered, Math.min(retryAfterMs ?? 0, maxRetryAfter));
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
