// The store under stress: a damaged database stops the start with the way back (never a
// crash loop), a full disk refuses writes cleanly and says so, and backups restore the
// same identity, followers and notes.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHeadless, type RunningHeadless } from '../../src/main/headless';
import { Instance } from '../../src/main/core/instance';
import { DataFolderError } from '../../src/main/core/store/dataFolder';
import { Backups } from '../../src/main/core/store/backups';
import { silentLogger } from '../../src/main/core/logger';
import { eventually, freePort } from '../support/outpost';
import { startTunedOutpost } from '../support/tunedOutpost';
import { followAll, startInboxServers } from '../support/remote/inboxServer';
import { FakeRemote } from '../support/fakeRemote';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function folder(): string {
  const root = mkdtempSync(join(tmpdir(), 'outpost-storage-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return join(root, 'data');
}

async function headless(dataDir: string, host = '127.0.9.90'): Promise<RunningHeadless & { rpc: (m: string, p?: unknown) => Promise<{ status: number; body: any }> }> {
  const port = await freePort(host);
  const running = await startHeadless({ dataDir, port, adminPort: 0, publicUrl: `http://${host}:${port}`, username: 'owner', allowPrivateNetwork: true }, silentLogger);
  let stopped = false;
  const stop = async () => {
    if (!stopped) await running.stop();
    stopped = true;
  };
  cleanups.push(stop);
  const rpc = async (method: string, params: unknown = {}) => {
    const res = await fetch(`${running.adminUrl}/rpc/${method}`, {
      method: 'POST', headers: { authorization: `Bearer ${running.token}`, 'content-type': 'application/json' }, body: JSON.stringify(params),
    });
    return { status: res.status, body: await res.json() };
  };
  return { ...running, stop, rpc };
}

describe('a damaged database', () => {
  it('a file that is not a database stops the start with the restore path', () => {
    const dir = folder();
    new Instance({ dataDir: dir, publicUrl: 'http://127.0.9.91:1', port: 0, username: 'owner' }).db.close();
    writeFileSync(join(dir, 'outpost.db'), 'this is not an SQLite file, it was overwritten by something '.repeat(100));
    for (const f of ['outpost.db-wal', 'outpost.db-shm']) rmSync(join(dir, f), { force: true });
    expect(() => new Instance({ dataDir: dir, publicUrl: 'http://127.0.9.91:1', port: 0, username: 'owner' })).toThrow(DataFolderError);
    expect(() => new Instance({ dataDir: dir, publicUrl: 'http://127.0.9.91:1', port: 0, username: 'owner' })).toThrow(/damaged.*backups\//s);
  });

  it('pages scribbled over inside a valid file are found by the quick check at start', () => {
    const dir = folder();
    const inst = new Instance({ dataDir: dir, publicUrl: 'http://127.0.9.91:1', port: 0, username: 'owner' });
    const insert = inst.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    inst.db.transaction(() => { for (let i = 0; i < 2000; i++) insert.run(`filler-${i}`, 'x'.repeat(200)); })();
    inst.db.pragma('wal_checkpoint(TRUNCATE)');
    inst.db.close();
    const fd = openSync(join(dir, 'outpost.db'), 'r+');
    // The page headers (type, cell count, pointers) of a few b-tree pages.
    for (const page of [3, 5, 8, 13, 21]) writeSync(fd, Buffer.alloc(16, 0xa5), 0, 16, (page - 1) * 4096);
    closeSync(fd);
    expect(() => new Instance({ dataDir: dir, publicUrl: 'http://127.0.9.91:1', port: 0, username: 'owner' })).toThrow(/damaged/);
  });

  it('the headless CLI says so on stderr and exits 1, every time (no crash loop, no new identity)', () => {
    const dir = folder();
    new Instance({ dataDir: dir, publicUrl: 'http://127.0.9.91:1', port: 0, username: 'owner' }).db.close();
    writeFileSync(join(dir, 'outpost.db'), Buffer.alloc(8192, 0x42));
    for (let run = 0; run < 2; run++) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main/headless.ts', '--data-dir', dir, '--port', '18998', '--admin-port', '0'], {
        cwd: join(__dirname, '../..'), encoding: 'utf8', timeout: 30_000,
      });
      expect(r.status).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/outpost\.db is damaged/);
    }
  });

  it('the full check runs later, in a worker: a sound database passes, and the result says when', async () => {
    const inst = new Instance({ dataDir: folder(), publicUrl: 'http://127.0.9.91:1', port: 0, username: 'owner', storage: { integrityCheckDelayMs: 0 } });
    cleanups.push(() => inst.stop());
    await inst.start();
    const health = await eventually(() => inst.storage.dto.checkedAt !== null && inst.storage.dto, 10_000, 'integrity checked');
    expect(health).toMatchObject({ state: 'ok', message: null });
  });

  it('by default the full check waits: a start is never slowed by it', async () => {
    const o = await headless(folder());
    await new Promise((r) => setTimeout(r, 300));
    expect((await o.rpc('status')).body.storage).toMatchObject({ state: 'ok', checkedAt: null });
  });
});

describe('a full disk', () => {
  it('refuses writes with a clear error, stores nothing half, says so in status, and recovers by itself', async () => {
    const dir = folder();
    const o = await headless(dir);
    const remote = await new FakeRemote({ host: '127.0.9.92', kind: 'mastodon', vars: { LOCAL_ACTOR: o.instance.identity.actor } }).start();
    cleanups.push(() => remote.stop());
    const db = o.instance.db;
    const notesBefore = o.instance.notes.countBy(o.instance.identity.actor);
    const activitiesBefore = (db.prepare('SELECT count(*) AS n FROM activities').get() as { n: number }).n;
    // The database may not grow any more, and what room its pages had is taken: as if the disk were full.
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const fill = (i: number) => o.instance.notes.insert({
      id: `filler${i}`, uri: `${remote.origin}/filler/${i}`, authorUri: remote.actorId, local: false, contentHtml: 'z'.repeat(1200),
      summary: null, visibility: 'public', inReplyTo: null, url: null, to: [], cc: [], mentions: [], hashtags: [], publishedAt: i, updatedAt: null, attachments: [], emojis: [], sensitive: false,
    });
    expect(() => { for (let i = 0; i < 100_000; i++) fill(i); }).toThrow(/full/);

    // Long enough that no table's last page has room for it.
    const compose = await o.rpc('compose', { content: 'a post with nowhere to go '.repeat(18), summary: 's'.repeat(400) });
    expect(compose.status).toBe(507);
    expect(compose.body.error).toMatchObject({ code: 'storage_full' });
    expect(compose.body.error.message).toMatch(/^compose: the disk is full; nothing was changed/);
    expect(o.instance.notes.countBy(o.instance.identity.actor)).toBe(notesBefore);
    expect((db.prepare('SELECT count(*) AS n FROM activities').get() as { n: number }).n).toBe(activitiesBefore);
    expect((await o.rpc('status')).body.storage).toMatchObject({ state: 'full' });

    const inbox = `${o.instance.publicUrl}/inbox`;
    const big = { ...remote.fixture('follow'), id: `${remote.actorId}#follows/1`, padding: 'y'.repeat(60_000) };
    const refused = await remote.post(inbox, big);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('600');

    db.pragma('max_page_count = 1073741823');
    db.prepare("DELETE FROM notes WHERE id LIKE 'filler%'").run();
    expect((await remote.post(inbox, { ...big, id: `${remote.actorId}#follows/2` })).status).toBe(202);
    expect((await o.rpc('status')).body.storage.state).not.toBe('full');
    expect((await o.rpc('compose', { content: 'space again' })).status).toBe(200);
  });
});

describe('a full disk under the delivery engine', () => {
  it('a delivery turn that cannot be written does not crash the instance; delivery resumes when space is back', async () => {
    const o = await startTunedOutpost({ ip: '127.0.9.94', username: 'owner', delivery: { writeRetryMs: 200 } });
    cleanups.push(() => o.stop());
    const [server] = await startInboxServers('127.0.9.95', 1);
    cleanups.push(() => server!.stop());
    await followAll(o, [server!]);
    await eventually(async () => (await o.rpc('queueStats')).delivered === 1, 10_000, 'the Accept');

    // The follower's server takes its time: the post is queued or in flight when the disk fills up.
    server!.respond = () => ({ status: 202, delayMs: 2500 });
    const db = o.instance.db;
    await o.rpc('compose', { content: 'in flight while the disk fills' });
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    const fill = (i: number) => o.instance.notes.insert({
      id: `ballast${i}`, uri: `https://ballast.example/${i}`, authorUri: 'https://ballast.example/u', local: false, contentHtml: 'z'.repeat(1200),
      summary: null, visibility: 'public', inReplyTo: null, url: null, to: [], cc: [], mentions: [], hashtags: [], publishedAt: i, updatedAt: null, attachments: [], emojis: [], sensitive: false,
    });
    expect(() => { for (let i = 0; i < 100_000; i++) fill(i); }).toThrow(/full/);
    // The attempt log, where the outcome goes first, is full too.
    const attempt = db.prepare(`INSERT INTO delivery_attempts (delivery_id, host, at, status, error_class, error, latency_ms, counted, probe)
      VALUES (0, 'ballast.example', 0, 500, 'http_5xx', ?, 0, 0, 0)`);
    for (const size of [300, 60, 10, 0]) {
      expect(() => { for (let i = 0; i < 100_000; i++) attempt.run('e'.repeat(size)); }).toThrow(/full/);
    }
    server!.respond = () => ({ status: 202 });
    await eventually(async () => (await o.rpc('status')).storage.state === 'full', 10_000, 'the engine noticed the full disk');

    db.pragma('max_page_count = 1073741823');
    db.prepare("DELETE FROM notes WHERE id LIKE 'ballast%'").run();
    db.prepare("DELETE FROM delivery_attempts WHERE host = 'ballast.example'").run();
    const next = await o.rpc('compose', { content: 'after the space came back' });
    await eventually(() => server!.creates(next.noteId).length === 1, 10_000, 'the next post delivered');
    expect((await o.rpc('status')).storage.state).not.toBe('full');
  });
});

describe('backups', () => {
  it('exportBackup writes the database and media; restoring it brings back the same identity, followers and notes', async () => {
    const dir = folder();
    const o = await headless(dir);
    const remote = await new FakeRemote({ host: '127.0.9.93', kind: 'mastodon', vars: { LOCAL_ACTOR: o.instance.identity.actor } }).start();
    cleanups.push(() => remote.stop());
    expect((await remote.post(`${o.instance.publicUrl}/inbox`, remote.fixture('follow'))).status).toBe(202);
    await eventually(async () => (await o.rpc('followers')).body.length === 1, 10_000, 'a follower');
    const avatar = await o.rpc('uploadAvatar', { data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', mediaType: 'image/png' });
    expect(avatar.status).toBe(200);
    const { noteId } = (await o.rpc('compose', { content: 'before the disaster' })).body;
    const actor = o.instance.identity.actor;
    const key = o.instance.identity.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

    const backup = await o.rpc('exportBackup');
    expect(backup.status).toBe(200);
    expect(backup.body.path.startsWith(join(dir, 'backups'))).toBe(true);
    expect(readdirSync(backup.body.path).sort()).toEqual(['media', 'outpost.db']);
    expect((await o.rpc('status')).body.storage.lastBackup.path).toBe(backup.body.path);
    await o.rpc('compose', { content: 'after the backup: lost' });
    await o.stop();

    // Disaster: the database is gone. Restore as README says: copy the backup's files back.
    for (const f of ['outpost.db', 'outpost.db-wal', 'outpost.db-shm']) rmSync(join(dir, f), { force: true });
    rmSync(join(dir, 'media'), { recursive: true, force: true });
    cpSync(join(backup.body.path, 'outpost.db'), join(dir, 'outpost.db'));
    cpSync(join(backup.body.path, 'media'), join(dir, 'media'), { recursive: true });

    const again = await headless(dir, '127.0.9.90');
    expect(again.instance.identity.actor).toBe(actor);
    expect(again.instance.identity.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()).toBe(key);
    expect((await again.rpc('followers')).body.map((f: any) => f.actor.uri)).toEqual([remote.actorId]);
    const texts = (await again.rpc('timeline')).body.entries.map((e: any) => e.note.id);
    expect(texts).toEqual([noteId]);
    expect(existsSync(join(dir, 'media'))).toBe(true);
    expect((await again.rpc('settings')).body.avatarUrl).toMatch(/\/media\/avatar-/);
  });

  it('keeps the newest backups only', async () => {
    const dir = folder();
    const inst = new Instance({ dataDir: dir, publicUrl: 'http://127.0.9.91:1', port: 0, username: 'owner' });
    cleanups.push(() => void inst.db.close());
    let t = Date.UTC(2026, 0, 1);
    const backups = new Backups(inst.db, dir, { intervalMs: 86_400_000, firstDelayMs: 1, keep: 3 }, silentLogger, () => (t += 60_000));
    for (let i = 0; i < 5; i++) await backups.create();
    expect(backups.list().map((b) => b.path.split('/').pop())).toEqual(['20260101-000500', '20260101-000400', '20260101-000300']);
  });
});
