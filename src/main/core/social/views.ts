// Builds the DTOs the UIs see from stored records.
import type { ActorSummary, NoteDto } from '../../../shared/dto';
import type { LocalIdentity, LocalProfile } from '../federation/localActor';
import type { RemoteActors } from '../federation/remoteActors';
import { summarizeRemote, unknownActorSummary } from '../federation/remoteActors';
import type { NoteRecord, NoteRepository } from './noteRepository';
import { escapeHtml } from '../federation/sanitize';
import type { StoredMedia } from '../media/mediaStore';
import type { PollDto } from '../../../shared/conversations';
import { pollClosed } from './pollDocuments';

/** The user's own state of a post beyond likes and boosts (polls.ts, bookmarks.ts). */
export interface NoteState {
  /** The options the user chose in a post's poll. */
  ownVotes(noteId: string): number[];
  isBookmarked(noteId: string): boolean;
}

const NO_STATE: NoteState = { ownVotes: () => [], isBookmarked: () => false };

export class Views {
  constructor(
    private readonly identity: LocalIdentity,
    private readonly notes: NoteRepository,
    private readonly actors: RemoteActors,
    private readonly profile: () => LocalProfile,
    private readonly avatar: () => StoredMedia | null,
    /** Whether one of our notes is pinned (the featured collection). */
    private readonly pinned: (noteId: string) => boolean = () => false,
    private readonly state: NoteState = NO_STATE,
    private readonly now: () => number = Date.now,
  ) {}

  actor(uri: string): ActorSummary {
    if (uri === this.identity.actor) {
      const p = this.profile();
      return {
        uri,
        handle: this.identity.handle,
        name: p.displayName || p.username,
        url: uri,
        iconUrl: (() => {
          const a = this.avatar();
          return a ? this.identity.mediaUrl(a.file) : null;
        })(),
        summaryHtml: p.summary ? `<p>${escapeHtml(p.summary)}</p>` : '',
        local: true,
        movedTo: p.movedTo,
      };
    }
    const cached = this.actors.cached(uri);
    return cached ? summarizeRemote(cached) : unknownActorSummary(uri);
  }

  note(n: NoteRecord): NoteDto {
    const me = this.identity.actor;
    const parent = n.inReplyTo ? this.notes.byUri(n.inReplyTo) : undefined;
    // One user per instance: a reply to a post on our own host replies to us.
    const parentAuthor = parent?.authorUri ?? (n.inReplyTo && this.identity.isLocal(n.inReplyTo) ? me : undefined);
    return {
      id: n.id,
      uri: n.uri,
      url: n.url,
      author: this.actor(n.authorUri),
      contentHtml: n.contentHtml,
      summary: n.summary,
      visibility: n.visibility,
      inReplyTo: n.inReplyTo,
      publishedAt: n.publishedAt,
      local: n.local,
      likedByMe: !!this.notes.reactionOf(n.uri, 'like', me),
      boostedByMe: !!this.notes.reactionOf(n.uri, 'announce', me),
      likeCount: this.notes.reactionCount(n.uri, 'like'),
      boostCount: this.notes.reactionCount(n.uri, 'announce'),
      replyCount: this.notes.replyCount(n.uri),
      mentions: n.mentions.map((m) => m.name),
      hashtags: n.hashtags,
      editedAt: n.updatedAt !== null && n.updatedAt > n.publishedAt ? n.updatedAt : null,
      inReplyToNoteId: parent?.id ?? null,
      inReplyToAuthor: parentAuthor ? this.actor(parentAuthor) : null,
      poll: n.poll ? this.poll(n) : null,
      bookmarked: this.state.isBookmarked(n.id),
      source: n.local && n.authorUri === me ? (n.source ?? null) : null,
      ...(n.authorUri === me ? { pinned: this.pinned(n.id) } : {}),
    };
  }

  private poll(n: NoteRecord): PollDto {
    const p = n.poll!;
    return {
      multiple: p.multiple, options: p.options, votersCount: p.votersCount, endsAt: p.endsAt, closed: pollClosed(p, this.now()),
      ownVotes: this.state.ownVotes(n.id), own: n.authorUri === this.identity.actor,
    };
  }
}
