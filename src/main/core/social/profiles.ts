// Profiles: any account as its profile shows it — header, avatar, bio, fields with their
// verified links, counts fetched from its collections (kept with the actor for countsTtlMs),
// markers, and its recent posts read from its outbox on demand (each post stored, so it
// can be replied to, liked and boosted) — and the owner's own profile from the store.
// Also the backfill: the first accepted follow of an account with nothing in Home copies
// its last few public posts there.
import type { Db } from '../store/database';
import type { PeopleConfig } from '../config';
import type { Logger } from '../logger';
import type { InstanceEvents } from '../events';
import type { ProfileLookupDto } from '../../../shared/dto';
import type { ProfileFieldDto } from '../../../shared/people';
import type { FederationClient } from '../federation/federationClient';
import type { LocalIdentity, LocalProfile } from '../federation/localActor';
import type { RemoteActor, RemoteActors } from '../federation/remoteActors';
import { hostOf } from '../federation/activityStreams';
import { DomainError } from '../errors';
import type { FollowRepository } from './followRepository';
import type { NoteRecord, NoteRepository } from './noteRepository';
import type { Views } from './views';
import type { BlockList } from './blockList';
import type { LinkOwner, LinkVerifier } from './linkVerifier';
import { fieldLink, renderFieldValue } from './contentFormat';
import { readOutboxPage, type OutboxPage } from './outboxReader';
import { resolveAccount } from './resolveAccount';
import type { MediaStore } from '../media/mediaStore';
import type { MediaCache } from '../media/mediaCache';
import { localPath } from '../media/mediaRequests';

export interface ProfilesDeps {
  db: Db;
  identity: LocalIdentity;
  actors: RemoteActors;
  client: FederationClient;
  notes: NoteRepository;
  follows: FollowRepository;
  views: Views;
  blocks: Pick<BlockList, 'isBlocked' | 'isMuted'>;
  links: LinkVerifier;
  profile: () => LocalProfile;
  /** The owner's header image, and the cache that serves remote ones to the window. */
  media: Pick<MediaStore, 'header'>;
  cache: Pick<MediaCache, 'pathFor'>;
  config: PeopleConfig;
  events: InstanceEvents;
  log: Logger;
  now?: () => number;
}

type Posts = Pick<ProfileLookupDto, 'posts' | 'postsNext' | 'postsError'>;
const NO_POSTS: Posts = { posts: [], postsNext: null, postsError: null };
const LOCAL_PAGE = /^local:(\d{1,16})$/;

export class Profiles {
  private readonly now: () => number;
  private readonly stmts;

  constructor(private readonly d: ProfilesDeps) {
    this.now = d.now ?? Date.now;
    this.stmts = {
      claimBackfill: d.db.prepare<[number, string]>(`UPDATE following SET backfilled_at = ?
          WHERE actor_uri = ? AND state = 'accepted' AND backfilled_at IS NULL`),
      inHome: d.db.prepare<[string], { x: number }>(`SELECT 1 AS x FROM notes n JOIN timeline t ON t.note_id = n.id
          WHERE n.author_uri = ? LIMIT 1`),
    };
  }

  /** Whether a handle or URL names the local account. */
  isOwn(handle: string): boolean {
    const h = handle.trim().replace(/^@/, '').toLowerCase();
    return h === this.d.identity.handle.toLowerCase() || handle.trim() === this.d.identity.actor;
  }

  /** The local account's links, for the link verifier. */
  ownLinks(): LinkOwner {
    const links = this.d.profile().fields.map((f) => fieldLink(f.value)).filter((l): l is string => !!l);
    return { profileUri: this.d.identity.actor, profileUrls: [this.d.identity.actor], links };
  }

  /** An account's profile without its posts (the follow form's preview). */
  async lookup(handle: string): Promise<ProfileLookupDto> {
    if (this.isOwn(handle)) return this.localDto(NO_POSTS);
    const actor = await resolveAccount(this.d.actors, handle, { refresh: true });
    await Promise.allSettled([this.refreshCounts(actor), this.d.links.verifyAll(linkOwnerOf(actor))]);
    return this.remoteDto(this.d.actors.cached(actor.uri) ?? actor, NO_POSTS);
  }

  /** An account's profile and a page of its posts: the newest, or the page `page` names. */
  async profile(handle: string, page?: string): Promise<ProfileLookupDto> {
    if (this.isOwn(handle)) return this.localDto(this.localPosts(page));
    const actor = await resolveAccount(this.d.actors, handle, { refresh: !page });
    const deadline = this.now() + this.d.config.profileDeadlineMs;
    const blocked = this.d.blocks.isBlocked(actor.uri);
    const [posts] = await Promise.allSettled([
      blocked ? Promise.resolve<OutboxPage>({ notes: [], next: null }) : readOutboxPage(this.d.client, actor, page ?? null, {
        ...this.d.config, deadline, now: this.now,
      }),
      page ? undefined : this.refreshCounts(actor),
      page || blocked ? undefined : this.d.links.verifyAll(linkOwnerOf(actor)),
    ]);
    const fresh = this.d.actors.cached(actor.uri) ?? actor;
    if (posts.status === 'rejected') {
      const reason = posts.reason instanceof Error ? posts.reason.message : String(posts.reason);
      return this.remoteDto(fresh, { ...NO_POSTS, postsError: `could not read ${atHandle(actor)}'s posts: ${reason}` });
    }
    const notes = this.storeVisible(actor, posts.value.notes);
    return this.remoteDto(fresh, { posts: notes.map((n) => this.d.views.note(n)), postsNext: posts.value.next, postsError: null });
  }

  /**
   * Copies the account's last few public posts into Home, once per follow, when Home has
   * nothing of it yet. Called when it accepts our follow; resolves to the posts added.
   */
  async backfill(actorUri: string): Promise<number> {
    if (this.d.blocks.isBlocked(actorUri) || this.d.blocks.isMuted(actorUri)) return 0;
    if (this.stmts.claimBackfill.run(this.now(), actorUri).changes === 0) return 0;
    if (this.stmts.inHome.get(actorUri)) return 0;
    const actor = await this.d.actors.resolve(actorUri);
    const page = await readOutboxPage(this.d.client, actor, null, { ...this.d.config, deadline: this.now() + this.d.config.profileDeadlineMs, now: this.now });
    const picks = page.notes
      .filter((n) => n.visibility === 'public' || n.visibility === 'unlisted')
      .sort((a, b) => b.publishedAt - a.publishedAt)
      .slice(0, this.d.config.backfillPosts);
    let added = 0;
    this.d.db.transaction(() => {
      for (const n of picks) {
        this.d.notes.insert(n);
        const stored = this.d.notes.byUri(n.uri);
        if (stored && this.d.notes.addToTimeline(stored.id, stored.publishedAt)) added++;
      }
    })();
    if (added > 0) this.d.events.emit('timeline', { cursor: '' });
    this.d.log.info(`backfilled ${added} posts of ${actorUri} into Home`);
    return added;
  }

  /** Fetches the followers/following/outbox totals when the stored ones are older than countsTtlMs. */
  private async refreshCounts(actor: RemoteActor): Promise<void> {
    if (actor.countsFetchedAt !== null && this.now() - actor.countsFetchedAt < this.d.config.countsTtlMs) return;
    const total = async (url: string | null): Promise<number | null> => {
      if (!url || hostOf(url) !== actor.host) return null;
      const doc = await this.d.client.getActivityJson(url);
      const n = doc.totalItems;
      return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : null;
    };
    const [followers, following, posts] = await Promise.allSettled([total(actor.followersUrl), total(actor.followingUrl), total(actor.outbox)]);
    const value = (r: PromiseSettledResult<number | null>) => (r.status === 'fulfilled' ? r.value : null);
    this.d.actors.storeCounts(actor.uri, { followersCount: value(followers), followingCount: value(following), postsCount: value(posts) }, this.now());
  }

  /** Stores the posts a profile may show (public and unlisted; followers-only when we follow) and returns the stored copies. */
  private storeVisible(actor: RemoteActor, notes: NoteRecord[]): NoteRecord[] {
    const following = this.d.follows.following.get(actor.uri)?.state === 'accepted';
    const out: NoteRecord[] = [];
    this.d.db.transaction(() => {
      for (const n of notes) {
        if (!(n.visibility === 'public' || n.visibility === 'unlisted' || (n.visibility === 'followers' && following))) continue;
        this.d.notes.insert(n);
        const stored = this.d.notes.byUri(n.uri);
        if (stored) out.push(stored);
      }
    })();
    return out;
  }

  private localPosts(page?: string): Posts {
    let before = this.now() + 1;
    if (page) {
      const m = LOCAL_PAGE.exec(page);
      if (!m) throw new DomainError('invalid', 'page: not a page of this profile');
      before = Number(m[1]);
    }
    const size = this.d.config.outboxPageMaxItems;
    const notes = this.d.notes.publicNotesBy(this.d.identity.actor, before, size);
    const last = notes.at(-1);
    return { posts: notes.map((n) => this.d.views.note(n)), postsNext: notes.length === size && last ? `local:${last.publishedAt}` : null, postsError: null };
  }

  /** The owner's fields as typed, with what was verified of their links. */
  ownFields(): { name: string; value: string; verifiedAt: number | null }[] {
    return this.d.profile().fields.map((f) => {
      const link = fieldLink(f.value);
      return { ...f, verifiedAt: link ? this.d.links.verifiedAt(this.d.identity.actor, link) : null };
    });
  }

  private localDto(posts: Posts): ProfileLookupDto {
    const { identity, follows, notes } = this.d;
    const p = this.d.profile();
    const header = this.d.media.header();
    const fields: ProfileFieldDto[] = this.ownFields().map((f) => ({ name: f.name, valueHtml: renderFieldValue(f.value), verifiedAt: f.verifiedAt }));
    return {
      actor: this.d.views.actor(identity.actor),
      followersCount: follows.followers.count('accepted'), followingCount: follows.following.count('accepted'),
      postsCount: notes.countPublicBy(identity.actor), followState: null, followedBy: null, fields,
      headerUrl: header ? identity.mediaUrl(header.file) : null, headerSrc: header ? localPath(header.file) : null,
      bot: false, locked: p.manuallyApprovesFollowers, createdAt: p.createdAt, blocked: false, muted: false, ...posts,
    };
  }

  private remoteDto(actor: RemoteActor, posts: Posts): ProfileLookupDto {
    const fields: ProfileFieldDto[] = actor.fields.map((f) => {
      const link = linkIn(f.valueHtml);
      return { name: f.name, valueHtml: f.valueHtml, verifiedAt: link ? this.d.links.verifiedAt(actor.uri, link) : null };
    });
    return {
      // Through the views, as every other account in the window (one ActorSummary per account).
      actor: this.d.views.actor(actor.uri),
      followersCount: actor.followersCount, followingCount: actor.followingCount, postsCount: actor.postsCount,
      followState: this.d.follows.following.get(actor.uri)?.state ?? null,
      followedBy: this.d.follows.followers.get(actor.uri)?.state ?? null,
      headerUrl: actor.imageUrl, headerSrc: this.d.cache.pathFor(actor.imageUrl, 'i'), fields, bot: actor.bot, locked: actor.locked, createdAt: actor.publishedAt,
      blocked: this.d.blocks.isBlocked(actor.uri), muted: this.d.blocks.isMuted(actor.uri), ...posts,
    };
  }
}

/** The first link in sanitized field HTML. */
function linkIn(html: string): string | undefined {
  const m = /href="([^"]+)"/.exec(html);
  return m ? m[1]!.replace(/&amp;/g, '&') : undefined;
}

function linkOwnerOf(actor: RemoteActor): LinkOwner {
  const links = actor.fields.map((f) => linkIn(f.valueHtml)).filter((l): l is string => !!l);
  return { profileUri: actor.uri, profileUrls: [actor.uri, ...(actor.url ? [actor.url] : [])], links };
}

function atHandle(actor: RemoteActor): string {
  return `@${actor.username}@${actor.host}`;
}

