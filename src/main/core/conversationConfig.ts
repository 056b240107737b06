// The conversation side's tunables — thread walks, replies collections, polls, search, the
// home feed's boost dedup — kept beside config.ts (which re-exports them) so that file stays
// one readable page. Units in the names, defaults beside them, as there.
import { withDefaults } from './config';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;

export interface ThreadConfig {
  /** Parents fetched up a conversation's `inReplyTo` chain at most (stored ones count too). Default 20. */
  maxAncestors: number;
  /** All fetches of one walk up the chain finish within this; what is not fetched by then is shown as missing. Default 15 s. */
  ancestorsDeadlineMs: number;
  /** Replies shown below a post, stored ones included (depth first). Default 200. */
  maxDescendants: number;
  /** Pages of a remote post's `replies` collection read when its thread opens. Default 3. */
  repliesMaxPages: number;
  /** Replies fetched from that collection at most. Default 40. */
  repliesMaxItems: number;
  /** Replies fetched at once. Default 4. */
  repliesConcurrency: number;
  /** Reading the `replies` collection, its pages and the replies finishes within this. Default 15 s. */
  repliesDeadlineMs: number;
  /** A post's replies are fetched again only after this long (opening a thread twice costs nothing). Default 5 min. */
  repliesCacheTtlMs: number;
  /** Posts whose replies were fetched lately, remembered at once (the oldest are forgotten). Default 1000. */
  repliesCacheEntries: number;
}

export const DEFAULT_THREADS: ThreadConfig = {
  maxAncestors: 20,
  ancestorsDeadlineMs: 15 * SECOND_MS,
  maxDescendants: 200,
  repliesMaxPages: 3,
  repliesMaxItems: 40,
  repliesConcurrency: 4,
  repliesDeadlineMs: 15 * SECOND_MS,
  repliesCacheTtlMs: 5 * MINUTE_MS,
  repliesCacheEntries: 1000,
};

export interface PollConfig {
  /** After a vote on our poll, its results go out this much later, with every vote of the meantime (not one Update per vote). Default 60 s. */
  resultsDelayMs: number;
  /** Options read from a remote poll at most (ours have at most 4). Default 20. */
  maxRemoteOptions: number;
  /** Longest option title kept from a remote poll, in characters. Default 200. */
  maxOptionChars: number;
}

export const DEFAULT_POLLS: PollConfig = { resultsDelayMs: MINUTE_MS, maxRemoteOptions: 20, maxOptionChars: 200 };

export interface SearchConfig {
  /** Posts per page of a text search, a hashtag timeline and bookmarks. Default 20. */
  pageSize: number;
  /** Accounts and hashtags listed for a text search. Default 5 and 10. */
  maxAccounts: number;
  maxHashtags: number;
  /** Words of a text search used at most (the rest is ignored). Default 16. */
  maxTerms: number;
  /** Stored posts indexed per batch when older posts are brought into the search index at start. Default 500. */
  backfillBatch: number;
  /**
   * Posts from the inbox indexed together while it is busy (FTS5 writes one segment per batch:
   * the fewer, the cheaper each post; the rest when processing goes idle). Default 64.
   */
  inboxBatch: number;
}

export const DEFAULT_SEARCH: SearchConfig = { pageSize: 20, maxAccounts: 5, maxHashtags: 10, maxTerms: 16, backfillBatch: 500, inboxBatch: 64 };

export interface HomeConfig {
  /**
   * A boost of a post already among the newest this-many home entries adds no second entry
   * (as Mastodon's feed: the post is shown once, where it already is). Default 800.
   */
  boostDedupEntries: number;
}

export const DEFAULT_HOME: HomeConfig = { boostDedupEntries: 800 };

export interface ConversationConfig {
  threads: ThreadConfig;
  polls: PollConfig;
  search: SearchConfig;
}

/** A deep copy of the defaults with `overrides` merged in (tests shorten the poll delay). */
export function conversationConfig(overrides: { [K in keyof ConversationConfig]?: Partial<ConversationConfig[K]> } = {}): ConversationConfig {
  return {
    threads: withDefaults(DEFAULT_THREADS, overrides.threads),
    polls: withDefaults(DEFAULT_POLLS, overrides.polls),
    search: withDefaults(DEFAULT_SEARCH, overrides.search),
  };
}
