// The delivery engine: a persistent, throttled, host-aware queue over the `deliveries`
// table. Rows are the truth (a crash loses nothing); an in-memory index per host
// (hostQueues.ts: counts and a page of jobs, so memory follows hosts, not rows) makes
// picking the next work cheap and keeps a slow or dead host from holding up the others.
// This file keeps the lifecycle, the pump and the admin operations:
//
//  - caps: `globalConcurrency` attempts at once, `perHostConcurrency` per host; an attempt
//    slower than `slowAttemptMs` stops counting against the global cap (a hard cap of
//    `maxInFlight` still bounds sockets), so stragglers never block fast hosts;
//  - outcomes are written in batches (outcomeRecorder.ts), in the same transaction that
//    claims new work, so at most `maxInFlight` rows are ever marked in flight (the
//    duplicates a crash can cause);
//  - host health (hostHealth.ts) decides for each host: send, probe, hold or skip; a
//    failing host's deliveries wait parked without spending attempts;
//  - network failures are only charged to a host when connectivity is proven
//    (connectivity.ts, asked by inboxSender.ts): an offline laptop pauses delivery instead
//    of killing 500 hosts.
import type { QueueGauges } from '../metrics/deliveryMetrics';
import type { DeliveryProgressDto, QueueStatsDto } from '../../../shared/dto';
import { classifyError } from './outcome';
import { ConnectivityMonitor } from './connectivity';
import { DeliveryRows } from './deliveryRows';
import { HostQueues, type HostQueue, type Job } from './hostQueues';
import { HostTimers } from './hostTimers';
import { InboxSender } from './inboxSender';
import { recordFinished, type Finished, type OutcomeContext } from './outcomeRecorder';
import { QueueEvents } from './queueEvents';
import { QueueFigures } from './queueFigures';
import { RowLoader } from './rowLoader';
import type { DeliveryQueueDeps } from './deliveryQueueDeps';
import type { DeliveriesChange } from './outbox';

export type { DeliveryQueueDeps };

interface Launch {
  job: Job;
  hq: HostQueue;
  probe: boolean;
}

interface Settled extends Finished {
  /** Whether the attempt still held a global slot (slow attempts give theirs back early). */
  holdsGlobalSlot: boolean;
}

export class DeliveryQueue {
  private readonly rows: DeliveryRows;
  private readonly queues = new HostQueues(() => this.d.config.hostPageSize, (activityId) => this.sender.forget(activityId));
  private readonly timers: HostTimers;
  private readonly connectivity: ConnectivityMonitor;
  private readonly sender: InboxSender;
  private readonly events: QueueEvents;
  private readonly outcomes: OutcomeContext;
  private readonly loader: RowLoader;
  private readonly figures: QueueFigures;
  private readonly now: () => number;
  private readonly finished: Settled[] = [];
  private readonly attempts = new Set<Promise<void>>();
  /** Activities with rows cancelled since the last turn, and how many. */
  private readonly cancelled = new Map<string, number>();
  private idleWaiters: (() => void)[] = [];
  private unsubscribe: (() => void) | undefined;
  /** Attempts holding a global slot. */
  private active = 0;
  /** Attempts started whose request has not gone out yet (signing). */
  private signing = 0;
  private started = false;
  private stopped = false;
  private paused = false;
  private pumpQueued = false;
  /** The outbox wrote rows the engine has not read yet. */
  private newRows = true;

  constructor(private readonly d: DeliveryQueueDeps) {
    this.now = d.now ?? Date.now;
    this.rows = new DeliveryRows(d.db);
    this.timers = new HostTimers(() => this.tick(), this.now);
    this.connectivity = new ConnectivityMonitor({
      references: (exceptHost) => d.hostHealth.reachedOrigins(exceptHost),
      candidates: () => d.hostHealth.untriedOrigins(),
      probe: d.probe,
      prove: d.proveNetwork,
      ...d.config.connectivity,
      onChange: (offline) => {
        this.events.queueChanged();
        if (!offline) this.requestPump();
      },
      log: d.log,
      now: this.now,
    });
    this.sender = new InboxSender({ http: d.http, signer: d.signer, specs: d.specs, config: d.config, rows: this.rows, connectivity: this.connectivity, now: this.now });
    this.events = new QueueEvents({
      events: d.events, config: d.config, rows: this.rows, hostHealth: d.hostHealth, stats: () => this.queueStats(), log: d.log, now: this.now,
    });
    this.outcomes = {
      rows: this.rows, queues: this.queues, hostHealth: d.hostHealth, retryPolicy: d.retryPolicy, metrics: d.metrics, log: d.log,
      park: (hq) => this.park(hq),
      release: (hq, at) => this.release(hq.host, true, at),
      done: (job) => this.done(job),
      activityChanged: (activityId) => this.events.activityChanged(activityId),
      hostChanged: (host) => this.events.hostChanged(host),
      onGone: d.onGone,
    };
    this.loader = new RowLoader({
      rows: this.rows, queues: this.queues, hostHealth: d.hostHealth, metrics: d.metrics, config: d.config, now: this.now,
      park: (hq) => this.park(hq),
      schedule: (hq) => this.schedule(hq),
      activityChanged: (activityId) => this.events.activityChanged(activityId),
    });
    this.figures = new QueueFigures({
      rows: this.rows, queues: this.queues, loader: this.loader, hostHealth: d.hostHealth, now: this.now,
      running: () => this.started && !this.stopped, offline: () => this.connectivity.offline, paused: () => this.paused,
    });
    d.metrics?.watchQueue(this);
  }

  // ---- lifecycle ----

  start(): void {
    const recovered = this.rows.recoverInFlight();
    if (recovered > 0) this.d.log.info(`delivery: ${recovered} deliveries that were in flight when Outpost stopped are queued again`);
    this.started = true;
    this.d.db.transaction(() => this.loader.loadCounts())();
    this.unsubscribe = this.d.changes.on(this.onChange);
    this.requestPump();
  }

  /** Stops taking work, waits up to `graceMs` for attempts under way, records what finished. */
  async stop(graceMs = this.d.config.stopGraceMs): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.unsubscribe?.();
    this.timers.stop();
    this.events.stop();
    this.connectivity.stop();
    this.resolveIdle();
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

  /** The caps or the retry policy changed: look at the queue again. */
  wake(): void {
    this.requestPump();
  }

  /**
   * Resolves after the next pump turn that starts no attempt and leaves nothing for a turn
   * after it: whatever remains waits for a timer (a retry, a backoff, a Retry-After), for an
   * attempt under way to answer (tests keep some hanging on purpose), for new rows, or for
   * pause or offline to end. Every attempt started before it has sent its request by then.
   * Resolves at once when the engine is not running. Lets a test say "nothing more happens
   * now" without sleeping.
   */
  idle(): Promise<void> {
    if (!this.started || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.requestPump();
    });
  }

  get offline(): boolean {
    return this.connectivity.offline;
  }

  // ---- admin operations ----

  /** Retry a host now: clear its backoff and unreachable mark, release its parked and skipped deliveries. */
  retryHost(host: string): boolean {
    if (!this.d.hostHealth.get(host)) return false;
    this.d.db.transaction(() => {
      this.d.hostHealth.retry(host);
      this.release(host, true);
      this.d.hostHealth.persist();
    })();
    this.events.hostChanged(host);
    this.requestPump();
    return true;
  }

  suspendHost(host: string, origin: string): void {
    this.d.db.transaction(() => {
      this.d.hostHealth.setSuspended(host, origin, true);
      this.park(this.queues.ensure(host, origin));
      this.d.hostHealth.persist();
    })();
    this.events.hostChanged(host);
    this.events.queueChanged();
  }

  resumeHost(host: string): boolean {
    if (!this.d.hostHealth.get(host)) return false;
    this.d.db.transaction(() => {
      if (this.d.hostHealth.resume(host, this.now())) this.release(host, false);
      else {
        // Still backing off: schedule() ignored it while suspended, so arm its probe now.
        const hq = this.queues.get(host);
        if (hq) this.schedule(hq);
      }
      this.d.hostHealth.persist();
    })();
    this.events.hostChanged(host);
    this.requestPump();
    return true;
  }

  /** A signed request arrived from the host: it is alive, so stop treating it as dead. */
  noteAlive(host: string): void {
    if (!this.d.hostHealth.heardFrom(host, this.now())) return;
    this.d.db.transaction(() => {
      this.release(host, true);
      this.d.hostHealth.persist();
    })();
    this.d.log.info(`delivery: ${host} sent us a signed request; it is reachable again`);
    this.events.hostChanged(host);
    this.requestPump();
  }

  queueStats(): QueueStatsDto {
    return this.figures.stats();
  }

  /** Waiting deliveries per host while running (the Hosts view); undefined otherwise. */
  waitingByHost(): Map<string, { queued: number; parked: number }> | undefined {
    return this.figures.waitingByHost();
  }

  /** Queue depth from memory, for gauges (cheap, called on every scrape). */
  gauges(): QueueGauges {
    return this.queues.gauges();
  }

  progress(activityId: string): DeliveryProgressDto | undefined {
    return this.rows.progress(activityId);
  }

  // ---- the pump ----

  private readonly onChange = (change: DeliveriesChange): void => {
    if (change.kind === 'cancelled') {
      this.cancelled.set(change.activityId, (this.cancelled.get(change.activityId) ?? 0) + change.count);
      this.rows.noteCancelled(change.count);
    } else this.newRows = true;
    this.requestPump();
  };

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
    const launches: Launch[] = [];
    let moreRows = false;
    try {
      this.d.db.transaction(() => {
        this.flush();
        this.dropCancelled();
        if (this.newRows) moreRows = this.newRows = this.loader.loadNew();
        if (!this.paused && !this.connectivity.offline) this.claimReady(launches, this.d.config.launchesPerTick);
        this.d.hostHealth.persist();
      })();
      this.d.storage?.noteWriteSuccess();
    } catch (err) {
      // A full disk: nothing of this turn was written; its outcomes stay "in flight" in the
      // table and go out again after a restart (at least once). Try again later.
      this.rows.forgetCounts();
      if (!this.d.storage?.noteWriteFailure(err)) throw err;
      const retry = setTimeout(() => this.requestPump(), this.d.config.writeRetryMs);
      retry.unref?.();
      return;
    }
    for (const l of launches) this.launch(l);
    // A big fan-out is loaded and started a slice per event-loop turn, so the window
    // (in Electron, the same thread) stays responsive.
    if (moreRows || (launches.length >= this.d.config.launchesPerTick && this.queues.readyCount > 0)) this.requestPump();
    else if (launches.length === 0 && this.signing === 0 && !this.pumpQueued) this.resolveIdle();
    this.timers.arm();
    this.events.afterTurn(launches.length, this.queues.waiting);
  }

  /** Claims due jobs, round-robin over ready hosts, within the caps. */
  private claimReady(out: Launch[], limit: number): void {
    const { globalConcurrency, perHostConcurrency, maxInFlight } = this.d.config;
    const now = this.now();
    const room = () => this.active < globalConcurrency && this.queues.inFlight < maxInFlight && out.length < limit;
    while (this.queues.readyCount > 0 && room()) {
      const hq = this.queues.nextReady()!;
      const decision = this.d.hostHealth.beforeSend(hq.host, { now, underWay: hq.inFlight });
      if (decision.kind === 'probe') {
        // Backoff over: one probe first; its answer decides for the rest.
        let job: Job | undefined;
        while (!job && this.head(hq)) job = this.claimHead(hq, now);
        if (job) out.push({ job, hq, probe: true });
        continue;
      }
      if (decision.kind !== 'send') {
        this.schedule(hq);
        continue;
      }
      // One job per visit: a host with more due goes to the back of the ready list, so a
      // backlog over many hosts is served one request per host in turn. Every host's
      // connection is then reused while it is warm, instead of perHostConcurrency
      // connections per host opened in a burst and idling out (with their pool) before the
      // round comes back; one host alone still gets perHostConcurrency at once.
      let job: Job | undefined;
      while (!job && hq.inFlight < perHostConcurrency && this.isDue(hq, now)) job = this.claimHead(hq, now);
      if (job) out.push({ job, hq, probe: false });
      if (hq.inFlight < perHostConcurrency && this.isDue(hq, now)) this.queues.markReady(hq);
      else this.schedule(hq);
    }
  }

  /** The host's first waiting job, its next page read first when none is loaded. */
  private head(hq: HostQueue): Job | undefined {
    if (hq.jobs.length === 0) this.loader.page(hq);
    return hq.jobs[0];
  }

  private isDue(hq: HostQueue, now: number): boolean {
    const head = this.head(hq);
    return !!head && head.nextAt <= now;
  }

  /** Claims the host's first waiting job; undefined (and the job dropped) when its row was cancelled since it was loaded. */
  private claimHead(hq: HostQueue, now: number): Job | undefined {
    const job = hq.jobs[0]!;
    if (!this.rows.claim(job.id, now)) {
      this.queues.withdraw(hq, job);
      this.done(job);
      return undefined;
    }
    this.queues.take(hq);
    this.active++;
    return job;
  }

  private launch({ job, hq, probe }: Launch): void {
    const startedAt = this.now();
    let holdsGlobalSlot = true;
    let signing = true;
    this.signing++;
    const signed = () => {
      if (!signing) return;
      signing = false;
      this.signing--;
      if (this.idleWaiters.length > 0) this.requestPump();
    };
    // A straggler gives its global slot back, so slow hosts never hold up fast ones.
    const slow = setTimeout(() => {
      holdsGlobalSlot = false;
      this.active--;
      this.requestPump();
    }, this.d.config.slowAttemptMs);
    slow.unref?.();
    const p = this.sender.send(job, startedAt, {
      requesting: signed,
      // Keep the connection only while the host has more waiting.
      closeConnection: () => hq.waiting === 0 && hq.inFlight <= 1,
    })
      // send() classifies its own errors; should it still throw, the attempt failed.
      .catch((err: unknown) => classifyError(err))
      .then((outcome) => {
        clearTimeout(slow);
        signed();
        this.attempts.delete(p);
        const at = this.now();
        this.finished.push({ job, hq, outcome, latencyMs: at - startedAt, at, probe, holdsGlobalSlot });
        this.requestPump();
      });
    this.attempts.add(p);
  }

  /** Writes finished attempts and frees their slots (inside the pump's transaction). */
  private flush(): void {
    for (const f of this.finished.splice(0)) {
      this.queues.settle(f.hq);
      if (f.holdsGlobalSlot) this.active--;
      recordFinished(this.outcomes, f);
      this.schedule(f.hq);
    }
  }

  /** Drops waiting jobs whose rows were cancelled (Like then Undo: Outbox.cancelQueued): their hosts are counted and read again. */
  private dropCancelled(): void {
    if (this.cancelled.size === 0) return;
    for (const [activityId, count] of this.cancelled) {
      for (const host of this.rows.cancelledHosts(activityId)) {
        const hq = this.queues.get(host);
        if (!hq) continue;
        // Jobs in flight stay: their rows were not cancelled, and they will be sent.
        this.loader.reload(hq);
        this.schedule(hq);
      }
      this.d.metrics?.recordOutcome('cancelled', count);
      this.events.activityChanged(activityId);
    }
    this.cancelled.clear();
  }

  private resolveIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  // ---- host-wide changes ----

  private park(hq: HostQueue): void {
    this.queues.setParked(hq, true);
    this.rows.parkHost(hq.host, this.now());
  }

  /** Makes a host's parked (and, with `includeSkipped`, skipped) deliveries due now; host health has let it go. */
  private release(host: string, includeSkipped: boolean, at = this.now()): void {
    if (this.d.hostHealth.isParked(host)) return; // suspended
    this.rows.releaseHost(host, at);
    const known = this.queues.get(host);
    if (known) this.queues.setParked(known, false);
    const unskipped = includeSkipped ? this.rows.unskipHost(host, at) : 0;
    const origin = this.d.hostHealth.get(host)?.origin;
    const hq = known ?? (unskipped > 0 && origin ? this.queues.ensure(host, origin) : undefined);
    if (!hq) return;
    this.loader.reload(hq);
    this.schedule(hq);
  }

  /** The engine is done with a job (its row reached an end state, or was cancelled). */
  private done(job: Job): void {
    this.queues.forget(job);
  }

  // ---- timing ----

  /** Puts a host in the ready list, or sets a timer for when it will be; host health decides. */
  private schedule(hq: HostQueue): void {
    if (hq.waiting === 0 || this.stopped) return;
    const now = this.now();
    const decision = this.d.hostHealth.beforeSend(hq.host, { now, underWay: hq.inFlight });
    let at: number;
    if (decision.kind === 'hold') at = decision.until;
    else if (decision.kind === 'probe') at = now;
    else {
      if (hq.inFlight >= this.d.config.perHostConcurrency) return;
      at = this.head(hq)?.nextAt ?? Infinity;
    }
    if (at <= now) {
      this.queues.markReady(hq);
      this.requestPump();
    } else if (at !== Infinity) this.timers.wakeAt(hq, at);
  }

  /**
   * Makes the hosts whose time has come (retry due, backoff over, Retry-After passed)
   * ready, then re-arms the timer. The scheduler's timer calls it; tests that inject `now`
   * call it after moving their clock, since the timer runs on the real one.
   */
  tick(): void {
    if (this.stopped) return;
    for (const hq of this.timers.due()) this.schedule(hq);
    this.timers.arm();
  }
}
