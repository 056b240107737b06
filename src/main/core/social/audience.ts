// Who hears about a change to a post the user wrote (an edit, new poll results): the same
// audience as the post itself — its followers unless it is direct, and the accounts it is
// addressed to — and how a post is looked up by the id or URI the admin API was given.
import { notFound } from '../errors';
import type { RemoteActors } from '../federation/remoteActors';
import type { BlockList } from './blockList';
import type { NoteRecord, NoteRepository } from './noteRepository';

export interface Audience {
  /** The addressed accounts' inboxes (shared ones where their servers have them). */
  inboxes: string[];
  /** And every follower's. */
  followers: boolean;
}

/** The audience of a post of ours, from its addressing (to/cc) as it was sent. */
export function noteAudience(note: NoteRecord, actors: Pick<RemoteActors, 'cached'>, blocks: Pick<BlockList, 'isBlocked'>): Audience {
  const inboxes = new Set<string>();
  for (const uri of new Set([...note.to, ...note.cc])) {
    const actor = actors.cached(uri);
    if (actor && !blocks.isBlocked(actor.uri)) inboxes.add(actor.sharedInbox ?? actor.inbox);
  }
  return { inboxes: [...inboxes], followers: note.visibility !== 'direct' };
}

/** The stored post with this local id or URI, or a not-found error. */
export function requireNote(notes: Pick<NoteRepository, 'byId' | 'byUri'>, noteId: string): NoteRecord {
  const note = notes.byId(noteId) ?? notes.byUri(noteId);
  if (!note) throw notFound(`no note ${noteId}`);
  return note;
}
