// The delivery engine: a persistent, throttled, host-aware queue over the `deliveries`
// table. Rows are the truth (a crash loses nothing); an in-memory index per host makes
// picking the next work O(1) and keeps a slow or dead host from holding up the others.
//
//  - caps: `globalConcurrency` attempts at once, `perHostConcurrency` per host; an attempt
//    slower than `slowAttemptMs` stops counting against the global cap (a hard cap of
//    `maxInFlight` still bounds sockets), so stragglers never block fast hosts;
//  - outcomes are written in batches, in the same transaction that claims new work, so at
//    most `maxInFlight` rows are ever marked in flight (the duplicates a crash can cause);
//  - host health (hostHealth.ts) parks a failing host's deliveries without spending their
//    attempts; when its backoff ends one probe goes first, and success releases the rest;
//  - network failures are only charged to a host when connectivity is proven
//    (connectivity.ts): an offline laptop pauses delivery instead of killing 500 hosts.
import type { Db } from '../store/database';
import type { DeliveryConfig } from '../config';
import type { HttpClient } from '../federation/httpClient';
import type { LocalSigner } from '../federation/federationClient';
import { signRequest } from '../federation/signatures/cavage';
import type { InstanceEvents } from '../events';
import type { Logger } from '../logger';
import type { DeliveryMetrics } from '../metrics/deliveryMetrics';
import type { DeliveryProgressDto, DeliveryRowDto, DeliverySummary, QueueStatsDto } from '../../../shared/dto';
import { BACKLOG_WARN_DELIVERIES } from '../../../shared/constants';
import { classifyError, classifyStatus, NETWORK_CLASSES, type Outcome } from './outcome';
import { ConnectivityMonitor } from './connectivity';
import { HostHealth, isHeld, stateOf, type HostStateName } from './hostHealth';
import type { RetryPolicy } from './retryPolicy';

interface Job {
  id: number;
  activityId: string;
  inbox: string;
  host: string;
  attempts: number;
  nextAt: number;
  createdAt: number;
}

interface HostQueue {
  host: string;
  origin: string;
  /** Waiting jobs, ordered by nextAt. */
  jobs: Job[];
  inFlight: number;
  inReady: boolean;
  /** Deliveries are parked (host backing off or suspended); a probe must succeed first. */
  parked: boolean;
  probing: boolean;
  /** Retry-After from a 429: nothing before this. */
  notBefore: number;
  timerAt: number;
}

interface Finished {
  job: Job;
  hq: HostQueue;
  outcome: Outcome | { kind: 'refunded'; status: null; errorClass: string; error: string };
  latencyMs: number;
  at: number;
  probe: boolean;
  /** Whether this attempt still holds a global slot (slow attempts give theirs back early). */
  holdsGlobalSlot: boolean;
}

interface RowIn {
  id: number; activity_id: string; inbox: string; host: string; attempts: number; next_attempt_at: number; created_at: number; state: string;
}

export interface DeliveryQueueDeps {
  db: Db;
  /** Only `request` is used, so tests can inject a scripted transport. */
  http: Pick<HttpClient, 'request'>;
  signer: () => LocalSigner;
  config: DeliveryConfig;
  retryPolicy: RetryPolicy;
  hostHealth: HostHealth;
  events: InstanceEvents;
  log: Logger;
  metrics?: DeliveryMetrics;
  /** A personal inbox answered 410: that follower is gone. */
  onGone: (inbox: string) => void;
  /** Connectivity probe (default: TCP connect). Tests inject one. */
  probe?: (origin: string) => Promise<boolean>;
  now?: () => number;
}

export class DeliveryQueue {
  private readonly hosts = new Map<string, HostQueue>();
  private readonly byActivity = new Map<string, Set<Job>>();
  private readonly known = new Set<number>();
  private readonly bodies = new Map<string, { body: Buffer; digest: string; refs: number }>();
  private readonly ready: string[] = [];
  private readonly timers: [number, string][] = [];
  private readonly finished: Finished[] = [];
  private readonly attempts = new Set<Promise<void>>();
  private readonly dirtyActivities = new Set<string>();
  private readonly stmts;
  private readonly now: () => number;
  private readonly connectivity: ConnectivityMonitor;
  private lastLoadedId = 0;
  /** Attempts holding a global slot, and all attempts in flight. */
  private active = 0;
  private inFlightTotal = 0;
  private waiting = 0;
  private parkedCount = 0;
  private started = false;
  private stopped = false;
  private paused = false;
  private pumpQueued = false;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private progressTimer: NodeJS.Timeout | undefined;
  private queueTimer: NodeJS.Timeout | undefined;
  private backlogWarned = false;

  constructor(private readonly d: DeliveryQueueDeps) {
    this.now = d.now ?? Date.now;
    const { db } = d;
    this.stmts = {
      recover: db.prepare(`UPDATE deliveries SET state = 'queued' WHERE state = 'in_flight'`),
      loadAll: db.prepare<[], RowIn>(`SELECT id, activity_id, inbox, host, attempts, next_attempt_at, created_at, state
          FROM deliveries WHERE state IN ('queued', 'parked') ORDER BY id`),
      loadNew: db.prepare<[number, number], RowIn>(`SELECT id, activity_id, inbox, host, attempts, next_attempt_at, created_at, state
          FROM deliveries WHERE id > ? AND state IN ('queued', 'parked') ORDER BY id LIMIT ?`),
      loadHost: db.prepare<[string], RowIn>(`SELECT id, activity_id, inbox, host, attempts, next_attempt_at, created_at, state
          FROM deliveries WHERE host = ? AND state IN ('queued', 'parked')`),
      maxId: db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM deliveries'),
      body: db.prepare<[string], { body: string; digest: string }>('SELECT body, digest FROM activities WHERE id = ?'),
      claim: db.prepare<[number, number]>(`UPDATE deliveries SET state = 'in_flight', updated_at = ? WHERE id = ?`),
      finish: db.prepare(`UPDATE deliveries SET state = @state, attempts = @attempts, next_attempt_at = @next,
          last_status = @status, last_error = @error, updated_at = @now WHERE id = @id`),
      setState: db.prepare<[string, string | null, number, number]>(`UPDATE deliveries SET state = ?, last_error = coalesce(?, last_error),
          updated_at = ? WHERE id = ?`),
      parkHost: db.prepare<[number, string]>(`UPDATE deliveries SET state = 'parked', updated_at = ? WHERE host = ? AND state = 'queued'`),
      releaseHost: db.prepare<[number, number, string]>(`UPDATE deliveries SET state = 'queued', next_attempt_at = min(next_attempt_at, ?),
          updated_at = ? WHERE host = ? AND state = 'parked'`),
      unskipHost: db.prepare<[number, number, string]>(`UPDATE deliveries SET state = 'queued', next_attempt_at = ?, updated_at = ?
          WHERE host = ? AND state = 'skipped'`),
      attempt: db.prepare(`INSERT INTO delivery_attempts (delivery_id, host, at, status, error_class, error, latency_ms, counted, probe)
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
    this.connectivity = new ConnectivityMonitor({
      references: (exclude) => this.d.hostHealth.all()
        .filter((h) => h.host !== exclude && h.lastSuccessAt !== null)
        .sort((a, b) => b.lastSuccessAt! - a.lastSuccessAt!)
        .map((h) => h.origin),
      candidates: () => this.d.hostHealth.all()
        .filter((h) => h.lastSuccessAt === null && !h.suspended && h.unreachableSince === null)
        .map((h) => h.origin),
      probe: d.probe,
      ...d.config.connectivity,
      onChange: (offline) => {
        this.emitQueue();
        if (!offline) this.requestPump();
      },
      log: d.log,
      now: this.now,
    });
  }

  // ---- lifecycle ----

  start(): void {
    const recovered = this.stmts.recover.run().changes;
    if (recovered > 0) this.d.log.info(`delivery: ${recovered} deliveries that were in flight when Outpost stopped are queued again`);
    this.started = true;
    this.d.db.transaction(() => this.load(this.stmts.loadAll.all()))();
    this.lastLoadedId = this.stmts.maxId.get()?.id ?? 0;
    this.d.events.on('deliveriesChanged', this.onChanged);
    this.requestPump();
  }

  /** Stops taking work, waits up to `graceMs` for attempts under way, records what finished. */
  async stop(graceMs = this.d.config.stopGraceMs): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.d.events.off('deliveriesChanged', this.onChanged);
    clearTimeout(this.timer);
    clearTimeout(this.progressTimer);
    clearTimeout(this.queueTimer);
    this.connectivity.stop();
    if (this.attempts.size > 0) {
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.attempts]),
        new Promise((r) => (timeout = setTimeout(r, graceMs))),
      ]);
      clearTimeout(timeout);
    }
    // The last outcomes change host health too: persist it with them, or a restart
    // would forget the failures (or the success) they recorded.
    if (this.started) {
      this.d.db.transaction(() => {
        this.flush();
        this.d.hostHealth.persist();
      })();
    }
  }

  /** Holds all delivery (identity mismatch); rows wait, nothing is lost. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (!paused) this.requestPump();
  }

  get offline(): boolean {
    return this.connectivity.offline;
  }

  // ---- admin operations ----

  /** Retry a host now: clear its backoff and unreachable mark, release its parked and skipped deliveries. */
  retryHost(host: string): boolean {
    const h = this.d.hostHealth.get(host);
    if (!h) return false;
    this.d.db.transaction(() => {
      // The user asked for a fresh start: one more failure must not bring back a 24 h backoff.
      this.d.hostHealth.revive(host, true);
      if (h.suspended) this.d.hostHealth.setSuspended(host, h.origin, false);
      this.release(host, true);
      this.d.hostHealth.persist();
    })();
    this.emitHost(host);
    this.requestPump();
    return true;
  }

  suspendHost(host: string, origin: string): void {
    this.d.db.transaction(() => {
      this.d.hostHealth.setSuspended(host, origin, true);
      const hq = this.hostQueue(host, origin);
      this.park(hq);
      this.d.hostHealth.persist();
    })();
    this.emitHost(host);
    this.emitQueue();
  }

  resumeHost(host: string): boolean {
    const h = this.d.hostHealth.get(host);
    if (!h) return false;
    this.d.db.transaction(() => {
      this.d.hostHealth.setSuspended(host, h.origin, false);
      if (!isHeld(h, this.now())) this.release(host, false);
      else {
        // Still backing off: schedule() ignored it while suspended, so arm its probe now.
        const hq = this.hosts.get(host);
        if (hq) this.schedule(hq);
      }
      this.d.hostHealth.persist();
    })();
    this.emitHost(host);
    this.requestPump();
    return true;
  }

  /** A signed request arrived from the host: it is alive, so stop treating it as dead. */
  noteAlive(host: string): void {
    const h = this.d.hostHealth.get(host);
    if (!h || (h.unreachableSince === null && !isHeld(h, this.now()) && h.consecutiveFailures === 0) || h.suspended) return;
    this.d.db.transaction(() => {
      this.d.hostHealth.revive(host, true);
      this.release(host, true);
      this.d.hostHealth.persist();
    })();
    this.d.log.info(`delivery: ${host} sent us a signed request; it is reachable again`);
    this.emitHost(host);
    this.requestPump();
  }

  /**
   * Cancels the deliveries of an activity that have not started yet and returns their
   * inboxes (Like then Undo while both are still queued: nothing is sent). Call inside the
   * transaction that queues the Undo.
   */
  cancelQueued(activityId: string): Set<string> {
    while (this.loadNew()) { /* load every row written so far */ }
    const cancelled = new Set<string>();
    const jobs = this.byActivity.get(activityId);
    if (!jobs) return cancelled;
    const now = this.now();
    for (const job of [...jobs]) {
      const hq = this.hosts.get(job.host)!;
      const i = hq.jobs.indexOf(job);
      if (i < 0) continue; // in flight: it will be sent, so the Undo must be too
      hq.jobs.splice(i, 1);
      this.waiting--;
      if (hq.parked) this.parkedCount--;
      this.stmts.setState.run('cancelled', 'cancelled by a later Undo', now, job.id);
      this.forget(job);
      cancelled.add(job.inbox);
    }
    this.d.metrics?.recordOutcome('cancelled', cancelled.size);
    this.dirtyActivities.add(activityId);
    return cancelled;
  }

  queueStats(): QueueStatsDto {
    const counts: Record<string, number> = {};
    for (const r of this.stmts.counts.all()) counts[r.state] = r.n;
    const now = this.now();
    return {
      queued: counts.queued ?? 0,
      inFlight: counts.in_flight ?? 0,
      delivered: counts.delivered ?? 0,
      failed: counts.failed ?? 0,
      parked: counts.parked ?? 0,
      skipped: counts.skipped ?? 0,
      cancelled: counts.cancelled ?? 0,
      hostsBackingOff: this.d.hostHealth.all().filter((h) => stateOf(h, now) === 'backing_off').length,
      hostsUnreachable: this.d.hostHealth.all().filter((h) => h.unreachableSince !== null).length,
      offline: this.connectivity.offline,
      paused: this.paused,
    };
  }

  /** Queue depth from memory, for gauges (cheap, called on every scrape). */
  gauges(): { queued: number; inFlight: number; parked: number } {
    return { queued: this.waiting - this.parkedCount, inFlight: this.inFlightTotal, parked: this.parkedCount };
  }

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

  // ---- the pump ----

  private readonly onChanged = () => this.requestPump();

  private requestPump(): void {
    if (this.pumpQueued || this.stopped || !this.started) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped) return;
    const launches: [Job, HostQueue, boolean][] = [];
    let moreRows = false;
    this.d.db.transaction(() => {
      this.flush();
      moreRows = this.loadNew();
      if (!this.paused && !this.connectivity.offline) this.claimReady(launches, this.d.config.launchesPerTick);
      this.d.hostHealth.persist();
    })();
    for (const [job, hq, probe] of launches) this.launch(job, hq, probe);
    // A big fan-out is loaded and started a slice per event-loop turn, so the window
    // (in Electron, the same thread) stays responsive.
    if (moreRows || (launches.length >= this.d.config.launchesPerTick && this.ready.length > 0)) this.requestPump();
    this.armTimer();
    if (launches.length > 0 || this.dirtyActivities.size > 0) this.emitQueue();
    this.scheduleProgress();
    this.checkBacklog();
  }

  /** Claims due jobs, round-robin over ready hosts, within the caps. */
  private claimReady(out: [Job, HostQueue, boolean][], limit: number): void {
    const { globalConcurrency, perHostConcurrency, maxInFlight } = this.d.config;
    const now = this.now();
    while (this.ready.length > 0 && this.active < globalConcurrency && this.inFlightTotal < maxInFlight && out.length < limit) {
      const hq = this.hosts.get(this.ready.shift()!)!;
      hq.inReady = false;
      if (hq.parked) {
        // Backoff over: one probe first; its success releases the rest.
        if (hq.probing || hq.inFlight > 0 || hq.jobs.length === 0) continue;
        const h = this.d.hostHealth.get(hq.host);
        if (h && isHeld(h, now)) {
          this.schedule(hq);
          continue;
        }
        out.push([this.take(hq, now), hq, true]);
        hq.probing = true;
        continue;
      }
      while (hq.inFlight < perHostConcurrency && this.active < globalConcurrency && this.inFlightTotal < maxInFlight && out.length < limit && this.isDue(hq, now)) {
        out.push([this.take(hq, now), hq, false]);
      }
      if (this.isDue(hq, now) && hq.inFlight < perHostConcurrency) {
        this.ready.unshift(hq.host); // global cap reached: this host goes first next time
        hq.inReady = true;
        break;
      }
      this.schedule(hq);
    }
  }

  private take(hq: HostQueue, now: number): Job {
    const job = hq.jobs.shift()!;
    this.waiting--;
    if (hq.parked) this.parkedCount--;
    hq.inFlight++;
    this.active++;
    this.inFlightTotal++;
    this.stmts.claim.run(now, job.id);
    return job;
  }

  private isDue(hq: HostQueue, now: number): boolean {
    const head = hq.jobs[0];
    return !!head && head.nextAt <= now && hq.notBefore <= now;
  }

  private launch(job: Job, hq: HostQueue, probe: boolean): void {
    const started = this.now();
    const entry: Finished = { job, hq, outcome: { kind: 'delivered', status: 0 }, latencyMs: 0, at: 0, probe, holdsGlobalSlot: true };
    // A straggler gives its global slot back, so slow hosts never hold up fast ones.
    const slow = setTimeout(() => {
      if (!entry.holdsGlobalSlot) return;
      entry.holdsGlobalSlot = false;
      this.active--;
      this.requestPump();
    }, this.d.config.slowAttemptMs);
    slow.unref?.();
    const p = this.attempt(job, hq, started)
      // attempt() classifies its own errors; should it still throw, the attempt failed
      // (the entry's placeholder outcome must never be recorded as a delivery).
      .catch((err: unknown) => classifyError(err))
      .then((outcome) => {
        entry.outcome = outcome;
        entry.latencyMs = this.now() - started;
        entry.at = this.now();
      })
      .finally(() => {
        clearTimeout(slow);
        this.attempts.delete(p);
        this.finished.push(entry);
        this.requestPump();
      });
    this.attempts.add(p);
  }

  private async attempt(job: Job, hq: HostQueue, startedAt: number): Promise<Finished['outcome']> {
    let outcome: Outcome;
    try {
      const { body, digest } = this.body(job.activityId);
      const { keyId, privateKey } = this.d.signer();
      const headers = await signRequest({ method: 'POST', url: job.inbox, body, digest, keyId, privateKey });
      // Keep the connection only while the host has more waiting: a fan-out to 5000 hosts
      // must not hold 5000 idle sockets (and their pools) for the keep-alive period.
      if (hq.jobs.length === 0 && hq.inFlight <= 1) headers.connection = 'close';
      const res = await this.d.http.request(job.inbox, {
        method: 'POST', headers, body, timeoutMs: this.d.config.attemptTimeoutMs, maxBytes: this.d.config.responseMaxBytes,
      });
      this.connectivity.noteSuccess();
      outcome = classifyStatus(res.status, res.headers['retry-after'], this.now());
    } catch (err) {
      outcome = classifyError(err);
    }
    if (outcome.kind === 'retry' && outcome.status === null && NETWORK_CLASSES.has(outcome.errorClass)) {
      if ((await this.connectivity.judge(job.host, startedAt)) === 'outage') {
        return { kind: 'refunded', status: null, errorClass: outcome.errorClass, error: `${outcome.error} (offline: not counted)` };
      }
    }
    return outcome;
  }

  // ---- recording outcomes ----

  /** Writes finished attempts and frees their slots (inside the pump's transaction). */
  private flush(): void {
    const { retryPolicy, hostHealth, metrics } = this.d;
    for (const f of this.finished.splice(0)) {
      const { job, hq, outcome, at, latencyMs } = f;
      hq.inFlight--;
      this.inFlightTotal--;
      if (f.holdsGlobalSlot) this.active--;
      if (f.probe) hq.probing = false;
      const origin = hq.origin;
      const base = { id: job.id, now: at, status: outcome.status, error: null as string | null, attempts: job.attempts + 1, next: at };
      let attemptResult: 'delivered' | 'retry' | 'permanent' | 'gone' | 'refunded' = 'delivered';
      const alive = outcome.status !== null && outcome.status < 500 && outcome.status !== 408;
      switch (outcome.kind) {
        case 'refunded':
          attemptResult = 'refunded';
          this.requeue(job, hq, at, false);
          this.stmts.finish.run({ ...base, attempts: job.attempts, state: hq.parked ? 'parked' : 'queued', error: outcome.error });
          break;
        case 'delivered':
          hostHealth.recordAlive(job.host, origin, at, true, outcome.status);
          this.stmts.finish.run({ ...base, state: 'delivered' });
          metrics?.recordOutcome('delivered');
          this.forget(job);
          if (hq.parked) this.releaseAfterProbe(hq, at);
          break;
        case 'gone':
          attemptResult = 'gone';
          hostHealth.recordAlive(job.host, origin, at, false, 410);
          this.stmts.finish.run({ ...base, state: 'failed', error: 'gone (410): the recipient no longer exists' });
          metrics?.recordOutcome('failed');
          this.forget(job);
          this.d.onGone(job.inbox);
          if (hq.parked) this.releaseAfterProbe(hq, at);
          break;
        case 'permanent':
          attemptResult = 'permanent';
          if (alive) hostHealth.recordAlive(job.host, origin, at, false, outcome.status);
          this.stmts.finish.run({ ...base, state: 'failed', error: outcome.error });
          metrics?.recordOutcome('failed');
          this.forget(job);
          if (hq.parked && alive) this.releaseAfterProbe(hq, at);
          break;
        case 'retry': {
          attemptResult = 'retry';
          if (alive) {
            hostHealth.recordAlive(job.host, origin, at, false, outcome.status);
            // Release before honouring Retry-After: release() clears notBefore, and a probe
            // answered "429, come back in an hour" must not let the parked rest rush in.
            if (hq.parked) this.releaseAfterProbe(hq, at);
            if (outcome.retryAfterMs !== undefined && outcome.status === 429) {
              // The same cap as the retry policy's, so the host and the delivery wait alike.
              const cap = this.d.config.retry.maxRetryAfterMs;
              hq.notBefore = Math.max(hq.notBefore, at + Math.min(outcome.retryAfterMs, cap));
            }
          } else {
            const r = hostHealth.recordFailure(job.host, origin, at, outcome.errorClass, outcome.error, outcome.status);
            if (r.becameUnreachable) this.d.log.warn(`delivery: ${job.host} has failed on ${hostHealth.policy.unreachableAfterDays} different days without a success; new deliveries to it are skipped until it answers again`);
            if (r.enteredBackoff || f.probe) {
              if (r.enteredBackoff) this.d.log.info(`delivery: ${job.host} failed ${hostHealth.get(job.host)!.consecutiveFailures} times in a row; backing off`);
              this.park(hq);
              this.emitHost(job.host);
            }
          }
          const delay = retryPolicy({ attempts: job.attempts + 1, createdAt: job.createdAt, now: at, retryAfterMs: outcome.retryAfterMs });
          if (delay === null) {
            this.stmts.finish.run({ ...base, state: 'failed', error: `${outcome.error} — gave up after ${job.attempts + 1} attempts` });
            metrics?.recordOutcome('abandoned');
            this.forget(job);
          } else {
            job.attempts++;
            this.requeue(job, hq, at + delay, true);
            this.stmts.finish.run({ ...base, state: hq.parked ? 'parked' : 'queued', error: outcome.error, next: at + delay });
          }
          if (f.probe && !alive) this.abandonExpired(hq, at);
          break;
        }
      }
      this.stmts.attempt.run({
        deliveryId: job.id, host: job.host, at, status: outcome.status, errorClass: outcome.kind === 'delivered' ? 'ok' : outcome.errorClass,
        error: outcome.kind === 'delivered' ? null : outcome.error, latencyMs, counted: outcome.kind === 'refunded' ? 0 : 1, probe: f.probe ? 1 : 0,
      });
      metrics?.recordAttempt(attemptResult, outcome.kind === 'delivered' ? null : outcome.errorClass, latencyMs);
      this.dirtyActivities.add(job.activityId);
      this.schedule(hq);
    }
  }

  /** Puts a job back in its host's queue, ordered by nextAt. */
  private requeue(job: Job, hq: HostQueue, nextAt: number, keepLater: boolean): void {
    job.nextAt = keepLater ? nextAt : Math.min(job.nextAt, nextAt);
    let lo = 0;
    let hi = hq.jobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (hq.jobs[mid]!.nextAt <= job.nextAt) lo = mid + 1;
      else hi = mid;
    }
    hq.jobs.splice(lo, 0, job);
    this.waiting++;
    if (hq.parked) this.parkedCount++;
  }

  private park(hq: HostQueue): void {
    if (!hq.parked) {
      hq.parked = true;
      this.parkedCount += hq.jobs.length;
    }
    this.stmts.parkHost.run(this.now(), hq.host);
  }

  /** The probe got an answer: release every parked delivery of the host. */
  private releaseAfterProbe(hq: HostQueue, at: number): void {
    this.d.log.info(`delivery: ${hq.host} answered again; releasing its ${hq.jobs.length} parked deliveries`);
    // Whatever was skipped while it looked unreachable goes out too, as after retryHost.
    this.release(hq.host, true, at);
    this.emitHost(hq.host);
  }

  /** Makes a host's parked (and, for retryHost, skipped) deliveries due now. */
  private release(host: string, includeSkipped: boolean, at = this.now()): void {
    const h = this.d.hostHealth.get(host);
    if (h?.suspended) return;
    this.stmts.releaseHost.run(at, at, host);
    // Unpark in memory before loading the unskipped rows: load() would park them again
    // (in the table too) while the host queue still looked parked.
    const parked = this.hosts.get(host);
    if (parked?.parked) {
      parked.parked = false;
      this.parkedCount -= parked.jobs.length;
    }
    if (includeSkipped && this.stmts.unskipHost.run(at, at, host).changes > 0) this.load(this.stmts.loadHost.all(host));
    const hq = this.hosts.get(host);
    if (!hq) return;
    for (const j of hq.jobs) j.nextAt = Math.min(j.nextAt, at);
    hq.notBefore = 0;
    this.schedule(hq);
  }

  /** After a failed probe: parked deliveries past the retry policy's horizon are abandoned. */
  private abandonExpired(hq: HostQueue, at: number): void {
    for (const job of [...hq.jobs]) {
      if (this.d.retryPolicy({ attempts: job.attempts + 1, createdAt: job.createdAt, now: at }) !== null) continue;
      hq.jobs.splice(hq.jobs.indexOf(job), 1);
      this.waiting--;
      if (hq.parked) this.parkedCount--;
      this.stmts.setState.run('failed', `${hq.host} did not answer for the whole retry period; gave up`, at, job.id);
      this.d.metrics?.recordOutcome('abandoned');
      this.dirtyActivities.add(job.activityId);
      this.forget(job);
    }
  }

  // ---- loading rows ----

  /** Loads up to loadBatchSize rows written since the last load; true when there may be more. */
  private loadNew(): boolean {
    const batch = this.d.config.loadBatchSize;
    const rows = this.stmts.loadNew.all(this.lastLoadedId, batch);
    if (rows.length === 0) return false;
    this.lastLoadedId = rows[rows.length - 1]!.id;
    this.load(rows);
    return rows.length >= batch;
  }

  private load(rows: RowIn[]): void {
    const now = this.now();
    let skipped = 0;
    for (const r of rows) {
      if (this.known.has(r.id)) continue;
      this.lastLoadedId = Math.max(this.lastLoadedId, r.id);
      const origin = new URL(r.inbox).origin;
      const h = this.d.hostHealth.get(r.host);
      // Only deliveries queued since the host became unreachable are skipped: older ones
      // were already waiting (parked) when it did, and a restart must not drop them.
      if (h?.unreachableSince != null && !h.suspended && r.created_at >= h.unreachableSince) {
        this.stmts.setState.run('skipped', `${r.host} is unreachable (no success on ${this.d.hostHealth.policy.unreachableAfterDays} days of trying); retry the host to send`, now, r.id);
        this.dirtyActivities.add(r.activity_id);
        skipped++;
        continue;
      }
      const hq = this.hostQueue(r.host, origin);
      const job: Job = { id: r.id, activityId: r.activity_id, inbox: r.inbox, host: r.host, attempts: r.attempts, nextAt: r.next_attempt_at, createdAt: r.created_at };
      this.known.add(r.id);
      let set = this.byActivity.get(job.activityId);
      if (!set) this.byActivity.set(job.activityId, (set = new Set()));
      set.add(job);
      const held = !!h && isHeld(h, now);
      if (!hq.parked && (held || r.state === 'parked')) {
        hq.parked = true;
        this.parkedCount += hq.jobs.length;
      }
      if (hq.parked && r.state === 'queued') this.stmts.setState.run('parked', null, now, r.id);
      this.requeue(job, hq, job.nextAt, true);
      this.schedule(hq);
    }
    if (skipped > 0) this.d.metrics?.recordOutcome('skipped', skipped);
  }

  private hostQueue(host: string, origin: string): HostQueue {
    let hq = this.hosts.get(host);
    if (!hq) {
      hq = { host, origin, jobs: [], inFlight: 0, inReady: false, parked: false, probing: false, notBefore: 0, timerAt: Infinity };
      this.hosts.set(host, hq);
      this.d.hostHealth.ensure(host, origin);
    }
    return hq;
  }

  private forget(job: Job): void {
    this.known.delete(job.id);
    const set = this.byActivity.get(job.activityId);
    set?.delete(job);
    if (set && set.size === 0) this.byActivity.delete(job.activityId);
    const b = this.bodies.get(job.activityId);
    if (b && --b.refs <= 0) this.bodies.delete(job.activityId);
  }

  private body(activityId: string): { body: Buffer; digest: string } {
    let b = this.bodies.get(activityId);
    if (!b) {
      const row = this.stmts.body.get(activityId);
      if (!row) throw new Error(`activity ${activityId} is missing`);
      b = { body: Buffer.from(row.body), digest: row.digest, refs: this.byActivity.get(activityId)?.size ?? 1 };
      this.bodies.set(activityId, b);
    }
    return b;
  }

  // ---- timing ----

  /** Puts a host in the ready list, or sets a timer for when it will be. */
  private schedule(hq: HostQueue): void {
    if (hq.jobs.length === 0 || this.stopped) return;
    const h = this.d.hostHealth.get(hq.host);
    if (h?.suspended) return;
    const now = this.now();
    let at: number;
    if (hq.parked) {
      if (hq.probing || hq.inFlight > 0) return;
      at = h?.backoffUntil ?? now;
    } else {
      if (hq.inFlight >= this.d.config.perHostConcurrency) return;
      at = Math.max(hq.jobs[0]!.nextAt, hq.notBefore);
    }
    if (at <= now) {
      if (!hq.inReady) {
        hq.inReady = true;
        this.ready.push(hq.host);
      }
      this.requestPump();
    } else if (at < hq.timerAt || hq.timerAt <= now) {
      hq.timerAt = at;
      heapPush(this.timers, [at, hq.host]);
      if (at < this.timerAt) this.armTimer();
    }
  }

  private armTimer(): void {
    const next = this.timers[0]?.[0];
    if (next === undefined || this.stopped) return;
    if (next >= this.timerAt && this.timer) return;
    clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.tick(), Math.max(0, Math.min(next - this.now(), 2 ** 31 - 1)));
    this.timer.unref?.();
  }

  /**
   * Makes the hosts whose time has come (retry due, backoff over, Retry-After passed)
   * ready, then re-arms the timer. The scheduler's timer calls it; tests that inject `now`
   * call it after moving their clock, since the timer runs on the real one.
   */
  tick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.stopped) return;
    const now = this.now();
    while (this.timers.length > 0 && this.timers[0]![0] <= now) {
      const [, host] = heapPop(this.timers)!;
      const hq = this.hosts.get(host);
      if (hq) {
        if (hq.timerAt <= now) hq.timerAt = Infinity;
        this.schedule(hq);
      }
    }
    this.armTimer();
  }

  // ---- events ----

  private scheduleProgress(): void {
    if (this.dirtyActivities.size === 0 || this.progressTimer) return;
    this.progressTimer = setTimeout(() => {
      this.progressTimer = undefined;
      for (const id of this.dirtyActivities) {
        const counts: Record<string, number> = {};
        for (const r of this.stmts.progress.all(id)) counts[r.state] = r.n;
        this.d.events.emit('delivery', { activityId: id, ...summarize(counts) });
      }
      this.dirtyActivities.clear();
    }, this.d.config.progressEventMs);
    this.progressTimer.unref?.();
  }

  private emitQueue(): void {
    if (this.queueTimer || this.d.events.listenerCount('queue') === 0) return;
    this.queueTimer = setTimeout(() => {
      this.queueTimer = undefined;
      if (!this.stopped) this.d.events.emit('queue', this.queueStats());
    }, this.d.config.queueEventMs);
    this.queueTimer.unref?.();
  }

  private emitHost(host: string): void {
    const h = this.d.hostHealth.get(host);
    if (h) this.d.events.emit('host', { host, state: stateOf(h, this.now()) as HostStateName, consecutiveFailures: h.consecutiveFailures, backoffUntil: h.backoffUntil });
  }

  private checkBacklog(): void {
    const waiting = this.waiting;
    const threshold = BACKLOG_WARN_DELIVERIES;
    if (!this.backlogWarned && waiting > threshold) {
      this.backlogWarned = true;
      this.d.log.warn(`delivery: ${waiting} deliveries are waiting (threshold ${threshold}); check the Hosts view for hosts that are down`);
    } else if (this.backlogWarned && waiting < threshold / 2) this.backlogWarned = false;
  }
}

/** Per-state counts of one activity's deliveries. */
function summarize(counts: Record<string, number>): Omit<DeliverySummary, 'activityId'> {
  const n = (s: DeliveryRowDto['state']) => counts[s] ?? 0;
  return {
    total: Object.values(counts).reduce((a, b) => a + b, 0), delivered: n('delivered'), queued: n('queued'), inFlight: n('in_flight'),
    failed: n('failed'), parked: n('parked'), skipped: n('skipped'), cancelled: n('cancelled'),
  };
}

// A binary min-heap of [time, host].
function heapPush(h: [number, string][], item: [number, string]): void {
  h.push(item);
  let i = h.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (h[p]![0] <= h[i]![0]) break;
    [h[p], h[i]] = [h[i]!, h[p]!];
    i = p;
  }
}

function heapPop(h: [number, string][]): [number, string] | undefined {
  const top = h[0];
  const last = h.pop();
  if (h.length > 0 && last) {
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && h[l]![0] < h[m]![0]) m = l;
      if (r < h.length && h[r]![0] < h[m]![0]) m = r;
      if (m === i) break;
      [h[m], h[i]] = [h[i]!, h[m]!];
      i = m;
    }
  }
  return top;
}
