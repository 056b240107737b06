// Takes waiting rows of `deliveries` into the engine's index (hostQueues.ts): at start, how
// many wait per host; then each row written since, once (a rowid range, read only after the
// outbox said it wrote some); and a host's next page of rows as its loaded ones go out. Host
// health decides what each becomes: skipped (queued since its host became unreachable),
// parked, or queued. Work per call is O(rows read), never O(queue).
import type { DeliveryConfig } from '../config';
import type { DeliveryMetrics } from '../metrics/deliveryMetrics';
import type { DeliveryRows, PagedRow, WaitingRow } from './deliveryRows';
import type { HostHealth } from './hostHealth';
import type { HostQueue, HostQueues, Job } from './hostQueues';

export interface RowLoaderDeps {
  rows: DeliveryRows;
  queues: HostQueues;
  hostHealth: HostHealth;
  metrics?: DeliveryMetrics;
  config: Pick<DeliveryConfig, 'loadBatchSize'>;
  /** The host's waiting deliveries wait parked (in memory and in the table). */
  park(hq: HostQueue): void;
  /** The host has waiting work: make it ready, or set its wake-up. */
  schedule(hq: HostQueue): void;
  activityChanged(activityId: string): void;
  now: () => number;
}

export class RowLoader {
  private lastLoadedId = 0;

  constructor(private readonly d: RowLoaderDeps) {}

  /** How many rows wait per host (at start; their pages are read as they are needed). */
  loadCounts(): void {
    const { rows, queues, hostHealth } = this.d;
    this.lastLoadedId = rows.maxId();
    const byHost = new Map<string, { queued: number; parked: number }>();
    for (const r of rows.waitingHosts()) {
      const c = byHost.get(r.host) ?? { queued: 0, parked: 0 };
      c[r.state] = r.n;
      byHost.set(r.host, c);
    }
    const now = this.d.now();
    for (const [host, c] of byHost) {
      let waiting = c.queued + c.parked;
      const health = hostHealth.get(host);
      if (health && health.unreachableSince !== null && !health.suspended) {
        const skipped = rows.skipHost(host, health.unreachableSince, this.unreachable(host), now);
        for (const id of new Set(skipped)) this.d.activityChanged(id);
        if (skipped.length > 0) this.d.metrics?.recordOutcome('skipped', skipped.length);
        waiting -= skipped.length;
        if (waiting <= 0) continue;
      }
      const origin = health?.origin ?? new URL(rows.anyInbox(host)!).origin;
      hostHealth.ensure(host, origin);
      const hq = queues.ensure(host, origin);
      queues.reset(hq, waiting);
      if (hostHealth.isParked(host)) this.d.park(hq);
      else if (c.parked > 0) rows.unparkHost(host, now);
      this.d.schedule(hq);
    }
  }

  /** Up to loadBatchSize rows written since the last load; true when there may be more. */
  loadNew(): boolean {
    const batch = this.d.config.loadBatchSize;
    const rows = this.d.rows.loadNew(this.lastLoadedId, batch);
    if (rows.length === 0) return false;
    this.lastLoadedId = rows[rows.length - 1]!.id;
    this.admit(rows);
    return rows.length >= batch;
  }

  /** Queued rows written and not loaded yet (for the figures between a write and the next turn). */
  unloadedNew(): number {
    return this.d.rows.newQueued(this.lastLoadedId);
  }

  /** Reads the host's next page of waiting rows, if it has unloaded ones and room for them. */
  page(hq: HostQueue): void {
    const room = this.d.queues.room(hq);
    if (room === 0 || hq.after === null) return;
    const rows = this.d.rows.page(hq.host, hq.after, room);
    this.d.queues.pageIn(hq, rows.map((r) => this.toJob(hq, r)), rows.length < room);
  }

  /** The host's rows changed in the table (released, unskipped, cancelled): count them again, read them afresh. */
  reload(hq: HostQueue): void {
    this.d.queues.reset(hq, this.d.rows.countWaiting(hq.host));
  }

  /** New rows: counted for their host, kept in memory when they sort among its loaded ones. */
  private admit(rows: WaitingRow[]): void {
    const { hostHealth, queues } = this.d;
    const now = this.d.now();
    let skipped = 0;
    for (const r of rows) {
      if (r.state !== 'queued' && r.state !== 'parked') continue; // cancelled (or already sent) before it was loaded
      const known = queues.get(r.host);
      if (hostHealth.beforeSend(r.host, { now, underWay: known?.inFlight ?? 0, queuedAt: r.created_at }).kind === 'skip') {
        this.d.rows.setState(r.id, 'skipped', this.unreachable(r.host), now);
        this.d.activityChanged(r.activity_id);
        skipped++;
        continue;
      }
      let hq = known;
      if (!hq) {
        const origin = new URL(r.inbox).origin;
        hostHealth.ensure(r.host, origin);
        hq = queues.ensure(r.host, origin);
      }
      if (!hq.parked && hostHealth.isParked(r.host)) this.d.park(hq);
      const state = hq.parked ? 'parked' : 'queued';
      if (r.state !== state) this.d.rows.setState(r.id, state, null, now);
      queues.add(hq, this.toJob(hq, r));
      this.d.schedule(hq);
    }
    if (skipped > 0) this.d.metrics?.recordOutcome('skipped', skipped);
  }

  /**
   * A row as a job of `hq`, sharing the strings memory already holds: the host's, its
   * inbox (one shared inbox for most hosts) and the activity id. Jobs wait in their page for
   * seconds, long enough to reach V8's old space; a copy of each URL per job made the heap
   * grow with every page read while a backlog drained.
   */
  private toJob(hq: HostQueue, r: PagedRow): Job {
    if (r.inbox !== hq.inbox) hq.inbox = r.inbox;
    return {
      id: r.id, activityId: this.d.queues.activityId(r.activity_id), inbox: hq.inbox, host: hq.host, attempts: r.attempts,
      nextAt: r.next_attempt_at, createdAt: r.created_at,
    };
  }

  private unreachable(host: string): string {
    return `${host} is unreachable (no success on ${this.d.hostHealth.policy.unreachableAfterDays} days of trying); retry the host to send`;
  }
}
