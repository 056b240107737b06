// The queue's figures for the admin API and the Hosts view, without scanning the queue:
// waiting and in-flight deliveries from the engine's memory (hostQueues.ts), end states
// counted once and then kept up to date (deliveryRows.ts). Before start and after stop,
// when memory holds nothing, the table is counted instead.
import type { QueueStatsDto } from '../../../shared/dto';
import type { DeliveryRows } from './deliveryRows';
import { stateOf, type HostHealth } from './hostHealth';
import type { HostQueues } from './hostQueues';
import type { RowLoader } from './rowLoader';

export interface QueueFiguresDeps {
  rows: DeliveryRows;
  queues: HostQueues;
  loader: RowLoader;
  hostHealth: HostHealth;
  /** Whether the engine runs (its memory holds the queue). */
  running: () => boolean;
  offline: () => boolean;
  paused: () => boolean;
  now: () => number;
}

export class QueueFigures {
  constructor(private readonly d: QueueFiguresDeps) {}

  stats(): QueueStatsDto {
    const counts = this.counts();
    const now = this.d.now();
    const hosts = this.d.hostHealth.all();
    return {
      queued: counts.queued ?? 0,
      inFlight: counts.in_flight ?? 0,
      delivered: counts.delivered ?? 0,
      failed: counts.failed ?? 0,
      parked: counts.parked ?? 0,
      skipped: counts.skipped ?? 0,
      cancelled: counts.cancelled ?? 0,
      hostsBackingOff: hosts.filter((h) => stateOf(h, now) === 'backing_off').length,
      hostsUnreachable: hosts.filter((h) => h.unreachableSince !== null).length,
      offline: this.d.offline(),
      paused: this.d.paused(),
    };
  }

  /** Waiting deliveries per host while running (the Hosts view); undefined otherwise. */
  waitingByHost(): Map<string, { queued: number; parked: number }> | undefined {
    if (!this.d.running()) return undefined;
    const out = new Map<string, { queued: number; parked: number }>();
    for (const hq of this.d.queues.withWork()) out.set(hq.host, hq.parked ? { queued: 0, parked: hq.waiting } : { queued: hq.waiting, parked: 0 });
    return out;
  }

  /** Rows per state. */
  private counts(): Record<string, number> {
    if (!this.d.running()) return this.d.rows.stateCounts();
    const g = this.d.queues.gauges();
    return { ...this.d.rows.terminalCounts(), queued: g.queued + this.d.loader.unloadedNew(), parked: g.parked, in_flight: g.inFlight };
  }
}
