// Notes (ours and remote), the home timeline, and likes/boosts of notes.
import type { Db } from '../store/database';
import type { ActorSummary, NoteDto, TimelineEntry, TimelinePage, Visibility } from '../../../shared/dto';
import { newId } from '../ids';
import type { AttachmentRecord, EmojiRecord } from '../federation/as2Media';
import { DEFAULT_HOME, type HomeConfig } from '../config';
import { NoteSearchIndex } from './noteSearchIndex';

/** A post's poll: its options with their counts, as its server (or we) last said. */
export interface PollRecord {
  multiple: boolean;
  options: { title: string; votes: number | null }[];
  votersCount: number | null;
  endsAt: number | null;
  /** When it was closed, if its server says it is. */
  closedAt: number | null;
}

export interface NoteRecord {
  id: string;
  uri: string;
  authorUri: string;
  local: boolean;
  contentHtml: string;
  summary: string | null;
  visibility: Visibility;
  inReplyTo: string | null;
  url: string | null;
  to: string[];
  cc: string[];
  /** Mention tags: actor URI and display name (`@user@host`). */
  mentions: { href: string; name: string }[];
  hashtags: string[];
  publishedAt: number;
  updatedAt: number | null;
  /** What the user typed, for the user's own posts (edits start from it). */
  source?: string | null;
  poll?: PollRecord | null;
  attachments: AttachmentRecord[];
  emojis: EmojiRecord[];
  /** Media (or the whole post) marked sensitive by its author. */
  sensitive: boolean;
}

/** What an edit changes. */
export type NoteEdit = Pick<NoteRecord, 'uri' | 'contentHtml' | 'summary' | 'mentions' | 'hashtags' | 'updatedAt' | 'attachments' | 'emojis' | 'sensitive'>
  & Pick<NoteRecord, 'source' | 'poll'>;

export interface NoteRow {
  id: string; uri: string; author_uri: string; local: number; content_html: string; summary: string | null;
  visibility: Visibility; in_reply_to: string | null; url: string | null; to_json: string; cc_json: string;
  mentions_json: string; hashtags_json: string; published_at: number; updated_at: number | null;
  source: string | null; poll_json: string | null;
  attachments_json: string; emojis_json: string; sensitive: number;
}

export type ReactionKind = 'like' | 'announce';

export interface Engagement {
  likes: number;
  boosts: number;
  replies: number;
  likedByMe: boolean;
  boostedByMe: boolean;
}

/** A timeline row (alias t) neither by nor boosted by a muted account. */
const NOT_MUTED = `NOT EXISTS (SELECT 1 FROM account_mutes m WHERE m.actor_uri = t.boosted_by
    OR m.actor_uri = (SELECT author_uri FROM notes n WHERE n.id = t.note_id))`;

export class NoteRepository {
  private readonly stmts;
  private readonly searchIndex: NoteSearchIndex;

  constructor(private readonly db: Db, private readonly home: HomeConfig = DEFAULT_HOME) {
    this.searchIndex = new NoteSearchIndex(db);
    this.stmts = {
      byId: db.prepare<[string], NoteRow>('SELECT * FROM notes WHERE id = ?'),
      byIds: db.prepare<[string], NoteRow>('SELECT * FROM notes WHERE id IN (SELECT value FROM json_each(?))'),
      // Counts and the user's own like/boost of many notes in one pass over reactions_by_note.
      engagement: db.prepare<[{ me: string; list: string }], { uri: string; likes: number; boosts: number; liked: number; boosted: number }>(`SELECT note_uri AS uri,
          sum(kind = 'like') AS likes, sum(kind = 'announce') AS boosts, max(kind = 'like' AND actor_uri = @me) AS liked,
          max(kind = 'announce' AND actor_uri = @me) AS boosted
          FROM reactions WHERE note_uri IN (SELECT value FROM json_each(@list)) GROUP BY note_uri`),
      repliesOf: db.prepare<[string], { uri: string; n: number }>(`SELECT in_reply_to AS uri, count(*) AS n FROM notes
          WHERE in_reply_to IN (SELECT value FROM json_each(?)) GROUP BY in_reply_to`),
      byUri: db.prepare<[string], NoteRow>('SELECT * FROM notes WHERE uri = ?'),
      insert: db.prepare(`INSERT INTO notes (id, uri, author_uri, local, content_html, summary, visibility, in_reply_to, url,
          to_json, cc_json, mentions_json, hashtags_json, published_at, updated_at, source, poll_json, attachments_json, emojis_json, sensitive)
        VALUES (@id, @uri, @authorUri, @local, @contentHtml, @summary, @visibility, @inReplyTo, @url, @to, @cc, @mentions,
          @hashtags, @publishedAt, @updatedAt, @source, @poll, @attachments, @emojis, @sensitive)
        ON CONFLICT (uri) DO NOTHING`),
      update: db.prepare(`UPDATE notes SET content_html = @contentHtml, summary = @summary, mentions_json = @mentions,
          hashtags_json = @hashtags, updated_at = @updatedAt, source = @source, poll_json = @poll, attachments_json = @attachments,
          emojis_json = @emojis, sensitive = @sensitive WHERE uri = @uri`),
      setPoll: db.prepare<[string | null, string]>('UPDATE notes SET poll_json = ? WHERE id = ?'),
      repliesTo: db.prepare<[string, number], NoteRow>('SELECT * FROM notes WHERE in_reply_to = ? ORDER BY published_at, id LIMIT ?'),
      // Is the note's newest entry among the newest `n` home entries? (0 rows: not in home at all)
      newerEntries: db.prepare<[string, number], { n: number }>(`SELECT count(*) AS n FROM (SELECT 1 FROM timeline
          WHERE sort_at > (SELECT max(sort_at) FROM timeline WHERE note_id = ?) LIMIT ?)`),
      inTimeline: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM timeline WHERE note_id = ?'),
      delete: db.prepare<[string]>('DELETE FROM notes WHERE uri = ?'),
      deleteByAuthor: db.prepare<[string]>('DELETE FROM notes WHERE author_uri = ?'),
      countLocal: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM notes WHERE author_uri = ?'),
      outboxPage: db.prepare<[string, number, number], NoteRow>(`SELECT * FROM notes WHERE author_uri = ?
          AND visibility IN ('public', 'unlisted') AND published_at < ? ORDER BY published_at DESC LIMIT ?`),
      countPublic: db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM notes WHERE author_uri = ?
          AND visibility IN ('public', 'unlisted')`),
      replies: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM notes WHERE in_reply_to = ?'),
      addTimeline: db.prepare(`INSERT INTO timeline (id, note_id, boosted_by, announce_uri, sort_at)
          VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      timelineHasNote: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM timeline WHERE note_id = ? AND boosted_by IS NULL'),
      removeTimelineAnnounce: db.prepare<[string]>('DELETE FROM timeline WHERE announce_uri = ?'),
      removeTimelineBy: db.prepare<[{ uri: string }]>(`DELETE FROM timeline WHERE boosted_by = @uri
          OR note_id IN (SELECT id FROM notes WHERE author_uri = @uri)`),
      // Muted accounts' posts and boosts are left out (mutes hide, they do not delete).
      timelineFirst: db.prepare<[number], TimelineRow>(`SELECT * FROM timeline t WHERE ${NOT_MUTED}
          ORDER BY sort_at DESC, id DESC LIMIT ?`),
      timelineBefore: db.prepare<[number, string, number], TimelineRow>(`SELECT * FROM timeline t
          WHERE (sort_at, id) < (?, ?) AND ${NOT_MUTED} ORDER BY sort_at DESC, id DESC LIMIT ?`),
      timelineEntry: db.prepare<[string], TimelineRow>('SELECT * FROM timeline WHERE id = ?'),
      timelineActors: db.prepare<[], { uri: string }>(`SELECT DISTINCT author_uri AS uri FROM notes WHERE local = 0
          UNION SELECT DISTINCT boosted_by FROM timeline WHERE boosted_by IS NOT NULL`),
      addReaction: db.prepare(`INSERT INTO reactions (activity_uri, kind, actor_uri, note_uri, created_at)
          VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      reactionByActivity: db.prepare<[string], ReactionRow>('SELECT * FROM reactions WHERE activity_uri = ?'),
      reactionOf: db.prepare<[string, ReactionKind, string], ReactionRow>(
        'SELECT * FROM reactions WHERE note_uri = ? AND kind = ? AND actor_uri = ?'),
      removeReaction: db.prepare<[string]>('DELETE FROM reactions WHERE activity_uri = ?'),
      removeReactionsBy: db.prepare<[string]>('DELETE FROM reactions WHERE actor_uri = ?'),
    };
  }

  byId(id: string): NoteRecord | undefined {
    const r = this.stmts.byId.get(id);
    return r ? noteFromRow(r) : undefined;
  }

  byUri(uri: string): NoteRecord | undefined {
    const r = this.stmts.byUri.get(uri);
    return r ? noteFromRow(r) : undefined;
  }

  /**
   * Inserts a note (and indexes its text for search); returns false when one with that URI
   * already exists. With `indexLater` its search entry is written by indexDeferred(), which
   * the caller runs later in the same transaction (noteSearchIndex.ts: why).
   */
  insert(note: NoteRecord, opts: { indexLater?: boolean } = {}): boolean {
    const write = () => {
      if (this.stmts.insert.run(toParams(note)).changes === 0) return false;
      const searchable = { ...note, pollOptions: note.poll?.options.map((o) => o.title) };
      if (opts.indexLater) this.searchIndex.defer(searchable);
      else this.searchIndex.put(searchable);
      return true;
    };
    return opts.indexLater ? write() : this.db.transaction(write)();
  }

  /** Writes the search entries of the notes inserted with `indexLater` (that are still stored), if at least `atLeast` wait. */
  indexDeferred(atLeast = 1): void {
    if (this.searchIndex.deferredCount >= atLeast) this.searchIndex.indexDeferred();
  }

  /** Notes inserted with `indexLater` whose search entries are not written yet. */
  get unindexed(): number {
    return this.searchIndex.deferredCount;
  }

  /** Replaces a note's content (an edit), re-indexing it; false when there is no such note. */
  update(note: NoteEdit): boolean {
    return this.db.transaction(() => {
      const changed = this.stmts.update.run({
        uri: note.uri, contentHtml: note.contentHtml, summary: note.summary, mentions: JSON.stringify(note.mentions),
        hashtags: JSON.stringify(note.hashtags), updatedAt: note.updatedAt, source: note.source ?? null,
        poll: note.poll ? JSON.stringify(note.poll) : null, attachments: JSON.stringify(note.attachments),
        emojis: JSON.stringify(note.emojis), sensitive: note.sensitive ? 1 : 0,
      }).changes > 0;
      const stored = changed ? this.byUri(note.uri) : undefined;
      if (stored) this.searchIndex.put({ ...stored, pollOptions: stored.poll?.options.map((o) => o.title) });
      return changed;
    })();
  }

  /** New poll counts (or closing) for a note, its text unchanged. */
  setPoll(noteId: string, poll: PollRecord | null): void {
    this.stmts.setPoll.run(poll ? JSON.stringify(poll) : null, noteId);
  }

  /** Stored replies to a note, oldest first. */
  repliesTo(uri: string, limit: number): NoteRecord[] {
    return this.stmts.repliesTo.all(uri, limit).map(noteFromRow);
  }

  /** Brings posts stored before the search index existed into it, a batch at a time; returns how many. */
  backfillSearch(batch: number): number {
    return this.searchIndex.backfill(batch);
  }

  /** Deletes a note and (by cascade) its timeline entries. */
  delete(uri: string): boolean {
    return this.stmts.delete.run(uri).changes > 0;
  }

  /** Removes everything of a deleted remote actor. */
  deleteByAuthor(authorUri: string): void {
    this.stmts.removeTimelineBy.run({ uri: authorUri });
    this.stmts.removeReactionsBy.run(authorUri);
    this.stmts.deleteByAuthor.run(authorUri);
  }

  /** Every account with a note or a boost in the home timeline (for a domain block's sweep). */
  authorsAndBoosters(): string[] {
    return this.stmts.timelineActors.all().map((r) => r.uri);
  }

  countBy(authorUri: string): number {
    return this.stmts.countLocal.get(authorUri)!.n;
  }

  countPublicBy(authorUri: string): number {
    return this.stmts.countPublic.get(authorUri)!.n;
  }

  /** Public and unlisted notes of an author, newest first, published before `before`. */
  publicNotesBy(authorUri: string, before: number, limit: number): NoteRecord[] {
    return this.stmts.outboxPage.all(authorUri, before, limit).map(noteFromRow);
  }

  replyCount(uri: string): number {
    return this.stmts.replies.get(uri)!.n;
  }

  /** Likes, boosts and replies of each note, and whether `me` liked or boosted it: three queries for any number of notes. */
  engagementOf(uris: readonly string[], me: string): Map<string, Engagement> {
    const out = new Map<string, Engagement>();
    if (uris.length === 0) return out;
    const list = JSON.stringify([...new Set(uris)]);
    for (const uri of uris) out.set(uri, { likes: 0, boosts: 0, replies: 0, likedByMe: false, boostedByMe: false });
    for (const r of this.stmts.engagement.all({ me, list })) {
      Object.assign(out.get(r.uri)!, { likes: r.likes, boosts: r.boosts, likedByMe: r.liked === 1, boostedByMe: r.boosted === 1 });
    }
    for (const r of this.stmts.repliesOf.all(list)) out.get(r.uri)!.replies = r.n;
    return out;
  }

  // ---- home timeline ----

  addToTimeline(noteId: string, sortAt: number, boost?: { by: string; announceUri: string }): string | undefined {
    if (!boost && this.stmts.timelineHasNote.get(noteId)!.n > 0) return undefined;
    // A post already near the top of home is not shown again as a boost.
    if (boost && this.stmts.inTimeline.get(noteId)!.n > 0
      && this.stmts.newerEntries.get(noteId, this.home.boostDedupEntries)!.n < this.home.boostDedupEntries) return undefined;
    const id = newId();
    const changes = this.stmts.addTimeline.run(id, noteId, boost?.by ?? null, boost?.announceUri ?? null, sortAt).changes;
    return changes > 0 ? id : undefined;
  }

  removeBoostFromTimeline(announceUri: string): void {
    this.stmts.removeTimelineAnnounce.run(announceUri);
  }

  /** A page of the home timeline; `view` turns the page's notes into DTOs all at once (Views.notes: batched queries). */
  timeline(limit: number, before: string | undefined, view: (n: NoteRecord[]) => NoteDto[], actor: (uri: string) => ActorSummary): TimelinePage {
    let rows: TimelineRow[];
    if (before) {
      const cur = parseCursor(before);
      rows = this.stmts.timelineBefore.all(cur.sortAt, cur.id, limit + 1);
    } else rows = this.stmts.timelineFirst.all(limit + 1);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    const found = new Map(this.stmts.byIds.all(JSON.stringify(page.map((r) => r.note_id))).map((r) => [r.id, noteFromRow(r)]));
    const kept = page.filter((r) => found.has(r.note_id));
    const dtos = view(kept.map((r) => found.get(r.note_id)!));
    const boosters = new Map<string, ActorSummary>();
    const booster = (uri: string) => boosters.get(uri) ?? boosters.set(uri, actor(uri)).get(uri)!;
    const entries: TimelineEntry[] = kept.map((row, i) => ({
      cursor: cursorOf(row), note: dtos[i]!, boostedBy: row.boosted_by ? booster(row.boosted_by) : null, at: row.sort_at,
    }));
    const lastRow = rows[Math.min(rows.length, limit) - 1];
    return { entries, next: more && lastRow ? cursorOf(lastRow) : null };
  }

  timelineCursor(entryId: string): string | undefined {
    const row = this.stmts.timelineEntry.get(entryId);
    return row ? cursorOf(row) : undefined;
  }

  // ---- likes and boosts ----

  addReaction(kind: ReactionKind, activityUri: string, actorUri: string, noteUri: string, at: number): boolean {
    return this.stmts.addReaction.run(activityUri, kind, actorUri, noteUri, at).changes > 0;
  }

  reactionByActivity(activityUri: string): { kind: ReactionKind; actorUri: string; noteUri: string } | undefined {
    const r = this.stmts.reactionByActivity.get(activityUri);
    return r ? { kind: r.kind, actorUri: r.actor_uri, noteUri: r.note_uri } : undefined;
  }

  reactionOf(noteUri: string, kind: ReactionKind, actorUri: string): string | undefined {
    return this.stmts.reactionOf.get(noteUri, kind, actorUri)?.activity_uri;
  }

  removeReaction(activityUri: string): boolean {
    return this.stmts.removeReaction.run(activityUri).changes > 0;
  }
}

interface TimelineRow { id: string; note_id: string; boosted_by: string | null; announce_uri: string | null; sort_at: number }
interface ReactionRow { activity_uri: string; kind: ReactionKind; actor_uri: string; note_uri: string; created_at: number }

function cursorOf(row: TimelineRow): string {
  return `${row.sort_at}_${row.id}`;
}

export function parseCursor(cursor: string): { sortAt: number; id: string } {
  const m = /^(\d{1,16})_([a-z0-9]{1,40})$/.exec(cursor);
  if (!m) throw new RangeError('before: not a timeline cursor');
  return { sortAt: Number(m[1]), id: m[2]! };
}

export function noteFromRow(r: NoteRow): NoteRecord {
  return {
    id: r.id, uri: r.uri, authorUri: r.author_uri, local: r.local === 1, contentHtml: r.content_html, summary: r.summary,
    visibility: r.visibility, inReplyTo: r.in_reply_to, url: r.url, to: JSON.parse(r.to_json), cc: JSON.parse(r.cc_json),
    mentions: JSON.parse(r.mentions_json), hashtags: JSON.parse(r.hashtags_json), publishedAt: r.published_at, updatedAt: r.updated_at,
    source: r.source, poll: r.poll_json ? (JSON.parse(r.poll_json) as PollRecord) : null,
    attachments: JSON.parse(r.attachments_json), emojis: JSON.parse(r.emojis_json), sensitive: r.sensitive === 1,
  };
}

function toParams(n: NoteRecord) {
  return {
    id: n.id, uri: n.uri, authorUri: n.authorUri, local: n.local ? 1 : 0, contentHtml: n.contentHtml, summary: n.summary,
    visibility: n.visibility, inReplyTo: n.inReplyTo, url: n.url, to: JSON.stringify(n.to), cc: JSON.stringify(n.cc),
    mentions: JSON.stringify(n.mentions), hashtags: JSON.stringify(n.hashtags), publishedAt: n.publishedAt, updatedAt: n.updatedAt,
    source: n.source ?? null, poll: n.poll ? JSON.stringify(n.poll) : null,
    attachments: JSON.stringify(n.attachments), emojis: JSON.stringify(n.emojis), sensitive: n.sensitive ? 1 : 0,
  };
}
