// The data folder holds the identity: the private key in outpost.db, the followers that
// know it. So it is private to the user (folder 0700, database files 0600), and a folder
// that held an instance never silently becomes a new one: a missing or empty database
// beside Outpost's other files stops the start with the way back (restore a backup), and a
// brand-new identity there needs an explicit choice.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger';
import { openDatabase, type Db } from './database';
import { quickCheckProblem } from './storageHealth';

export const DATABASE_FILE = 'outpost.db';
const DATABASE_FILES = [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`];
/** Files only an Outpost that ran here leaves behind (Electron's own files in the same folder do not count). */
const INSTANCE_TRACES = [...DATABASE_FILES, 'admin-token', 'media', 'backups'];
const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

export class DataFolderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataFolderError';
  }
}

export interface DataFolderOptions {
  /** Start a new identity even though the folder shows an earlier instance (`--new-identity`). */
  allowNewIdentity?: boolean;
  log: Logger;
}

/**
 * Opens the instance database in `dataDir` after making the folder private and checking
 * that it is not about to replace an identity. Throws DataFolderError saying why and what
 * to do.
 */
export function openInstanceDatabase(dataDir: string, opts: DataFolderOptions): Db {
  prepareFolder(dataDir, opts.log);
  const file = join(dataDir, DATABASE_FILE);
  const size = existsSync(file) ? statSync(file).size : null;
  if (size === null || size === 0) {
    const traces = INSTANCE_TRACES.filter((name) => existsSync(join(dataDir, name)));
    if (traces.length > 0 && !opts.allowNewIdentity) {
      throw new DataFolderError(
        `${file} is ${size === 0 ? 'empty' : 'missing'}, but ${dataDir} holds an earlier Outpost (${traces.join(', ')}). ` +
        'Starting would create a new identity and lose its key, followers and follows. ' +
        'Restore outpost.db from a backup (stop Outpost, copy the backup to ' + file + ', start again), ' +
        'or, to start over as a new account, use an empty data folder or pass --new-identity.',
      );
    }
    if (traces.length > 0) opts.log.warn(`${file} is ${size === 0 ? 'empty' : 'missing'}; starting a new identity as asked (--new-identity)`);
    // Created private, so SQLite gives its -wal and -shm files the same mode.
    closeSync(openSync(file, 'a', PRIVATE_FILE));
  }
  const db = openChecked(file);
  for (const name of DATABASE_FILES) tighten(join(dataDir, name), PRIVATE_FILE, opts.log);
  return db;
}

const RESTORE = 'Stop Outpost, move outpost.db (and outpost.db-wal, outpost.db-shm) aside, copy outpost.db (and media/) ' +
  'from the newest folder in backups/ into the data folder, and start again (README, Backups).';

/** Opens the database and runs the quick integrity check; damage stops the start with the way back. */
function openChecked(file: string): Db {
  let db: Db;
  try {
    db = openDatabase(file);
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (!/^SQLITE_(NOTADB|CORRUPT)/.test(code)) throw err;
    throw new DataFolderError(`${file} is damaged (${(err as Error).message}). ${RESTORE}`);
  }
  const problem = quickCheckProblem(db);
  if (problem) {
    db.close();
    throw new DataFolderError(`${file} is damaged (${problem}). ${RESTORE}`);
  }
  return db;
}

/** Whether a database worth reading is there (a zero-length file is not). */
export function hasDatabase(dataDir: string): boolean {
  const file = join(dataDir, DATABASE_FILE);
  return existsSync(file) && statSync(file).size > 0;
}

function prepareFolder(dataDir: string, log: Logger): void {
  if (!existsSync(dataDir)) {
    mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR });
    return;
  }
  if (!statSync(dataDir).isDirectory()) throw new DataFolderError(`${dataDir} is not a folder`);
  tighten(dataDir, PRIVATE_DIR, log);
  // An empty folder the user made for us is fine; readdir also proves we can read it.
  readdirSync(dataDir);
}

/** Removes group/other permissions from an existing path, saying so once. No-op on Windows (ACLs). */
function tighten(path: string, mode: number, log: Logger): void {
  if (process.platform === 'win32' || !existsSync(path)) return;
  const current = statSync(path).mode & 0o777;
  if ((current & 0o077) === 0) return;
  chmodSync(path, mode);
  log.info(`${path} was readable by other users (mode ${current.toString(8)}); tightened to ${mode.toString(8)}`);
}
