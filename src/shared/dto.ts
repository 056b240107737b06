// Data shapes exchanged between the instance and its UIs (IPC and HTTP alike).
// Plain JSON: no Dates, no class instances. Times are epoch milliseconds.

export const VISIBILITIES = ['public', 'unlisted', 'followers', 'direct'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export interface ActorSummary {
  uri: string;
  /** `user@host` */
  handle: string;
  name: string;
  url: string | null;
  iconUrl: string | null;
  /** Sanitized HTML. */
  summaryHtml: string;
  local: boolean;
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

export const NOTIFICATION_TYPES = ['follow', 'follow_request', 'mention', 'reply', 'like', 'boost'] as const;
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
}

export interface QueueStatsDto {
  queued: number;
  inFlight: number;
  delivered: number;
  failed: number;
  parked: number;
  hostsBackingOff: number;
}

export type DeliveryState = 'queued' | 'in_flight' | 'delivered' | 'failed';

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

export interface DeliveryProgressDto {
  activityId: string;
  total: number;
  delivered: number;
  queued: number;
  inFlight: number;
  failed: number;
  inboxes: DeliveryRowDto[];
}

export interface SettingsDto {
  displayName: string;
  summary: string;
  manuallyApprovesFollowers: boolean;
}

export interface ComposeResult {
  noteId: string;
  activityId: string;
}

export interface ProfileLookupDto {
  actor: ActorSummary;
  followersCount: number | null;
  followingCount: number | null;
  followState: FollowState | null;
}
