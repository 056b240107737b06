// Moving this account, and letting others move here (Mastodon's account migration):
// - aliases (alsoKnownAs): the other accounts of this person. Listing one lets that
//   account move here: its followers' servers check that we name it before they follow us.
// - moveAccount: the target must list us in its alsoKnownAs (checked on a fresh fetch);
//   then movedTo is set, Update(Person) and Move go to every follower, and their servers
//   follow the target instead. The account stays up, serving its old posts.
import type { Db } from '../store/database';
import type { MovesConfig } from '../config';
import type { LocalIdentity } from '../federation/localActor';
import { loadProfile, saveAliases, saveMovedTo } from '../federation/localActor';
import type { RemoteActors } from '../federation/remoteActors';
import type { FederationClient } from '../federation/federationClient';
import type { Outbox } from '../delivery/outbox';
import { AS_CONTEXT, AS_PUBLIC, asArray, idOf, type Json } from '../federation/activityStreams';
import type { ActorSummary, AliasesDto } from '../../../shared/dto';
import { conflict, DomainError } from '../errors';
import { FetchError } from '../federation/httpClient';
import { resolveAccount } from './resolveAccount';
import { newId } from '../ids';

export interface AccountMovesDeps {
  db: Db;
  identity: LocalIdentity;
  actors: RemoteActors;
  client: FederationClient;
  outbox: Outbox;
  config: Pick<MovesConfig, 'maxAliases'>;
  /** Sends Update(Person) to followers (localActions). */
  announceProfile: () => void;
  actorSummary: (uri: string) => ActorSummary;
  now?: () => number;
}

/** The actor URIs a document lists in alsoKnownAs. */
export function alsoKnownAsOf(doc: Json): string[] {
  return asArray(doc.alsoKnownAs).map((v) => idOf(v)).filter((v): v is string => !!v);
}

export class AccountMoves {
  private readonly now: () => number;

  constructor(private readonly d: AccountMovesDeps) {
    this.now = d.now ?? Date.now;
  }

  aliases(): AliasesDto {
    const p = loadProfile(this.d.db);
    return {
      aliases: p.alsoKnownAs.map((uri) => this.d.actorSummary(uri)),
      movedTo: p.movedTo ? this.d.actorSummary(p.movedTo) : null,
      movedAt: p.movedAt,
    };
  }

  async addAlias(handle: string): Promise<AliasesDto> {
    const actor = await resolveAccount(this.d.actors, handle);
    if (actor.uri === this.d.identity.actor) throw conflict('an account cannot be its own alias');
    const current = loadProfile(this.d.db).alsoKnownAs;
    if (current.includes(actor.uri)) return this.aliases();
    if (current.length >= this.d.config.maxAliases) throw conflict(`at most ${this.d.config.maxAliases} aliases: remove one first`);
    this.d.db.transaction(() => {
      saveAliases(this.d.db, [...current, actor.uri]);
      this.d.announceProfile();
    })();
    return this.aliases();
  }

  async removeAlias(handle: string): Promise<AliasesDto> {
    const current = loadProfile(this.d.db).alsoKnownAs;
    // Removing needs no fetch when the alias is named by its URI, or cached under its handle.
    let uri = /^https?:\/\//i.test(handle.trim()) ? handle.trim() : undefined;
    if (!uri || !current.includes(uri)) uri = current.find((u) => this.d.actorSummary(u).handle.toLowerCase() === handle.trim().replace(/^@/, '').toLowerCase());
    uri ??= (await resolveAccount(this.d.actors, handle)).uri;
    if (!current.includes(uri)) throw new DomainError('not_found', `${handle} is not an alias of this account`);
    this.d.db.transaction(() => {
      saveAliases(this.d.db, current.filter((u) => u !== uri));
      this.d.announceProfile();
    })();
    return this.aliases();
  }

  /** Moves this account to `target` (a handle or profile URL). */
  async moveAccount(target: string): Promise<AliasesDto> {
    const { identity } = this.d;
    const actor = await resolveAccount(this.d.actors, target);
    if (actor.uri === identity.actor) throw conflict('an account cannot move to itself');
    // Fresh, not cached: the alias may have been set a minute ago.
    let doc: Json;
    try {
      doc = await this.d.client.getActivityJson(actor.uri);
    } catch (err) {
      if (err instanceof FetchError) throw new DomainError('remote', `could not fetch ${target}: ${err.message}`);
      throw err;
    }
    if (!alsoKnownAsOf(doc).includes(identity.actor)) {
      throw conflict(`${target} does not list this account (${identity.actor}) as an alias yet: add it there first`);
    }
    this.d.actors.storeDocument(doc, actor.uri);
    const id = newId();
    const move: Json = {
      '@context': AS_CONTEXT, id: identity.activityUri(id), type: 'Move', actor: identity.actor,
      object: identity.actor, target: actor.uri, to: [identity.followers], cc: [AS_PUBLIC],
    };
    this.d.db.transaction(() => {
      saveMovedTo(this.d.db, actor.uri, this.now());
      // The profile first (movedTo), so a follower's server that refetches us on the Move sees it.
      this.d.announceProfile();
      this.d.outbox.enqueue(id, move, [], { followers: true });
    })();
    return this.aliases();
  }
}
