// kill -9 at random points of compose, inbox processing, start-up (migrations) and backup.
// After each restart the store passes its integrity check and everything Outpost
// acknowledged is still there: every composed note with its activity and delivery rows,
// every activity answered 202. (Fan-out crashes are in test/integration/deliveryCrash.)
// Kill times come from a seeded generator: a failure names its seed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeRemote } from '../support/fakeRemote';
import { eventually, freePort } from '../support/outpost';

const ROOT = join(__dirname, '..', '..');
const TOKEN = 'crash-suite-token';
const HOST = '127.0.9.100';
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);

/** A small seeded generator (mulberry32), so a failing run can be repeated. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(SEED);
const between = (lo: number, hi: number) => Math.round(lo + rand() * (hi - lo));

interface Running {
  child: ChildProcess;
  adminUrl: string;
  publicUrl: string;
  rpc(method: string, params?: unknown): Promise<{ status: number; body: any }>;
  kill(): Promise<void>;
  stop(): Promise<void>;
}

let dataDir = '';
let port = 0;
/** Every process launched, so a failing test leaves none behind. */
const launched = new Set<ChildProcess>();

function launch(opts: { waitReady?: boolean } = {}): Promise<Running> & { child: ChildProcess } {
  // One process (node with tsx's loader), not the tsx wrapper: SIGKILL must hit the server itself.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/headless.ts', '--data-dir', dataDir, '--port', String(port), '--admin-port', '0',
    '--public-url', `http://${HOST}:${port}`, '--allow-private-network'], {
    cwd: ROOT, env: { ...process.env, OUTPOST_ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  launched.add(child);
  child.once('exit', () => launched.delete(child));
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const kill = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  const ready = (async (): Promise<Running> => {
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('\n')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ready line (seed ${SEED}): ${stderr.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    const line = JSON.parse(stdout.split('\n')[0]!) as { adminUrl: string; publicUrl: string };
    const rpc = async (method: string, params: unknown = {}) => {
      const res = await fetch(`${line.adminUrl}/rpc/${method}`, {
        method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(params),
      });
      return { status: res.status, body: await res.json() };
    };
    return {
      child, ...line, rpc, kill,
      async stop() {
        child.kill('SIGTERM');
        await exited;
      },
    };
  })();
  if (opts.waitReady === false) ready.catch(() => undefined);
  return Object.assign(ready, { child });
}

/** The store as it is on disk after a crash: integrity and the rows we ask about. */
function onDisk<T>(read: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'outpost.db'), { fileMustExist: true });
  try {
    expect(db.pragma('integrity_check', { simple: true }), `seed ${SEED}`).toBe('ok');
    return read(db);
  } finally {
    db.close();
  }
}

let remote: FakeRemote;

beforeAll(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'outpost-crash-')), 'data');
  port = await freePort(HOST);
  remote = await new FakeRemote({ host: '127.0.9.101', kind: 'mastodon', vars: { LOCAL_ACTOR: `http://${HOST}:${port}/users/me` } }).start();
  // A follower, so every post queues a delivery row.
  const o = await launch();
  expect((await remote.post(`${o.publicUrl}/inbox`, remote.fixture('follow'))).status).toBe(202);
  await eventually(async () => (await o.rpc('followers')).body.length === 1, 10_000, 'the follower');
  await o.stop();
}, 60_000);

afterAll(async () => {
  for (const child of launched) child.kill('SIGKILL');
  await remote?.stop();
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

describe(`kill -9 at random points (seed ${SEED})`, () => {
  it('while composing: every acknowledged post is there with its activity and delivery row', async () => {
    const acknowledged: { noteId: string; activityId: string }[] = [];
    for (let round = 0; round < 2; round++) {
      const o = await launch();
      const killAt = Date.now() + between(50, 400);
      const writer = (async () => {
        for (let i = 0; Date.now() < killAt + 1000; i++) {
          const r = await o.rpc('compose', { content: `crash round ${round} post ${i}` }).catch(() => undefined);
          if (r?.status === 200) acknowledged.push(r.body);
        }
      })();
      await new Promise((r) => setTimeout(r, killAt - Date.now()));
      await o.kill();
      await writer;
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    const missing = onDisk((db) => acknowledged.filter(({ noteId, activityId }) =>
      !db.prepare('SELECT 1 FROM notes WHERE id = ?').get(noteId)
      || !db.prepare('SELECT 1 FROM activities WHERE id = ?').get(activityId)
      || !db.prepare('SELECT 1 FROM deliveries WHERE activity_id = ?').get(activityId)));
    expect(missing, `seed ${SEED}`).toEqual([]);
  });

  it('while receiving: every activity answered 202 is stored', async () => {
    const accepted: string[] = [];
    const o = await launch();
    const { noteId } = (await o.rpc('compose', { content: 'like me' })).body;
    // The kill comes at a random point after the first 202 (on a loaded machine the first
    // one, which waits for the sender's key, can take longer than the random delay itself).
    let killAt = Number.POSITIVE_INFINITY;
    const firstBy = Date.now() + 15_000;
    const senders = Array.from({ length: 4 }, async (_, s) => {
      for (let i = 0; Date.now() < Math.min(killAt, firstBy) + 500; i++) {
        const like = { ...remote.fixture('like'), id: `${remote.actorId}#likes/${s}-${i}-${SEED}`, object: `${o.publicUrl}/notes/${noteId}` };
        const res = await remote.post(`${o.publicUrl}/inbox`, like).catch(() => undefined);
        if (res?.status === 202) accepted.push(like.id);
      }
    });
    while (accepted.length === 0 && Date.now() < firstBy) await new Promise((r) => setTimeout(r, 5));
    killAt = Date.now() + between(50, 400);
    await new Promise((r) => setTimeout(r, killAt - Date.now()));
    await o.kill();
    await Promise.all(senders);
    expect(accepted.length).toBeGreaterThan(0);
    const missing = onDisk((db) => accepted.filter((id) => !db.prepare('SELECT 1 FROM inbox_items WHERE activity_uri = ?').get(id)));
    expect(missing, `seed ${SEED}`).toEqual([]);
    // Processing picks up what was stored but not processed.
    const again = await launch();
    await eventually(async () => (await again.rpc('notifications')).body.notifications.some((n: any) => n.type === 'like'), 10_000, 'the likes');
    await again.stop();
  });

  it('while starting (migrations, integrity check): the next start is sound', async () => {
    for (let i = 0; i < 3; i++) {
      const starting = launch({ waitReady: false });
      await new Promise((r) => setTimeout(r, between(20, 900)));
      starting.child.kill('SIGKILL');
      await new Promise((r) => starting.child.once('exit', r));
    }
    const o = await launch();
    expect((await o.rpc('status')).status).toBe(200);
    await o.stop();
    onDisk((db) => expect(db.pragma('user_version', { simple: true })).toBeGreaterThan(0));
  });

  it('while backing up: no half backup is left looking like one, and the next backup works', async () => {
    // About 30 MB, so the backup is still being written when the kill comes.
    onDisk((db) => {
      const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      db.transaction(() => { for (let i = 0; i < 20_000; i++) insert.run(`ballast-${i}`, 'b'.repeat(1500)); })();
    });
    const o = await launch();
    const done = o.rpc('exportBackup').catch(() => undefined);
    // Once the backup has begun writing, at a random moment of it.
    await eventually(() => existsSync(join(dataDir, 'backups')) && readdirSync(join(dataDir, 'backups')).length > 0, 5000, 'the backup to begin');
    await new Promise((r) => setTimeout(r, between(0, 30)));
    await o.kill();
    await done;
    const again = await launch();
    // Whatever looks like a backup is a whole one; the cut-short one was cleared away.
    const listed = readdirSync(join(dataDir, 'backups'));
    expect(listed.filter((n) => !/^\d{8}-\d{6}(-\d+)?$/.test(n)), `seed ${SEED}`).toEqual([]);
    for (const name of listed) {
      const copy = new Database(join(dataDir, 'backups', name, 'outpost.db'), { readonly: true, fileMustExist: true });
      expect(copy.pragma('integrity_check', { simple: true }), `${name}, seed ${SEED}`).toBe('ok');
      expect(copy.prepare("SELECT count(*) AS n FROM meta WHERE key LIKE 'ballast-%'").get()).toEqual({ n: 20_000 });
      copy.close();
    }
    const made = await again.rpc('exportBackup');
    expect(made.status).toBe(200);
    expect(readdirSync(made.body.path).sort()).toEqual(['outpost.db']);
    await again.stop();
  });
});
