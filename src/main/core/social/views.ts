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
    private readonly repo: NoteRepository,
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
    return this.notes([n])[0]!;
  }

  /** Many notes at once (a timeline page): their counts in three queries, each author looked up once. */
  notes(list: readonly NoteRecord[]): NoteDto[] {
    const me = this.identity.actor;
    const engagement = this.repo.engagementOf(list.map((n) => n.uri), me);
    const authors = new Map<string, ActorSummary>();
    return list.map((n) => {
      let author = authors.get(n.authorUri);
      if (!author) authors.set(n.authorUri, (author = this.actor(n.authorUri)));
      const e = engagement.get(n.uri)!;
      return {
        id: n.id,
        uri: n.uri,
        url: n.url,
        author,
        contentHtml: n.contentHtml,
        summary: n.summary,
        visibility: n.visibility,
        inReplyTo: n.inReplyTo,
        publishedAt: n.publishedAt,
        local: n.local,
        likedByMe: e.likedByMe,
        boostedByMe: e.boostedByMe,
        likeCount: e.likes,
        boostCount: e.boosts,
        replyCount: e.replies,
        mentions: n.mentions.map((m) => m.name),
        hashtags: n.hashtags,
        ...(n.authorUri === me ? { pinned: this.pinned(n.id) } : {}),
      };
    });
  }
}
