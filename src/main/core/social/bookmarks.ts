// Private bookmarks: kept in the store only, never federated; listed newest bookmark first.
import type { Db } from '../store/database';
import type { NoteDto, TimelinePage } from '../../../shared/dto';
import { noteFromRow, parseCursor, type NoteRow } from './noteRepository';

export class Bookmarks {
  private readonly stmts;
  constructor(db: Db) {
    this.stmts = {
      add: db.prepare<[string, number]>('INSERT INTO bookmarks (note_id, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      remove: db.prepare<[string]>('DELETE FROM bookmarks WHERE note_id = ?'),
      has: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM bookmarks WHERE note_id = ?'),
      first: db.prepare<[number], NoteRow & { bookmarked_at: number }>(`SELECT n.*, b.created_at AS bookmarked_at
          FROM bookmarks b JOIN notes n ON n.id = b.note_id ORDER BY b.created_at DESC, b.note_id DESC LIMIT ?`),
      before: db.prepare<[number, string, number], NoteRow & { bookmarked_at: number }>(`SELECT n.*, b.created_at AS bookmarked_at
          FROM bookmarks b JOIN notes n ON n.id = b.note_id WHERE (b.created_at, b.note_id) < (?, ?)
          ORDER BY b.created_at DESC, b.note_id DESC LIMIT ?`),
    };
  }

  add(noteId: string, at: number): void {
    this.stmts.add.run(noteId, at);
  }

  remove(noteId: string): void {
    this.stmts.remove.run(noteId);
  }

  has(noteId: string): boolean {
    return this.stmts.has.get(noteId)!.n > 0;
  }

  /** Bookmarked posts, newest bookmark first; `before` is a cursor from a previous page. */
  page(limit: number, before: string | undefined, view: (n: ReturnType<typeof noteFromRow>) => NoteDto): TimelinePage {
    const rows = before
      ? (() => {
        const c = parseCursor(before);
        return this.stmts.before.all(c.sortAt, c.id, limit + 1);
      })()
      : this.stmts.first.all(limit + 1);
    const page = rows.slice(0, limit);
    const cursor = (r: { bookmarked_at: number; id: string }) => `${r.bookmarked_at}_${r.id}`;
    return {
      entries: page.map((r) => ({ cursor: cursor(r), note: view(noteFromRow(r)), boostedBy: null, at: r.bookmarked_at })),
      next: rows.length > limit ? cursor(page[page.length - 1]!) : null,
    };
  }
}
