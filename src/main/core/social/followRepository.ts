// Who follows the local actor (followers) and whom it follows (following).
import type { Db } from '../store/database';
import type { FollowState } from '../../../shared/dto';

export interface FollowRecord {
  actorUri: string;
  state: FollowState;
  followUri: string;
  createdAt: number;
}

interface Row { actor_uri: string; state: FollowState; follow_uri: string; created_at: number }
const fromRow = (r: Row): FollowRecord => ({ actorUri: r.actor_uri, state: r.state, followUri: r.follow_uri, createdAt: r.created_at });

/** One direction of the follow graph; the table name is fixed at construction. */
class FollowTable {
  private readonly stmts;
  constructor(db: Db, table: 'followers' | 'following') {
    this.stmts = {
      get: db.prepare<[string], Row>(`SELECT * FROM ${table} WHERE actor_uri = ?`),
      byFollowUri: db.prepare<[string], Row>(`SELECT * FROM ${table} WHERE follow_uri = ?`),
      upsert: db.prepare(`INSERT INTO ${table} (actor_uri, state, follow_uri, created_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (actor_uri) DO UPDATE SET state = excluded.state, follow_uri = excluded.follow_uri`),
      setState: db.prepare<[FollowState, string]>(`UPDATE ${table} SET state = ? WHERE actor_uri = ?`),
      remove: db.prepare<[string]>(`DELETE FROM ${table} WHERE actor_uri = ?`),
      list: db.prepare<[], Row>(`SELECT * FROM ${table} ORDER BY created_at DESC`),
      byState: db.prepare<[FollowState], Row>(`SELECT * FROM ${table} WHERE state = ? ORDER BY created_at DESC`),
      count: db.prepare<[FollowState], { n: number }>(`SELECT count(*) AS n FROM ${table} WHERE state = ?`),
      page: db.prepare<[FollowState, number, number], Row>(`SELECT * FROM ${table} WHERE state = ?
          ORDER BY created_at DESC LIMIT ? OFFSET ?`),
    };
  }
  get(actorUri: string): FollowRecord | undefined {
    const r = this.stmts.get.get(actorUri);
    return r ? fromRow(r) : undefined;
  }
  byFollowUri(followUri: string): FollowRecord | undefined {
    const r = this.stmts.byFollowUri.get(followUri);
    return r ? fromRow(r) : undefined;
  }
  upsert(actorUri: string, state: FollowState, followUri: string, at: number): void {
    this.stmts.upsert.run(actorUri, state, followUri, at);
  }
  setState(actorUri: string, state: FollowState): boolean {
    return this.stmts.setState.run(state, actorUri).changes > 0;
  }
  remove(actorUri: string): boolean {
    return this.stmts.remove.run(actorUri).changes > 0;
  }
  list(): FollowRecord[] {
    return this.stmts.list.all().map(fromRow);
  }
  withState(state: FollowState): FollowRecord[] {
    return this.stmts.byState.all(state).map(fromRow);
  }
  count(state: FollowState): number {
    return this.stmts.count.get(state)!.n;
  }
  page(state: FollowState, limit: number, offset: number): FollowRecord[] {
    return this.stmts.page.all(state, limit, offset).map(fromRow);
  }
}

export class FollowRepository {
  readonly followers: FollowTable;
  readonly following: FollowTable;
  private readonly inboxes;
  private readonly removeAtInbox;

  constructor(db: Db) {
    this.followers = new FollowTable(db, 'followers');
    this.following = new FollowTable(db, 'following');
    // A follower's delivery inbox: the shared inbox when its server has one.
    this.inboxes = db.prepare<[], { inbox: string }>(`SELECT DISTINCT coalesce(a.shared_inbox, a.inbox) AS inbox
        FROM followers f JOIN actors a ON a.uri = f.actor_uri WHERE f.state = 'accepted'`);
    this.removeAtInbox = db.prepare<[string], { actor_uri: string }>(`DELETE FROM followers
        WHERE actor_uri IN (SELECT uri FROM actors WHERE inbox = ?) RETURNING actor_uri`);
  }

  /** Removes the followers whose personal inbox this is (it answered 410); returns them. */
  removeFollowersAt(inbox: string): string[] {
    return this.removeAtInbox.all(inbox).map((r) => r.actor_uri);
  }

  /** True while nobody follows us or asked to, and we follow nobody nor asked to. */
  isEmpty(): boolean {
    return (['followers', 'following'] as const).every((t) => this[t].count('accepted') + this[t].count('pending') === 0);
  }

  /** Delivery inboxes of accepted followers, deduplicated by shared inbox. */
  followerInboxes(): string[] {
    return this.inboxes.all().map((r) => r.inbox);
  }
}
