// What the local user does: compose, follow, like, boost, delete, approve. Each action
// changes the store and queues its activity in one transaction; delivery happens later.
import type { Db } from '../store/database';
import type { ComposeResult, FollowDto, Visibility } from '../../../shared/dto';
import { conflict, DomainError, notFound } from '../errors';
import { newId } from '../ids';
import { AS_CONTEXT, AS_PUBLIC, type Json } from '../federation/activityStreams';
import type { LocalIdentity, LocalProfile, ProfilePatch } from '../federation/localActor';
import { loadProfile, updateProfile } from '../federation/localActor';
import { renderActor, renderCreate } from './renderers';
import type { RemoteActor, RemoteActors } from '../federation/remoteActors';
import type { Outbox } from '../delivery/outbox';
import type { MediaStore } from '../media/mediaStore';
import type { Uploads } from '../media/uploads';
import type { AttachmentRecord } from '../federation/as2Media';
import type { InstanceEvents } from '../events';
import type { FollowRepository } from './followRepository';
import type { NoteRecord, NoteRepository } from './noteRepository';
import type { NotificationRepository } from './notificationRepository';
import type { Views } from './views';
import { addressNote, isPubliclyVisible } from './addressing';
import { findHashtags, renderContent } from './contentFormat';
import { resolveAccount } from './resolveAccount';
import type { BlockList } from './blockList';
import { resolveMentions } from './mentions';
import type { PollScheduler } from './pollScheduler';
import type { PollRecord } from './noteRepository';
import type { PollParams } from '../../../shared/adminApi';

/** A new poll of ours from the composer's options (distinct, trimmed), open for expiresInS. */
function newPoll(p: PollParams, now: number): PollRecord {
  const titles = p.options.map((o) => o.trim());
  if (new Set(titles.map((t) => t.toLowerCase())).size !== titles.length) throw new DomainError('invalid', 'poll options must differ from each other');
  return {
    multiple: !!p.multiple, options: titles.map((title) => ({ title, votes: 0 })), votersCount: 0,
    endsAt: now + p.expiresInS * 1000, closedAt: null,
  };
}

export interface LocalActionsDeps {
  db: Db;
  /** The user's blocks: nothing is delivered to a blocked account, nor is it followed. */
  blocks: Pick<BlockList, 'isBlocked'>;
  identity: LocalIdentity;
  notes: NoteRepository;
  follows: FollowRepository;
  notifications: NotificationRepository;
  actors: RemoteActors;
  outbox: Outbox;
  views: Views;
  events: InstanceEvents;
  media: MediaStore;
  /** Closes the user's polls when they end (absent: nothing is scheduled). */
  pollSchedule?: Pick<PollScheduler, 'schedule'>;
  uploads: Uploads;
  now?: () => number;
}

export class LocalActions {
  private readonly now: () => number;
  constructor(private readonly d: LocalActionsDeps) {
    this.now = d.now ?? Date.now;
  }

  async compose(p: {
    content: string; visibility?: Visibility; summary?: string; inReplyTo?: string; mediaIds?: string[]; sensitive?: boolean; poll?: PollParams;
  }): Promise<ComposeResult> {
    const { identity, notes } = this.d;
    const visibility = p.visibility ?? 'public';
    const uploads = this.d.uploads.forCompose(p.mediaIds ?? []);
    if (!p.content.trim() && uploads.length === 0) throw new DomainError('invalid', 'a post needs text or media');
    // As Mastodon: a post carries media or a poll, not both.
    if (p.poll && uploads.length > 0) throw new DomainError('invalid', 'a post with a poll cannot carry media too');
    const parent = p.inReplyTo ? (notes.byId(p.inReplyTo) ?? notes.byUri(p.inReplyTo)) : undefined;
    if (p.inReplyTo && !parent) throw notFound(`inReplyTo: no note ${p.inReplyTo}`);
    const at = this.now();
    const poll = p.poll ? newPoll(p.poll, at) : null;

    const { refs, mentioned, tags } = await resolveMentions(this.d, p.content, parent?.authorUri);
    const { to, cc } = addressNote(visibility, identity.followers, [...mentioned.keys()]);
    const id = newId(at);
    const summary = p.summary?.trim() ? p.summary.trim() : null;
    const note: NoteRecord = {
      id, uri: identity.noteUri(id), authorUri: identity.actor, local: true,
      contentHtml: renderContent(p.content, refs, (t) => identity.tagUrl(t)),
      summary, visibility, inReplyTo: parent?.uri ?? null, url: identity.noteUri(id), to, cc,
      mentions: tags, hashtags: findHashtags(p.content), publishedAt: at, updatedAt: null, source: p.content, poll,
      attachments: uploads.map((u): AttachmentRecord => ({
        kind: u.kind, mediaType: u.mediaType, url: identity.mediaUrl(u.file), description: u.description, blurhash: u.blurhash,
        width: u.width, height: u.height, file: u.file,
      })),
      emojis: [], sensitive: !!p.sensitive && uploads.length > 0,
    };
    const activityId = newId(at);
    this.d.db.transaction(() => {
      notes.insert(note);
      this.d.uploads.attach(uploads, id);
      notes.addToTimeline(id, at);
      this.d.outbox.enqueue(activityId, renderCreate(identity, note), ...this.noteRecipients(note, [...mentioned.values()]));
      // The poll closes (and its final results go out) when it ends.
      if (poll?.endsAt) this.d.pollSchedule?.schedule(id, poll.endsAt);
    })();
    this.d.events.emit('timeline', { cursor: '' });
    return { noteId: id, activityId };
  }

  async deleteNote(noteId: string): Promise<{ ok: true }> {
    const { identity, notes } = this.d;
    const note = this.requireNote(noteId);
    if (note.authorUri !== identity.actor) throw conflict('only your own notes can be deleted');
    const mentioned = note.mentions.map((m) => this.d.actors.cached(m.href)).filter((a): a is RemoteActor => !!a);
    const activity: Json = {
      '@context': AS_CONTEXT, id: `${note.uri}#delete`, type: 'Delete', actor: identity.actor,
      to: note.to, cc: note.cc, object: { id: note.uri, type: 'Tombstone' },
    };
    this.d.db.transaction(() => {
      this.d.outbox.enqueue(newId(), activity, ...this.noteRecipients(note, mentioned));
      this.d.notifications.removeByNote(note.uri);
      notes.delete(note.uri);
    })();
    // The files go once the note is gone (their URLs answer 404 from now on).
    this.d.uploads.deleteForNote(note.id);
    this.d.events.emit('timeline', { cursor: '' });
    return { ok: true };
  }

  async like(noteId: string): Promise<{ ok: true }> {
    const note = this.requireNote(noteId);
    const me = this.d.identity.actor;
    if (this.d.notes.reactionOf(note.uri, 'like', me)) return { ok: true };
    const id = newId();
    const activity: Json = { '@context': AS_CONTEXT, id: this.d.identity.activityUri(id), type: 'Like', actor: me, object: note.uri, to: [note.authorUri] };
    const author = note.authorUri === me ? undefined : this.d.actors.cached(note.authorUri);
    this.d.db.transaction(() => {
      this.d.notes.addReaction('like', activity.id as string, me, note.uri, this.now());
      this.d.outbox.enqueue(id, activity, author ? [author.inbox] : []);
    })();
    return { ok: true };
  }

  async unlike(noteId: string): Promise<{ ok: true }> {
    return this.undoReaction(noteId, 'like');
  }

  async boost(noteId: string): Promise<{ ok: true }> {
    const note = this.requireNote(noteId);
    const me = this.d.identity.actor;
    if (!isPubliclyVisible(note.visibility)) throw conflict('only public and unlisted notes can be boosted');
    if (this.d.notes.reactionOf(note.uri, 'announce', me)) return { ok: true };
    const id = newId();
    const at = this.now();
    const activity: Json = {
      '@context': AS_CONTEXT, id: this.d.identity.activityUri(id), type: 'Announce', actor: me, object: note.uri,
      published: new Date(at).toISOString(), to: [AS_PUBLIC], cc: [note.authorUri, this.d.identity.followers],
    };
    this.d.db.transaction(() => {
      this.d.notes.addReaction('announce', activity.id as string, me, note.uri, at);
      this.d.notes.addToTimeline(note.id, at, { by: me, announceUri: activity.id as string });
      this.d.outbox.enqueue(id, activity, this.actorInboxes(note.authorUri), { followers: true });
    })();
    this.d.events.emit('timeline', { cursor: '' });
    return { ok: true };
  }

  async unboost(noteId: string): Promise<{ ok: true }> {
    return this.undoReaction(noteId, 'announce');
  }

  async follow(handle: string): Promise<FollowDto> {
    const actor = await this.resolve(handle);
    const { identity, follows } = this.d;
    if (actor.uri === identity.actor) throw conflict('you cannot follow yourself');
    if (this.d.blocks.isBlocked(actor.uri)) throw conflict(`you block ${handle} (or its domain): unblock first`);
    const existing = follows.following.get(actor.uri);
    if (existing && existing.state !== 'rejected') return { actor: this.d.views.actor(actor.uri), state: existing.state, since: existing.createdAt };
    const id = newId();
    const at = this.now();
    const activity: Json = { '@context': AS_CONTEXT, id: identity.activityUri(id), type: 'Follow', actor: identity.actor, object: actor.uri };
    this.d.db.transaction(() => {
      follows.following.upsert(actor.uri, 'pending', activity.id as string, at);
      this.d.outbox.enqueue(id, activity, [actor.inbox]);
    })();
    this.d.events.emit('follows', { direction: 'following', actor: actor.uri, state: 'pending' });
    return { actor: this.d.views.actor(actor.uri), state: 'pending', since: at };
  }

  async unfollow(handle: string): Promise<{ ok: true }> {
    const actor = await this.resolve(handle);
    const { identity, follows } = this.d;
    const rec = follows.following.get(actor.uri);
    if (!rec) throw notFound(`you do not follow ${handle}`);
    const id = newId();
    const activity: Json = {
      '@context': AS_CONTEXT, id: identity.activityUri(id), type: 'Undo', actor: identity.actor,
      object: { id: rec.followUri, type: 'Follow', actor: identity.actor, object: actor.uri },
    };
    this.d.db.transaction(() => {
      follows.following.remove(actor.uri);
      this.d.outbox.enqueue(id, activity, [actor.inbox]);
    })();
    this.d.events.emit('follows', { direction: 'following', actor: actor.uri, state: 'removed' });
    return { ok: true };
  }

  async approveFollower(actorUri: string): Promise<{ ok: true }> {
    return this.answerFollow(actorUri, 'Accept');
  }

  async rejectFollower(actorUri: string): Promise<{ ok: true }> {
    return this.answerFollow(actorUri, 'Reject');
  }

  /** Sends Accept or Reject for a follow request (also used for auto-accept). */
  answerFollow(actorUri: string, type: 'Accept' | 'Reject'): { ok: true } {
    const { identity, follows } = this.d;
    const rec = follows.followers.get(actorUri);
    if (!rec) throw notFound(`${actorUri} has not asked to follow you`);
    const actor = this.d.actors.cached(actorUri);
    const id = newId();
    const activity: Json = {
      '@context': AS_CONTEXT, id: identity.activityUri(id), type, actor: identity.actor,
      object: { id: rec.followUri, type: 'Follow', actor: actorUri, object: identity.actor },
    };
    this.d.db.transaction(() => {
      if (type === 'Accept') follows.followers.setState(actorUri, 'accepted');
      else follows.followers.remove(actorUri);
      this.d.notifications.removeFollowRequest(actorUri);
      if (actor) this.d.outbox.enqueue(id, activity, [actor.inbox]);
    })();
    this.d.events.emit('follows', { direction: 'followers', actor: actorUri, state: type === 'Accept' ? 'accepted' : 'removed' });
    return { ok: true };
  }

  updateSettings(patch: ProfilePatch): LocalProfile {
    const before = loadProfile(this.d.db);
    let profile = before;
    this.d.db.transaction(() => {
      profile = updateProfile(this.d.db, patch);
      const changed = profile.displayName !== before.displayName || profile.summary !== before.summary
        || profile.manuallyApprovesFollowers !== before.manuallyApprovesFollowers
        || profile.discoverable !== before.discoverable || profile.indexable !== before.indexable
        || JSON.stringify(profile.fields) !== JSON.stringify(before.fields);
      if (changed) this.announceProfile();
    })();
    return profile;
  }

  /** Sends Update(Person) to followers, so their servers refresh the profile. */
  announceProfile(): void {
    const id = newId();
    const activity: Json = {
      '@context': AS_CONTEXT, id: this.d.identity.activityUri(id), type: 'Update', actor: this.d.identity.actor,
      to: [AS_PUBLIC], cc: [this.d.identity.followers],
      object: renderActor(this.d.identity, loadProfile(this.d.db), this.d.media.avatar(), this.d.media.header()),
    };
    this.d.outbox.enqueue(id, activity, [], { followers: true });
  }

  /** Who a note (or its Delete) goes to: followers unless direct, mentioned actors, the replied-to author. */
  private noteRecipients(note: NoteRecord, mentioned: RemoteActor[]): [string[], { followers: boolean }] {
    return [mentioned.map((a) => a.sharedInbox ?? a.inbox), { followers: note.visibility !== 'direct' }];
  }

  /** The delivery inbox of one remote actor (none for ourselves or an unknown actor). */
  private actorInboxes(actorUri: string): string[] {
    const a = this.d.actors.cached(actorUri);
    return a ? [a.sharedInbox ?? a.inbox] : [];
  }

  private async undoReaction(noteId: string, kind: 'like' | 'announce'): Promise<{ ok: true }> {
    const note = this.requireNote(noteId);
    const me = this.d.identity.actor;
    const reactionUri = this.d.notes.reactionOf(note.uri, kind, me);
    if (!reactionUri) return { ok: true };
    const id = newId();
    const activity: Json = {
      '@context': AS_CONTEXT, id: this.d.identity.activityUri(id), type: 'Undo', actor: me,
      object: { id: reactionUri, type: kind === 'like' ? 'Like' : 'Announce', actor: me, object: note.uri },
      ...(kind === 'announce' ? { to: [AS_PUBLIC], cc: [note.authorUri, this.d.identity.followers] } : { to: [note.authorUri] }),
    };
    const author = note.authorUri === me ? undefined : this.d.actors.cached(note.authorUri);
    let inboxes = kind === 'announce' ? [...this.d.follows.followerInboxes(), ...this.actorInboxes(note.authorUri)] : author ? [author.inbox] : [];
    this.d.db.transaction(() => {
      // Where the Like/Announce has not left yet, withdraw it and send nothing at all.
      const original = this.d.outbox.activityIdByUri(reactionUri);
      if (original) {
        const cancelled = this.d.outbox.cancelQueued(original);
        inboxes = inboxes.filter((i) => !cancelled.has(i));
      }
      this.d.notes.removeReaction(reactionUri);
      if (kind === 'announce') this.d.notes.removeBoostFromTimeline(reactionUri);
      this.d.outbox.enqueue(id, activity, inboxes);
    })();
    if (kind === 'announce') this.d.events.emit('timeline', { cursor: '' });
    return { ok: true };
  }

  private requireNote(noteId: string): NoteRecord {
    const note = this.d.notes.byId(noteId) ?? this.d.notes.byUri(noteId);
    if (!note) throw notFound(`no note ${noteId}`);
    return note;
  }

  private resolve(handle: string): Promise<RemoteActor> {
    return resolveAccount(this.d.actors, handle);
  }
}
