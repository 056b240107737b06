import type { ExponentialBackoffOptions } from './delivery/retryPolicy';

// Every tunable of the instance, with its unit in the name and its default beside it.

export interface InstanceLimits {
  /** Largest request body the inbox accepts. Default 1 MiB. */
  inboxMaxBytes: number;
  /** Largest remote document (actor, note, WebFinger) we read. Default 1 MiB. */
  fetchMaxBytes: number;
  /** Deadline for one outgoing fetch (connect to last byte). Default 10 s. */
  fetchTimeoutMs: number;
  /** How long a cached remote actor stays fresh. Default 24 h. */
  actorCacheTtlMs: number;
  /** A cached key is refetched on signature failure only if older than this. Default 30 s. */
  keyRefetchMinAgeMs: number;
  /** Oldest signature Date accepted on incoming requests. Default 12 h (as Mastodon). */
  signatureMaxAgeMs: number;
  /** How far in the future a signature Date may be. Default 1 h. */
  signatureMaxFutureSkewMs: number;
}

export const DEFAULT_LIMITS: InstanceLimits = {
  inboxMaxBytes: 1024 * 1024,
  fetchMaxBytes: 1024 * 1024,
  fetchTimeoutMs: 10_000,
  actorCacheTtlMs: 24 * 3600_000,
  keyRefetchMinAgeMs: 30_000,
  signatureMaxAgeMs: 12 * 3600_000,
  signatureMaxFutureSkewMs: 3600_000,
};

export interface HostPolicy {
  /** Consecutive failures before a host backs off. Default 5. */
  failuresBeforeBackoff: number;
  /** Longest backoff; the n-th failure past the threshold backs off 2^(n-1) h up to this. Default 24 h. */
  maxBackoffMs: number;
  /** Distinct days with failures (and no success) after which a host is unreachable. Default 7. */
  unreachableAfterDays: number;
}

export const DEFAULT_HOST_POLICY: HostPolicy = { failuresBeforeBackoff: 5, maxBackoffMs: 24 * 3600_000, unreachableAfterDays: 7 };

export interface DeliveryConfig {
  /** Attempts under way at once, all hosts together (slow ones excepted, see slowAttemptMs). Default 64. */
  globalConcurrency: number;
  /** Attempts under way at once to one host; also the per-origin connection cap. Default 4. */
  perHostConcurrency: number;
  /** Hard cap on attempts under way, slow ones included. Default 256. */
  maxInFlight: number;
  /** An attempt running longer than this stops counting against globalConcurrency. Default 2 s. */
  slowAttemptMs: number;
  /** TCP/TLS connect deadline. Default 10 s. */
  connectTimeoutMs: number;
  /** Deadline for one attempt, connect to last byte. Default 30 s. */
  attemptTimeoutMs: number;
  /** Attempts started per event-loop turn, so a big fan-out never blocks the loop for long (benchmark, 500 hosts: 2 → event-loop p99 8–16 ms, 4 → 14–22 ms, 16 → 24–32 ms). Default 2. */
  launchesPerTick: number;
  /** New delivery rows taken into the queue per event-loop turn. Default 500. */
  loadBatchSize: number;
  /** Waiting deliveries above which a warning is logged. Default 5000. */
  backlogWarnThreshold: number;
  /** The retry schedule (see retryPolicy.ts for each default). */
  retry: ExponentialBackoffOptions;
  /** Dead-host tracking (see hostHealth.ts). */
  hosts: HostPolicy;
}

export const DEFAULT_DELIVERY: DeliveryConfig = {
  globalConcurrency: 64,
  perHostConcurrency: 4,
  maxInFlight: 256,
  slowAttemptMs: 2000,
  connectTimeoutMs: 10_000,
  attemptTimeoutMs: 30_000,
  launchesPerTick: 2,
  loadBatchSize: 500,
  backlogWarnThreshold: 5000,
  retry: { initialDelayMs: 30_000, factor: 2, maxDelayMs: 6 * 3600_000, maxElapsedMs: 72 * 3600_000, jitter: 0.2, maxRetryAfterMs: 6 * 3600_000 },
  hosts: DEFAULT_HOST_POLICY,
};

/** Default ports when no flag is given. */
export const DEFAULT_PUBLIC_PORT = 8737;
export const DEFAULT_ADMIN_PORT = 8738;
export const DEFAULT_USERNAME = 'me';
