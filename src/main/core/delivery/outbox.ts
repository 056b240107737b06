// Queues an outgoing activity: serialized and digested once, one delivery row per
// target inbox (deduplicated), written in the caller's transaction. Never delivers inline:
// `changed` tells the delivery engine, which looks at the rows on its next turn (so a
// signal from inside a transaction is safe).
import type { Db } from '../store/database';
import { Signal } from '../signal';
import type { Json } from '../federation/activityStreams';
import { hostOf } from '../federation/activityStreams';
import { digestHeader } from '../federation/signatures/digest';
import type { LocalIdentity } from '../federation/localActor';
import { pinOrigin } from '../federation/federationGate';

export interface QueuedActivity {
  id: string;
  uri: string;
  deliveries: number;
}

/** What the outbox changed in `deliveries`. */
export type DeliveriesChange =
  | { kind: 'queued'; activityId: string }
  | { kind: 'cancelled'; activityId: string; count: number };

export class Outbox {
  /** Rows were queued or cancelled: the delivery engine listens to wake up. */
  readonly changed = new Signal<DeliveriesChange>();
  private readonly insertActivity;
  private readonly insertDelivery;
  private readonly byUri;
  private readonly insertFollowerDeliveries;
  private readonly cancelWaiting;
  private readonly waitingByHost;
  private readonly cancelHost;
  private readonly blockedInbox;
  private readonly cancelInbox;

  constructor(private readonly db: Db, private readonly identity: LocalIdentity, private readonly now: () => number = Date.now) {
    this.insertActivity = db.prepare(`INSERT INTO activities (id, uri, type, object_uri, body, digest, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.insertDelivery = db.prepare(`INSERT INTO deliveries (activity_id, inbox, host, state, next_attempt_at, created_at, updated_at)
        VALUES (?, ?, ?, 'queued', ?, ?, ?) ON CONFLICT DO NOTHING`);
    this.byUri = db.prepare<[string], { id: string }>('SELECT id FROM activities WHERE uri = ?');
    // Every accepted follower's inbox (the shared one where its server has one), in one
    // statement: a fan-out to thousands of followers stays a few milliseconds of work.
    // host = the inbox URL's authority, lower-cased, as hostOf() computes it.
    this.insertFollowerDeliveries = db.prepare<{ activityId: string; at: number; localPrefix: string }>(`
      INSERT INTO deliveries (activity_id, inbox, host, state, next_attempt_at, created_at, updated_at)
      SELECT @activityId, inbox, lower(substr(rest, 1, instr(rest || '/', '/') - 1)), 'queued', @at, @at, @at
      FROM (SELECT DISTINCT coalesce(a.shared_inbox, a.inbox) AS inbox,
                   substr(coalesce(a.shared_inbox, a.inbox), instr(coalesce(a.shared_inbox, a.inbox), '://') + 3) AS rest
            FROM followers f JOIN actors a ON a.uri = f.actor_uri WHERE f.state = 'accepted')
      WHERE (inbox LIKE 'https://%' OR inbox LIKE 'http://%') AND substr(inbox, 1, length(@localPrefix)) <> @localPrefix
      ON CONFLICT DO NOTHING`);
    this.cancelWaiting = db.prepare<[number, string], { inbox: string }>(`UPDATE deliveries
        SET state = 'cancelled', last_error = 'cancelled by a later Undo', updated_at = ?
        WHERE activity_id = ? AND state IN ('queued', 'parked') RETURNING inbox`);
    this.waitingByHost = db.prepare<[], { host: string; activity_id: string; n: number }>(`SELECT host, activity_id, count(*) AS n
        FROM deliveries WHERE state IN ('queued', 'parked') GROUP BY host, activity_id`);
    this.cancelHost = db.prepare<[string, number, string]>(`UPDATE deliveries SET state = 'cancelled', last_error = ?, updated_at = ?
        WHERE host = ? AND state IN ('queued', 'parked')`);
    // An account that blocked the user: its personal inbox gets nothing more (blocked_by).
    this.blockedInbox = db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM blocked_by WHERE inbox = ?');
    this.cancelInbox = db.prepare<[string, number, string], { activity_id: string }>(`UPDATE deliveries SET state = 'cancelled',
        last_error = ?, updated_at = ? WHERE inbox = ? AND state IN ('queued', 'parked') RETURNING activity_id`);
  }

  /** Cancels every delivery still waiting for one inbox (its account blocked the user), in the caller's transaction. */
  cancelQueuedToInbox(inbox: string, reason: string): number {
    const rows = this.cancelInbox.all(reason, this.now(), inbox);
    const byActivity = new Map<string, number>();
    for (const r of rows) byActivity.set(r.activity_id, (byActivity.get(r.activity_id) ?? 0) + 1);
    for (const [activityId, count] of byActivity) this.changed.emit({ kind: 'cancelled', activityId, count });
    return rows.length;
  }

  /**
   * Cancels every delivery still waiting for a host `match` picks (a domain the user just
   * blocked), in the caller's transaction; the engine notices as after cancelQueued.
   */
  cancelQueuedTo(match: (host: string) => boolean, reason: string): number {
    const rows = this.waitingByHost.all().filter((r) => match(r.host));
    const at = this.now();
    for (const host of new Set(rows.map((r) => r.host))) this.cancelHost.run(reason, at, host);
    const byActivity = new Map<string, number>();
    for (const r of rows) byActivity.set(r.activity_id, (byActivity.get(r.activity_id) ?? 0) + r.n);
    for (const [activityId, count] of byActivity) this.changed.emit({ kind: 'cancelled', activityId, count });
    return rows.reduce((sum, r) => sum + r.n, 0);
  }

  /** The local id of an activity we sent, by its URI. */
  activityIdByUri(uri: string): string | undefined {
    return this.byUri.get(uri)?.id;
  }

  /**
   * Stores `activity` (whose `id` is `uri`) and queues it for `inboxes`. Local and
   * malformed inboxes are skipped; duplicates collapse. Run inside a transaction with
   * the change the activity announces, so both land or neither.
   */
  enqueue(id: string, activity: Json, inboxes: Iterable<string>, opts: { followers?: boolean } = {}): QueuedActivity {
    const uri = activity.id as string;
    const body = JSON.stringify(activity);
    const at = this.now();
    const objectUri = typeof activity.object === 'string' ? activity.object : ((activity.object as Json | undefined)?.id as string | undefined) ?? null;
    this.insertActivity.run(id, uri, activity.type as string, objectUri, body, digestHeader(body), at);
    let count = 0;
    if (opts.followers) count += this.insertFollowerDeliveries.run({ activityId: id, at, localPrefix: `${this.identity.origin}/` }).changes;
    for (const inbox of new Set(inboxes)) {
      const host = hostOf(inbox);
      if (!host || this.identity.isLocal(inbox) || this.blockedInbox.get(inbox)!.n > 0) continue;
      count += this.insertDelivery.run(id, inbox, host, at, at, at).changes;
    }
    if (count > 0) {
      pinOrigin(this.db, this.identity.origin);
      this.changed.emit({ kind: 'queued', activityId: id });
    }
    return { id, uri, deliveries: count };
  }

  /**
   * Withdraws the deliveries of an activity that have not started yet and returns their
   * inboxes (a Like undone while still queued: nothing is sent). Deliveries under way are
   * left alone: they will arrive, so the Undo must follow them. Call inside the
   * transaction that queues the Undo.
   */
  cancelQueued(activityId: string): Set<string> {
    const rows = this.cancelWaiting.all(this.now(), activityId);
    this.changed.emit({ kind: 'cancelled', activityId, count: rows.length });
    return new Set(rows.map((r) => r.inbox));
  }
}
