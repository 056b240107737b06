// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit
// that takes the WAL past 1000 pages, on the connection that committed: on the main thread,
// copying those pages into the database file and waiting for two fsyncs (storing notes from
// a busy inbox, that was a third of the main thread's wall time). With this, a worker thread
// with a connection of its own copies the WAL into the database with PASSIVE checkpoints,
// which never make the writer wait and never change what it reads (so they can neither
// block nor fail a transaction of the main connection), every walCheckpointIntervalMs (a
// tenth of it while it is behind). Only the writer can start the WAL over, and only when all
// of it is copied, which a writer that never pauses never lets the worker reach: once the
// WAL passes walMaxPages, the main connection checkpoints the little the worker has not
// copied yet itself, outside any transaction, and its next write starts the WAL over. If
// the worker cannot run or stops, the main connection checkpoints by itself again, as SQLite
// does by default.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Db } from './database';
import type { Logger } from '../logger';
import type { StorageConfig } from '../config';

/** SQLite's own default, restored when the worker is not there. */
const AUTOCHECKPOINT_PAGES = 1000;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('cache_size = -64'); // checkpoints copy from the WAL file, not through the page cache
let timer;
const step = () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  if (r.log >= workerData.maxPages) parentPort.postMessage(r.log);
  // Behind (frames were added while it copied): again soon, so what is left for the main thread stays small.
  timer = setTimeout(step, r.checkpointed < r.log ? workerData.intervalMs / 10 : workerData.intervalMs);
};
parentPort.on('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
parentPort.postMessage('ready');
step();`;

export class WalCheckpointer {
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    private readonly db: Db,
    private readonly file: string,
    private readonly config: Pick<StorageConfig, 'walCheckpointIntervalMs' | 'walMaxPages'>,
    private readonly log: Logger,
  ) {}

  /** Takes checkpoints over from the main connection (once the worker has its connection open). */
  start(): void {
    if (this.config.walCheckpointIntervalMs <= 0) return; // SQLite's own checkpoints, on the main connection
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER, {
      eval: true, workerData: { file: this.file, module, intervalMs: this.config.walCheckpointIntervalMs, maxPages: this.config.walMaxPages },
      // A few objects a second: the smallest heap V8 takes (each MiB counts against the backlog's 250 MB).
      resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 8 },
    });
    this.worker = worker;
    worker.on('message', (m: 'ready' | number) => {
      if (this.worker !== worker || this.stopping || !this.db.open) return;
      if (m === 'ready') this.db.pragma('wal_autocheckpoint = 0');
      // The WAL is past walMaxPages and the worker has copied most of it: the rest here (never
      // waiting: busy, it is tried at the next report), so that the next write starts it over.
      else if (!this.db.inTransaction) {
        try {
          this.db.pragma('wal_checkpoint(PASSIVE)');
        } catch (err) {
          this.log.warn(`WAL checkpoint: ${err instanceof Error ? err.message : String(err)}`); // tried again at the next report
        }
      }
    });
    worker.once('error', (err) => this.log.warn(`WAL checkpoints: the worker failed (${err.message}); the main connection checkpoints again`));
    this.exited = new Promise((resolve) => worker.once('exit', () => {
      if (this.worker === worker) this.worker = undefined;
      if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      resolve();
    }));
    worker.unref();
  }

  /** Whether the worker does the checkpoints now. */
  get running(): boolean {
    return this.worker !== undefined && this.db.pragma('wal_autocheckpoint', { simple: true }) === 0;
  }

  /** Closes the worker's connection and gives checkpoints back to the main connection (call before closing it). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.worker?.postMessage('stop');
    await this.exited;
  }
}
