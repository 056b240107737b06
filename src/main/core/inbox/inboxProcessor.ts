// Processes stored inbox activities, each once: per sender in arrival order, several
// senders at once, each activity within a deadline (processingQueue.ts). Everything an
// activity changes is written in one transaction; then its body is dropped and only its id
// kept, for deduplication, until dedupRetentionMs has passed.
import type { Db } from '../store/database';
import type { InboxConfig } from '../config';
import { ProcessingQueue, type PendingItem, type PendingWrite } from './processingQueue';
import type { StorageHealth } from '../store/storageHealth';
import type { BlockList } from '../social/blockList';
import type { Logger } from '../logger';
import type { InstanceEvents } from '../events';
import type { LocalIdentity } from '../federation/localActor';
import { loadProfile } from '../federation/localActor';
import type { RemoteActor, RemoteActors } from '../federation/remoteActors';
import type { FederationClient } from '../federation/federationClient';
import { hostOf, idOf, str, typeOf, type Json } from '../federation/activityStreams';
import { NOTE_TYPES, parseRemoteNote } from '../social/remoteNotes';
import type { NoteRecord, NoteRepository } from '../social/noteRepository';
import { NoteFetchError, type NoteFetcher } from '../social/noteFetcher';
import type { Polls } from '../social/polls';
import type { NoteEditing } from '../social/noteEditing';
import { isVoteShaped } from '../social/pollDocuments';
import { DEFAULT_SEARCH, type PollConfig } from '../config';
import type { FollowRepository } from '../social/followRepository';
import type { NotificationRepository } from '../social/notificationRepository';
import type { LocalActions } from '../social/localActions';
import type { NotificationType } from '../../../shared/dto';
import { newId } from '../ids';
import type { AccountEvents } from './accountEvents';

/** The activity types processing acts on; the inbox answers others 202 and stores nothing. */
export const HANDLED_TYPES: ReadonlySet<string> = new Set([
  'Follow', 'Undo', 'Accept', 'Reject', 'Create', 'Update', 'Delete', 'Like', 'EmojiReact', 'Announce', 'Move', 'Block',
]);

export interface InboxProcessorDeps {
  db: Db;
  identity: LocalIdentity;
  actors: RemoteActors;
  client: FederationClient;
  notes: NoteRepository;
  follows: FollowRepository;
  notifications: NotificationRepository;
  actions: LocalActions;
  /** Fetches posts we do not have (a boosted one). */
  fetcher: Pick<NoteFetcher, 'fetch'>;
  /** Counts votes on the user's polls. */
  polls: Pick<Polls, 'receiveVote'>;
  /** Applies authors' edits, keeping the old versions. */
  editing: Pick<NoteEditing, 'applyRemote'>;
  /** Limits for reading remote polls. */
  pollLimits: Pick<PollConfig, 'maxRemoteOptions' | 'maxOptionChars'>;
  events: InstanceEvents;
  log: Logger;
  config: Pick<InboxConfig, 'processConcurrency' | 'processDeadlineMs' | 'dedupRetentionMs' | 'pruneIntervalMs'>;
  /** New notes indexed for search together while processing is busy. Default DEFAULT_SEARCH.inboxBatch. */
  searchBatch?: number;
  /** Told when a write fails for lack of space. */
  storage?: Pick<StorageHealth, 'noteWriteFailure'>;
  /** Blocked accounts and domains: nothing of theirs comes in, boosted or not. */
  blocks: Pick<BlockList, 'isBlocked' | 'isBlockedAuthorOf'>;
  /** An account accepted our follow (Home may be backfilled with its posts). */
  onFollowAccepted?: (actorUri: string) => void;
  /** Move and Block (accountEvents.ts). */
  accountEvents: AccountEvents;
  now?: () => number;
}

export class InboxProcessor {
  private readonly stmts;
  private readonly queue: ProcessingQueue;
  private readonly now: () => number;
  private lastPruneAt = 0;
  private readonly searchBatch: number;

  constructor(private readonly d: InboxProcessorDeps) {
    this.now = d.now ?? Date.now;
    this.searchBatch = d.searchBatch ?? DEFAULT_SEARCH.inboxBatch;
    this.stmts = {
      body: d.db.prepare<[string], { body: string }>('SELECT body FROM inbox_items WHERE activity_uri = ?'),
      done: d.db.prepare<[number, string | null, string]>(`UPDATE inbox_items SET processed_at = ?, error = ?, body = ''
          WHERE activity_uri = ?`),
      prune: d.db.prepare<[number]>('DELETE FROM inbox_items WHERE processed_at IS NOT NULL AND processed_at < ?'),
    };
    this.queue = new ProcessingQueue(d.db, {
      concurrency: d.config.processConcurrency,
      deadlineMs: d.config.processDeadlineMs,
      run: (item) => this.processOne(item),
      done: (item, error) => {
        if (error) this.d.log.warn(`inbox: ${item.uri} failed: ${error}`);
        this.stmts.done.run(this.now(), error, item.uri);
        this.prune();
      },
      // Search entries of new notes, many at a time while busy (noteSearchIndex.ts: why), the rest once idle.
      afterWrites: () => this.d.notes.indexDeferred(this.searchBatch),
      onIdle: () => this.indexRest(),
      onDoneFailed: (item, err) => {
        if (!this.d.storage?.noteWriteFailure(err)) this.d.log.error(`inbox: could not record ${item.uri}: ${err instanceof Error ? err.message : String(err)}`);
      },
    });
  }

  /** Indexes the notes that wait for their search entries (its own transaction: processing is idle). */
  private indexRest(): void {
    if (this.d.notes.unindexed === 0) return;
    try {
      this.d.db.transaction(() => this.d.notes.indexDeferred())();
    } catch (err) {
      if (!this.d.storage?.noteWriteFailure(err)) this.d.log.error(`search index: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Processes everything stored so far (and what arrives meanwhile); resolves when nothing is left. */
  drain(): Promise<void> {
    return this.queue.drain();
  }

  /** Activities of `host` stored and not processed yet: the inbox's per-host quota counts these. */
  pending(host: string): { items: number; bytes: number } {
    return this.queue.pending(host);
  }

  async stop(): Promise<void> {
    await this.queue.stop();
  }

  private async processOne(item: PendingItem): Promise<PendingWrite | void> {
    const row = this.stmts.body.get(item.uri);
    if (!row) return;
    return this.process(JSON.parse(row.body) as Json, item.actor);
  }

  /** Forgets processed activities older than the dedup window, at most once an hour. */
  private prune(): void {
    const now = this.now();
    if (now - this.lastPruneAt < this.d.config.pruneIntervalMs) return;
    this.lastPruneAt = now;
    this.stmts.prune.run(now - this.d.config.dedupRetentionMs);
  }

  private async process(a: Json, actorUri: string): Promise<PendingWrite | void> {
    const type = typeOf(a);
    switch (type) {
      case 'Follow': return this.onFollow(a, actorUri);
      case 'Undo': return this.onUndo(a, actorUri);
      case 'Accept': case 'Reject': return this.onFollowAnswer(a, actorUri, type);
      case 'Create': return this.onCreate(a, actorUri);
      case 'Update': return this.onUpdate(a, actorUri);
      case 'Delete': return this.onDelete(a, actorUri);
      case 'Like': case 'EmojiReact': return this.onLike(a, actorUri);
      case 'Announce': return this.onAnnounce(a, actorUri);
      case 'Move': return this.d.accountEvents.onMove(a, actorUri);
      case 'Block': return this.d.accountEvents.onBlock(a, actorUri);
      default: return; // not something a personal instance acts on
    }
  }

  private notify(type: NotificationType, actorUri: string, noteUri: string | null, activityUri: string): void {
    const id = this.d.notifications.add(type, actorUri, noteUri, activityUri, this.now());
    if (id) this.d.events.emit('notification', { type, at: this.now() });
  }

  private async onFollow(a: Json, actorUri: string): Promise<void> {
    const { identity, follows } = this.d;
    if (idOf(a.object) !== identity.actor) return;
    const actor = await this.d.actors.resolve(actorUri);
    const existing = follows.followers.get(actorUri);
    const manual = loadProfile(this.d.db).manuallyApprovesFollowers;
    const followUri = str(a.id)!;
    if (existing?.state === 'accepted' || !manual) {
      this.d.db.transaction(() => {
        follows.followers.upsert(actor.uri, existing?.state === 'accepted' ? 'accepted' : 'pending', followUri, existing?.createdAt ?? this.now());
        this.d.actions.answerFollow(actor.uri, 'Accept');
        if (!existing) this.notify('follow', actor.uri, null, followUri);
      })();
      this.d.events.emit('follows', { direction: 'followers', actor: actor.uri, state: 'accepted' });
      return;
    }
    this.d.db.transaction(() => {
      follows.followers.upsert(actor.uri, 'pending', followUri, existing?.createdAt ?? this.now());
      this.notify('follow_request', actor.uri, null, followUri);
    })();
    this.d.events.emit('follows', { direction: 'followers', actor: actor.uri, state: 'pending' });
  }

  private async onUndo(a: Json, actorUri: string): Promise<void> {
    const objectId = idOf(a.object);
    if (!objectId) return;
    const objectType = typeOf(a.object);
    const { follows, notes, notifications } = this.d;
    if (objectType === 'Block') return this.d.accountEvents.onUndoBlock(actorUri);
    this.d.db.transaction(() => {
      const follower = follows.followers.get(actorUri);
      if (objectType === 'Follow' || follower?.followUri === objectId) {
        if (follower && (follower.followUri === objectId || idOf((a.object as Json).object) === this.d.identity.actor)) {
          follows.followers.remove(actorUri);
          notifications.removeByActivity(follower.followUri);
          this.d.events.emit('follows', { direction: 'followers', actor: actorUri, state: 'removed' });
        }
        return;
      }
      const reaction = notes.reactionByActivity(objectId);
      if (reaction && reaction.actorUri === actorUri) {
        notes.removeReaction(objectId);
        if (reaction.kind === 'announce') notes.removeBoostFromTimeline(objectId);
        notifications.removeByActivity(objectId);
      }
    })();
  }

  private async onFollowAnswer(a: Json, actorUri: string, type: 'Accept' | 'Reject'): Promise<void> {
    const { following } = this.d.follows;
    const objectId = idOf(a.object);
    let rec = objectId ? following.byFollowUri(objectId) : undefined;
    // Some servers answer with a Follow of their own making: match on the pair instead.
    if (!rec) {
      const candidate = following.get(actorUri);
      const obj = a.object && typeof a.object === 'object' ? (a.object as Json) : undefined;
      if (candidate && (!obj || idOf(obj.actor) === this.d.identity.actor)) rec = candidate;
    }
    if (!rec || rec.actorUri !== actorUri) return;
    const state = type === 'Accept' ? 'accepted' : 'rejected';
    following.setState(actorUri, state);
    this.d.events.emit('follows', { direction: 'following', actor: actorUri, state });
    if (state === 'accepted') this.d.onFollowAccepted?.(actorUri);
  }

  /** Resolves with the note's write: the notes of one turn are stored in one transaction (processingQueue.ts). */
  private async onCreate(a: Json, actorUri: string): Promise<PendingWrite | void> {
    let obj = a.object;
    if (typeof obj === 'string') {
      if (hostOf(obj) !== hostOf(actorUri)) return;
      obj = await this.d.client.getActivityJson(obj);
    }
    if (!obj || typeof obj !== 'object' || !NOTE_TYPES.has(typeOf(obj) ?? '')) return;
    if (isVoteShaped(obj as Json)) return this.onVote(obj as Json, actorUri);
    const followed = this.d.follows.following.get(actorUri)?.state === 'accepted';
    // A post of someone the user does not follow that names the user nowhere (as a value of
    // any field: to, cc, a Mention's href) and answers no post of theirs is dropped here,
    // before its author is looked up or its HTML sanitized: most of a busy shared inbox.
    if (!followed && !JSON.stringify(obj).includes(JSON.stringify(this.d.identity.actor)) && !this.repliesToUser(obj as Json)) return;
    const author = await this.d.actors.resolve(actorUri);
    const note = parseRemoteNote(obj as Json, newId(), author.followersUrl, this.now(), this.d.pollLimits);
    if (note.authorUri !== actorUri) throw new Error('Create of a note attributed to someone else');
    return () => this.storeIncomingNote(note, author, str(a.id)!, followed);
  }

  /** Whether a note answers one of the user's posts. */
  private repliesToUser(obj: Json): boolean {
    const parent = idOf(obj.inReplyTo);
    return parent !== undefined && this.d.notes.byUri(parent)?.authorUri === this.d.identity.actor;
  }

  /**
   * Stores a note if it concerns the user (followed author, mention, reply to us); notifies; adds
   * to home. Runs only as a Create's write, inside its own savepoint of the turn's transaction
   * (processingQueue.ts), so the rows below are written all or none without one more.
   */
  private storeIncomingNote(note: NoteRecord, author: RemoteActor, activityUri: string, followed: boolean): void {
    if (this.d.blocks.isBlocked(author.uri)) return;
    const { identity, notes } = this.d;
    const me = identity.actor;
    const mentionsMe = note.mentions.some((m) => m.href === me) || [...note.to, ...note.cc].includes(me);
    const parent = note.inReplyTo ? notes.byUri(note.inReplyTo) : undefined;
    const repliesToMe = parent?.authorUri === me;
    if (!followed && !mentionsMe && !repliesToMe) return;
    // A direct message, a reply to the user's post, or a mention elsewhere: one notification, of its own kind.
    const kind: NotificationType | undefined = mentionsMe && note.visibility === 'direct' ? 'direct'
      : repliesToMe ? 'reply' : mentionsMe ? 'mention' : undefined;
    if (notes.insert(note, { indexLater: true })) { // false: already have it
      if (followed || (mentionsMe && note.visibility === 'direct')) notes.addToTimeline(note.id, note.publishedAt);
      if (kind) this.notify(kind, author.uri, note.uri, activityUri);
    }
    this.d.events.emit('timeline', { cursor: '' });
  }

  /** A vote (a Note named after an option) on one of the user's polls; anything else so shaped is dropped. */
  private async onVote(obj: Json, actorUri: string): Promise<void> {
    const target = idOf(obj.inReplyTo);
    const poll = target ? this.d.notes.byUri(target) : undefined;
    if (!poll?.poll || idOf(obj.attributedTo) !== actorUri || !str(obj.id)) return;
    await this.d.actors.resolve(actorUri); // the results go to voters' inboxes
    this.d.polls.receiveVote(poll, actorUri, (obj.name as string).trim(), str(obj.id)!);
  }

  private async onUpdate(a: Json, actorUri: string): Promise<void> {
    const obj = a.object;
    if (!obj || typeof obj !== 'object') return;
    const type = typeOf(obj);
    if (type && NOTE_TYPES.has(type)) {
      const existing = this.d.notes.byUri(str((obj as Json).id) ?? '');
      if (!existing || existing.authorUri !== actorUri) return;
      const author = this.d.actors.cached(actorUri);
      const parsed = parseRemoteNote(obj as Json, existing.id, author?.followersUrl ?? null, this.now(), this.d.pollLimits);
      // Only its author edits a post: the Update's actor, the post's attributedTo and who we stored it as.
      if (parsed.authorUri !== actorUri) return;
      if (this.d.editing.applyRemote(existing, parsed) !== 'unchanged') this.d.events.emit('timeline', { cursor: '' });
      return;
    }
    if (idOf(obj) === actorUri) this.d.actors.storeDocument(obj as Json, actorUri);
  }

  private async onDelete(a: Json, actorUri: string): Promise<void> {
    const objectId = idOf(a.object);
    if (!objectId) return;
    const { notes, follows, notifications } = this.d;
    if (objectId === actorUri) {
      this.d.db.transaction(() => {
        follows.followers.remove(actorUri);
        follows.following.remove(actorUri);
        notifications.removeByActor(actorUri);
        notes.deleteByAuthor(actorUri);
        this.d.actors.forget(actorUri);
      })();
      this.d.events.emit('follows', { direction: 'followers', actor: actorUri, state: 'removed' });
      this.d.events.emit('follows', { direction: 'following', actor: actorUri, state: 'removed' });
      this.d.events.emit('timeline', { cursor: '' });
      return;
    }
    const note = notes.byUri(objectId);
    if (!note || note.authorUri !== actorUri) return;
    this.d.db.transaction(() => {
      notifications.removeByNote(note.uri);
      notes.delete(note.uri);
    })();
    this.d.events.emit('timeline', { cursor: '' });
  }

  private async onLike(a: Json, actorUri: string): Promise<void> {
    const noteUri = idOf(a.object);
    const note = noteUri ? this.d.notes.byUri(noteUri) : undefined;
    if (!note || note.authorUri !== this.d.identity.actor) return;
    await this.d.actors.resolve(actorUri);
    const activityUri = str(a.id)!;
    this.d.db.transaction(() => {
      if (this.d.notes.addReaction('like', activityUri, actorUri, note.uri, this.now())) {
        this.notify('like', actorUri, note.uri, activityUri);
      }
    })();
  }

  private async onAnnounce(a: Json, actorUri: string): Promise<void> {
    const noteUri = idOf(a.object);
    if (!noteUri) return;
    const { notes, identity, follows } = this.d;
    const activityUri = str(a.id)!;
    const followed = follows.following.get(actorUri)?.state === 'accepted';
    // A boost of a blocked account (or domain) brings nothing of it back.
    if (this.d.blocks.isBlockedAuthorOf(noteUri)) return;
    let note = notes.byUri(noteUri);
    if (!note && followed) note = await this.fetchNote(noteUri);
    if (!note || this.d.blocks.isBlocked(note.authorUri)) return;
    // Only public and unlisted notes can be boosted, however the Announce is addressed.
    if (note.visibility !== 'public' && note.visibility !== 'unlisted') return;
    await this.d.actors.resolve(actorUri);
    const at = Math.min(Date.parse(str(a.published) ?? '') || this.now(), this.now());
    const target = note;
    this.d.db.transaction(() => {
      const added = notes.addReaction('announce', activityUri, actorUri, target.uri, this.now());
      if (added && target.authorUri === identity.actor) this.notify('boost', actorUri, target.uri, activityUri);
      if (followed) notes.addToTimeline(target.id, at, { by: actorUri, announceUri: activityUri });
    })();
    if (followed) this.d.events.emit('timeline', { cursor: '' });
  }

  /** Fetches a boosted post we do not have (signed GET; the embedded copy is not trusted). */
  private async fetchNote(uri: string): Promise<NoteRecord | undefined> {
    try {
      return await this.d.fetcher.fetch(uri, { publicOnly: true });
    } catch (err) {
      if (err instanceof NoteFetchError) return undefined;
      throw err;
    }
  }
}
