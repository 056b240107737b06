// Builds the DTOs the UIs see from stored records. Every picture a DTO names for the
// window is a path on the admin origin (our files, or the remote media cache): the window
// never loads a remote URL itself.
import type { ActorSummary, AttachmentDto, EmojiDto, NoteDto } from '../../../shared/dto';
import type { LocalIdentity, LocalProfile } from '../federation/localActor';
import type { RemoteActors } from '../federation/remoteActors';
import { summarizeRemote, unknownActorSummary } from '../federation/remoteActors';
import type { NoteRecord, NoteRepository } from './noteRepository';
import { escapeHtml } from '../federation/sanitize';
import type { StoredMedia } from '../media/mediaStore';
import type { MediaCache } from '../media/mediaCache';
import { localPath } from '../media/mediaRequests';
import type { AttachmentRecord, EmojiRecord } from '../federation/as2Media';
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
    private readonly repo: NoteRepository,
    private readonly actors: RemoteActors,
    private readonly profile: () => LocalProfile,
    private readonly avatar: () => StoredMedia | null,
    private readonly cache: Pick<MediaCache, 'pathFor'>,
    /** Whether one of our notes is pinned (the featured collection). */
    private readonly pinned: (noteId: string) => boolean = () => false,
    private readonly state: NoteState = NO_STATE,
    private readonly now: () => number = Date.now,
  ) {}

  actor(uri: string): ActorSummary {
    if (uri === this.identity.actor) {
      const p = this.profile();
      const a = this.avatar();
      return {
        uri,
        handle: this.identity.handle,
        name: p.displayName || p.username,
        url: uri,
        iconUrl: a ? this.identity.mediaUrl(a.file) : null,
        iconSrc: a ? localPath(a.file) : null,
        summaryHtml: p.summary ? `<p>${escapeHtml(p.summary)}</p>` : '',
        local: true,
        emojis: [],
        movedTo: p.movedTo,
      };
    }
    const cached = this.actors.cached(uri);
    if (!cached) return unknownActorSummary(uri);
    return { ...summarizeRemote(cached), iconSrc: this.cache.pathFor(cached.iconUrl, 'i'), emojis: this.emojis(cached.emojis) };
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
      const parent = n.inReplyTo ? this.repo.byUri(n.inReplyTo) : undefined;
      // One user per instance: a reply to a post on our own host replies to us.
      const parentAuthor = parent?.authorUri ?? (n.inReplyTo && this.identity.isLocal(n.inReplyTo) ? me : undefined);
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
        editedAt: n.updatedAt !== null && n.updatedAt > n.publishedAt ? n.updatedAt : null,
        inReplyToNoteId: parent?.id ?? null,
        inReplyToAuthor: parentAuthor ? this.actor(parentAuthor) : null,
        poll: n.poll ? this.poll(n) : null,
        bookmarked: this.state.isBookmarked(n.id),
        source: n.local && n.authorUri === me ? (n.source ?? null) : null,
        attachments: n.attachments.map((a) => this.attachment(a)),
        sensitive: n.sensitive,
        emojis: this.emojis(n.emojis),
        ...(n.authorUri === me ? { pinned: this.pinned(n.id) } : {}),
      };
    });
  }

  attachment(a: AttachmentRecord): AttachmentDto {
    const src = a.file ? localPath(a.file) : a.kind === 'unknown' ? null : this.cache.pathFor(a.url, a.kind === 'image' ? 'i' : 'av');
    return {
      kind: a.kind, mediaType: a.mediaType, url: a.url, src, description: a.description, blurhash: a.blurhash, width: a.width, height: a.height,
    };
  }

  private emojis(list: EmojiRecord[]): EmojiDto[] {
    return list.flatMap((e) => {
      const src = this.cache.pathFor(e.url, 'i');
      return src ? [{ shortcode: e.shortcode, src }] : [];
    });
  }

  private poll(n: NoteRecord): PollDto {
    const p = n.poll!;
    return {
      multiple: p.multiple, options: p.options, votersCount: p.votersCount, endsAt: p.endsAt, closed: pollClosed(p, this.now()),
      ownVotes: this.state.ownVotes(n.id), own: n.authorUri === this.identity.actor,
    };
  }
}
