// The remote actors looked up lately, kept in memory in front of their SQLite rows: every
// signed request asks for its key's owner, and reading and converting the row each time
// was a fifth of the inbox's work. Bounded (least recently used dropped first). A copy is
// made only outside transactions, so a write that rolls back is never remembered; the
// actor cache drops a copy before every write of its actor.
import type { Db } from '../store/database';
import type { RemoteActor } from './remoteActors';

export class ActorMemory {
  /** By URI, least recently used first. */
  private readonly byUri = new Map<string, RemoteActor>();
  /** Key id → its owner's URI, for actors remembered. */
  private readonly keyOwners = new Map<string, string>();

  constructor(private readonly db: Pick<Db, 'inTransaction'>, private readonly entries: number) {}

  /** The copy of an actor, marked as just used. */
  recall(uri: string): RemoteActor | undefined {
    const known = this.byUri.get(uri);
    if (known) {
      this.byUri.delete(uri);
      this.byUri.set(uri, known);
    }
    return known;
  }

  /** The copy of the actor owning `keyId`, if remembered as its owner. */
  recallKey(keyId: string): RemoteActor | undefined {
    const owner = this.keyOwners.get(keyId);
    const known = owner === undefined ? undefined : this.recall(owner);
    return known?.keyId === keyId ? known : undefined;
  }

  /** Keeps a copy of an actor as read from its row (and, given `keyId`, as that key's owner); returns it. */
  remember(actor: RemoteActor, keyId?: string): RemoteActor {
    if (this.db.inTransaction || this.entries <= 0) return actor;
    this.byUri.delete(actor.uri);
    this.byUri.set(actor.uri, actor);
    if (this.byUri.size > this.entries) this.byUri.delete(this.byUri.keys().next().value!);
    if (keyId !== undefined) {
      this.keyOwners.set(keyId, actor.uri);
      if (this.keyOwners.size > this.entries) this.keyOwners.delete(this.keyOwners.keys().next().value!);
    }
    return actor;
  }

  /** Drops what a write of the actor makes stale (a key may move to or from it). */
  forget(uri: string): void {
    this.byUri.delete(uri);
    this.keyOwners.clear();
  }
}
