// The owner's safety tools. A block refuses the account at the inbox, removes the follow
// both ways (telling its server with a Block, as Mastodon does), never delivers to it
// again, and takes its posts and notifications away; a domain block does the same for
// every account under a domain. A mute only hides, and tells nobody. A report sends a
// Flag to the account's server.
import { isIP } from 'node:net';
import type { Db } from '../store/database';
import type { BlocksDto } from '../../../shared/dto';
import { newId } from '../ids';
import { AS_CONTEXT, hostOf, type Json } from '../federation/activityStreams';
import type { LocalIdentity } from '../federation/localActor';
import type { RemoteActor, RemoteActors } from '../federation/remoteActors';
import type { Outbox } from '../delivery/outbox';
import { conflict, DomainError, notFound } from '../errors';
import type { FollowRepository } from './followRepository';
import type { NoteRepository } from './noteRepository';
import type { NotificationRepository } from './notificationRepository';
import type { Views } from './views';
import { normalizeDomain, type BlockList } from './blockList';
import { resolveAccount } from './resolveAccount';

export interface ModerationDeps {
  db: Db;
  identity: LocalIdentity;
  actors: RemoteActors;
  follows: FollowRepository;
  notes: NoteRepository;
  notifications: NotificationRepository;
  outbox: Outbox;
  views: Views;
  blocks: BlockList;
  now?: () => number;
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export class Moderation {
  private readonly now: () => number;

  constructor(private readonly d: ModerationDeps) {
    this.now = d.now ?? Date.now;
  }

  async block(handle: string): Promise<BlocksDto> {
    const actor = await this.account(handle);
    const { identity, follows, outbox } = this.d;
    const id = newId();
    const blockUri = identity.activityUri(id);
    this.d.db.transaction(() => {
      if (!this.d.blocks.block(actor.uri, this.now(), blockUri)) return;
      const following = follows.following.get(actor.uri);
      if (following) {
        outbox.enqueue(newId(), {
          '@context': AS_CONTEXT, id: identity.activityUri(newId()), type: 'Undo', actor: identity.actor,
          object: { id: following.followUri, type: 'Follow', actor: identity.actor, object: actor.uri },
        }, [actor.inbox]);
        follows.following.remove(actor.uri);
      }
      follows.followers.remove(actor.uri);
      this.forgetContentOf(actor.uri);
      outbox.enqueue(id, { '@context': AS_CONTEXT, id: blockUri, type: 'Block', actor: identity.actor, object: actor.uri }, [actor.inbox]);
    })();
    return this.list();
  }

  async unblock(handle: string): Promise<BlocksDto> {
    const actor = await this.account(handle);
    const { identity } = this.d;
    this.d.db.transaction(() => {
      const was = this.d.blocks.unblock(actor.uri);
      if (!was) throw notFound(`${handle} is not blocked`);
      if (was.activityUri) {
        this.d.outbox.enqueue(newId(), {
          '@context': AS_CONTEXT, id: identity.activityUri(newId()), type: 'Undo', actor: identity.actor,
          object: { id: was.activityUri, type: 'Block', actor: identity.actor, object: actor.uri },
        }, [actor.inbox]);
      }
    })();
    return this.list();
  }

  async mute(handle: string): Promise<BlocksDto> {
    const actor = await this.account(handle);
    this.d.blocks.mute(actor.uri, this.now());
    return this.list();
  }

  async unmute(handle: string): Promise<BlocksDto> {
    const actor = await this.account(handle);
    if (!this.d.blocks.unmute(actor.uri)) throw notFound(`${handle} is not muted`);
    return this.list();
  }

  blockDomain(input: string): BlocksDto {
    const domain = this.domain(input);
    const blocked = (uri: string) => this.d.blocks.isDomainBlocked(hostOf(uri) ?? '');
    this.d.db.transaction(() => {
      if (!this.d.blocks.blockDomain(domain, this.now())) return;
      const { follows } = this.d;
      for (const f of follows.followers.list()) if (blocked(f.actorUri)) follows.followers.remove(f.actorUri);
      for (const f of follows.following.list()) if (blocked(f.actorUri)) follows.following.remove(f.actorUri);
      for (const uri of this.d.notes.authorsAndBoosters()) if (blocked(uri)) this.forgetContentOf(uri);
      for (const uri of this.d.notifications.actors()) if (blocked(uri)) this.d.notifications.removeByActor(uri);
      this.d.outbox.cancelQueuedTo((host) => this.d.blocks.isDomainBlocked(host), `${domain} is blocked`);
    })();
    return this.list();
  }

  unblockDomain(input: string): BlocksDto {
    const domain = normalizeDomain(input);
    if (!this.d.blocks.unblockDomain(domain)) throw notFound(`${domain} is not blocked`);
    return this.list();
  }

  list(): BlocksDto {
    const { blocks, views } = this.d;
    return {
      accounts: blocks.blocks().map((b) => ({ actor: views.actor(b.actorUri), since: b.since })),
      mutes: blocks.mutes().map((b) => ({ actor: views.actor(b.actorUri), since: b.since })),
      domains: blocks.domains(),
    };
  }

  /** Sends a Flag to the account's server: the account, the posts named (its own), the comment. */
  async report(p: { handle: string; noteIds?: string[]; comment?: string }): Promise<{ ok: true }> {
    const actor = await this.account(p.handle);
    const notes = (p.noteIds ?? []).map((id) => {
      const note = this.d.notes.byId(id) ?? this.d.notes.byUri(id);
      if (!note) throw notFound(`no note ${id}`);
      if (note.authorUri !== actor.uri) throw conflict(`note ${id} is not by ${p.handle}`);
      return note.uri;
    });
    const flag: Json = {
      '@context': AS_CONTEXT, id: this.d.identity.activityUri(newId()), type: 'Flag', actor: this.d.identity.actor,
      content: p.comment?.trim() ?? '', object: [actor.uri, ...notes],
    };
    this.d.db.transaction(() => this.d.outbox.enqueue(newId(), flag, [actor.sharedInbox ?? actor.inbox]))();
    return { ok: true };
  }

  /** Everything of the account in the home timeline and notifications goes. */
  private forgetContentOf(actorUri: string): void {
    this.d.notes.deleteByAuthor(actorUri);
    this.d.notifications.removeByActor(actorUri);
  }

  private domain(input: string): string {
    const domain = normalizeDomain(input.replace(/^https?:\/\//i, '').split('/')[0] ?? '');
    if (!DOMAIN.test(domain) && isIP(domain) === 0) throw new DomainError('invalid', `"${input}" is not a domain like example.social`);
    if (domain === normalizeDomain(this.d.identity.host)) throw conflict('you cannot block your own domain');
    return domain;
  }

  private async account(handle: string): Promise<RemoteActor> {
    if (handle.trim() === this.d.identity.actor || handle.trim().replace(/^@/, '').toLowerCase() === this.d.identity.handle.toLowerCase()) {
      throw conflict('that is you');
    }
    return resolveAccount(this.d.actors, handle);
  }
}
