// The delivery engine's in-memory index of its work, per host: waiting jobs ordered by
// when they are due, attempts under way, and the ready list (hosts with due work, served
// round-robin; hostTimers.ts wakes the others). Rows are the truth; this only makes
// picking the next job cheap. The counts (waiting, parked, in flight) change here only.
//
// Every waiting row is held in memory (O(deliveries)); paging jobs per host from SQLite
// instead would change this file and the engine's loader, not the rest.
export interface Job {
  id: number;
  activityId: string;
  inbox: string;
  host: string;
  attempts: number;
  nextAt: number;
  createdAt: number;
}

export interface HostQueue {
  readonly host: string;
  /** scheme://host[:port] */
  readonly origin: string;
  /** Waiting jobs, ordered by nextAt. */
  readonly jobs: Job[];
  /** Attempts under way. */
  inFlight: number;
  /** Its waiting rows are in state 'parked' (host health holds them back). */
  parked: boolean;
  inReady: boolean;
  /** When hostTimers.ts wakes it (Infinity: not set). */
  timerAt: number;
}

export class HostQueues {
  private readonly hosts = new Map<string, HostQueue>();
  /** Jobs known to the engine (waiting or in flight), by row id and by activity. */
  private readonly known = new Set<number>();
  private readonly byActivity = new Map<string, Set<Job>>();
  private readonly ready: HostQueue[] = [];
  private counts = { waiting: 0, parked: 0, inFlight: 0 };

  get(host: string): HostQueue | undefined {
    return this.hosts.get(host);
  }

  /** The host's queue, created empty on first use. */
  ensure(host: string, origin: string): HostQueue {
    let hq = this.hosts.get(host);
    if (!hq) {
      hq = { host, origin, jobs: [], inFlight: 0, parked: false, inReady: false, timerAt: Infinity };
      this.hosts.set(host, hq);
    }
    return hq;
  }

  /** Waiting jobs (parked ones included), parked ones, attempts under way. */
  get waiting(): number {
    return this.counts.waiting;
  }

  get inFlight(): number {
    return this.counts.inFlight;
  }

  /** Queue depth for gauges: queued (not parked), in flight, parked. */
  gauges(): { queued: number; inFlight: number; parked: number } {
    return { queued: this.counts.waiting - this.counts.parked, inFlight: this.counts.inFlight, parked: this.counts.parked };
  }

  // ---- jobs ----

  has(id: number): boolean {
    return this.known.has(id);
  }

  /** A job the engine takes on (a row it loaded). */
  admit(hq: HostQueue, job: Job): void {
    this.known.add(job.id);
    let set = this.byActivity.get(job.activityId);
    if (!set) this.byActivity.set(job.activityId, (set = new Set()));
    set.add(job);
    this.requeue(hq, job, job.nextAt, true);
  }

  /** The known jobs of an activity (waiting or in flight). */
  jobsOf(activityId: string): Iterable<Job> {
    return this.byActivity.get(activityId) ?? [];
  }

  /** Puts a job back among the host's waiting ones, ordered by nextAt (the earlier of both unless `keepLater`). */
  requeue(hq: HostQueue, job: Job, nextAt: number, keepLater: boolean): void {
    job.nextAt = keepLater ? nextAt : Math.min(job.nextAt, nextAt);
    let lo = 0;
    let hi = hq.jobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (hq.jobs[mid]!.nextAt <= job.nextAt) lo = mid + 1;
      else hi = mid;
    }
    hq.jobs.splice(lo, 0, job);
    this.counts.waiting++;
    if (hq.parked) this.counts.parked++;
  }

  /** The host's first waiting job goes in flight. */
  take(hq: HostQueue): Job {
    const job = hq.jobs.shift()!;
    this.counts.waiting--;
    if (hq.parked) this.counts.parked--;
    hq.inFlight++;
    this.counts.inFlight++;
    return job;
  }

  /** An attempt to the host ended (its job is requeued or forgotten separately). */
  settle(hq: HostQueue): void {
    hq.inFlight--;
    this.counts.inFlight--;
  }

  /** Takes a waiting job out of the queue; false when it is not waiting (in flight). */
  withdraw(hq: HostQueue, job: Job): boolean {
    const i = hq.jobs.indexOf(job);
    if (i < 0) return false;
    hq.jobs.splice(i, 1);
    this.counts.waiting--;
    if (hq.parked) this.counts.parked--;
    return true;
  }

  /** The engine is done with a job; true when it was its activity's last one. */
  forget(job: Job): boolean {
    this.known.delete(job.id);
    const set = this.byActivity.get(job.activityId);
    set?.delete(job);
    if (set && set.size > 0) return false;
    this.byActivity.delete(job.activityId);
    return true;
  }

  setParked(hq: HostQueue, parked: boolean): void {
    if (hq.parked === parked) return;
    hq.parked = parked;
    this.counts.parked += parked ? hq.jobs.length : -hq.jobs.length;
  }

  /** Makes every waiting job of the host due by `at`. */
  dueBy(hq: HostQueue, at: number): void {
    for (const j of hq.jobs) j.nextAt = Math.min(j.nextAt, at);
  }

  /** Whether the host's first waiting job is due. */
  isDue(hq: HostQueue, now: number): boolean {
    const head = hq.jobs[0];
    return !!head && head.nextAt <= now;
  }

  // ---- ready hosts ----

  get readyCount(): number {
    return this.ready.length;
  }

  /** Adds the host to the end of the ready list (once). */
  markReady(hq: HostQueue): void {
    if (hq.inReady) return;
    hq.inReady = true;
    this.ready.push(hq);
  }

  /** Puts the host first in the ready list: it was cut short by the global cap. */
  markReadyFirst(hq: HostQueue): void {
    hq.inReady = true;
    this.ready.unshift(hq);
  }

  nextReady(): HostQueue | undefined {
    const hq = this.ready.shift();
    if (hq) hq.inReady = false;
    return hq;
  }
}
