// The order stored inbox activities are processed in: each sender's activities one at a
// time and in arrival order (a Create before its Update, a Follow before its Undo), up to
// `concurrency` senders at once, and every activity within a deadline. A sender whose
// object fetch crawls through redirects holds up only itself, and only until the deadline.
//
// Pending rows are read incrementally by rowid (insertion order), ids and sizes only: the
// bodies stay in SQLite until their turn, and the per-host counts feed the inbox's quota.
// What finishes in one event-loop turn is recorded in one transaction, and work is taken
// once per turn after it (a busy inbox pays one commit per turn, not one per activity).
// An activity's own writes may ride along: `run` may resolve with a write, applied in that
// transaction (in a savepoint of its own, so a write that fails undoes only itself) before
// its outcome, and before its sender's next activity starts.
import type { Db } from '../store/database';
import { hostOf } from '../federation/activityStreams';

export interface PendingItem {
  uri: string;
  actor: string;
  bytes: number;
}

interface Row { rowid: number; activity_uri: string; actor_uri: string; bytes: number }

/** An activity's store writes (synchronous), deferred to its turn's transaction; what it throws is recorded as the activity's error. */
export type PendingWrite = () => void;

export interface ProcessingQueueOptions {
  /** Senders processed at once. */
  concurrency: number;
  /** An activity still running after this is recorded as failed and its sender moves on. */
  deadlineMs: number;
  /** Processes one activity; a rejection is recorded as its error. A write it resolves with is applied with its outcome. */
  run: (item: PendingItem) => Promise<PendingWrite | void>;
  /** Records the outcome (error null on success), inside the transaction of its turn's outcomes. */
  done: (item: PendingItem, error: string | null) => void;
  /** Runs in the transaction of a turn's outcomes after all of them, outside their writes' savepoints. */
  afterWrites?: () => void;
  /** Nothing runs or waits any more (called after the last outcomes are recorded, before drain() resolves). */
  onIdle?: () => void;
  /** Recording the outcomes failed (a full disk): the items stay unprocessed in the store and are taken again at the next start. */
  onDoneFailed: (item: PendingItem, err: unknown) => void;
}

const LOAD_BATCH = 1000;

export class ProcessingQueue {
  private readonly bySender = new Map<string, PendingItem[]>();
  /** Senders with work waiting and none running, in the order their work arrived. */
  private readonly ready: string[] = [];
  private readonly running = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly pendingByHost = new Map<string, { items: number; bytes: number }>();
  private readonly waiters: (() => void)[] = [];
  private readonly load;
  /** Outcomes not recorded yet (the next turn records them together). */
  private readonly finished: { item: PendingItem; error: string | null; write?: PendingWrite }[] = [];
  private lastRowid = 0;
  /** Rows may have been stored past lastRowid (drain() was called since the last load). */
  private unread = true;
  private stopped = false;
  private pumpQueued = false;

  constructor(private readonly db: Db, private readonly o: ProcessingQueueOptions) {
    this.load = db.prepare<[number, number], Row>(`SELECT rowid, activity_uri, actor_uri, length(body) AS bytes FROM inbox_items
        WHERE rowid > ? AND processed_at IS NULL ORDER BY rowid LIMIT ?`);
  }

  /** Takes rows stored since the last call and starts what may start; resolves once nothing is pending or running. */
  drain(): Promise<void> {
    const idle = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.unread = true;
    // At once: the rows just stored count toward their host's quota before the next request is read.
    this.pump();
    return idle;
  }

  /** Activities of `host` stored and not yet processed (the inbox's per-host quota). */
  pending(host: string): { items: number; bytes: number } {
    return this.pendingByHost.get(host) ?? { items: 0, bytes: 0 };
  }

  /** Starts nothing more; waits for what runs (each bounded by the deadline). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
    this.record();
    this.settle();
  }

  /** One pump per event-loop turn, however many rows were stored or finished in it. */
  private requestPump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** Records the finished activities' outcomes, all in one transaction. */
  private record(): void {
    if (this.finished.length === 0) return;
    const batch = this.finished.splice(0);
    try {
      this.db.transaction(() => {
        for (const f of batch) this.o.done(f.item, f.write ? this.apply(f.write) : f.error);
        this.o.afterWrites?.();
      })();
    } catch (err) {
      for (const f of batch) this.o.onDoneFailed(f.item, err);
    }
  }

  /** Applies one activity's write in a savepoint; its error, or null. */
  private apply(write: PendingWrite): string | null {
    try {
      this.db.transaction(write)();
      return null;
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  }

  private pump(): void {
    this.record();
    if (this.stopped) return this.settle();
    // Only after drain() (new rows stored), and no second query when the first was not full:
    // a busy inbox pumps thousands of times a second, mostly for finished work.
    for (let more = this.unread; more;) {
      this.unread = false;
      const rows = this.load.all(this.lastRowid, LOAD_BATCH);
      for (const r of rows) this.enqueue({ uri: r.activity_uri, actor: r.actor_uri, bytes: r.bytes });
      if (rows.length > 0) this.lastRowid = rows[rows.length - 1]!.rowid;
      more = rows.length === LOAD_BATCH;
    }
    while (this.running.size < this.o.concurrency && this.ready.length > 0) this.start(this.ready.shift()!);
    this.settle();
  }

  private enqueue(item: PendingItem): void {
    let queue = this.bySender.get(item.actor);
    if (!queue) this.bySender.set(item.actor, (queue = []));
    queue.push(item);
    if (queue.length === 1 && !this.running.has(item.actor)) this.ready.push(item.actor);
    this.count(item, 1);
  }

  private start(sender: string): void {
    const item = this.bySender.get(sender)!.shift()!;
    this.running.add(sender);
    const p = this.withDeadline(item)
      .then((write) => ({ item, error: null, ...(write ? { write } : {}) }), (err: unknown) => ({ item, error: err instanceof Error ? err.message : String(err) }))
      .then((outcome) => void this.finished.push(outcome))
      .finally(() => {
        this.inFlight.delete(p);
        this.running.delete(sender);
        this.count(item, -1);
        const rest = this.bySender.get(sender)!;
        if (rest.length > 0) this.ready.push(sender);
        else this.bySender.delete(sender);
        this.requestPump();
      });
    this.inFlight.add(p);
  }

  private withDeadline(item: PendingItem): Promise<PendingWrite | void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not processed within ${this.o.deadlineMs / 1000} s; given up`)), this.o.deadlineMs);
    });
    return Promise.race([this.o.run(item), late]).finally(() => clearTimeout(timer));
  }

  private count(item: PendingItem, sign: 1 | -1): void {
    const host = hostOf(item.actor) ?? '';
    const c = this.pendingByHost.get(host) ?? { items: 0, bytes: 0 };
    c.items += sign;
    c.bytes += sign * item.bytes;
    if (c.items <= 0) this.pendingByHost.delete(host);
    else this.pendingByHost.set(host, c);
  }

  /** Resolves the drain() waiters when nothing is pending or running. */
  private settle(): void {
    if ((this.running.size > 0 || this.ready.length > 0) && !this.stopped) return;
    this.o.onIdle?.();
    for (const w of this.waiters.splice(0)) w();
  }
}
