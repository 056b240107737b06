// What other accounts do to their relationship with the user, beyond follows:
// - Move: an account the user follows moved. Believed only when the target lists the
//   origin in alsoKnownAs and the origin's own document — fetched now, not from the
//   cache — names the target as movedTo (what Mastodon checks); then the user follows the
//   target, unfollows the origin, and is told. The origin shows as moved everywhere.
// - Block: the account blocked the user. The follows between them end both ways, nothing
//   waiting for its personal inbox is sent, and nothing new goes there until it undoes
//   the Block. No notification: a block is not news to push at someone.
import type { Db } from '../store/database';
import type { LocalIdentity } from '../federation/localActor';
import type { RemoteActors } from '../federation/remoteActors';
import type { FederationClient } from '../federation/federationClient';
import type { Outbox } from '../delivery/outbox';
import type { InstanceEvents } from '../events';
import type { Logger } from '../logger';
import type { FollowRepository } from '../social/followRepository';
import type { NotificationRepository } from '../social/notificationRepository';
import type { LocalActions } from '../social/localActions';
import { alsoKnownAsOf } from '../social/accountMoves';
import { hostOf, idOf, str, type Json } from '../federation/activityStreams';

export interface AccountEventsDeps {
  db: Db;
  identity: LocalIdentity;
  actors: RemoteActors;
  client: FederationClient;
  outbox: Pick<Outbox, 'cancelQueuedToInbox'>;
  follows: FollowRepository;
  notifications: NotificationRepository;
  actions: Pick<LocalActions, 'follow' | 'unfollow'>;
  events: InstanceEvents;
  log: Logger;
  now: () => number;
}

export class AccountEvents {
  private readonly stmts;

  constructor(private readonly d: AccountEventsDeps) {
    this.stmts = {
      blockedBy: d.db.prepare<[string, string, number]>(`INSERT INTO blocked_by (actor_uri, inbox, created_at) VALUES (?, ?, ?)
          ON CONFLICT (actor_uri) DO UPDATE SET inbox = excluded.inbox`),
      unblockedBy: d.db.prepare<[string]>('DELETE FROM blocked_by WHERE actor_uri = ?'),
    };
  }

  async onMove(a: Json, origin: string): Promise<void> {
    const target = idOf(a.target);
    // Only an account moves itself; and a target that is the origin, or us, is nonsense.
    if (idOf(a.object) !== origin || !target || target === origin || target === this.d.identity.actor || !hostOf(target)) return;
    const targetDoc = await this.d.client.getActivityJson(target);
    if (str(targetDoc.id) !== target || !alsoKnownAsOf(targetDoc).includes(origin)) {
      this.d.log.info(`inbox: Move of ${origin} to ${target} ignored: the target does not list it in alsoKnownAs`);
      return;
    }
    const originDoc = await this.d.client.getActivityJson(origin);
    if (str(originDoc.id) !== origin || idOf(originDoc.movedTo) !== target) {
      this.d.log.info(`inbox: Move of ${origin} to ${target} ignored: its own document does not say movedTo`);
      return;
    }
    this.d.actors.storeDocument(targetDoc, target);
    this.d.actors.storeDocument(originDoc, origin);
    const followed = this.d.follows.following.get(origin);
    if (followed && followed.state !== 'rejected') {
      const already = this.d.follows.following.get(target);
      if (!already || already.state === 'rejected') await this.d.actions.follow(target);
      await this.d.actions.unfollow(origin);
      const id = this.d.notifications.add('move', origin, null, str(a.id) ?? null, this.d.now(), target);
      if (id) this.d.events.emit('notification', { type: 'move', at: this.d.now() });
    }
    this.d.events.emit('follows', { direction: 'following', actor: origin, state: 'removed' });
  }

  onBlock(a: Json, actorUri: string): void {
    if (idOf(a.object) !== this.d.identity.actor) return;
    const actor = this.d.actors.cached(actorUri);
    const { follows } = this.d;
    const had = { follower: !!follows.followers.get(actorUri), following: !!follows.following.get(actorUri) };
    this.d.db.transaction(() => {
      follows.followers.remove(actorUri);
      follows.following.remove(actorUri);
      this.d.notifications.removeFollowRequest(actorUri);
      if (actor) {
        this.stmts.blockedBy.run(actorUri, actor.inbox, this.d.now());
        this.d.outbox.cancelQueuedToInbox(actor.inbox, 'cancelled: the account blocked you');
      }
    })();
    if (had.follower) this.d.events.emit('follows', { direction: 'followers', actor: actorUri, state: 'removed' });
    if (had.following) this.d.events.emit('follows', { direction: 'following', actor: actorUri, state: 'removed' });
  }

  /** Undo(Block): its personal inbox may hear from us again (the follows stay ended, as Mastodon). */
  onUndoBlock(actorUri: string): void {
    this.stmts.unblockedBy.run(actorUri);
  }
}
