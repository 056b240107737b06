// What the Hosts view shows: every remote host with its health, followers and queue.
import type { Db } from '../store/database';
import type { HostAttemptDto, HostDayDto, HostDetailDto, HostDto } from '../../../shared/dto';
import { DAY_MS, dayOf, stateOf, type HostHealth, type HostRecord } from './hostHealth';

/** Waiting deliveries per host, as the running engine counts them (no scan of the queue). */
export type WaitingByHost = () => Map<string, { queued: number; parked: number }> | undefined;

export class HostViews {
  private readonly stmts;

  /** @param waiting the engine's counts; undefined (or an engine not running) counts in the table */
  constructor(db: Db, private readonly health: HostHealth, private readonly waitingByHost?: WaitingByHost, private readonly now: () => number = Date.now) {
    this.stmts = {
      followers: db.prepare<[], { host: string; n: number }>(`SELECT a.host, count(*) AS n FROM followers f
          JOIN actors a ON a.uri = f.actor_uri WHERE f.state = 'accepted' GROUP BY a.host`),
      followersOf: db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM followers f
          JOIN actors a ON a.uri = f.actor_uri WHERE f.state = 'accepted' AND a.host = ?`),
      waiting: db.prepare<[], { host: string; state: string; n: number }>(`SELECT host, state, count(*) AS n FROM deliveries
          WHERE state IN ('queued', 'parked') GROUP BY host, state`),
      waitingOf: db.prepare<[string], { state: string; n: number }>(`SELECT state, count(*) AS n FROM deliveries INDEXED BY deliveries_waiting
          WHERE host = ? AND state IN ('queued', 'parked') GROUP BY state`),
      attempts: db.prepare<[string, number], {
        at: number; inbox: string; status: number | null; error_class: string; error: string | null; latency_ms: number; counted: number; probe: number;
      }>(`SELECT a.at, d.inbox, a.status, a.error_class, a.error, a.latency_ms, a.counted, a.probe
          FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id WHERE a.host = ? ORDER BY a.at DESC LIMIT ?`),
      days: db.prepare<[string, number], { day: number; successes: number; failures: number }>(
        'SELECT day, successes, failures FROM host_days WHERE host = ? AND day >= ? ORDER BY day'),
      actorOrigin: db.prepare<[string], { inbox: string }>('SELECT inbox FROM actors WHERE host = ? LIMIT 1'),
    };
  }

  list(): HostDto[] {
    const followers = new Map(this.stmts.followers.all().map((r) => [r.host, r.n]));
    const counted = this.waitingByHost?.();
    const waiting = counted ?? new Map<string, { queued: number; parked: number }>();
    if (!counted) for (const r of this.stmts.waiting.all()) {
      const w = waiting.get(r.host) ?? { queued: 0, parked: 0 };
      if (r.state === 'queued') w.queued = r.n;
      else w.parked = r.n;
      waiting.set(r.host, w);
    }
    return this.health.all()
      .map((h) => this.dto(h, followers.get(h.host) ?? 0, waiting.get(h.host) ?? { queued: 0, parked: 0 }))
      .sort((a, b) => a.host.localeCompare(b.host));
  }

  detail(host: string): HostDetailDto | undefined {
    const h = this.health.get(host);
    if (!h) return undefined;
    const counted = this.waitingByHost?.();
    const w = counted ? (counted.get(host) ?? { queued: 0, parked: 0 }) : { queued: 0, parked: 0 };
    if (!counted) for (const r of this.stmts.waitingOf.all(host)) w[r.state === 'queued' ? 'queued' : 'parked'] = r.n;
    const today = dayOf(this.now());
    const byDay = new Map(this.stmts.days.all(host, today - 13).map((r) => [r.day, r]));
    const days: HostDayDto[] = [];
    for (let d = today - 13; d <= today; d++) {
      const r = byDay.get(d);
      days.push({ day: d * DAY_MS, successes: r?.successes ?? 0, failures: r?.failures ?? 0 });
    }
    const recentAttempts: HostAttemptDto[] = this.stmts.attempts.all(host, 50).map((a) => ({
      at: a.at, inbox: a.inbox, status: a.status, errorClass: a.error_class, error: a.error, latencyMs: a.latency_ms,
      counted: a.counted === 1, probe: a.probe === 1,
    }));
    return { ...this.dto(h, this.stmts.followersOf.get(host)!.n, w), recentAttempts, days };
  }

  /** The origin of a host we know from its actors, for suspending a host never delivered to. */
  originOf(host: string): string | undefined {
    const known = this.health.get(host)?.origin;
    if (known) return known;
    const inbox = this.stmts.actorOrigin.get(host)?.inbox;
    return inbox ? new URL(inbox).origin : undefined;
  }

  private dto(h: HostRecord, followers: number, w: { queued: number; parked: number }): HostDto {
    const now = this.now();
    return {
      host: h.host, state: stateOf(h, now), consecutiveFailures: h.consecutiveFailures, lastError: h.lastError,
      lastErrorClass: h.lastErrorClass, lastStatus: h.lastStatus, lastSuccessAt: h.lastSuccessAt, lastFailureAt: h.lastFailureAt,
      backoffUntil: h.backoffUntil !== null && h.backoffUntil > now ? h.backoffUntil : null, unreachableSince: h.unreachableSince,
      followers, queued: w.queued, parked: w.parked, attempts: h.attempts, successes: h.successes, failures: h.failures,
    };
  }
}
