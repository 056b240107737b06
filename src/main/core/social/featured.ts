// Pinned posts: the actor's `featured` collection (Mastodon's pins). Pinning one of our own
// public or unlisted posts sends `Add` (object: the note, target: the collection) to our
// followers, unpinning sends `Remove`, so their servers show the pins without refetching.
import type { Db } from '../store/database';
import type { MovesConfig } from '../config';
import type { LocalIdentity } from '../federation/localActor';
import type { Outbox } from '../delivery/outbox';
import { AS_CONTEXT, AS_PUBLIC, type Json } from '../federation/activityStreams';
import type { NoteRecord, NoteRepository } from './noteRepository';
import { conflict, notFound } from '../errors';
import { newId } from '../ids';

export interface FeaturedDeps {
  db: Db;
  identity: LocalIdentity;
  notes: NoteRepository;
  outbox: Outbox;
  config: Pick<MovesConfig, 'maxPinned'>;
  now?: () => number;
}

export class FeaturedNotes {
  private readonly stmts;
  private readonly now: () => number;

  constructor(private readonly d: FeaturedDeps) {
    this.now = d.now ?? Date.now;
    this.stmts = {
      has: d.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM pinned_notes WHERE note_id = ?'),
      ids: d.db.prepare<[], { note_id: string }>('SELECT note_id FROM pinned_notes ORDER BY pinned_at DESC'),
      count: d.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM pinned_notes'),
      add: d.db.prepare<[string, number]>('INSERT INTO pinned_notes (note_id, pinned_at) VALUES (?, ?) ON CONFLICT DO NOTHING'),
      remove: d.db.prepare<[string]>('DELETE FROM pinned_notes WHERE note_id = ?'),
    };
  }

  isPinned(noteId: string): boolean {
    return this.stmts.has.get(noteId)!.n > 0;
  }

  /** The pinned notes, newest pin first. */
  list(): NoteRecord[] {
    return this.stmts.ids.all().map((r) => this.d.notes.byId(r.note_id)).filter((n): n is NoteRecord => !!n);
  }

  pin(noteId: string): { ok: true } {
    const note = this.ownNote(noteId);
    if (note.visibility !== 'public' && note.visibility !== 'unlisted') throw conflict('only public and unlisted posts can be pinned');
    if (this.isPinned(note.id)) return { ok: true };
    if (this.stmts.count.get()!.n >= this.d.config.maxPinned) throw conflict(`at most ${this.d.config.maxPinned} posts can be pinned: unpin one first`);
    this.d.db.transaction(() => {
      this.stmts.add.run(note.id, this.now());
      this.send('Add', note);
    })();
    return { ok: true };
  }

  unpin(noteId: string): { ok: true } {
    const note = this.ownNote(noteId);
    if (!this.isPinned(note.id)) return { ok: true };
    this.d.db.transaction(() => {
      this.stmts.remove.run(note.id);
      this.send('Remove', note);
    })();
    return { ok: true };
  }

  private ownNote(noteId: string): NoteRecord {
    const note = this.d.notes.byId(noteId) ?? this.d.notes.byUri(noteId);
    if (!note) throw notFound(`no note ${noteId}`);
    if (note.authorUri !== this.d.identity.actor) throw conflict('only your own posts can be pinned');
    return note;
  }

  private send(type: 'Add' | 'Remove', note: NoteRecord): void {
    const { identity } = this.d;
    const id = newId();
    const activity: Json = {
      '@context': AS_CONTEXT, id: identity.activityUri(id), type, actor: identity.actor,
      object: note.uri, target: identity.featured, to: [AS_PUBLIC], cc: [identity.followers],
    };
    this.d.outbox.enqueue(id, activity, [], { followers: true });
  }
}
