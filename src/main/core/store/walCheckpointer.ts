// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit
// that takes the WAL past 1000 pages, on the connection that committed: on the main thread,
// copying those pages into the database file and waiting for two fsyncs (storing notes from
// a busy inbox, that was a third of the main thread's wall time). With this, the main
// connection never checkpoints: a worker thread with a connection of its own runs PASSIVE
// checkpoints, which never make the writer wait, every walCheckpointIntervalMs; only a WAL
// that outgrows walMaxPages all the same (a writer that never pauses) gets a TRUNCATE one,
// which waits for the writer's current transaction. If the worker cannot run or stops, the
// main connection checkpoints by itself again, as it did before.
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
db.pragma('busy_timeout = 5000');
let timer;
const step = () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  if (r.log > workerData.maxPages) db.pragma('wal_checkpoint(TRUNCATE)');
  timer = setTimeout(step, workerData.intervalMs);
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
    const module = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER, {
      eval: true, workerData: { file: this.file, module, intervalMs: this.config.walCheckpointIntervalMs, maxPages: this.config.walMaxPages },
    });
    this.worker = worker;
    worker.once('message', () => {
      if (this.worker === worker && !this.stopping) this.db.pragma('wal_autocheckpoint = 0');
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
