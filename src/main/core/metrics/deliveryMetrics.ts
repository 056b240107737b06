// Delivery metrics: a prom-client registry (scraped at GET /metrics on the admin port)
// and per-minute rollups in SQLite that survive restarts and feed the dashboard.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../store/database';
import { DEFAULT_METRICS } from '../config';
import type { DeliveryCounts, MetricsDto, MetricsPoint, MetricsRange } from '../../../shared/dto';
import { addSample, latencyPercentile, mergeInto, parseStoredLatency, type LatencyHistogram } from './latencyHistogram';

/** Upper bounds (ms) of the Prometheus latency histogram's buckets (the dashboard uses latencyHistogram.ts). */
export const LATENCY_BUCKETS_MS = [10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000] as const;
const MINUTE = 60_000;

export type AttemptResult = 'delivered' | 'retry' | 'permanent' | 'gone' | 'refunded';

export interface QueueGauges {
  queued: number;
  inFlight: number;
  parked: number;
}

/** Where the queue gauges come from: the delivery engine registers itself (watchQueue). */
export interface QueueGaugeSource {
  gauges(): QueueGauges;
  readonly offline: boolean;
}

const NO_QUEUE: QueueGaugeSource = { gauges: () => ({ queued: 0, inFlight: 0, parked: 0 }), offline: false };

interface Minute extends DeliveryCounts {
  minute: number;
  errors: Record<string, number>;
  latency: LatencyHistogram;
  latencySumMs: number;
  queue: QueueGauges | null;
}

interface RollupRow {
  minute: number; attempts: number; delivered: number; failed: number; retried: number; skipped: number; abandoned: number;
  errors: string; latency: string; latency_sum_ms: number; queued: number | null; in_flight: number | null; parked: number | null;
}

const emptyMinute = (minute: number): Minute => ({
  minute, attempts: 0, delivered: 0, failed: 0, retried: 0, skipped: 0, abandoned: 0, errors: {},
  latency: {}, latencySumMs: 0, queue: null,
});

export const RANGE_STEPS: Record<MetricsRange, { spanMs: number; stepMs: number }> = {
  '1h': { spanMs: 3600_000, stepMs: MINUTE },
  '24h': { spanMs: 24 * 3600_000, stepMs: 15 * MINUTE },
  '7d': { spanMs: 7 * 24 * 3600_000, stepMs: 2 * 3600_000 },
};

export class DeliveryMetrics {
  readonly registry = new Registry();
  private cur: Minute;
  private readonly attempts: Counter<'result' | 'error_class'>;
  private readonly duration: Histogram<'result'>;
  private readonly outcomes: Counter<'outcome'>;
  private readonly stmts;
  private timer: NodeJS.Timeout | undefined;
  private queue: QueueGaugeSource = NO_QUEUE;

  /** @param hosts how many remote hosts are in each health state now */
  constructor(
    private readonly db: Db,
    hosts: () => Record<string, number>,
    private readonly now: () => number = Date.now,
  ) {
    this.cur = emptyMinute(Math.floor(now() / MINUTE) * MINUTE);
    const registers = [this.registry];
    // Process and Node.js metrics under their standard names (nodejs_eventloop_lag_p99_seconds …), the lag at 1 ms resolution.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: DEFAULT_METRICS.eventLoopResolutionMs });
    this.attempts = new Counter({ name: 'outpost_delivery_attempts_total', help: 'Delivery attempts by result and error class', labelNames: ['result', 'error_class'], registers });
    this.duration = new Histogram({
      name: 'outpost_delivery_attempt_duration_seconds', help: 'Delivery attempt latency', labelNames: ['result'], registers,
      buckets: LATENCY_BUCKETS_MS.map((ms) => ms / 1000),
    });
    this.outcomes = new Counter({ name: 'outpost_deliveries_total', help: 'Deliveries finished, by outcome', labelNames: ['outcome'], registers });
    const queue = () => this.queue;
    new Gauge({
      name: 'outpost_delivery_queue', help: 'Deliveries waiting, by state', labelNames: ['state'], registers,
      collect() {
        const q = queue().gauges();
        this.set({ state: 'queued' }, q.queued);
        this.set({ state: 'in_flight' }, q.inFlight);
        this.set({ state: 'parked' }, q.parked);
      },
    });
    new Gauge({
      name: 'outpost_remote_hosts', help: 'Remote hosts by health state', labelNames: ['state'], registers,
      collect() {
        for (const [state, n] of Object.entries(hosts())) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'outpost_offline', help: '1 while no remote host is reachable (delivery paused)', registers,
      collect() {
        this.set(queue().offline ? 1 : 0);
      },
    });
    this.stmts = {
      get: db.prepare<[number], RollupRow>('SELECT * FROM metric_rollups WHERE minute = ?'),
      put: db.prepare(`INSERT OR REPLACE INTO metric_rollups (minute, attempts, delivered, failed, retried, skipped, abandoned,
          errors, latency, latency_sum_ms, queued, in_flight, parked)
        VALUES (@minute, @attempts, @delivered, @failed, @retried, @skipped, @abandoned, @errors, @latency, @latencySumMs, @queued, @inFlight, @parked)`),
      range: db.prepare<[number, number], RollupRow>('SELECT * FROM metric_rollups WHERE minute >= ? AND minute < ? ORDER BY minute'),
      prune: db.prepare<[number]>('DELETE FROM metric_rollups WHERE minute < ?'),
      // The per-attempt log (Hosts view) has the same retention; nothing else prunes it.
      pruneAttempts: db.prepare<[number]>('DELETE FROM delivery_attempts WHERE at < ?'),
    };
  }

  /** The queue whose depth the gauges and rollups show (the engine calls this once it exists). */
  watchQueue(source: QueueGaugeSource): void {
    this.queue = source;
  }

  /** Starts the once-a-minute flush (and the daily prune). */
  /**
   * Starts the per-minute rollup timer. `onWriteFailure` is told when a rollup cannot be
   * written (true: it was for lack of space, the minute is dropped; false: rethrown).
   */
  start(onWriteFailure: (err: unknown) => boolean = () => false): void {
    this.prune();
    const tick = () => {
      try {
        this.roll();
      } catch (err) {
        if (!onWriteFailure(err)) throw err;
      }
      this.timer = setTimeout(tick, MINUTE - (this.now() % MINUTE) + 50);
      this.timer.unref?.();
    };
    this.timer = setTimeout(tick, MINUTE - (this.now() % MINUTE) + 50);
    this.timer.unref?.();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.cur.queue = this.queue.gauges();
    this.write(this.cur);
  }

  recordAttempt(result: AttemptResult, errorClass: string | null, latencyMs: number): void {
    this.roll();
    this.attempts.inc({ result, error_class: errorClass ?? 'none' });
    this.duration.observe({ result }, latencyMs / 1000);
    const m = this.cur;
    m.attempts++;
    if (result === 'retry') m.retried++;
    if (errorClass) m.errors[errorClass] = (m.errors[errorClass] ?? 0) + 1;
    addSample(m.latency, latencyMs);
    m.latencySumMs += latencyMs;
  }

  /** A delivery reached its end state. */
  recordOutcome(outcome: 'delivered' | 'failed' | 'abandoned' | 'skipped' | 'cancelled', n = 1): void {
    if (n <= 0) return;
    this.roll();
    this.outcomes.inc({ outcome }, n);
    if (outcome === 'delivered') this.cur.delivered += n;
    else if (outcome === 'failed') this.cur.failed += n;
    else if (outcome === 'abandoned') {
      this.cur.abandoned += n;
      this.cur.failed += n;
    } else if (outcome === 'skipped') this.cur.skipped += n;
  }

  /** Rollups for the dashboard: one point per step, oldest first, the current minute included. */
  series(range: MetricsRange): MetricsDto {
    const { spanMs, stepMs } = RANGE_STEPS[range];
    const end = Math.floor(this.now() / stepMs) * stepMs + stepMs;
    const start = end - spanMs;
    const rows = this.stmts.range.all(start, end).map(fromRow);
    if (this.cur.minute >= start) rows.push({ ...this.cur, queue: this.queue.gauges() });
    const points: MetricsPoint[] = [];
    for (let t = start; t < end; t += stepMs) {
      const inStep = rows.filter((r) => r.minute >= t && r.minute < t + stepMs);
      const latency: LatencyHistogram = {};
      const errors: Record<string, number> = {};
      let queue: QueueGauges | null = null;
      const sum = { attempts: 0, delivered: 0, failed: 0, retried: 0, skipped: 0, abandoned: 0, latencySumMs: 0 };
      for (const r of inStep) {
        for (const k of Object.keys(sum) as (keyof typeof sum)[]) sum[k] += r[k];
        mergeInto(latency, r.latency);
        for (const [k, n] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + n;
        if (r.queue) queue = r.queue;
      }
      points.push({
        t, ...sum, errors,
        latencyP50Ms: latencyPercentile(latency, 0.5), latencyP90Ms: latencyPercentile(latency, 0.9), latencyP99Ms: latencyPercentile(latency, 0.99),
        queued: queue?.queued ?? null, inFlight: queue?.inFlight ?? null, parked: queue?.parked ?? null,
      });
    }
    return { range, stepMs, points };
  }

  /** Prometheus text exposition. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  prune(): void {
    const cutoff = this.now() - DEFAULT_METRICS.rollupRetentionMs;
    this.stmts.prune.run(cutoff);
    this.stmts.pruneAttempts.run(cutoff);
  }

  /** Closes the current minute when the clock has moved past it. */
  private roll(): void {
    const minute = Math.floor(this.now() / MINUTE) * MINUTE;
    if (minute === this.cur.minute) return;
    this.cur.queue = this.queue.gauges();
    this.write(this.cur);
    this.cur = emptyMinute(minute);
    if (minute % (24 * 3600_000) === 0) this.prune();
  }

  private write(m: Minute): void {
    const busy = m.attempts || m.delivered || m.failed || m.skipped || m.queue?.queued || m.queue?.inFlight || m.queue?.parked;
    if (!busy) return; // quiet minutes cost no rows
    const prev = this.stmts.get.get(m.minute);
    const merged = prev ? mergeMinutes(fromRow(prev), m) : m;
    this.stmts.put.run({
      minute: merged.minute, attempts: merged.attempts, delivered: merged.delivered, failed: merged.failed, retried: merged.retried,
      skipped: merged.skipped, abandoned: merged.abandoned, errors: JSON.stringify(merged.errors), latency: JSON.stringify(merged.latency),
      latencySumMs: merged.latencySumMs, queued: merged.queue?.queued ?? null, inFlight: merged.queue?.inFlight ?? null, parked: merged.queue?.parked ?? null,
    });
  }
}

function mergeMinutes(a: Minute, b: Minute): Minute {
  const errors = { ...a.errors };
  for (const [k, n] of Object.entries(b.errors)) errors[k] = (errors[k] ?? 0) + n;
  return {
    minute: a.minute, attempts: a.attempts + b.attempts, delivered: a.delivered + b.delivered, failed: a.failed + b.failed,
    retried: a.retried + b.retried, skipped: a.skipped + b.skipped, abandoned: a.abandoned + b.abandoned, errors,
    latency: mergeInto({ ...a.latency }, b.latency), latencySumMs: a.latencySumMs + b.latencySumMs, queue: b.queue ?? a.queue,
  };
}

function fromRow(r: RollupRow): Minute {
  return {
    minute: r.minute, attempts: r.attempts, delivered: r.delivered, failed: r.failed, retried: r.retried, skipped: r.skipped,
    abandoned: r.abandoned, errors: JSON.parse(r.errors), latency: parseStoredLatency(r.latency), latencySumMs: r.latency_sum_ms,
    queue: r.queued === null ? null : { queued: r.queued, inFlight: r.in_flight ?? 0, parked: r.parked ?? 0 },
  };
}
