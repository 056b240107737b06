// The full-text index of stored posts (SQLite FTS5): the note repository writes each post's
// text here as it stores or edits it; deletes follow by trigger (migration 4). Queries are
// built from the user's words, each quoted, so no input can be FTS syntax.
import type { Db } from '../store/database';
import { plainText } from '../federation/sanitize';

export interface IndexedText {
  id: string;
  contentHtml: string;
  summary: string | null;
  /** Poll option titles, if the post has a poll. */
  pollOptions?: readonly string[];
}

/** The words a reader sees in a post: tags stripped, block ends kept apart. */
export function searchableText(note: IndexedText): string {
  const body = plainText(note.contentHtml.replace(/<\/(p|li|blockquote|pre|h[1-6])>|<br\s*\/?>/gi, ' '));
  return [note.summary ?? '', body, ...(note.pollOptions ?? [])].filter(Boolean).join(' ');
}

/**
 * An FTS5 MATCH expression for what the user typed: every word quoted (a `"` doubled), the
 * words ANDed, the last one a prefix (so "bird" finds "birdwatching" as one types). Only
 * words with a letter or digit count; undefined when none is left.
 */
export function ftsQuery(text: string, maxTerms: number): string | undefined {
  const words = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).slice(0, maxTerms);
  if (words.length === 0) return undefined;
  return words.map((w, i) => `"${w.replace(/"/g, '""')}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

export class NoteSearchIndex {
  private readonly stmts;
  /** Posts whose entries wait for indexDeferred(). */
  private deferred: IndexedText[] = [];

  constructor(private readonly db: Db) {
    this.stmts = {
      key: db.prepare<[string], { id: number }>(`INSERT INTO note_search (note_id) VALUES (?)
          ON CONFLICT (note_id) DO UPDATE SET note_id = excluded.note_id RETURNING id`),
      remove: db.prepare<[number]>('DELETE FROM note_search_text WHERE rowid = ?'),
      add: db.prepare<[number, string]>('INSERT INTO note_search_text (rowid, body) VALUES (?, ?)'),
      stored: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM notes WHERE id = ?'),
      newKey: db.prepare<[string]>('INSERT INTO note_search (note_id) VALUES (?) ON CONFLICT (note_id) DO NOTHING'),
      missing: db.prepare<[number], { id: string; content_html: string; summary: string | null; poll_json: string | null }>(`
          SELECT id, content_html, summary, poll_json FROM notes n
          WHERE NOT EXISTS (SELECT 1 FROM note_search s WHERE s.note_id = n.id) LIMIT ?`),
    };
  }

  /** Indexes (or re-indexes) one post. Call in the transaction that stores it. */
  put(note: IndexedText): void {
    const { id } = this.stmts.key.get(note.id)!;
    this.stmts.remove.run(id);
    this.stmts.add.run(id, searchableText(note));
  }

  /**
   * Queues a post for indexDeferred(). FTS5 writes what it holds to disk as a new segment at
   * every SAVEPOINT of a transaction it has written in, and at every commit: posts stored one
   * savepoint each (the inbox's processing turns) cost a segment apiece unless their entries
   * are written together, after the last savepoint, many at a time.
   */
  defer(note: IndexedText): void {
    this.deferred.push(note);
  }

  /**
   * Indexes the queued posts that are still stored (one whose savepoint was undone, or that
   * was deleted since, is not), in the caller's transaction or a later one: a post stored but
   * not indexed when the process stops is indexed by the backfill at the next start. They are
   * new posts: no entry of theirs to remove first (that removal was half of put()'s cost).
   */
  indexDeferred(): void {
    const batch = this.deferred;
    this.deferred = [];
    try {
      for (const note of batch) {
        if (this.stmts.stored.get(note.id)!.n === 0) continue;
        const key = this.stmts.newKey.run(note.id);
        // Already indexed (an edit or the backfill got there first, with the newer text).
        if (key.changes > 0) this.stmts.add.run(Number(key.lastInsertRowid), searchableText(note));
      }
    } catch (err) {
      this.deferred = batch.concat(this.deferred); // rolled back with the transaction: still to do
      throw err;
    }
  }

  /** Posts queued for indexDeferred(). */
  get deferredCount(): number {
    return this.deferred.length;
  }

  /** Indexes up to `batch` stored posts the index does not have yet (posts stored before it existed); returns how many. */
  backfill(batch: number): number {
    const rows = this.stmts.missing.all(batch);
    this.db.transaction(() => {
      for (const r of rows) {
        const poll = r.poll_json ? (JSON.parse(r.poll_json) as { options?: { title: string }[] }) : null;
        this.put({ id: r.id, contentHtml: r.content_html, summary: r.summary, pollOptions: poll?.options?.map((o) => o.title) });
      }
    })();
    return rows.length;
  }
}
