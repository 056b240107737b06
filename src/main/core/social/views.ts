// Builds the DTOs the UIs see from stored records.
import type { ActorSummary, NoteDto } from '../../../shared/dto';
import type { LocalIdentity, LocalProfile } from '../federation/localActor';
import type { RemoteActors } from '../federation/remoteActors';
import { summarizeRemote, unknownActorSummary } from '../federation/remoteActors';
import type { NoteRecord, NoteRepository } from './noteRepository';
import { escapeHtml } from '../federation/sanitize';
import type { StoredMedia } from '../media/mediaStore';

export class Views {
  constructor(
    private readonly identity: LocalIdentity,
    private readonly notes: NoteRepository,
    private readonly actors: RemoteActors,
    private readonly profile: () => LocalProfile,
    private readonly avatar: () => StoredMedia | null,
    /** Whether one of our notes is pinned (the featured collection). */
    private readonly pinned: (noteId: string) => boolean = () => false,
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
      ...(n.authorUri === me ? { pinned: this.pinned(n.id) } : {}),
    };
  }
}
