// Backups of the whole identity: the database (SQLite's online backup, page by page, so the
// event loop and writers carry on) and the media folder, into DATA/backups/<time>/. One is
// made on demand (`exportBackup`) and one a day on a schedule; the newest `keep` stay.
// Restoring is copying a backup's files back while Outpost is stopped (README, Backups).
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './database';
import type { Logger } from '../logger';
import type { BackupConfig } from '../config';
import { DATABASE_FILE } from './dataFolder';

export interface BackupInfo {
  /** The backup's folder. */
  path: string;
  at: number;
  /** Database and media together. */
  bytes: number;
}

export class BackupError extends Error {}

const STAMP = /^\d{8}-\d{6}(-\d+)?$/;
const PARTIAL = '.partial';

export class Backups {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<BackupInfo> | undefined;
  readonly dir: string;

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly config: BackupConfig,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.dir = join(dataDir, 'backups');
  }

  /** Makes a backup now (a second call while one runs shares it). */
  create(): Promise<BackupInfo> {
    this.running ??= this.make().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Backups on disk, newest first. */
  list(): BackupInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((name) => STAMP.test(name) && existsSync(join(this.dir, name, DATABASE_FILE)))
      .sort()
      .reverse()
      .map((name) => {
        const path = join(this.dir, name);
        return { path, at: statSync(join(path, DATABASE_FILE)).mtimeMs, bytes: sizeOf(path) };
      });
  }

  last(): BackupInfo | null {
    return this.list()[0] ?? null;
  }

  /** Backs up once a day: now if the last backup is older than that, then every interval. */
  start(): void {
    // Left by a backup that a crash cut short.
    if (existsSync(this.dir)) {
      for (const name of readdirSync(this.dir)) if (name.endsWith(PARTIAL)) rmSync(join(this.dir, name), { recursive: true, force: true });
    }
    const last = this.last();
    const due = last ? Math.max(0, last.at + this.config.intervalMs - this.now()) : this.config.firstDelayMs;
    const run = () => {
      this.create().catch((err) => this.log.error(`scheduled backup failed: ${err instanceof Error ? err.message : String(err)}`));
      this.timer = setTimeout(run, this.config.intervalMs);
      this.timer.unref();
    };
    this.timer = setTimeout(run, Math.max(due, this.config.firstDelayMs));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  private async make(): Promise<BackupInfo> {
    const at = this.now();
    let name = stamp(at);
    for (let n = 2; existsSync(join(this.dir, name)); n++) name = `${stamp(at)}-${n}`;
    const path = join(this.dir, name);
    // Written under a temporary name and renamed when complete: a backup cut short (a crash,
    // a full disk) never looks like a backup.
    const partial = `${path}${PARTIAL}`;
    mkdirSync(partial, { recursive: true, mode: 0o700 });
    try {
      await this.db.backup(join(partial, DATABASE_FILE));
      const media = join(this.dataDir, 'media');
      if (existsSync(media)) cpSync(media, join(partial, 'media'), { recursive: true });
      renameSync(partial, path);
    } catch (err) {
      rmSync(partial, { recursive: true, force: true });
      throw new BackupError(`could not write the backup to ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.prune();
    const info = { path, at, bytes: sizeOf(path) };
    this.log.info(`backup written to ${path} (${Math.round(info.bytes / 1024)} KiB)`);
    return info;
  }

  /** Keeps the newest `keep` backups. */
  private prune(): void {
    for (const old of this.list().slice(this.config.keep)) rmSync(old.path, { recursive: true, force: true });
  }
}

/** UTC yyyymmdd-hhmmss: sorts by time, safe in every file system. */
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}
