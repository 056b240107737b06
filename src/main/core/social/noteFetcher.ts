// Fetching one remote post we do not have (a boosted post, a parent up a thread, a reply in
// a `replies` collection, a post URL pasted into search) and storing it, so it can be
// replied to, liked and boosted. The one implementation of that step: a signed GET through
// the FederationClient (SSRF guard, size cap, deadline, the origin rule), the post parsed
// and sanitized as one from the inbox, its author fetched for the addressing.
import type { PollConfig } from '../config';
import type { FederationClient } from '../federation/federationClient';
import type { RemoteActors } from '../federation/remoteActors';
import { hostOf, idOf, str, typeOf, type Json } from '../federation/activityStreams';
import { newId } from '../ids';
import type { BlockList } from './blockList';
import type { NoteRecord, NoteRepository } from './noteRepository';
import { NOTE_TYPES, parseRemoteNote } from './remoteNotes';
import { isVoteShaped } from './pollDocuments';
import { isPubliclyVisible } from './addressing';

/** Why a fetched document was not taken (the fetch itself fails with FetchError). */
export class NoteFetchError extends Error {}

export interface FetchNoteOptions {
  /** Epoch ms by which the fetch must be done. */
  deadline?: number;
  /** Only public and unlisted posts (what a boost may carry). */
  publicOnly?: boolean;
  /** `uri` is a page a person pasted (content negotiation or its alternate link); the object's id may differ from it. */
  fromPage?: boolean;
}

export interface NoteFetcherDeps {
  client: FederationClient;
  actors: RemoteActors;
  notes: NoteRepository;
  blocks: Pick<BlockList, 'isBlocked'>;
  polls: Pick<PollConfig, 'maxRemoteOptions' | 'maxOptionChars'>;
  now?: () => number;
}

export class NoteFetcher {
  private readonly now: () => number;
  constructor(private readonly d: NoteFetcherDeps) {
    this.now = d.now ?? Date.now;
  }

  /** The stored post for `uri`: from the store, or fetched and stored. */
  async fetch(uri: string, opts: FetchNoteOptions = {}): Promise<NoteRecord> {
    const stored = this.d.notes.byUri(uri);
    if (stored) return stored;
    const doc = opts.fromPage
      ? await this.d.client.getActivityJsonFromPage(uri, { deadline: opts.deadline })
      : await this.d.client.getActivityJson(uri, { deadline: opts.deadline });
    return this.store(doc, opts.fromPage ? undefined : uri, opts);
  }

  /**
   * Stores a post document that came from its own host (getActivityJson's origin rule held).
   * `expectedId`: the id it must carry (what was asked for); a thread's `inReplyTo` or a
   * collection's item may not be swapped for another post.
   */
  async store(doc: Json, expectedId: string | undefined, opts: Pick<FetchNoteOptions, 'publicOnly'> = {}): Promise<NoteRecord> {
    const id = str(doc.id);
    if (!id || (expectedId !== undefined && id !== expectedId)) throw new NoteFetchError(`${expectedId ?? 'the page'} answered with another object (${id ?? 'no id'})`);
    if (!NOTE_TYPES.has(typeOf(doc) ?? '') || isVoteShaped(doc)) throw new NoteFetchError(`${id} is not a post`);
    const existing = this.d.notes.byUri(id);
    if (existing) return existing;
    const authorUri = idOf(doc.attributedTo);
    if (!authorUri || hostOf(authorUri) !== hostOf(id)) throw new NoteFetchError(`${id} names an author on another host`);
    if (this.d.blocks.isBlocked(authorUri)) throw new NoteFetchError(`${id} is by an account you block`);
    const author = await this.d.actors.resolve(authorUri);
    const note = parseRemoteNote(doc, newId(), author.followersUrl, this.now(), this.d.polls);
    if (opts.publicOnly && !isPubliclyVisible(note.visibility)) throw new NoteFetchError(`${id} is not public`);
    this.d.notes.insert(note);
    return this.d.notes.byUri(id)!;
  }
}
