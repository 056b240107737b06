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

export interface DeliveryConfig {
  /** Deliveries in flight at once, all hosts together. Default 16. */
  globalConcurrency: number;
  /** Deliveries in flight at once to one host. Default 2. */
  perHostConcurrency: number;
  /** Deadline for one delivery attempt. Default 30 s. */
  attemptTimeoutMs: number;
  /** Retry delays after each failed attempt; after the last, the delivery is abandoned. */
  retryDelaysMs: readonly number[];
}

const MIN = 60_000;
const HOUR = 60 * MIN;

export const DEFAULT_DELIVERY: DeliveryConfig = {
  globalConcurrency: 16,
  perHostConcurrency: 2,
  attemptTimeoutMs: 30_000,
  // ~2.5 days in all: a laptop that sleeps over a weekend still delivers.
  retryDelaysMs: [MIN, 5 * MIN, 15 * MIN, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 12 * HOUR, 12 * HOUR, 12 * HOUR],
};

/** Default ports when no flag is given. */
export const DEFAULT_PUBLIC_PORT = 8737;
export const DEFAULT_ADMIN_PORT = 8738;
export const DEFAULT_USERNAME = 'me';
