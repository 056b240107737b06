// Records a finished attempt inside the pump's transaction: what host health concludes
// for the host (park its deliveries, release them), the row's new state, the attempt log
// and the metrics. One function per outcome kind.
import type { Logger } from '../logger';
import type { AttemptResult, DeliveryMetrics } from '../metrics/deliveryMetrics';
import type { AttemptOutcome } from './outcome';
import type { DeliveryRows, RowOutcome } from './deliveryRows';
import type { HostHealth, HostVerdict } from './hostHealth';
import type { HostQueue, HostQueues, Job } from './hostQueues';
import type { RetryPolicy } from './retryPolicy';

export interface Finished<O extends AttemptOutcome = AttemptOutcome> {
  job: Job;
  hq: HostQueue;
  outcome: O;
  latencyMs: number;
  /** When the attempt ended. */
  at: number;
  probe: boolean;
}

/** What the recorder works with: the engine's parts, and its hands for host-wide changes. */
export interface OutcomeContext {
  rows: DeliveryRows;
  queues: HostQueues;
  hostHealth: HostHealth;
  retryPolicy: RetryPolicy;
  metrics?: DeliveryMetrics;
  log: Logger;
  /** The host's waiting deliveries wait parked (in memory and in the table). */
  park(hq: HostQueue): void;
  /** The host's parked (and skipped) deliveries go now. */
  release(hq: HostQueue, at: number): void;
  /** The engine is done with the job (delivered, failed, abandoned). */
  done(job: Job): void;
  activityChanged(activityId: string): void;
  hostChanged(host: string): void;
  /** A personal inbox answered 410: that follower is gone. */
  onGone(inbox: string): void;
}

type Recorder<K extends AttemptOutcome['kind']> =
  (c: OutcomeContext, f: Finished<Extract<AttemptOutcome, { kind: K }>>, v: HostVerdict) => AttemptResult;

const RECORDERS: { [K in AttemptOutcome['kind']]: Recorder<K> } = {
  delivered(c, f) {
    c.rows.finish({ ...rowOutcome(f), state: 'delivered' });
    c.metrics?.recordOutcome('delivered');
    c.done(f.job);
    return 'delivered';
  },

  gone(c, f) {
    c.rows.finish({ ...rowOutcome(f), state: 'failed', error: 'gone (410): the recipient no longer exists' });
    c.metrics?.recordOutcome('failed');
    c.done(f.job);
    c.onGone(f.job.inbox);
    return 'gone';
  },

  permanent(c, f) {
    c.rows.finish({ ...rowOutcome(f), state: 'failed', error: f.outcome.error });
    c.metrics?.recordOutcome('failed');
    c.done(f.job);
    return 'permanent';
  },

  retry(c, f, v) {
    const { job, hq, outcome, at } = f;
    const delay = c.retryPolicy({ attempts: job.attempts + 1, createdAt: job.createdAt, now: at, retryAfterMs: outcome.retryAfterMs });
    if (delay === null) {
      c.rows.finish({ ...rowOutcome(f), state: 'failed', error: `${outcome.error} — gave up after ${job.attempts + 1} attempts` });
      c.metrics?.recordOutcome('abandoned');
      c.done(job);
    } else {
      job.attempts++;
      job.nextAt = at + delay;
      c.queues.add(hq, job);
      c.rows.finish({ ...rowOutcome(f), attempts: job.attempts, state: hq.parked ? 'parked' : 'queued', error: outcome.error, next: at + delay });
    }
    if (f.probe && v.change === 'park') abandonExpired(c, hq, at);
    return 'retry';
  },

  // Offline: the delivery waits again as it was, its attempt not spent.
  refunded(c, f) {
    f.job.nextAt = Math.min(f.job.nextAt, f.at);
    c.queues.add(f.hq, f.job);
    c.rows.finish({ ...rowOutcome(f), attempts: f.job.attempts, state: f.hq.parked ? 'parked' : 'queued', error: f.outcome.error });
    return 'refunded';
  },
};

/** Records one finished attempt (its slot is already given back). */
export function recordFinished(c: OutcomeContext, f: Finished): void {
  const { job, hq, outcome, at, latencyMs } = f;
  const verdict = c.hostHealth.afterAttempt(job.host, hq.origin, outcome, { at, probe: f.probe });
  applyVerdict(c, hq, verdict, at);
  const result = (RECORDERS[outcome.kind] as Recorder<AttemptOutcome['kind']>)(c, f, verdict);
  const failure = outcome.kind === 'delivered' ? null : outcome;
  c.rows.logAttempt({
    deliveryId: job.id, host: job.host, at, status: outcome.status, errorClass: failure?.errorClass ?? 'ok', error: failure?.error ?? null,
    latencyMs, counted: outcome.kind === 'refunded' ? 0 : 1, probe: f.probe ? 1 : 0,
  });
  c.metrics?.recordAttempt(result, failure?.errorClass ?? null, latencyMs);
  c.activityChanged(job.activityId);
}

/** After a failed probe: parked deliveries past the retry policy's horizon are abandoned (loaded or not). */
export function abandonExpired(c: OutcomeContext, hq: HostQueue, at: number): void {
  const loaded = new Map(hq.jobs.map((j) => [j.id, j]));
  let unloaded = 0;
  for (const r of c.rows.waitingOfHost(hq.host)) {
    if (c.retryPolicy({ attempts: r.attempts + 1, createdAt: r.created_at, now: at }) !== null) continue;
    c.rows.setState(r.id, 'failed', `${hq.host} did not answer for the whole retry period; gave up`, at);
    c.metrics?.recordOutcome('abandoned');
    c.activityChanged(r.activity_id);
    const job = loaded.get(r.id);
    if (!job) unloaded++;
    else if (c.queues.withdraw(hq, job)) c.done(job);
  }
  if (unloaded > 0) c.queues.dropUnloaded(hq, unloaded);
}

function applyVerdict(c: OutcomeContext, hq: HostQueue, v: HostVerdict, at: number): void {
  const { host } = hq;
  if (v.becameUnreachable) {
    c.log.warn(`delivery: ${host} has failed on ${c.hostHealth.policy.unreachableAfterDays} different days without a success; new deliveries to it are skipped until it answers again`);
  }
  if (v.change === 'park') {
    if (v.enteredBackoff) c.log.info(`delivery: ${host} failed ${c.hostHealth.get(host)!.consecutiveFailures} times in a row; backing off`);
    c.park(hq);
    c.hostChanged(host);
  } else if (v.change === 'release') {
    c.log.info(`delivery: ${host} answered again; releasing its ${hq.waiting} parked deliveries`);
    // Whatever was skipped while it looked unreachable goes out too, as after retryHost.
    c.release(hq, at);
    c.hostChanged(host);
  }
}

/** The row as the attempt leaves it; each recorder sets the state and what differs. */
function rowOutcome(f: Finished): Omit<RowOutcome, 'state'> {
  return { id: f.job.id, now: f.at, status: f.outcome.status, error: null, attempts: f.job.attempts + 1, next: f.at };
}
