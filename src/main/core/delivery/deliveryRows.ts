// The delivery engine's SQL: loading and claiming rows of `deliveries`, recording outcomes
// and attempts, and the counts the admin API shows. Rows are the queue; every change the
// engine makes to a delivery is one of these statements, run in the engine's transactions.
import type { Db } from '../store/database';
import type { DeliveryProgressDto, DeliveryRowDto, DeliverySummary } from '../../../shared/dto';

/** A waiting row as the engine loads it. */
export interface WaitingRow {
  id: number;
  activity_id: string;
  inbox: string;
  host: string;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  state: 'queued' | 'parked';
}

/** A finished attempt's effect on its row. */
export interface RowOutcome {
  id: number;
  state: 'delivered' | 'failed' | 'queued' | 'parked';
  attempts: number;
  /** next_attempt_at */
  next: number;
  status: number | null;
  error: string | null;
  now: number;
}

export interface AttemptRecord {
  deliveryId: number;
  host: string;
  at: number;
  status: number | null;
  errorClass: string;
  error: string | null;
  latencyMs: number;
  /** 0 when the attempt did not count (offline). */
  counted: 0 | 1;
  probe: 0 | 1;
}

export interface TerminalCounts {
  delivered: number;
  failed: number;
  skipped: number;
  cancelled: number;
}

/** A row of a host's page: its host and state are known already. */
export type PagedRow = Omit<WaitingRow, 'host' | 'state'>;

const WAITING_COLUMNS = 'id, activity_id, inbox, host, attempts, next_attempt_at, created_at, state';
const PAGE_COLUMNS = 'id, activity_id, inbox, attempts, next_attempt_at, created_at';

export class DeliveryRows {
  private readonly stmts;
  private terminal: TerminalCounts | undefined;

  constructor(db: Db) {
    this.stmts = {
      recover: db.prepare(`UPDATE deliveries SET state = 'queued' WHERE state = 'in_flight'`),
      // Rows written since the last load: a rowid range (never the state index and a sort
      // of every waiting row); the state is checked on the few rows read.
      loadNew: db.prepare<[number, number], WaitingRow>(`SELECT ${WAITING_COLUMNS}
          FROM deliveries WHERE id > ? ORDER BY id LIMIT ?`),
      newQueued: db.prepare<[number], { n: number }>(`SELECT count(*) AS n FROM deliveries WHERE id > ? AND +state = 'queued'`),
      // A page of one host's waiting rows in (next_attempt_at, id) order, from a key on: a
      // range of deliveries_waiting.
      page: db.prepare<[string, number, number, number], PagedRow>(`SELECT ${PAGE_COLUMNS} FROM deliveries
          WHERE host = ? AND state IN ('queued', 'parked') AND (next_attempt_at, id) > (?, ?)
          ORDER BY next_attempt_at, id LIMIT ?`),
      waitingOfHost: db.prepare<[string], Pick<WaitingRow, 'id' | 'activity_id' | 'attempts' | 'created_at'>>(`SELECT id, activity_id, attempts, created_at
          FROM deliveries WHERE host = ? AND state IN ('queued', 'parked') ORDER BY next_attempt_at, id`),
      countWaiting: db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM deliveries WHERE host = ? AND state IN ('queued', 'parked')`),
      waitingHosts: db.prepare<[], { host: string; state: 'queued' | 'parked'; n: number; first: number }>(`SELECT host, state, count(*) AS n,
          min(id) AS first FROM deliveries WHERE state IN ('queued', 'parked') GROUP BY host, state ORDER BY first`),
      anyInbox: db.prepare<[string], { inbox: string }>(`SELECT inbox FROM deliveries WHERE host = ? AND state IN ('queued', 'parked') LIMIT 1`),
      skipHost: db.prepare<[string, number, string, number], { activity_id: string }>(`UPDATE deliveries SET state = 'skipped', last_error = ?, updated_at = ?
          WHERE host = ? AND state IN ('queued', 'parked') AND created_at >= ? RETURNING activity_id`),
      unparkHost: db.prepare<[number, string]>(`UPDATE deliveries SET state = 'queued', updated_at = ?
          WHERE host = ? AND state IN ('queued', 'parked') AND state = 'parked'`),
      cancelledHosts: db.prepare<[string], { host: string }>(`SELECT DISTINCT host FROM deliveries WHERE activity_id = ? AND +state = 'cancelled'`),
      maxId: db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM deliveries'),
      body: db.prepare<[string], { body: string; digest: string }>('SELECT body, digest FROM activities WHERE id = ?'),
      claim: db.prepare<[number, number]>(`UPDATE deliveries SET state = 'in_flight', updated_at = ? WHERE id = ? AND state IN ('queued', 'parked')`),
      finish: db.prepare<RowOutcome>(`UPDATE deliveries SET state = @state, attempts = @attempts, next_attempt_at = @next,
          last_status = @status, last_error = @error, updated_at = @now WHERE id = @id`),
      setState: db.prepare<[string, string | null, number, number]>(`UPDATE deliveries SET state = ?, last_error = coalesce(?, last_error),
          updated_at = ? WHERE id = ?`),
      parkHost: db.prepare<[number, string]>(`UPDATE deliveries SET state = 'parked', updated_at = ?
          WHERE host = ? AND state IN ('queued', 'parked') AND state = 'queued'`),
      releaseHost: db.prepare<[number, number, string]>(`UPDATE deliveries SET state = 'queued', next_attempt_at = min(next_attempt_at, ?),
          updated_at = ? WHERE host = ? AND state IN ('queued', 'parked')`),
      unskipHost: db.prepare<[number, number, string]>(`UPDATE deliveries SET state = 'queued', next_attempt_at = ?, updated_at = ?
          WHERE host = ? AND state = 'skipped'`),
      cancelled: db.prepare<[string], { id: number }>(`SELECT id FROM deliveries WHERE activity_id = ? AND state = 'cancelled'`),
      attempt: db.prepare<AttemptRecord>(`INSERT INTO delivery_attempts (delivery_id, host, at, status, error_class, error, latency_ms, counted, probe)
          VALUES (@deliveryId, @host, @at, @status, @errorClass, @error, @latencyMs, @counted, @probe)`),
      counts: db.prepare<[], { state: string; n: number }>('SELECT state, count(*) AS n FROM deliveries GROUP BY state'),
      progress: db.prepare<[string], { state: string; n: number }>('SELECT state, count(*) AS n FROM deliveries WHERE activity_id = ? GROUP BY state'),
      rows: db.prepare<[string], {
        id: number; inbox: string; host: string; state: DeliveryRowDto['state']; attempts: number; next_attempt_at: number;
        last_status: number | null; last_error: string | null; updated_at: number;
      }>(`SELECT id, inbox, host, state, attempts, next_attempt_at, last_status, last_error, updated_at
          FROM deliveries WHERE activity_id = ? ORDER BY host`),
      activityExists: db.prepare<[string], { id: string }>('SELECT id FROM activities WHERE id = ?'),
    };
  }

  /** Rows left in flight by a stop or a crash go back to the queue; returns how many. */
  recoverInFlight(): number {
    return this.stmts.recover.run().changes;
  }

  /** Up to `limit` rows with an id above `afterId`, oldest first, whatever their state. */
  loadNew(afterId: number, limit: number): WaitingRow[] {
    return this.stmts.loadNew.all(afterId, limit);
  }

  /** Queued rows with an id above `afterId` (written, not yet loaded). */
  newQueued(afterId: number): number {
    return this.stmts.newQueued.get(afterId)!.n;
  }

  /** Up to `limit` waiting rows of the host sorting after (nextAt, id), in that order. */
  page(host: string, after: { nextAt: number; id: number }, limit: number): PagedRow[] {
    return this.stmts.page.all(host, after.nextAt, after.id, limit);
  }

  /** Every waiting row of the host (a failed probe checks their age; rare). */
  waitingOfHost(host: string): Pick<WaitingRow, 'id' | 'activity_id' | 'attempts' | 'created_at'>[] {
    return this.stmts.waitingOfHost.all(host);
  }

  countWaiting(host: string): number {
    return this.stmts.countWaiting.get(host)!.n;
  }

  /** Waiting rows per host and state (at start), the hosts with the oldest rows first. */
  waitingHosts(): { host: string; state: 'queued' | 'parked'; n: number }[] {
    return this.stmts.waitingHosts.all();
  }

  /** One waiting row's inbox of the host (its origin, for a host health has no record of). */
  anyInbox(host: string): string | undefined {
    return this.stmts.anyInbox.get(host)?.inbox;
  }

  /** The host's waiting rows queued since `since` are recorded as skipped; returns their activities (one per row). */
  skipHost(host: string, since: number, reason: string, now: number): string[] {
    const ids = this.stmts.skipHost.all(reason, now, host, since).map((r) => r.activity_id);
    this.addTerminal('skipped', ids.length);
    return ids;
  }

  /** The host's parked rows are queued again, as they were (its backoff is no longer on record). */
  unparkHost(host: string, now: number): void {
    this.stmts.unparkHost.run(now, host);
  }

  /** Hosts with cancelled rows of the activity. */
  cancelledHosts(activityId: string): string[] {
    return this.stmts.cancelledHosts.all(activityId).map((r) => r.host);
  }

  maxId(): number {
    return this.stmts.maxId.get()?.id ?? 0;
  }

  /** The serialized activity and its Digest header. */
  body(activityId: string): { body: string; digest: string } | undefined {
    return this.stmts.body.get(activityId);
  }

  /** Marks a waiting row in flight; false when it no longer waits (cancelled since it was loaded). */
  claim(id: number, now: number): boolean {
    return this.stmts.claim.run(now, id).changes > 0;
  }

  finish(o: RowOutcome): void {
    this.stmts.finish.run(o);
    if (o.state === 'delivered' || o.state === 'failed') this.addTerminal(o.state, 1);
  }

  /** Sets a row's state; `error` (when not null) becomes its last error. */
  setState(id: number, state: 'parked' | 'queued' | 'failed' | 'skipped', error: string | null, now: number): void {
    this.stmts.setState.run(state, error, now, id);
    if (state === 'failed' || state === 'skipped') this.addTerminal(state, 1);
  }

  /** The host's queued rows wait parked. */
  parkHost(host: string, now: number): void {
    this.stmts.parkHost.run(now, host);
  }

  /** The host's parked rows are queued again, due by `at` at the latest. */
  releaseHost(host: string, at: number): void {
    this.stmts.releaseHost.run(at, at, host);
  }

  /** The host's skipped rows are queued again, due at `at`; returns how many. */
  unskipHost(host: string, at: number): number {
    const n = this.stmts.unskipHost.run(at, at, host).changes;
    this.addTerminal('skipped', -n);
    return n;
  }

  /** Ids of the activity's cancelled rows. */
  cancelledOf(activityId: string): Set<number> {
    return new Set(this.stmts.cancelled.all(activityId).map((r) => r.id));
  }

  logAttempt(a: AttemptRecord): void {
    this.stmts.attempt.run(a);
  }

  /** How many rows are in each state (a scan of the table). */
  stateCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.stmts.counts.all()) counts[r.state] = r.n;
    return counts;
  }

  /**
   * Rows in each end state, counted once (a scan of the table, on first use) and then kept
   * up to date by the changes made through this class and `noteCancelled`: the queue's
   * figures stay cheap however long the history grows.
   */
  terminalCounts(): Readonly<TerminalCounts> {
    if (!this.terminal) {
      const all = this.stateCounts();
      this.terminal = { delivered: all.delivered ?? 0, failed: all.failed ?? 0, skipped: all.skipped ?? 0, cancelled: all.cancelled ?? 0 };
    }
    return this.terminal;
  }

  /** The outbox cancelled `n` waiting rows. */
  noteCancelled(n: number): void {
    this.addTerminal('cancelled', n);
  }

  /** A transaction was rolled back: count again on next use. */
  forgetCounts(): void {
    this.terminal = undefined;
  }

  private addTerminal(state: keyof TerminalCounts, n: number): void {
    if (this.terminal) this.terminal[state] += n;
  }

  /** Per-state counts of one activity's deliveries. */
  summary(activityId: string): Omit<DeliverySummary, 'activityId'> {
    const counts: Record<string, number> = {};
    for (const r of this.stmts.progress.all(activityId)) counts[r.state] = r.n;
    return summarize(counts);
  }

  /** One activity's deliveries, inbox by inbox; undefined for an unknown activity. */
  progress(activityId: string): DeliveryProgressDto | undefined {
    if (!this.stmts.activityExists.get(activityId)) return undefined;
    const inboxes: DeliveryRowDto[] = this.stmts.rows.all(activityId).map((r) => ({
      inbox: r.inbox, host: r.host, state: r.state, attempts: r.attempts,
      nextAttemptAt: r.state === 'queued' || r.state === 'parked' ? r.next_attempt_at : null,
      lastStatus: r.last_status, lastError: r.last_error, updatedAt: r.updated_at,
    }));
    const counts: Record<string, number> = {};
    for (const i of inboxes) counts[i.state] = (counts[i.state] ?? 0) + 1;
    return { activityId, ...summarize(counts), inboxes };
  }
}

function summarize(counts: Record<string, number>): Omit<DeliverySummary, 'activityId'> {
  const n = (s: DeliveryRowDto['state']) => counts[s] ?? 0;
  return {
    total: Object.values(counts).reduce((a, b) => a + b, 0), delivered: n('delivered'), queued: n('queued'), inFlight: n('in_flight'),
    failed: n('failed'), parked: n('parked'), skipped: n('skipped'), cancelled: n('cancelled'),
  };
}
