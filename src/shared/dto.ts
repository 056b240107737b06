// Data shapes exchanged between the instance and its UIs (IPC and HTTP alike).
// Plain JSON: no Dates, no class instances. Times are epoch milliseconds.
import type { ProfileFieldDto, ProfileFieldInput } from './people';
import type { HostSignatureDto, SignatureSpecName } from './federation';

import type { PollDto } from './conversations';

export const VISIBILITIES = ['public', 'unlisted', 'followers', 'direct'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export interface ActorSummary {
  uri: string;
  /** `user@host` */
  handle: string;
  name: string;
  url: string | null;
  iconUrl: string | null;
  /** The avatar as the window loads it: a path on the admin origin (see MediaPath), or null. */
  iconSrc: string | null;
  /** Sanitized HTML. */
  summaryHtml: string;
  local: boolean;
  /** Custom emoji of the name and bio. */
  emojis: EmojiDto[];
  /** The account moved there (its movedTo), when it did. */
  movedTo?: string | null;
}

/** The account's aliases and where it moved (addAlias, removeAlias, aliases, moveAccount answer this). */
export interface AliasesDto {
  aliases: ActorSummary[];
  movedTo: ActorSummary | null;
  movedAt: number | null;
}

/**
 * Media as the window loads it: a path on the admin origin, `/media/local/<file>` (our
 * uploads) or `/media/cache/…` (remote media, fetched by the instance on first use). The
 * window never loads a remote URL; in Electron the same path is served on MEDIA_SCHEME.
 */
export type MediaPath = string;

/** A custom emoji (`:shortcode:`) of a post or an account. */
export interface EmojiDto {
  /** Without colons. */
  shortcode: string;
  src: MediaPath;
}

export const ATTACHMENT_KINDS = ['image', 'video', 'audio', 'unknown'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** A picture, video or sound of a post. */
export interface AttachmentDto {
  kind: AttachmentKind;
  /** What the sender said it is, or null. */
  mediaType: string | null;
  /** The original (remote) URL, for "open original". */
  url: string;
  /** Where the window loads it from; null when it cannot be shown (unknown kind). */
  src: MediaPath | null;
  /** Alt text. */
  description: string | null;
  blurhash: string | null;
  width: number | null;
  height: number | null;
}

export interface NoteDto {
  id: string;
  uri: string;
  url: string | null;
  author: ActorSummary;
  /** Sanitized HTML. */
  contentHtml: string;
  /** Content warning, or null. */
  summary: string | null;
  visibility: Visibility;
  inReplyTo: string | null;
  publishedAt: number;
  local: boolean;
  likedByMe: boolean;
  boostedByMe: boolean;
  likeCount: number;
  boostCount: number;
  replyCount: number;
  mentions: string[];
  hashtags: string[];
  attachments: AttachmentDto[];
  /** Its media is sensitive: shown blurred until clicked (unless the user always shows it). */
  sensitive: boolean;
  /** Custom emoji of the content and the content warning. */
  emojis: EmojiDto[];
  /** When the post was last edited (null: never). */
  editedAt: number | null;
  /** The local id of the post this replies to, when it is stored (its thread opens from there). */
  inReplyToNoteId: string | null;
  /** Who wrote the post this replies to, when known. */
  inReplyToAuthor: ActorSummary | null;
  poll: PollDto | null;
  /** The user bookmarked it (private: never federated). */
  bookmarked: boolean;
  /** For the user's own posts: the text as typed, for editing (null for older posts and others' posts). */
  source: string | null;
  /** One of the user's own posts, pinned to the profile (the featured collection). */
  pinned?: boolean;
}

export interface TimelineEntry {
  /** Opaque cursor: pass as `before` to page further back. */
  cursor: string;
  note: NoteDto;
  /** Set when the entry is a boost by someone the user follows (or the user). */
  boostedBy: ActorSummary | null;
  at: number;
}

export interface TimelinePage {
  entries: TimelineEntry[];
  /** Cursor for the next (older) page, or null at the end. */
  next: string | null;
}

/** mention: named in a post; reply: a reply to the user's post; direct: a private (direct) message; move: an account moved. */
export const NOTIFICATION_TYPES = ['follow', 'follow_request', 'mention', 'reply', 'direct', 'like', 'boost', 'move'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

export interface NotificationDto {
  id: string;
  type: NotificationType;
  /** The most recent actor; for grouped likes/boosts see `actors` and `count`. */
  actor: ActorSummary;
  actors: ActorSummary[];
  count: number;
  note: NoteDto | null;
  at: number;
  read: boolean;
  /** The other account of a `move` notification: where `actor` moved to. */
  target?: ActorSummary | null;
}

export interface NotificationPage {
  notifications: NotificationDto[];
  next: string | null;
}

export type FollowState = 'pending' | 'accepted' | 'rejected';

export interface FollowDto {
  actor: ActorSummary;
  state: FollowState;
  since: number;
}

export interface FederationState {
  /** False when the instance must not federate (identity mismatch). */
  enabled: boolean;
  /** Why federation is off, for the user. */
  reason: string | null;
  /** The origin the instance is pinned to once it has federated, or null. */
  pinnedOrigin: string | null;
}

/** Whether the store can be trusted and written (status; the UI shows anything but ok). */
export interface StorageHealthDto {
  /** checking: the full integrity check runs; damaged: it found damage; full: a write failed for lack of space. */
  state: 'ok' | 'checking' | 'damaged' | 'full';
  /** What happened and what to do, for people; null when ok. */
  message: string | null;
  /** When the last full integrity check finished. */
  checkedAt: number | null;
  /** The newest backup in the data folder. */
  lastBackup: { path: string; at: number; bytes: number } | null;
}

export interface StatusDto {
  version: string;
  publicUrl: string;
  adminUrl: string | null;
  actor: string;
  handle: string;
  username: string;
  displayName: string;
  startedAt: number;
  federation: FederationState;
  counts: { notes: number; followers: number; following: number; pendingFollowers: number };
  dataDir: string;
  storage: StorageHealthDto;
}

export interface QueueStatsDto {
  queued: number;
  inFlight: number;
  delivered: number;
  failed: number;
  /** Waiting for their host's backoff to end (or for a suspended host to be resumed). */
  parked: number;
  /** Not sent: the host was unreachable when the delivery was queued. */
  skipped: number;
  /** Withdrawn before sending (e.g. a Like undone while still queued). */
  cancelled: number;
  hostsBackingOff: number;
  hostsUnreachable: number;
  /** No remote host is reachable: delivery is paused until the network is back. */
  offline: boolean;
  /** Delivery is held because the instance must not federate (identity mismatch). */
  paused: boolean;
}

export type DeliveryState = 'queued' | 'in_flight' | 'delivered' | 'failed' | 'parked' | 'skipped' | 'cancelled';

export interface DeliveryRowDto {
  inbox: string;
  host: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  updatedAt: number;
}

/** Per-state counts of one activity's deliveries. */
export interface DeliverySummary {
  activityId: string;
  total: number;
  delivered: number;
  queued: number;
  inFlight: number;
  failed: number;
  parked: number;
  skipped: number;
  cancelled: number;
}

export interface DeliveryProgressDto extends DeliverySummary {
  inboxes: DeliveryRowDto[];
}

export type HostState = 'healthy' | 'backing_off' | 'unreachable' | 'suspended';

export interface HostDto {
  host: string;
  state: HostState;
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorClass: string | null;
  lastStatus: number | null;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  /** When the backoff ends and a probe is sent (null when not backing off). */
  backoffUntil: number | null;
  unreachableSince: number | null;
  /** Accepted followers whose account is on this host. */
  followers: number;
  queued: number;
  parked: number;
  attempts: number;
  successes: number;
  failures: number;
}

export interface HostAttemptDto {
  at: number;
  inbox: string;
  status: number | null;
  /** 'ok' for a delivered attempt, else the error class (timeout, dns, refused, http_5xx, …). */
  errorClass: string;
  error: string | null;
  latencyMs: number;
  /** False for attempts made while offline (not charged to the host). */
  counted: boolean;
  probe: boolean;
}

export interface HostDayDto {
  /** Start of the UTC day, epoch ms. */
  day: number;
  successes: number;
  failures: number;
}

export interface HostDetailDto extends HostDto {
  /** The signature spec the host takes, since when, and its last double-knock (null: never signed to). */
  signature?: HostSignatureDto | null;
  recentAttempts: HostAttemptDto[];
  /** The last 14 days, oldest first (days without attempts have zeros). */
  days: HostDayDto[];
}

export type MetricsRange = '1h' | '24h' | '7d';
export const METRICS_RANGES: readonly MetricsRange[] = ['1h', '24h', '7d'];

/** Delivery figures summed over a period. */
export interface DeliveryCounts {
  attempts: number;
  delivered: number;
  failed: number;
  retried: number;
  skipped: number;
  abandoned: number;
}

export interface MetricsPoint extends DeliveryCounts {
  /** Start of the step, epoch ms. */
  t: number;
  /** Failed attempts by error class. */
  errors: Record<string, number>;
  latencySumMs: number;
  latencyP50Ms: number | null;
  latencyP90Ms: number | null;
  latencyP99Ms: number | null;
  /** Queue depth at the end of the step (null when not sampled). */
  queued: number | null;
  inFlight: number | null;
  parked: number | null;
}

export interface MetricsDto {
  range: MetricsRange;
  stepMs: number;
  points: MetricsPoint[];
}

/** The delivery tunables a user may change (see src/main/core/config.ts for what each means). */
export interface DeliverySettingsDto {
  globalConcurrency: number;
  perHostConcurrency: number;
  attemptTimeoutMs: number;
  retryInitialDelayMs: number;
  retryMaxDelayMs: number;
  retryMaxElapsedMs: number;
}

export interface SettingsDto {
  displayName: string;
  summary: string;
  /** Profile fields as typed, with what Outpost verified of their links. */
  fields: (ProfileFieldInput & { verifiedAt: number | null })[];
  manuallyApprovesFollowers: boolean;
  /** Public URL of the avatar, or null. */
  avatarUrl: string | null;
  /** The avatar as the window loads it (admin origin), or null. */
  avatarSrc: MediaPath | null;
  /** Public URL of the profile's header image, or null. */
  headerUrl: string | null;
  headerSrc: MediaPath | null;
  /** Show sensitive media without blurring it first. Default off. */
  showSensitiveMedia: boolean;
  /** Desktop notifications for new followers, mentions and replies (Electron). */
  osNotifications: boolean;
  /** Authorized fetch (Mastodon's secure mode): notes and collections only to signed requests. */
  authorizedFetch: boolean;
  /** Listed in profile directories and suggestions (actor `discoverable`; default on). */
  discoverable?: boolean;
  /** Posts may be indexed for full-text search elsewhere (actor `indexable`; default off, as Mastodon). */
  indexable?: boolean;
  /** The signature spec a server we know nothing about gets first (the double-knock tries the other on 400/401). */
  signatureSpec?: SignatureSpecName;
  delivery: DeliverySettingsDto;
  /** What `delivery` is when the user changed nothing. */
  deliveryDefaults: DeliverySettingsDto;
  dataDir: string;
}

export const AVATAR_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type AvatarMediaType = (typeof AVATAR_MEDIA_TYPES)[number];
/** Largest avatar accepted, in bytes. */
export const AVATAR_MAX_BYTES = 2 * 1024 * 1024;

/** What `uploadMedia` takes: images are re-encoded (metadata stripped); video and audio are stored as sent. */
export const MEDIA_UPLOAD_TYPES = [
  'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'video/mp4', 'video/webm', 'video/quicktime',
  'audio/mpeg', 'audio/ogg', 'audio/wav', 'audio/flac', 'audio/mp4',
] as const;
export type MediaUploadType = (typeof MEDIA_UPLOAD_TYPES)[number];
/** Largest upload of any kind, in bytes (images have a lower cap: Settings → Storage says which). */
export const MEDIA_UPLOAD_MAX_BYTES = 40 * 1024 * 1024;
/** Longest alt text, in characters. */
export const MEDIA_DESCRIPTION_MAX_CHARS = 1500;

export interface UploadedMediaDto {
  mediaId: string;
  /** The public URL remote servers fetch it at. */
  url: string;
  /** Where the window shows it (the composer's preview). */
  src: MediaPath;
  kind: AttachmentKind;
  mediaType: string;
  width: number | null;
  height: number | null;
  blurhash: string | null;
  bytes: number;
  description: string | null;
}

/** Settings → Storage: the user's uploads and the remote media cache. */
export interface MediaStorageDto {
  uploads: { files: number; bytes: number };
  cache: { files: number; bytes: number; capBytes: number };
  /** Largest image and video/audio upload taken, in bytes. */
  uploadCaps: { imageBytes: number; videoBytes: number };
}

export interface ComposeResult {
  noteId: string;
  activityId: string;
}

/** An account as its profile shows it (`lookup` fills all but the posts; `profile` adds them). */
export interface ProfileLookupDto {
  actor: ActorSummary;
  followersCount: number | null;
  followingCount: number | null;
  /** Our follow of this account, or null. */
  followState: FollowState | null;
  /** Posts the account says it has (its outbox's totalItems), or null when unknown. */
  postsCount: number | null;
  /** This account's follow of us (accepted, or waiting for approval), or null. */
  followedBy: FollowState | null;
  /** The header image's URL, or null. */
  headerUrl: string | null;
  /** The header image as the window loads it (our file, or the remote media cache), or null. */
  headerSrc: MediaPath | null;
  fields: ProfileFieldDto[];
  /** An automated account (type Service or Application). */
  bot: boolean;
  /** It approves followers by hand. */
  locked: boolean;
  /** When the account was created, if it says. */
  createdAt: number | null;
  blocked: boolean;
  muted: boolean;
  /** Recent posts, newest first (empty from `lookup`). */
  posts: NoteDto[];
  /** Pass as `page` to `profile` for older posts; null at the end. */
  postsNext: string | null;
  /** Why the posts could not be fetched (the profile itself is still shown), or null. */
  postsError: string | null;
}

// ---- tunnel ------------------------------------------------------------------------

export type TunnelState =
  | { status: 'off' }
  /** Attempt `attempt` (1-based, counted since start or since the tunnel was last online) is under way. */
  | { status: 'connecting'; attempt: number }
  | { status: 'online'; url: string; since: number }
  /** Waiting until `retryAt` (epoch ms) to make attempt `attempt`. */
  | { status: 'reconnecting'; attempt: number; lastError: string; retryAt: number }
  /** Stopped trying (bad options, or maxAttempts used up); start tries again. */
  | { status: 'error'; reason: string };

export interface ReachabilityDto {
  reachable: boolean;
  /** When the check finished (epoch ms). */
  checkedAt: number;
  /** Request to last byte, when reachable. */
  latencyMs: number | null;
  /** Why not reachable, for the user. */
  error: string | null;
}

export interface TunnelStatusDto {
  state: TunnelState;
  /** The tunnel server in use (or that would be used). */
  host: string;
  /** The subdomain asked for, if any. */
  subdomain: string | null;
  /** Set when the tunnel's URL is not this instance's identity: what happened and what to do. */
  identityProblem: { pinned: string; got: string; canRepin: boolean; message: string } | null;
  /** The last "reachable from the internet" check through the public URL. */
  reachability: ReachabilityDto | null;
  /** The instance's public URL (its identity). */
  publicUrl: string;
}

/** An account the user blocked or muted. */
export interface BlockedAccountDto {
  actor: ActorSummary;
  since: number;
}

/** The owner's safety lists (`blocks`, and what every moderation method answers). */
export interface BlocksDto {
  accounts: BlockedAccountDto[];
  mutes: BlockedAccountDto[];
  /** Blocked domains; each covers its subdomains. */
  domains: { domain: string; since: number }[];
}
