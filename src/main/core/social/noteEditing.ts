// Edited posts: the user's own (Update(Note) to the post's audience, through the outbox)
// and remote ones (an Update from their author). Every version a post had is kept, with
// the time it was published, for its history.
import type { Db } from '../store/database';
import type { NoteVersionDto } from '../../../shared/conversations';
import { conflict } from '../errors';
import { newId } from '../ids';
import type { LocalIdentity } from '../federation/localActor';
import type { RemoteActors } from '../federation/remoteActors';
import type { Outbox } from '../delivery/outbox';
import type { InstanceEvents } from '../events';
import type { BlockList } from './blockList';
import type { NoteRecord, NoteRepository } from './noteRepository';
import { findHashtags, renderContent } from './contentFormat';
import { resolveMentions, type MentionsDeps } from './mentions';
import { renderUpdate } from './renderers';
import { noteAudience } from './audience';

interface VersionRow { content_html: string; summary: string | null; poll_options_json: string | null; published_at: number }

export class NoteVersions {
  private readonly stmts;
  constructor(db: Db) {
    this.stmts = {
      add: db.prepare<[string, string, string | null, string | null, number]>(`INSERT INTO note_versions
          (note_id, content_html, summary, poll_options_json, published_at) VALUES (?, ?, ?, ?, ?)`),
      list: db.prepare<[string], VersionRow>('SELECT * FROM note_versions WHERE note_id = ? ORDER BY id'),
    };
  }

  /** Keeps the version `note` is now, before it is replaced. */
  keep(note: NoteRecord): void {
    const options = note.poll ? JSON.stringify(note.poll.options.map((o) => o.title)) : null;
    this.stmts.add.run(note.id, note.contentHtml, note.summary, options, note.updatedAt ?? note.publishedAt);
  }

  /** Every version, oldest first, the current one last. */
  history(note: NoteRecord): NoteVersionDto[] {
    const old = this.stmts.list.all(note.id).map((r) => ({
      contentHtml: r.content_html, summary: r.summary, at: r.published_at,
      pollOptions: r.poll_options_json ? (JSON.parse(r.poll_options_json) as string[]) : null,
    }));
    return [...old, {
      contentHtml: note.contentHtml, summary: note.summary, at: note.updatedAt ?? note.publishedAt,
      pollOptions: note.poll ? note.poll.options.map((o) => o.title) : null,
    }];
  }
}

/** Whether two versions of a post read the same (text, content warning, poll options). */
function sameText(a: NoteRecord, b: NoteRecord): boolean {
  const titles = (n: NoteRecord) => JSON.stringify(n.poll?.options.map((o) => o.title) ?? null);
  // Media counts as the post's text: new pictures, other alt text or the sensitive mark are an edit too (as Mastodon).
  const media = (n: NoteRecord) => JSON.stringify([(n.attachments ?? []).map((m) => [m.url, m.description ?? null]), !!n.sensitive]);
  return a.contentHtml === b.contentHtml && (a.summary ?? null) === (b.summary ?? null) && titles(a) === titles(b) && media(a) === media(b);
}

export interface NoteEditingDeps extends MentionsDeps {
  db: Db;
  identity: LocalIdentity;
  notes: NoteRepository;
  versions: NoteVersions;
  actors: MentionsDeps['actors'] & Pick<RemoteActors, 'cached'>;
  blocks: Pick<BlockList, 'isBlocked'>;
  outbox: Outbox;
  events: InstanceEvents;
  now?: () => number;
}

export class NoteEditing {
  private readonly now: () => number;
  constructor(private readonly d: NoteEditingDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Edits one of the user's posts and sends Update(Note) to its audience; the result is the post as it is now. */
  async edit(note: NoteRecord, content: string, summary: string | undefined): Promise<NoteRecord> {
    const { identity, notes } = this.d;
    if (note.authorUri !== identity.actor) throw conflict('only your own posts can be edited');
    const parent = note.inReplyTo ? notes.byUri(note.inReplyTo) : undefined;
    const { refs, tags } = await resolveMentions(this.d, content, parent?.authorUri);
    const at = Math.max(this.now(), (note.updatedAt ?? note.publishedAt) + 1);
    const edited: NoteRecord = {
      ...note,
      contentHtml: renderContent(content, refs, (t) => identity.tagUrl(t)),
      summary: summary?.trim() ? summary.trim() : null,
      mentions: tags,
      hashtags: findHashtags(content),
      source: content,
      updatedAt: at,
    };
    if (sameText(note, edited)) return note;
    const audience = noteAudience(edited, this.d.actors, this.d.blocks);
    const id = newId(at);
    this.d.db.transaction(() => {
      this.d.versions.keep(note);
      notes.update(edited);
      this.d.outbox.enqueue(id, renderUpdate(identity, edited, `${note.uri}#updates/${id}`, at), audience.inboxes, { followers: audience.followers });
    })();
    this.d.events.emit('timeline', { cursor: '' });
    return notes.byId(note.id)!;
  }

  /**
   * A remote post as its author now sends it (an authenticated Update, author checked by
   * the caller). A changed text is an edit: the old version is kept and the post marked
   * edited. The same text with new counts is a poll's results. An Update older than what
   * we have changes nothing.
   */
  applyRemote(existing: NoteRecord, incoming: NoteRecord): 'edited' | 'results' | 'unchanged' {
    const { notes } = this.d;
    if (sameText(existing, incoming)) {
      if (JSON.stringify(existing.poll) === JSON.stringify(incoming.poll)) return 'unchanged';
      notes.setPoll(existing.id, incoming.poll ?? null);
      return 'results';
    }
    const current = existing.updatedAt ?? existing.publishedAt;
    const at = incoming.updatedAt ?? this.now();
    if (at <= current) return 'unchanged';
    this.d.db.transaction(() => {
      this.d.versions.keep(existing);
      notes.update({ ...incoming, uri: existing.uri, source: null, updatedAt: at });
    })();
    return 'edited';
  }
}
