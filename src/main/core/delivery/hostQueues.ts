// The delivery engine's in-memory index of its work, per host: how many deliveries wait,
// the first few of them (a page), attempts under way, and the ready list (hosts with due
// work, served round-robin; hostTimers.ts wakes the others). Rows are the truth; this only
// makes picking the next job cheap. The counts (waiting, parked, in flight) change here only.
//
// Memory is O(hosts with work), not O(queued rows): a host holds at most `pageSize` jobs,
// the first of its waiting rows in (nextAt, id) order; the rest stay in SQLite and are read
// a page at a time (rowLoader.ts) as these go out. While some are not loaded, `after` is the
// key every loaded job sorts at or before and every unloaded row after, so a page read is a
// range scan from there, and a row joining the host (new, or back from an attempt) is kept
// in memory only when it sorts before it.
export interface Job {
  id: number;
  activityId: string;
  inbox: string;
  host: string;
  attempts: number;
  nextAt: number;
  createdAt: number;
}

/** Where a job sorts among its host's waiting rows: (next_attempt_at, id). */
export interface Key {
  nextAt: number;
  id: number;
}

/** Sorts before every row: a host with nothing loaded yet. */
export const BEFORE_ALL: Key = { nextAt: Number.MIN_SAFE_INTEGER, id: 0 };

const before = (a: Key, b: Key): boolean => a.nextAt < b.nextAt || (a.nextAt === b.nextAt && a.id < b.id);
const keyOf = (j: Job): Key => ({ nextAt: j.nextAt, id: j.id });

export interface HostQueue {
  readonly host: string;
  /** scheme://host[:port] */
  readonly origin: string;
  /** The first waiting jobs, ordered by (nextAt, id). */
  readonly jobs: Job[];
  /** Waiting rows of the host, loaded or not (attempts under way excluded). */
  waiting: number;
  /** null: every waiting row is in `jobs`; else the key the unloaded ones all sort after. */
  after: Key | null;
  /** Attempts under way. */
  inFlight: number;
  /** Its waiting rows are in state 'parked' (host health holds them back). */
  parked: boolean;
  inReady: boolean;
  /** When hostTimers.ts wakes it (Infinity: not set). */
  timerAt: number;
  /** The inbox of its last job read (jobs share this string while it stays the same). */
  inbox: string;
}

export class HostQueues {
  private readonly hosts = new Map<string, HostQueue>();
  /** Jobs in memory (loaded or in flight), by activity. */
  private readonly byActivity = new Map<string, Set<Job>>();
  private readonly ready: HostQueue[] = [];
  private counts = { waiting: 0, parked: 0, inFlight: 0 };

  /**
   * @param pageSize jobs held per host at most (DeliveryConfig.hostPageSize)
   * @param released told when memory holds no more jobs of an activity
   */
  constructor(private readonly pageSize: () => number, private readonly released: (activityId: string) => void = () => {}) {}

  get(host: string): HostQueue | undefined {
    return this.hosts.get(host);
  }

  /** The host's queue, created empty on first use. */
  ensure(host: string, origin: string): HostQueue {
    let hq = this.hosts.get(host);
    if (!hq) {
      hq = { host, origin, jobs: [], waiting: 0, after: null, inFlight: 0, parked: false, inReady: false, timerAt: Infinity, inbox: '' };
      this.hosts.set(host, hq);
    }
    return hq;
  }

  /** Hosts with deliveries waiting (loaded or not). */
  *withWork(): Iterable<HostQueue> {
    for (const hq of this.hosts.values()) if (hq.waiting > 0) yield hq;
  }

  /** Waiting deliveries (parked ones included, loaded or not). */
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

  /** A row joins the host's waiting ones (new, or back from an attempt): kept in memory if it sorts among the loaded ones. */
  add(hq: HostQueue, job: Job): void {
    this.count(hq, 1);
    this.place(hq, job);
  }

  /** Rows of the host read from the table (a page, all sorting after the loaded ones); `complete`: there are no more. */
  pageIn(hq: HostQueue, jobs: Job[], complete: boolean): void {
    for (const job of jobs) {
      hq.jobs.push(job);
      this.track(job);
    }
    if (complete) {
      hq.after = null;
      // What the table says wins: a count that drifted (a row changed behind the engine's back) heals here.
      if (hq.waiting !== hq.jobs.length) this.count(hq, hq.jobs.length - hq.waiting);
    } else if (hq.jobs.length > 0) hq.after = keyOf(hq.jobs[hq.jobs.length - 1]!);
  }

  /** How many more jobs the host's page takes, when rows of it wait unloaded (0: none to read). */
  room(hq: HostQueue): number {
    return hq.after === null ? 0 : Math.max(0, this.pageSize() - hq.jobs.length);
  }

  /** The host's first waiting job goes in flight. */
  take(hq: HostQueue): Job {
    const job = hq.jobs.shift()!;
    this.count(hq, -1);
    hq.inFlight++;
    this.counts.inFlight++;
    return job;
  }

  /** An attempt to the host ended (its job is added back or forgotten separately). */
  settle(hq: HostQueue): void {
    hq.inFlight--;
    this.counts.inFlight--;
  }

  /** Takes a loaded waiting job out of the queue; false when it is not waiting (in flight). */
  withdraw(hq: HostQueue, job: Job): boolean {
    const i = hq.jobs.indexOf(job);
    if (i < 0) return false;
    hq.jobs.splice(i, 1);
    this.count(hq, -1);
    return true;
  }

  /** `n` waiting rows of the host that were not loaded left the queue (failed, skipped). */
  dropUnloaded(hq: HostQueue, n: number): void {
    this.count(hq, -n);
  }

  /** The engine is done with a job. */
  forget(job: Job): void {
    this.untrack(job);
  }

  /**
   * Forgets the loaded jobs and sets the host's count to `waiting`: its rows changed in the
   * table (released, unskipped, cancelled), so its first page is read again.
   */
  reset(hq: HostQueue, waiting: number): void {
    for (const job of hq.jobs.splice(0)) this.untrack(job);
    this.count(hq, waiting - hq.waiting);
    hq.after = waiting > 0 ? BEFORE_ALL : null;
  }

  /** The activity id string the activity's jobs in memory already use, else `id` itself (one copy per activity, not per job). */
  activityId(id: string): string {
    const jobs = this.byActivity.get(id);
    if (jobs) for (const job of jobs) return job.activityId;
    return id;
  }

  /** The known jobs of an activity (loaded or in flight). */
  jobsOf(activityId: string): Iterable<Job> {
    return this.byActivity.get(activityId) ?? [];
  }

  setParked(hq: HostQueue, parked: boolean): void {
    if (hq.parked === parked) return;
    hq.parked = parked;
    this.counts.parked += parked ? hq.waiting : -hq.waiting;
  }

  /** Whether the host's first loaded job is due. */
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

  nextReady(): HostQueue | undefined {
    const hq = this.ready.shift();
    if (hq) hq.inReady = false;
    return hq;
  }

  // ---- inside ----

  /** Keeps the job in memory if it sorts before the unloaded rows, then trims the page to its size. */
  private place(hq: HostQueue, job: Job): void {
    if (hq.after !== null && !before(keyOf(job), hq.after)) {
      this.untrack(job);
      return;
    }
    let lo = 0;
    let hi = hq.jobs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(keyOf(hq.jobs[mid]!), keyOf(job))) lo = mid + 1;
      else hi = mid;
    }
    hq.jobs.splice(lo, 0, job);
    this.track(job);
    const size = Math.max(1, this.pageSize());
    if (hq.jobs.length <= size) return;
    for (const evicted of hq.jobs.splice(size)) this.untrack(evicted);
    hq.after = keyOf(hq.jobs[hq.jobs.length - 1]!);
  }

  private count(hq: HostQueue, n: number): void {
    hq.waiting += n;
    this.counts.waiting += n;
    if (hq.parked) this.counts.parked += n;
  }

  private track(job: Job): void {
    let set = this.byActivity.get(job.activityId);
    if (!set) this.byActivity.set(job.activityId, (set = new Set()));
    set.add(job);
  }

  private untrack(job: Job): void {
    const set = this.byActivity.get(job.activityId);
    if (!set?.delete(job) || set.size > 0) return;
    this.byActivity.delete(job.activityId);
    this.released(job.activityId);
  }
}
