// The background sender: takes due delivery rows, signs and POSTs them, records the
// outcome and schedules retries. Rows are the queue, so a crash loses nothing: rows
// left in flight go back to the queue on the next start (receivers dedupe by id).
import type { Db } from '../store/database';
import type { DeliveryConfig } from '../config';
import type { HttpClient } from '../federation/httpClient';
import { FetchError } from '../federation/httpClient';
import { signRequest } from '../federation/httpSignature';
import type { LocalSigner } from '../federation/federationClient';
import type { InstanceEvents } from '../events';
import type { Logger } from '../logger';

interface DueRow {
  id: number; activity_id: string; inbox: string; host: string; attempts: number; body: string; digest: string;
}

export type Outcome =
  | { kind: 'delivered'; status: number }
  | { kind: 'gone'; status: number }
  | { kind: 'permanent'; status: number; error: string }
  | { kind: 'retry'; status: number | null; error: string; retryAfterMs?: number };

/** Classifies one attempt's HTTP status (null = no response) the way the delivery policy says. */
export function classifyStatus(status: number, retryAfter?: string | string[], now = Date.now()): Outcome {
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 410) return { kind: 'gone', status };
  if (status === 401 || status === 408 || status === 429 || status >= 500 || status < 200 || (status >= 300 && status < 400)) {
    const ra = parseRetryAfter(typeof retryAfter === 'string' ? retryAfter : retryAfter?.[0], now);
    return { kind: 'retry', status, error: `HTTP ${status}`, ...(ra !== undefined ? { retryAfterMs: ra } : {}) };
  }
  return { kind: 'permanent', status, error: `HTTP ${status}` };
}

export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export interface DeliverySenderDeps {
  db: Db;
  http: HttpClient;
  signer: () => LocalSigner;
  config: DeliveryConfig;
  events: InstanceEvents;
  log: Logger;
  /** Called when a personal inbox answers 410: that follower is gone. */
  onGone: (inbox: string) => void;
  now?: () => number;
  random?: () => number;
}

export class DeliverySender {
  private readonly stmts;
  private readonly inFlightByHost = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private paused = false;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly wake = () => this.schedule(0);

  constructor(private readonly deps: DeliverySenderDeps) {
    const { db } = deps;
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.stmts = {
      recover: db.prepare(`UPDATE deliveries SET state = 'queued' WHERE state = 'in_flight'`),
      due: db.prepare<[number, number], DueRow>(`SELECT d.id, d.activity_id, d.inbox, d.host, d.attempts, a.body, a.digest
          FROM deliveries d JOIN activities a ON a.id = d.activity_id
          WHERE d.state = 'queued' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at LIMIT ?`),
      nextDue: db.prepare<[], { at: number | null }>(`SELECT min(next_attempt_at) AS at FROM deliveries WHERE state = 'queued'`),
      claim: db.prepare<[number, number]>(`UPDATE deliveries SET state = 'in_flight', updated_at = ? WHERE id = ? AND state = 'queued'`),
      progress: db.prepare<[string], { total: number; delivered: number | null; queued: number | null; inFlight: number | null; failed: number | null }>(
        `SELECT count(*) AS total, sum(state = 'delivered') AS delivered, sum(state = 'queued') AS queued,
           sum(state = 'in_flight') AS inFlight, sum(state = 'failed') AS failed FROM deliveries WHERE activity_id = ?`),
      finish: db.prepare(`UPDATE deliveries SET state = @state, attempts = attempts + 1, next_attempt_at = @next,
          last_status = @status, last_error = @error, updated_at = @now WHERE id = @id`),
    };
  }

  start(): void {
    const recovered = this.stmts.recover.run().changes;
    if (recovered > 0) this.deps.log.info(`delivery: ${recovered} deliveries that were in flight at shutdown are queued again`);
    this.stopped = false;
    this.deps.events.on('deliveriesChanged', this.wake);
    this.schedule(0);
  }

  /** Holds delivery (identity mismatch); queued rows wait. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.schedule(0);
  }

  /** Stops taking work and waits (up to `graceMs`) for attempts under way. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopped = true;
    this.deps.events.off('deliveriesChanged', this.wake);
    clearTimeout(this.timer);
    const all = Promise.allSettled([...this.running]);
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  get inFlight(): number {
    return this.running.size;
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.paused) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.pump(), Math.max(0, Math.min(delayMs, 2 ** 31 - 1)));
    this.timer.unref?.();
  }

  /** Starts as many due deliveries as the caps allow, then sleeps until the next is due. */
  private pump(): void {
    if (this.stopped || this.paused) return;
    const { globalConcurrency, perHostConcurrency } = this.deps.config;
    const free = globalConcurrency - this.running.size;
    if (free <= 0) return;
    const now = this.now();
    // Over-fetch so rows of a host at its cap don't starve other hosts.
    const rows = this.stmts.due.all(now, free * 4);
    let started = 0;
    for (const row of rows) {
      if (started >= free) break;
      const busy = this.inFlightByHost.get(row.host) ?? 0;
      if (busy >= perHostConcurrency) continue;
      if (this.stmts.claim.run(now, row.id).changes === 0) continue;
      this.inFlightByHost.set(row.host, busy + 1);
      started++;
      const p = this.attempt(row).finally(() => {
        this.running.delete(p);
        const n = (this.inFlightByHost.get(row.host) ?? 1) - 1;
        if (n <= 0) this.inFlightByHost.delete(row.host);
        else this.inFlightByHost.set(row.host, n);
        this.schedule(0);
      });
      this.running.add(p);
    }
    if (started > 0) this.deps.events.emit('deliveriesChanged');
    if (this.running.size === 0) {
      const next = this.stmts.nextDue.get()?.at;
      if (next != null) this.schedule(next - this.now());
    }
  }

  private async attempt(row: DueRow): Promise<void> {
    let outcome: Outcome;
    try {
      const { keyId, privateKey } = this.deps.signer();
      const headers = await signRequest({ method: 'POST', url: row.inbox, body: row.body, digest: row.digest, keyId, privateKey });
      const res = await this.deps.http.request(row.inbox, {
        method: 'POST', headers, body: row.body, timeoutMs: this.deps.config.attemptTimeoutMs, maxBytes: 64 * 1024,
      });
      outcome = classifyStatus(res.status, res.headers['retry-after'], this.now());
    } catch (err) {
      outcome = err instanceof FetchError && (err.kind === 'blocked' || err.kind === 'invalid')
        ? { kind: 'permanent', status: 0, error: err.message }
        : { kind: 'retry', status: null, error: err instanceof Error ? err.message : String(err) };
    }
    this.record(row, outcome);
  }

  private record(row: DueRow, outcome: Outcome): void {
    const now = this.now();
    const base = { id: row.id, now, status: outcome.status || null, error: null as string | null, next: now };
    switch (outcome.kind) {
      case 'delivered':
        this.stmts.finish.run({ ...base, state: 'delivered' });
        break;
      case 'gone':
        this.stmts.finish.run({ ...base, state: 'failed', error: 'gone (410)' });
        this.deps.onGone(row.inbox);
        break;
      case 'permanent':
        this.stmts.finish.run({ ...base, state: 'failed', error: outcome.error });
        this.deps.log.warn(`delivery to ${row.inbox} failed permanently: ${outcome.error}`);
        break;
      case 'retry': {
        const delays = this.deps.config.retryDelaysMs;
        if (row.attempts >= delays.length) {
          this.stmts.finish.run({ ...base, state: 'failed', error: `${outcome.error} (gave up after ${row.attempts + 1} attempts)` });
          this.deps.log.warn(`delivery to ${row.inbox} abandoned after ${row.attempts + 1} attempts: ${outcome.error}`);
          break;
        }
        const jittered = delays[row.attempts]! * (0.8 + 0.4 * this.random());
        const delay = Math.max(jittered, Math.min(outcome.retryAfterMs ?? 0, 6 * 3600_000));
        this.stmts.finish.run({ ...base, state: 'queued', error: outcome.error, next: now + Math.round(delay) });
        break;
      }
    }
    this.deps.events.emit('delivery', this.progressOf(row.activity_id));
  }

  private progressOf(activityId: string) {
    const r = this.stmts.progress.get(activityId)!;
    return { activityId, total: r.total, delivered: r.delivered ?? 0, queued: r.queued ?? 0, inFlight: r.inFlight ?? 0, failed: r.failed ?? 0 };
  }
}
