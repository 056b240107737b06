// Takes waiting rows of `deliveries` into the engine's index: all of them at start, then
// those written since (a slice per pump turn), and a host's again when its skipped rows
// are queued anew. Host health decides what each becomes: skipped (queued since its host
// became unreachable), parked, or queued.
import type { DeliveryConfig } from '../config';
import type { DeliveryMetrics } from '../metrics/deliveryMetrics';
import type { DeliveryRows, WaitingRow } from './deliveryRows';
import type { HostHealth } from './hostHealth';
import type { HostQueue, HostQueues } from './hostQueues';

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

  /** Every waiting row (at start). */
  loadAll(): void {
    this.admit(this.d.rows.loadAll());
    this.lastLoadedId = this.d.rows.maxId();
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

  /** The host's waiting rows the engine does not hold yet. */
  loadHost(host: string): void {
    this.admit(this.d.rows.loadHost(host));
  }

  private admit(rows: WaitingRow[]): void {
    const { hostHealth, queues } = this.d;
    const now = this.d.now();
    let skipped = 0;
    for (const r of rows) {
      if (queues.has(r.id)) continue;
      this.lastLoadedId = Math.max(this.lastLoadedId, r.id);
      const known = queues.get(r.host);
      if (hostHealth.beforeSend(r.host, { now, underWay: known?.inFlight ?? 0, queuedAt: r.created_at }).kind === 'skip') {
        this.d.rows.setState(r.id, 'skipped', `${r.host} is unreachable (no success on ${hostHealth.policy.unreachableAfterDays} days of trying); retry the host to send`, now);
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
      queues.admit(hq, {
        id: r.id, activityId: r.activity_id, inbox: r.inbox, host: r.host, attempts: r.attempts, nextAt: r.next_attempt_at, createdAt: r.created_at,
      });
      this.d.schedule(hq);
    }
    if (skipped > 0) this.d.metrics?.recordOutcome('skipped', skipped);
  }
}
