// Conversations, edits, polls, bookmarks and search: the shapes the admin API returns for
// them, and the poll limits the composer and the instance share. No runtime dependencies.
import type { ActorSummary, FollowState, NoteDto } from './dto';

/** Mastodon's limits for a poll composed here (remote polls may have more options). */
export const POLL_LIMITS = {
  minOptions: 2,
  maxOptions: 4,
  /** Characters per option. */
  maxOptionChars: 50,
  /** Shortest and longest duration, in seconds: 5 minutes … 7 days (Mastodon offers up to 7 days in its composer). */
  minExpiresInS: 5 * 60,
  maxExpiresInS: 7 * 24 * 3600,
} as const;

/** The durations the composer offers, in seconds. */
export const POLL_DURATIONS_S: readonly number[] = [5 * 60, 30 * 60, 3600, 6 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600];

export interface PollOptionDto {
  title: string;
  /** Votes counted for this option (null when the server does not say). */
  votes: number | null;
}

export interface PollDto {
  multiple: boolean;
  options: PollOptionDto[];
  /** People who voted (for multiple choice, fewer than the votes); null when unknown. */
  votersCount: number | null;
  /** When voting ends (null: no end given). */
  endsAt: number | null;
  /** Voting is over: closed by its server, or past its end. */
  closed: boolean;
  /** The options the user chose, by index (empty when the user has not voted). */
  ownVotes: number[];
  /** The poll is the user's own. */
  own: boolean;
}

export interface ThreadDto {
  /** From the conversation's first post down to the opened post's parent. */
  ancestors: NoteDto[];
  note: NoteDto;
  /** Replies, depth first (each after its parent), oldest first among siblings. */
  descendants: NoteDto[];
  /**
   * The URI of the earliest parent that could not be loaded (gone, unreachable, refused, or
   * past the depth cap): the conversation goes further up than shown. Null when complete.
   */
  missingAncestor: string | null;
}

export interface NoteVersionDto {
  /** Sanitized HTML. */
  contentHtml: string;
  summary: string | null;
  /** When this version was published (the post's time for the first, the edit's time after). */
  at: number;
  /** Poll options in this version, if it had a poll. */
  pollOptions: string[] | null;
}

export interface HashtagDto {
  name: string;
  /** Stored posts with this tag. */
  count: number;
}

export interface AccountResultDto {
  actor: ActorSummary;
  followState: FollowState | null;
}

export interface SearchResultDto {
  accounts: AccountResultDto[];
  notes: NoteDto[];
  hashtags: HashtagDto[];
  /** Pass as `offset` for more posts of a text search; null at the end. */
  nextOffset: number | null;
  /** Why a handle or URL gave nothing (not found, unreachable, not a post or profile), for people. */
  message: string | null;
}
