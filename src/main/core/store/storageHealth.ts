// Whether the store can be trusted and written: a quick check at every start (a damaged
// database stops the start with the restore path, never a crash loop), the full integrity
// check in a worker thread after it (the event loop, which is Electron's main process,
// never waits for it), and "the disk is full" noticed where a write fails, cleared once a
// write succeeds again.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Db } from './database';
import type { Logger } from '../logger';
import type { StorageHealthDto } from '../../../shared/dto';
import type { StorageConfig } from '../config';

/** The first problem PRAGMA quick_check reports, or null when the database is sound. */
export function quickCheckProblem(db: Db): string | null {
  const rows = db.pragma('quick_check(1)') as { quick_check: string }[];
  const first = rows[0]?.quick_check ?? 'no answer from quick_check';
  return first === 'ok' ? null : first;
}

/** Writes and removes 16 KiB: throws SQLITE_FULL while there is no room for it. */
export function probeWrite(db: Db): void {
  db.transaction(() => {
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run('storage_probe', 'x'.repeat(16 * 1024));
    db.prepare('DELETE FROM meta WHERE key = ?').run('storage_probe');
  })();
}

/** SQLite said the disk (or the database's size limit) is full. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const rows = db.pragma('integrity_check(10)');
  parentPort.postMessage({ problems: rows.map((r) => r.integrity_check).filter((p) => p !== 'ok') });
} catch (err) {
  parentPort.postMessage({ problems: ['integrity check could not run: ' + (err && err.message)] });
} finally {
  if (db) db.close();
}`;

/** Runs PRAGMA integrity_check on its own read-only connection in a worker thread. */
export function integrityCheckInWorker(file: string): Promise<string[]> {
  const module = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Promise((resolve) => {
    const worker = new Worker(WORKER, { eval: true, workerData: { file, module } });
    worker.once('message', (m: { problems: string[] }) => resolve(m.problems));
    worker.once('error', (err) => resolve([`integrity check could not run: ${err.message}`]));
    worker.once('exit', () => resolve(['integrity check stopped without an answer']));
  });
}

export class StorageHealth {
  private state: StorageHealthDto['state'] = 'ok';
  private message: string | null = null;
  private checkedAt: number | null = null;
  private listeners = new Set<() => void>();
  private probeTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;

  /**
   * `probe` writes (and removes) a few pages: while the disk is full it runs every
   * `probeMs`, so the state clears by itself once space is freed, even with nothing else
   * writing.
   */
  constructor(
    private readonly log: Logger,
    private readonly probe: () => void,
    private readonly config: StorageConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs the full check of `file` after integrityCheckDelayMs, then every integrityCheckIntervalMs. */
  scheduleChecks(file: string): void {
    const run = () => {
      void this.checkInBackground(file).finally(() => {
        this.checkTimer = setTimeout(run, this.config.integrityCheckIntervalMs);
        this.checkTimer.unref();
      });
    };
    this.checkTimer = setTimeout(run, this.config.integrityCheckDelayMs);
    this.checkTimer.unref();
  }

  get dto(): Omit<StorageHealthDto, 'lastBackup'> {
    return { state: this.state, message: this.message, checkedAt: this.checkedAt };
  }

  /** Starts the full check of `file` in the background; the verdict shows in `dto`. */
  async checkInBackground(file: string): Promise<void> {
    if (this.state === 'ok') this.set('checking', null);
    const problems = await integrityCheckInWorker(file);
    this.checkedAt = this.now();
    if (problems.length === 0) {
      if (this.state === 'checking') this.set('ok', null);
      return;
    }
    this.log.error(`database integrity check: ${problems.join('; ')}`);
    this.set('damaged', `The database reports damage (${problems[0]}). Export a backup now, then restore the last good one (see README, Backups).`);
  }

  /** A write failed: if for lack of space, say so (and keep saying it until a write succeeds). */
  noteWriteFailure(err: unknown): boolean {
    if (!isDiskFull(err)) return false;
    if (this.state !== 'full') {
      this.log.error('the disk is full: Outpost cannot store anything until space is freed');
      this.set('full', 'The disk is full: nothing new can be stored (posts, follows, incoming activities). Free some space; Outpost resumes by itself.');
      this.scheduleProbe();
    }
    return true;
  }

  stop(): void {
    clearTimeout(this.probeTimer);
    clearTimeout(this.checkTimer);
  }

  private scheduleProbe(): void {
    clearTimeout(this.probeTimer);
    this.probeTimer = setTimeout(() => {
      try {
        this.probe();
        this.noteWriteSuccess();
      } catch (err) {
        if (!isDiskFull(err)) this.log.error(`storage probe: ${err instanceof Error ? err.message : String(err)}`);
        this.scheduleProbe();
      }
    }, this.config.fullProbeMs);
    this.probeTimer.unref();
  }

  /** A write succeeded after the disk was full. */
  noteWriteSuccess(): void {
    if (this.state !== 'full') return;
    clearTimeout(this.probeTimer);
    this.log.info('storage: writes succeed again');
    this.set('ok', null);
  }

  get full(): boolean {
    return this.state === 'full';
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(state: StorageHealthDto['state'], message: string | null): void {
    this.state = state;
    this.message = message;
    for (const l of this.listeners) l();
  }
}
