// WAL checkpoints run in a worker thread: the main connection never checkpoints while it
// runs, yet the WAL is copied into the database and reused rather than growing, also under
// a writer that never pauses; without the worker the main connection checkpoints again, as
// SQLite does by default.
import { afterEach, describe, expect, it } from 'vitest';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../../src/main/core/store/database';
import { WalCheckpointer } from '../../../../src/main/core/store/walCheckpointer';
import { silentLogger } from '../../../../src/main/core/logger';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(walMaxPages = 100_000, walCheckpointIntervalMs = 10) {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-wal-'));
  dirs.push(dir);
  const file = join(dir, 'outpost.db');
  const db = openDatabase(file);
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, blob TEXT NOT NULL)');
  const insert = db.prepare<[string]>('INSERT INTO filler (blob) VALUES (?)');
  /** Writes about `pages` pages, one transaction per 10. */
  const write = (pages: number) => {
    for (let i = 0; i < pages; i += 10) db.transaction(() => { for (let k = 0; k < 10; k++) insert.run('x'.repeat(3000)); })();
  };
  const walBytes = () => statSync(`${file}-wal`).size;
  /** The WAL header's checkpoint sequence number: it changes each time a write starts the WAL over. */
  const walGeneration = () => {
    const fd = openSync(`${file}-wal`, 'r');
    try {
      const header = Buffer.alloc(16);
      readSync(fd, header, 0, 16, 0);
      return header.readUInt32BE(12);
    } finally {
      closeSync(fd);
    }
  };
  const checkpointer = new WalCheckpointer(db, file, { walCheckpointIntervalMs, walMaxPages }, silentLogger);
  return { db, file, write, walBytes, walGeneration, checkpointer };
}

async function until(what: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(what()).toBe(true);
}

const autocheckpoint = (db: Db) => db.pragma('wal_autocheckpoint', { simple: true });

describe('WAL checkpoints in a worker', () => {
  it('the main connection stops checkpointing; the WAL is checkpointed behind it and reused, not grown', async () => {
    const s = setup();
    s.checkpointer.start();
    await until(() => s.checkpointer.running);
    expect(autocheckpoint(s.db)).toBe(0);
    s.write(1500); // past SQLite's own 1000-page threshold, so the main connection would have checkpointed
    const afterFirst = s.walBytes();
    expect(afterFirst).toBeGreaterThan(1000 * 4096);
    // Once the worker has copied it all, the next write starts the WAL over (without that it would hold both).
    const generation = s.walGeneration();
    let polled = 0;
    await until(() => {
      s.write(10);
      polled += 10;
      return s.walGeneration() !== generation;
    });
    s.write(1500);
    expect(s.walBytes()).toBeLessThan(afterFirst * 1.5);
    expect(s.db.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 3000 + polled });
    await s.checkpointer.stop();
    s.db.close();
  });

  it('a writer that never pauses: past walMaxPages the WAL starts over all the same, and no transaction waits or fails', async () => {
    const s = setup(200, 40);
    s.checkpointer.start();
    await until(() => s.checkpointer.running);
    const read = s.db.prepare('SELECT count(*) AS n FROM filler');
    const touch = s.db.prepare('UPDATE filler SET blob = blob WHERE id = (SELECT max(id) FROM filler)');
    let largest = 0;
    for (let i = 0; i < 300; i++) {
      s.write(10);
      // A transaction that reads and then writes (it would fail if a checkpoint reset the WAL under it).
      s.db.transaction(() => {
        read.get();
        touch.run();
      })();
      largest = Math.max(largest, s.walBytes());
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(s.db.prepare('SELECT count(*) AS n FROM filler').get()).toEqual({ n: 3000 });
    // 3300 pages written; without starting over the WAL would hold them all.
    expect(largest).toBeLessThan(1000 * 4096);
    await s.checkpointer.stop();
    s.db.close();
  });

  it('stopped, failed or turned off (interval 0), it leaves checkpoints to the main connection', async () => {
    const s = setup();
    s.checkpointer.start();
    await until(() => s.checkpointer.running);
    await s.checkpointer.stop();
    expect(s.checkpointer.running).toBe(false);
    expect(autocheckpoint(s.db)).toBe(1000);

    const off = new WalCheckpointer(s.db, s.file, { walCheckpointIntervalMs: 0, walMaxPages: 100 }, silentLogger);
    off.start();
    expect(off.running).toBe(false);
    expect(autocheckpoint(s.db)).toBe(1000);
    await off.stop();

    const broken = new WalCheckpointer(s.db, join(dirs[0]!, 'missing.db'), { walCheckpointIntervalMs: 10, walMaxPages: 100 }, silentLogger);
    broken.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(broken.running).toBe(false);
    expect(autocheckpoint(s.db)).toBe(1000);
    await broken.stop();
    s.db.close();
  });
});
