// Dead-server tracking, per remote host, kept in memory and persisted in `hosts` and
// `host_days`. Pure rules (backoff length, unreachable rule) are plain functions; the
// delivery engine asks `beforeSend` what to do with a host's next delivery and reports
// each attempt to `afterAttempt`, which says what changes for the host's waiting ones.
//
// A host's deliveries are *parked* while it is suspended or has a backoff on record (its
// `backoffUntil`, even once past): when the backoff ends one probe goes first, and only
// an answer — or the user, or a signed request from the host — lets the rest go.
import type { Db } from '../store/database';
import type { AttemptOutcome, ErrorClass } from './outcome';
import { DEFAULT_HOST_POLICY, DEFAULT_RETRY, type HostPolicy, type RetryOptions } from '../config';

export type { HostPolicy };

export const DAY_MS = 86_400_000;
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** The parts of the user's retry settings the host's backoff follows. */
export type RetrySchedule = Pick<RetryOptions, 'initialDelayMs' | 'factor' | 'maxDelayMs' | 'maxRetryAfterMs'>;

/**
 * How long the host backs off after its `consecutiveFailures`-th failure in a row: null
 * before the threshold, then min(24 h, 2^(failures − 5) × 5 min) with the defaults — a brief
 * outage costs minutes, a long one a probe a day. With `retry` (the user's settings), the
 * delay a delivery would wait after as many failures wins where it is shorter, so the
 * probe is never later than the user's own retries would be.
 */
export function backoffDelayMs(consecutiveFailures: number, policy: HostPolicy = DEFAULT_HOST_POLICY, retry?: RetrySchedule): number | null {
  if (consecutiveFailures < policy.failuresBeforeBackoff) return null;
  const host = Math.min(policy.maxBackoffMs, 2 ** (consecutiveFailures - policy.failuresBeforeBackoff) * policy.backoffBaseMs);
  if (!retry) return host;
  return Math.min(host, retry.maxDelayMs, retry.initialDelayMs * retry.factor ** (consecutiveFailures - 1));
}

export type HostStateName = 'healthy' | 'backing_off' | 'unreachable' | 'suspended';

export interface HostRecord {
  host: string;
  /** scheme://host[:port], for connectivity probes. */
  origin: string;
  consecutiveFailures: number;
  backoffUntil: number | null;
  suspended: boolean;
  unreachableSince: number | null;
  streakStartedAt: number | null;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastError: string | null;
  lastErrorClass: ErrorClass | null;
  lastStatus: number | null;
  attempts: number;
  successes: number;
  failures: number;
}

export function stateOf(h: HostRecord, now: number): HostStateName {
  if (h.suspended) return 'suspended';
  if (h.unreachableSince !== null) return 'unreachable';
  if (h.backoffUntil !== null && h.backoffUntil > now) return 'backing_off';
  return 'healthy';
}

/** Whether deliveries to the host wait (parked) instead of being sent. */
export function isHeld(h: HostRecord, now: number): boolean {
  return h.suspended || (h.backoffUntil !== null && h.backoffUntil > now);
}

interface HostRow {
  host: string; origin: string; consecutive_failures: number; backoff_until: number | null; suspended: number;
  unreachable_since: number | null; streak_started_at: number | null; last_success_at: number | null; last_failure_at: number | null;
  last_error: string | null; last_error_class: ErrorClass | null; last_status: number | null; attempts: number; successes: number; failures: number;
}

export interface FailureResult {
  enteredBackoff: boolean;
  becameUnreachable: boolean;
}

/**
 * What to do with a host's next delivery now:
 * - `send`: go, within the caps;
 * - `probe`: the backoff is over — one delivery goes alone, its answer decides for the rest;
 * - `hold`: not before `until` (the backoff's end, a Retry-After); Infinity while suspended
 *   or while an attempt under way must answer first (the engine asks again after it does);
 * - `skip`: the host is unreachable and the delivery was queued since: record it as skipped.
 */
export type SendDecision = { kind: 'send' } | { kind: 'probe' } | { kind: 'hold'; until: number } | { kind: 'skip' };

export interface SendContext {
  now: number;
  /** Attempts to the host under way. */
  underWay: number;
  /**
   * When the delivery was queued; given only when it enters the engine. Deliveries queued
   * since the host became unreachable are skipped (unless it is suspended); those already
   * waiting when it did are never skipped, so a restart or a resume does not drop them.
   */
  queuedAt?: number;
}

/** What an attempt's outcome changes for the host's waiting deliveries. */
export interface HostVerdict {
  /** `park`: they wait parked (the host entered backoff, or its probe failed); `release`: the host answered while they were parked, they go now. */
  change: 'park' | 'release' | null;
  enteredBackoff: boolean;
  becameUnreachable: boolean;
}

const SEND: SendDecision = { kind: 'send' };
const PROBE: SendDecision = { kind: 'probe' };
const SKIP: SendDecision = { kind: 'skip' };
const UNTIL_CHANGED: SendDecision = { kind: 'hold', until: Infinity };
const UNCHANGED: HostVerdict = { change: null, enteredBackoff: false, becameUnreachable: false };

export class HostHealth {
  private readonly hosts = new Map<string, HostRecord>();
  private readonly dirty = new Set<string>();
  /** Retry-After of a 429: nothing goes to the host before this (in memory only). */
  private readonly retryAfter = new Map<string, number>();
  private readonly stmts;

  /**
   * @param retrySettings the user's retry settings, read at each failure: a backoff is never
   *   longer than a delivery's own retry after as many failures, and a 429's Retry-After is
   *   honoured for the whole host up to their cap (the host and the delivery wait alike).
   */
  constructor(
    private readonly db: Db,
    readonly policy: HostPolicy = DEFAULT_HOST_POLICY,
    private readonly retrySettings: () => RetrySchedule = () => DEFAULT_RETRY,
  ) {
    this.stmts = {
      all: db.prepare<[], HostRow>('SELECT * FROM hosts'),
      upsert: db.prepare(`INSERT INTO hosts (host, origin, consecutive_failures, backoff_until, suspended, unreachable_since,
          streak_started_at, last_success_at, last_failure_at, last_error, last_error_class, last_status, attempts, successes, failures)
        VALUES (@host, @origin, @consecutiveFailures, @backoffUntil, @suspended, @unreachableSince, @streakStartedAt, @lastSuccessAt,
          @lastFailureAt, @lastError, @lastErrorClass, @lastStatus, @attempts, @successes, @failures)
        ON CONFLICT (host) DO UPDATE SET origin = excluded.origin, consecutive_failures = excluded.consecutive_failures,
          backoff_until = excluded.backoff_until, suspended = excluded.suspended, unreachable_since = excluded.unreachable_since,
          streak_started_at = excluded.streak_started_at, last_success_at = excluded.last_success_at,
          last_failure_at = excluded.last_failure_at, last_error = excluded.last_error, last_error_class = excluded.last_error_class,
          last_status = excluded.last_status, attempts = excluded.attempts, successes = excluded.successes, failures = excluded.failures`),
      day: db.prepare(`INSERT INTO host_days (host, day, successes, failures) VALUES (?, ?, ?, ?)
          ON CONFLICT (host, day) DO UPDATE SET successes = successes + excluded.successes, failures = failures + excluded.failures`),
      failureDays: db.prepare<[string, number], { n: number }>(
        'SELECT count(*) AS n FROM host_days WHERE host = ? AND day >= ? AND failures > 0'),
    };
    for (const r of this.stmts.all.all()) this.hosts.set(r.host, fromRow(r));
  }

  get(host: string): HostRecord | undefined {
    return this.hosts.get(host);
  }

  /** The record for a host, created (healthy) on first use. */
  ensure(host: string, origin: string): HostRecord {
    let h = this.hosts.get(host);
    if (!h) {
      h = {
        host, origin, consecutiveFailures: 0, backoffUntil: null, suspended: false, unreachableSince: null, streakStartedAt: null,
        lastSuccessAt: null, lastFailureAt: null, lastError: null, lastErrorClass: null, lastStatus: null, attempts: 0, successes: 0, failures: 0,
      };
      this.hosts.set(host, h);
      this.dirty.add(host);
    }
    return h;
  }

  all(): HostRecord[] {
    return [...this.hosts.values()];
  }

  /** Origins of the hosts we reached, most recently first, but `exceptHost` (connectivity references). */
  reachedOrigins(exceptHost: string): string[] {
    return this.all()
      .filter((h) => h.host !== exceptHost && h.lastSuccessAt !== null)
      .sort((a, b) => b.lastSuccessAt! - a.lastSuccessAt!)
      .map((h) => h.origin);
  }

  /** Origins of hosts never reached yet, and neither suspended nor unreachable (worth a try while offline). */
  untriedOrigins(): string[] {
    return this.all().filter((h) => h.lastSuccessAt === null && !h.suspended && h.unreachableSince === null).map((h) => h.origin);
  }

  /** How many hosts are in each state now (for the metrics gauges). */
  stateCounts(now: number): Record<HostStateName, number> {
    const counts: Record<HostStateName, number> = { healthy: 0, backing_off: 0, unreachable: 0, suspended: 0 };
    for (const h of this.hosts.values()) counts[stateOf(h, now)]++;
    return counts;
  }

  /** Whether the host's waiting deliveries are parked (suspended, or a backoff on record). */
  isParked(host: string): boolean {
    const h = this.hosts.get(host);
    return !!h && (h.suspended || h.backoffUntil !== null);
  }

  /** What to do with the host's next delivery now (asking changes nothing). */
  beforeSend(host: string, ctx: SendContext): SendDecision {
    const h = this.hosts.get(host);
    if (!h) return SEND;
    if (ctx.queuedAt !== undefined && h.unreachableSince !== null && !h.suspended && ctx.queuedAt >= h.unreachableSince) return SKIP;
    if (h.suspended) return UNTIL_CHANGED;
    if (h.backoffUntil !== null) {
      // Parked: one probe once the backoff is over, and only when nothing else is under
      // way (a probe in flight, or attempts begun before the backoff) to answer first.
      if (ctx.underWay > 0) return UNTIL_CHANGED;
      return h.backoffUntil > ctx.now ? { kind: 'hold', until: h.backoffUntil } : PROBE;
    }
    const notBefore = this.retryAfter.get(host);
    return notBefore !== undefined && notBefore > ctx.now ? { kind: 'hold', until: notBefore } : SEND;
  }

  /** Records an attempt's outcome and says what it changes for the host's waiting deliveries. */
  afterAttempt(host: string, origin: string, outcome: AttemptOutcome, a: { at: number; probe: boolean }): HostVerdict {
    if (outcome.kind === 'refunded') return UNCHANGED; // offline: says nothing about the host
    const wasParked = this.isParked(host);
    // Any HTTP answer but 5xx/408 means the host is alive, whatever it thought of the delivery.
    const alive = outcome.status !== null && outcome.status < 500 && outcome.status !== 408;
    let failure: FailureResult | undefined;
    if (alive) this.recordAlive(host, origin, a.at, outcome.kind === 'delivered', outcome.status);
    else if (outcome.kind === 'retry') failure = this.recordFailure(host, origin, a.at, outcome.errorClass, outcome.error, outcome.status);
    let change: HostVerdict['change'] = null;
    if (wasParked && !this.isParked(host)) {
      change = 'release';
      // Released before honouring Retry-After: a probe answered "429, come back in an hour"
      // must not let the parked rest rush in.
      this.retryAfter.delete(host);
    }
    if (alive && outcome.kind === 'retry' && outcome.status === 429 && outcome.retryAfterMs !== undefined) {
      const until = a.at + Math.min(outcome.retryAfterMs, this.retrySettings().maxRetryAfterMs);
      this.retryAfter.set(host, Math.max(this.retryAfter.get(host) ?? 0, until));
    }
    if (failure && (failure.enteredBackoff || a.probe)) change = 'park';
    if (!failure && change === null) return UNCHANGED;
    return { change, enteredBackoff: failure?.enteredBackoff ?? false, becameUnreachable: failure?.becameUnreachable ?? false };
  }

  /** The user asked to retry the host: a fresh start, not suspended, nothing held back. */
  retry(host: string): void {
    const h = this.hosts.get(host);
    if (!h) return;
    // One more failure must not bring back a 24 h backoff.
    this.revive(host, true);
    if (h.suspended) this.setSuspended(host, h.origin, false);
  }

  /** The user resumed the host; true when its deliveries go now (false: still backing off). */
  resume(host: string, now: number): boolean {
    const h = this.hosts.get(host);
    if (!h) return false;
    this.setSuspended(host, h.origin, false);
    // A backoff that ended while the host was suspended is over: resuming releases at once.
    if (h.backoffUntil !== null && h.backoffUntil <= now) h.backoffUntil = null;
    if (this.isParked(host)) return false;
    this.retryAfter.delete(host);
    return true;
  }

  /** A signed request arrived from the host; true when that revived it (it was failing and is not suspended). */
  heardFrom(host: string, now: number): boolean {
    const h = this.hosts.get(host);
    if (!h || h.suspended) return false;
    if (h.unreachableSince === null && !isHeld(h, now) && h.consecutiveFailures === 0) return false;
    this.revive(host, true);
    return true;
  }

  /** The host answered (any HTTP answer but 5xx/408 counts: it is alive). */
  recordAlive(host: string, origin: string, at: number, delivered: boolean, status: number | null): void {
    const h = this.ensure(host, origin);
    h.attempts++;
    if (delivered) h.successes++;
    else h.failures++;
    h.consecutiveFailures = 0;
    h.backoffUntil = null;
    h.unreachableSince = null;
    h.streakStartedAt = null;
    h.lastStatus = status;
    if (delivered) {
      h.lastSuccessAt = at;
      h.lastError = null;
      h.lastErrorClass = null;
    }
    this.stmts.day.run(host, dayOf(at), 1, 0);
    this.dirty.add(host);
  }

  /** The host could not be reached or failed (network error, 5xx, 408). */
  recordFailure(host: string, origin: string, at: number, errorClass: ErrorClass, error: string, status: number | null): FailureResult {
    const h = this.ensure(host, origin);
    h.attempts++;
    h.failures++;
    h.lastFailureAt = at;
    h.lastError = error;
    h.lastErrorClass = errorClass;
    h.lastStatus = status;
    h.streakStartedAt ??= at;
    this.stmts.day.run(host, dayOf(at), 0, 1);
    const wasHeld = h.backoffUntil !== null && h.backoffUntil > at;
    // While the host backs off only attempts begun before the backoff can fail (up to
    // perHostConcurrency - 1 stragglers): they say nothing new, so they neither count nor
    // lengthen it — else the first backoff of a busy host would be 40 min instead of 5.
    if (!wasHeld) h.consecutiveFailures++;
    const delay = wasHeld ? null : backoffDelayMs(h.consecutiveFailures, this.policy, this.retrySettings());
    if (delay !== null) h.backoffUntil = at + delay;
    let becameUnreachable = false;
    if (h.unreachableSince === null) {
      const days = this.stmts.failureDays.get(host, dayOf(h.streakStartedAt))!.n;
      if (days >= this.policy.unreachableAfterDays) {
        h.unreachableSince = at;
        becameUnreachable = true;
      }
    }
    this.dirty.add(host);
    return { enteredBackoff: delay !== null && !wasHeld, becameUnreachable };
  }

  /** A signed request arrived from the host, or the user asked to retry: try it again now. */
  revive(host: string, resetFailures: boolean): boolean {
    const h = this.hosts.get(host);
    if (!h) return false;
    const changed = h.unreachableSince !== null || h.backoffUntil !== null || (resetFailures && h.consecutiveFailures > 0);
    h.unreachableSince = null;
    h.backoffUntil = null;
    this.retryAfter.delete(host);
    if (resetFailures) {
      h.consecutiveFailures = 0;
      h.streakStartedAt = null;
    }
    this.dirty.add(host);
    return changed;
  }

  setSuspended(host: string, origin: string, suspended: boolean): void {
    const h = this.ensure(host, origin);
    h.suspended = suspended;
    this.dirty.add(host);
  }

  /** Writes changed records (call inside the caller's transaction). */
  persist(): void {
    for (const host of this.dirty) {
      const h = this.hosts.get(host);
      if (h) this.stmts.upsert.run({ ...h, suspended: h.suspended ? 1 : 0 });
    }
    this.dirty.clear();
  }
}

function fromRow(r: HostRow): HostRecord {
  return {
    host: r.host, origin: r.origin, consecutiveFailures: r.consecutive_failures, backoffUntil: r.backoff_until, suspended: r.suspended === 1,
    unreachableSince: r.unreachable_since, streakStartedAt: r.streak_started_at, lastSuccessAt: r.last_success_at, lastFailureAt: r.last_failure_at,
    lastError: r.last_error, lastErrorClass: r.last_error_class, lastStatus: r.last_status, attempts: r.attempts, successes: r.successes, failures: r.failures,
  };
}
