// Every tunable and limit of the instance, with its unit in the name and its default
// beside it. Nothing else in src/main holds a policy number: modules take these objects
// (or a part of them) as parameters, so tests can inject their own.
import { MEDIA_UPLOAD_MAX_BYTES } from '../../shared/dto';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const MiB = 1024 * 1024;

/** `defaults` with every defined value of `given` over it (an explicit undefined keeps the default). */
export function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined): T {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(given ?? {})) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

// ---- what we accept and fetch ----------------------------------------------------------

export interface InstanceLimits {
  /** Largest request body the inbox accepts. Default 1 MiB. */
  inboxMaxBytes: number;
  /** Largest remote document (actor, note, WebFinger) we read. Default 1 MiB. */
  fetchMaxBytes: number;
  /** Deadline for one outgoing fetch (connect to last byte). Default 10 s. */
  fetchTimeoutMs: number;
  /** Redirects followed by one fetch, each re-checked by the SSRF guard. Default 3. */
  fetchMaxRedirects: number;
  /** How long a cached remote actor stays fresh. Default 24 h. */
  actorCacheTtlMs: number;
  /** Cached remote actors also kept in memory (the least recently used are dropped). Default 2000. */
  actorsInMemory: number;
  /** A cached key is refetched on signature failure only if older than this. Default 30 s. */
  keyRefetchMinAgeMs: number;
  /** A key that could not be fetched is not asked for again for this long (negative cache). Default 5 min. */
  keyFailureTtlMs: number;
  /** Failed key ids remembered at once (the oldest are forgotten). Default 10 000. */
  keyFailuresTracked: number;
  /** Oldest signature (Date or created) accepted on incoming requests. Default 12 h (as Mastodon). */
  signatureMaxAgeMs: number;
  /** How far in the future a signature's Date or created may be. Default 1 h. */
  signatureMaxFutureSkewMs: number;
}

export const DEFAULT_LIMITS: InstanceLimits = {
  inboxMaxBytes: MiB,
  fetchMaxBytes: MiB,
  fetchTimeoutMs: 10 * SECOND_MS,
  fetchMaxRedirects: 3,
  actorCacheTtlMs: DAY_MS,
  actorsInMemory: 2000,
  keyRefetchMinAgeMs: 30 * SECOND_MS,
  keyFailureTtlMs: 5 * MINUTE_MS,
  keyFailuresTracked: 10_000,
  signatureMaxAgeMs: 12 * HOUR_MS,
  signatureMaxFutureSkewMs: HOUR_MS,
};

// ---- the inbox's door -------------------------------------------------------------------

export interface BucketPolicy {
  /** Requests allowed at once (the bucket's size). */
  burst: number;
  /** Tokens added back per second. */
  perSecond: number;
}

export interface InboxRateLimits {
  /** Per remote host (the signing key's host). Default 500 at once, 50/s. */
  perHost: BucketPolicy;
  /** Per signing key. Default 200 at once, 20/s. */
  perKey: BucketPolicy;
  /** All senders together. Default 2000 at once, 500/s. */
  overall: BucketPolicy;
  /** Hosts and keys tracked at once (the least recently seen are forgotten). Default 10 000. */
  maxTracked: number;
}

export interface ActivityShapeLimits {
  /** Deepest nesting of arrays and objects. Default 64. */
  maxDepth: number;
  /** Longest array anywhere in the document. Default 10 000. */
  maxArrayLength: number;
  /** Most entries in `to`, `cc`, `bto`, `bcc`, `audience` and `tag`, of the activity or its object. Default 1000. */
  maxAddressees: number;
  /** Longest `content`/`summary`/`name` (and their maps), in characters. Default 256 Ki. */
  maxContentChars: number;
}

export interface InboxConfig {
  rateLimits: InboxRateLimits;
  shape: ActivityShapeLimits;
  /** Activities stored and not yet processed, per sending host, above which it gets 429. Default 1000. */
  pendingPerHostMaxItems: number;
  /** The same, in bytes of stored bodies. Default 32 MiB. */
  pendingPerHostMaxBytes: number;
  /** Retry-After of that 429. Default 60 s. */
  pendingRetryAfterSeconds: number;
  /** Retry-After of the 503 while the disk is full. Default 600 s. */
  storageFullRetryAfterSeconds: number;
  /** Senders whose activities are processed at once (each sender's in order). Default 8. */
  processConcurrency: number;
  /** An activity not processed within this is recorded as failed and its sender moves on. Default 30 s. */
  processDeadlineMs: number;
  /** Ids of processed activities are kept this long to drop redeliveries (bodies are dropped at once). Default 7 days, longer than senders retry. */
  dedupRetentionMs: number;
  /** How often old ids are pruned. Default 1 h. */
  pruneIntervalMs: number;
}

export const DEFAULT_INBOX: InboxConfig = {
  rateLimits: {
    perHost: { burst: 500, perSecond: 50 },
    perKey: { burst: 200, perSecond: 20 },
    overall: { burst: 2000, perSecond: 500 },
    maxTracked: 10_000,
  },
  shape: { maxDepth: 64, maxArrayLength: 10_000, maxAddressees: 1000, maxContentChars: 256 * 1024 },
  pendingPerHostMaxItems: 1000,
  pendingPerHostMaxBytes: 32 * MiB,
  pendingRetryAfterSeconds: 60,
  storageFullRetryAfterSeconds: 600,
  processConcurrency: 8,
  processDeadlineMs: 30 * SECOND_MS,
  dedupRetentionMs: 7 * DAY_MS,
  pruneIntervalMs: HOUR_MS,
};

// ---- the public (federation) server ----------------------------------------------------

export interface PublicServerConfig {
  /** Time a client has to send the request headers. Default 15 s. */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request. Default 30 s. */
  requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this. Default 30 s. */
  keepAliveTimeoutMs: number;
  /** Notes per outbox page and on the HTML profile. Default 20. */
  outboxPageSize: number;
  /** Actors per followers/following page. Default 50. */
  collectionPageSize: number;
  /** Notes listed on an HTML tag page. Default 200. */
  tagPageSize: number;
  /** Cache-Control max-age of AS2 documents. Default 60 s. */
  documentMaxAgeSeconds: number;
  /** Cache-Control max-age of the actor document. Default 180 s. */
  actorMaxAgeSeconds: number;
  /** Cache-Control max-age of WebFinger answers. Default 300 s. */
  webfingerMaxAgeSeconds: number;
  /** Cache-Control max-age of media files (their names change with their content). Default one year. */
  mediaMaxAgeSeconds: number;
  /** Retry-After of the inbox's 503 while the tunnel's address is not our identity. Default 300 s. */
  pausedByTunnelRetryAfterSeconds: number;
  /** Retry-After of the inbox's 503 when started under the wrong address (fixed by a restart). Default 3600 s. */
  pausedAtStartRetryAfterSeconds: number;
}

export const DEFAULT_PUBLIC_SERVER: PublicServerConfig = {
  headersTimeoutMs: 15 * SECOND_MS,
  requestTimeoutMs: 30 * SECOND_MS,
  keepAliveTimeoutMs: 30 * SECOND_MS,
  outboxPageSize: 20,
  collectionPageSize: 50,
  tagPageSize: 200,
  documentMaxAgeSeconds: 60,
  actorMaxAgeSeconds: 180,
  webfingerMaxAgeSeconds: 300,
  mediaMaxAgeSeconds: 365 * 24 * 3600,
  pausedByTunnelRetryAfterSeconds: 300,
  pausedAtStartRetryAfterSeconds: 3600,
};

// ---- outgoing HTTP ---------------------------------------------------------------------

export interface HttpClientConfig {
  /** Idle keep-alive connections to a remote server are closed after this. Default 30 s. */
  keepAliveTimeoutMs: number;
  /**
   * Idle keep-alive connections kept open across all servers; beyond this the one idle the
   * longest is closed (a fan-out to 5000 hosts holds no 5000 idle sockets). Default 512: a
   * backlog over the few hundred servers a personal instance's followers live on keeps one warm
   * connection each (with 64, scenario 6 reconnected for most deliveries: 0.59 against 0.37 ms
   * main-thread CPU per delivery). Hosts with nothing else waiting get `Connection: close`.
   */
  idleSocketsMax: number;
  /** On shutdown, requests still running after this are cut off. Default 1 s. */
  closeGraceMs: number;
}

export const DEFAULT_HTTP_CLIENT: HttpClientConfig = { keepAliveTimeoutMs: 30 * SECOND_MS, idleSocketsMax: 512, closeGraceMs: SECOND_MS };

// ---- delivery --------------------------------------------------------------------------

export interface RetryOptions {
  /** Delay after the first failure. Default 30 s. */
  initialDelayMs: number;
  /** Growth per attempt. Default 2. */
  factor: number;
  /** Longest single delay. Default 6 h. */
  maxDelayMs: number;
  /** Give up once this long has passed since the delivery was queued. Default 72 h (never under 48 h in Settings). */
  maxElapsedMs: number;
  /** Randomize each delay by ±this fraction, so retries from many hosts spread out. Default 0.2. */
  jitter: number;
  /** Longest Retry-After we honour (for the delivery and for its whole host). Default 6 h. */
  maxRetryAfterMs: number;
}

/**
 * 30 s, 1, 2, 4 … 256 min, then every 6 h, until 72 h have passed (about 20 attempts): a
 * laptop closed over a weekend, or a server down for a day, still gets the post.
 */
export const DEFAULT_RETRY: RetryOptions = {
  initialDelayMs: 30 * SECOND_MS,
  factor: 2,
  maxDelayMs: 6 * HOUR_MS,
  maxElapsedMs: 72 * HOUR_MS,
  jitter: 0.2,
  maxRetryAfterMs: 6 * HOUR_MS,
};

export interface HostPolicy {
  /** Consecutive failures before a host backs off. Default 5. */
  failuresBeforeBackoff: number;
  /** The first backoff; each further failure (a failed probe) doubles it. Default 5 min: a personal instance talks to few hosts, and a friend's server down for a minute must not cost an hour. */
  backoffBaseMs: number;
  /** Longest backoff (a probe a day). Default 24 h. The user's retry settings shorten any backoff longer than a delivery's own retry after as many failures (hostHealth.ts backoffDelayMs). */
  maxBackoffMs: number;
  /** Distinct days with failures (and no success) after which a host is unreachable. Default 7. */
  unreachableAfterDays: number;
}

export const DEFAULT_HOST_POLICY: HostPolicy = {
  failuresBeforeBackoff: 5, backoffBaseMs: 5 * MINUTE_MS, maxBackoffMs: DAY_MS, unreachableAfterDays: 7,
};

export interface ConnectivityConfig {
  /** Deadline for one TCP probe of a reference host. Default 3 s. */
  probeTimeoutMs: number;
  /** Re-check interval while offline. Default 10 s. */
  recheckMs: number;
  /** Reference hosts probed per check. Default 3. */
  referenceCount: number;
  /**
   * Origins whose answer (a TCP connect) proves this computer's network works when no host
   * Outpost recently reached answers, e.g. ['https://one.one.one.one']. Default none: a third
   * party learns of each check, so it is the user's choice; a connected tunnel or its
   * server's name resolving proves it too (networkProof.ts).
   */
  wellKnownOrigins: readonly string[];
}

export const DEFAULT_CONNECTIVITY: ConnectivityConfig = {
  probeTimeoutMs: 3 * SECOND_MS, recheckMs: 10 * SECOND_MS, referenceCount: 3, wellKnownOrigins: [],
};

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
  /** Largest answer body read from an inbox (a 202 with a big page, an error page). Default 64 KiB. */
  responseMaxBytes: number;
  /** Attempts started per event-loop turn, so a big fan-out never blocks the loop for long (benchmark, 500 hosts: 2 → event-loop p99 8–16 ms, 4 → 14–22 ms, 16 → 24–32 ms). Default 2. */
  launchesPerTick: number;
  /** New delivery rows taken into the queue per event-loop turn (read only after the outbox wrote some). Default 500. */
  loadBatchSize: number;
  /** Waiting deliveries held in memory per host; the rest stay in SQLite and are read a page at a time as these go out, so memory follows hosts, not queued rows. Default 16. */
  hostPageSize: number;
  /** On stop, attempts under way get this long to finish before they go back to the queue. Default 5 s. */
  stopGraceMs: number;
  /** Per-activity progress events are sent at most this often. Default 200 ms. */
  progressEventMs: number;
  /** Queue-depth events are sent at most this often. Default 250 ms. */
  queueEventMs: number;
  /** After a turn could not be written (a full disk), the engine tries again this much later. Default 10 s. */
  writeRetryMs: number;
  /** The retry schedule. */
  retry: RetryOptions;
  /** Dead-host tracking. */
  hosts: HostPolicy;
  /** Telling an offline laptop from dead hosts. */
  connectivity: ConnectivityConfig;
}

export const DEFAULT_DELIVERY: DeliveryConfig = {
  globalConcurrency: 64,
  perHostConcurrency: 4,
  maxInFlight: 256,
  slowAttemptMs: 2 * SECOND_MS,
  connectTimeoutMs: 10 * SECOND_MS,
  attemptTimeoutMs: 30 * SECOND_MS,
  responseMaxBytes: 64 * 1024,
  launchesPerTick: 2,
  loadBatchSize: 500,
  hostPageSize: 16,
  stopGraceMs: 5 * SECOND_MS,
  progressEventMs: 200,
  queueEventMs: 250,
  writeRetryMs: 10 * SECOND_MS,
  retry: DEFAULT_RETRY,
  hosts: DEFAULT_HOST_POLICY,
  connectivity: DEFAULT_CONNECTIVITY,
};

/** A deep copy of the delivery defaults with `overrides` applied (nested objects merged). */
export function deliveryConfig(overrides: DeliveryOverrides = {}, base: DeliveryConfig = DEFAULT_DELIVERY): DeliveryConfig {
  const { retry, hosts, connectivity, ...flat } = overrides;
  return {
    ...withDefaults(base, flat),
    retry: withDefaults(base.retry, retry), hosts: withDefaults(base.hosts, hosts), connectivity: withDefaults(base.connectivity, connectivity),
  };
}

export type DeliveryOverrides = Partial<Omit<DeliveryConfig, 'retry' | 'hosts' | 'connectivity'>> & {
  retry?: Partial<RetryOptions>;
  hosts?: Partial<HostPolicy>;
  connectivity?: Partial<ConnectivityConfig>;
};

// ---- metrics ---------------------------------------------------------------------------

export interface MetricsConfig {
  /** Per-minute rollups older than this are pruned. Default 30 days. */
  rollupRetentionMs: number;
  /** Resolution of the event-loop lag histogram (`nodejs_eventloop_lag_*`): prom-client's 10 ms is too coarse to check a 20 ms p99. Default 1 ms. */
  eventLoopResolutionMs: number;
}

export const DEFAULT_METRICS: MetricsConfig = { rollupRetentionMs: 30 * DAY_MS, eventLoopResolutionMs: 1 };

// ---- the tunnel (in tunnelConfig.ts) ---------------------------------------------------

export * from './tunnelConfig';

// ---- backups -----------------------------------------------------------------------------

export interface BackupConfig {
  /** A scheduled backup is made this often. Default 24 h. */
  intervalMs: number;
  /** The first scheduled backup waits this long after start (never slows the start). Default 5 min. */
  firstDelayMs: number;
  /** Backups kept; older ones are deleted. Default 7. */
  keep: number;
}

export const DEFAULT_BACKUP: BackupConfig = { intervalMs: DAY_MS, firstDelayMs: 5 * MINUTE_MS, keep: 7 };

export interface StorageConfig {
  /** The full integrity check runs this long after start (in a worker, but it still takes a core: never during the busy start). Default 10 min. */
  integrityCheckDelayMs: number;
  /** …and then this often. Default 24 h. */
  integrityCheckIntervalMs: number;
  /** While the disk is full, a small write is tried this often to notice freed space. Default 30 s. */
  fullProbeMs: number;
  /** A worker thread checkpoints the WAL this often, a tenth of it while behind (walCheckpointer.ts); 0: no worker (its ~10 MB RSS). Default 200 ms. */
  walCheckpointIntervalMs: number;
  /** Past this many pages the main connection copies the rest of the WAL (the worker did most), and it starts over. Default 4000 (16 MiB). */
  walMaxPages: number;
}

/**
 * SQLite's page cache per connection, in KiB. SQLite's default (2 MiB) is too small for a deep
 * delivery queue: each compose to 500 hosts touches ~500 pages of the per-host index. Default 24 MiB
 * (taken only as pages are used); 32 left the WAL checkpoint worker's ~9 MB no room under the
 * backlog's 250 MB (scenario 6, 200 posts: 1797/s at 249.8 MB with 32 MiB, 1670/s at 239.1 MB with 24).
 */
export const SQLITE_CACHE_KIB = 24 * 1024;

export const DEFAULT_STORAGE: StorageConfig = {
  integrityCheckDelayMs: 10 * MINUTE_MS, integrityCheckIntervalMs: DAY_MS, fullProbeMs: 30 * SECOND_MS, walCheckpointIntervalMs: 200, walMaxPages: 4000,
};

// ---- people: profiles, their posts, verified links, backfill ---------------------------

export interface PeopleConfig {
  /** Follower/following/post counts fetched from an actor's collections stay fresh this long. Default 1 h. */
  countsTtlMs: number;
  /** Posts taken from one outbox page (the rest of a long page is left). Default 20. */
  outboxPageMaxItems: number;
  /** Outbox items given only as a URL that are fetched one by one, per page. Default 10. */
  outboxItemFetchMax: number;
  /** Deadline for loading a profile's counts and one page of its posts (each fetch has its own deadline too). Default 20 s. */
  profileDeadlineMs: number;
  /** Posts copied into Home when an account we have nothing from accepts our follow. Default 5. */
  backfillPosts: number;
  /** Profile-field links checked for rel="me" per profile. Default 6. */
  linksVerifiedPerProfile: number;
  /** Deadline for fetching one linked page (redirects included). Default 5 s. */
  linkFetchTimeoutMs: number;
  /** Largest linked page read. Default 1 MiB. */
  linkFetchMaxBytes: number;
  /** A remote profile's link checks are reused this long. Default 24 h. */
  linkVerificationTtlMs: number;
  /** The owner's own field links are checked again this often (and at once when they change). Default 24 h. */
  ownLinksRecheckMs: number;
  /** Profile fields kept from a remote actor document (Mastodon allows 4, Misskey 16). Default 16. */
  actorFieldsMax: number;
  /** Sent activities listed per object (a note's Create, our Like and Announce, their Undos…). Default 8. */
  sentPerObjectMax: number;
  /** Characters of a note's text shown beside an activity about it. Default 120. */
  excerptChars: number;
}

export const DEFAULT_PEOPLE: PeopleConfig = {
  countsTtlMs: HOUR_MS, outboxPageMaxItems: 20, outboxItemFetchMax: 10, profileDeadlineMs: 20 * SECOND_MS, backfillPosts: 5,
  linksVerifiedPerProfile: 6, linkFetchTimeoutMs: 5 * SECOND_MS, linkFetchMaxBytes: MiB, linkVerificationTtlMs: DAY_MS,
  ownLinksRecheckMs: DAY_MS, actorFieldsMax: 16, sentPerObjectMax: 8, excerptChars: 120,
};

// ---- conversations: threads, polls, search (their own room, re-exported here) ---------

export * from './conversationConfig';

// ---- the admin API ---------------------------------------------------------------------

export interface AdminConfig {
  /** Largest RPC request body (an avatar upload in base64 fits). Default 3 MiB. */
  rpcMaxBytes: number;
  /** Largest body of `uploadMedia` (the largest upload, in base64, and its fields). Default 56 MiB. */
  uploadRpcMaxBytes: number;
  /** A comment line keeps idle event streams open through proxies. Default every 15 s. */
  eventPingMs: number;
  /** Events of one kind (one activity, for `delivery`) reach the UI at most this often. Default 250 ms. */
  eventMinIntervalMs: number;
  /** Cache-Control max-age of the UI's hashed assets. Default 3600 s. */
  assetMaxAgeSeconds: number;
  /** Timeline entries per page when the caller names no limit. Default 20. */
  timelinePageSize: number;
  /** Notifications per page when the caller names no limit. Default 30. */
  notificationsPageSize: number;
  /** Headless builds a missing or stale UI at start; a build taking longer is stopped. Default 180 s. */
  uiBuildTimeoutMs: number;
}

export const DEFAULT_ADMIN: AdminConfig = {
  rpcMaxBytes: 3 * MiB,
  uploadRpcMaxBytes: Math.ceil((MEDIA_UPLOAD_MAX_BYTES * 4) / 3) + MiB,
  eventPingMs: 15 * SECOND_MS,
  eventMinIntervalMs: 250,
  assetMaxAgeSeconds: 3600,
  timelinePageSize: 20,
  notificationsPageSize: 30,
  uiBuildTimeoutMs: 180 * SECOND_MS,
};

// ---- media: uploads and the remote media cache (in mediaConfig.ts) -------------------

export * from './mediaConfig';

// ---- start-up --------------------------------------------------------------------------

/** Default ports when no flag is given. */
export const DEFAULT_PUBLIC_PORT = 8737;
export const DEFAULT_ADMIN_PORT = 8738;
export const DEFAULT_USERNAME = 'me';

// ---- federation breadth: signatures out, account moves, the actor surface ----------------

export interface SignatureConfig {
  /**
   * The spec a host we know nothing about gets first. Default RFC 9421, as Fedify: Mastodon
   * 4.5+, GoToSocial 0.20+ and Fedify verify it, and the rest answer 401 once, after which
   * the double-knock remembers draft-cavage for them. The user can change it in Settings.
   */
  preferredSpec: 'rfc9421' | 'draft-cavage';
  /**
   * After a double-knock where both specs were refused (a server refusing us, not our
   * signature), requests to that host are not double-knocked again for this long. Default 10 min.
   */
  doubleKnockCooldownMs: number;
  /**
   * Senders' public keys kept parsed (PEM → KeyObject), the most recently used first: parsing
   * a PEM cost 12 % of the inbox's main-thread time when done per request. Default 1000.
   */
  parsedKeyCacheEntries: number;
}

export const DEFAULT_SIGNATURES: SignatureConfig = { preferredSpec: 'rfc9421', doubleKnockCooldownMs: 10 * MINUTE_MS, parsedKeyCacheEntries: 1000 };

export interface MovesConfig {
  /** Aliases (alsoKnownAs) the account may list. Default 10 (Mastodon allows 10 too). */
  maxAliases: number;
  /** Pinned posts (the featured collection). Default 5, as Mastodon. */
  maxPinned: number;
}

export const DEFAULT_MOVES: MovesConfig = { maxAliases: 10, maxPinned: 5 };
