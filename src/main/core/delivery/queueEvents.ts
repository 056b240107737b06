// What the delivery engine tells the UIs, throttled so a fan-out to thousands of hosts
// stays a few events a second: queue depth (`queue`), per-post progress (`delivery`),
// host state changes (`host`); and the backlog warning in the log.
import type { DeliveryConfig } from '../config';
import type { InstanceEvents } from '../events';
import type { Logger } from '../logger';
import type { QueueStatsDto } from '../../../shared/dto';
import { BACKLOG_WARN_DELIVERIES } from '../../../shared/constants';
import type { DeliveryRows } from './deliveryRows';
import { stateOf, type HostHealth } from './hostHealth';

export interface QueueEventsDeps {
  events: InstanceEvents;
  config: Pick<DeliveryConfig, 'progressEventMs' | 'queueEventMs'>;
  rows: DeliveryRows;
  hostHealth: HostHealth;
  /** The `queue` event's payload. */
  stats: () => QueueStatsDto;
  log: Logger;
  now: () => number;
}

export class QueueEvents {
  private readonly dirtyActivities = new Set<string>();
  private progressTimer: NodeJS.Timeout | undefined;
  private queueTimer: NodeJS.Timeout | undefined;
  private backlogWarned = false;
  private stopped = false;

  constructor(private readonly d: QueueEventsDeps) {}

  /** One of the activity's deliveries changed state: its progress event goes out soon. */
  activityChanged(activityId: string): void {
    this.dirtyActivities.add(activityId);
  }

  /** After a pump turn: queue and progress events if anything moved, and the backlog check. */
  afterTurn(launched: number, waiting: number): void {
    if (launched > 0 || this.dirtyActivities.size > 0) this.queueChanged();
    this.scheduleProgress();
    this.checkBacklog(waiting);
  }

  /** A `queue` event within queueEventMs (none while nobody listens). */
  queueChanged(): void {
    if (this.queueTimer || this.stopped || this.d.events.listenerCount('queue') === 0) return;
    this.queueTimer = setTimeout(() => {
      this.queueTimer = undefined;
      if (!this.stopped) this.d.events.emit('queue', this.d.stats());
    }, this.d.config.queueEventMs);
    this.queueTimer.unref?.();
  }

  hostChanged(host: string): void {
    const h = this.d.hostHealth.get(host);
    if (h) this.d.events.emit('host', { host, state: stateOf(h, this.d.now()), consecutiveFailures: h.consecutiveFailures, backoffUntil: h.backoffUntil });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.progressTimer);
    clearTimeout(this.queueTimer);
  }

  private scheduleProgress(): void {
    if (this.dirtyActivities.size === 0 || this.progressTimer || this.stopped) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      // Each summary is a query: none while nobody listens.
      if (this.d.events.listenerCount('delivery') > 0) {
        for (const id of this.dirtyActivities) this.d.events.emit('delivery', { activityId: id, ...this.d.rows.summary(id) });
      }
      this.dirtyActivities.clear();
    }, this.d.config.progressEventMs);
    this.progressTimer.unref?.();
  }

  private checkBacklog(waiting: number): void {
    const threshold = BACKLOG_WARN_DELIVERIES;
    if (!this.backlogWarned && waiting > threshold) {
      this.backlogWarned = true;
      this.d.log.warn(`delivery: ${waiting} deliveries are waiting (threshold ${threshold}); check the Hosts view for hosts that are down`);
    } else if (this.backlogWarned && waiting < threshold / 2) this.backlogWarned = false;
  }
}
