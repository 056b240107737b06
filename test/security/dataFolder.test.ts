// The data folder holds the private key: it is private to the user, and a folder that held
// an instance never silently becomes a new identity.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Instance } from '../../src/main/core/instance';
import { DataFolderError } from '../../src/main/core/store/dataFolder';
import type { Logger } from '../../src/main/core/logger';

const roots: string[] = [];
const lines: string[] = [];
const log: Logger = { info: (m) => lines.push(m), warn: (m) => lines.push(m), error: (m) => lines.push(m) };

function folder(): string {
  const root = mkdtempSync(join(tmpdir(), 'outpost-folder-'));
  roots.push(root);
  return join(root, 'data');
}

function open(dataDir: string, extra: { allowNewIdentity?: boolean } = {}): Instance {
  return new Instance({ dataDir, publicUrl: 'http://127.0.9.20:8080', port: 0, username: 'owner', log, ...extra });
}

const mode = (path: string) => statSync(path).mode & 0o777;

afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
  lines.length = 0;
});

describe.skipIf(process.platform === 'win32')('data folder permissions', () => {
  it('a new data folder is 0700 and its database files 0600', () => {
    const dir = folder();
    const inst = open(dir);
    inst.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('touch', 'x'); // make sure -wal exists
    expect(mode(dir)).toBe(0o700);
    for (const f of ['outpost.db', 'outpost.db-wal', 'outpost.db-shm']) expect(mode(join(dir, f)), f).toBe(0o600);
    inst.db.close();
    expect(lines.filter((l) => l.includes('tightened'))).toEqual([]);
  });

  it('an existing folder readable by others is tightened at start, with a log line', () => {
    const dir = folder();
    open(dir).db.close();
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'outpost.db'), 0o644);
    const inst = open(dir);
    inst.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('touch', 'x');
    expect(mode(dir)).toBe(0o700);
    for (const f of ['outpost.db', 'outpost.db-wal', 'outpost.db-shm']) expect(mode(join(dir, f)), f).toBe(0o600);
    const said = lines.filter((l) => l.includes('tightened'));
    expect(said.some((l) => l.startsWith(`${dir} was readable by other users (mode 755)`))).toBe(true);
    expect(said.some((l) => l.startsWith(`${join(dir, 'outpost.db')} was readable by other users (mode 644)`))).toBe(true);
    inst.db.close();
  });
});

describe('no silent new identity', () => {
  function existingInstance(): { dir: string; actor: string; key: string } {
    const dir = folder();
    const inst = open(dir);
    const key = inst.identity.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    inst.db.close();
    writeFileSync(join(dir, 'admin-token'), 'token\n', { mode: 0o600 });
    return { dir, actor: inst.identity.actor, key };
  }

  it('a zero-length database beside an earlier instance stops the start with the restore path, and creates nothing', () => {
    const { dir } = existingInstance();
    truncateSync(join(dir, 'outpost.db'), 0);
    for (const f of ['outpost.db-wal', 'outpost.db-shm']) rmSync(join(dir, f), { force: true });
    expect(() => open(dir)).toThrow(DataFolderError);
    expect(() => open(dir)).toThrow(/empty.*Restore outpost\.db from a backup.*--new-identity/s);
    expect(statSync(join(dir, 'outpost.db')).size).toBe(0);
  });

  it('a missing database beside an earlier instance stops the start too', () => {
    const { dir } = existingInstance();
    for (const f of ['outpost.db', 'outpost.db-wal', 'outpost.db-shm']) rmSync(join(dir, f), { force: true });
    expect(() => open(dir)).toThrow(/outpost\.db is missing.*admin-token/s);
    expect(() => statSync(join(dir, 'outpost.db'))).toThrow();
  });

  it('--new-identity starts over on purpose, with a warning', () => {
    const { dir, key } = existingInstance();
    unlinkSync(join(dir, 'outpost.db'));
    const inst = open(dir, { allowNewIdentity: true });
    expect(inst.identity.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()).not.toBe(key);
    expect(lines.some((l) => l.includes('starting a new identity as asked'))).toBe(true);
    inst.db.close();
  });

  it('a restart keeps the identity; an empty folder (or one with only Electron files) starts a new one quietly', () => {
    const { dir, key, actor } = existingInstance();
    const again = open(dir);
    expect(again.identity.actor).toBe(actor);
    expect(again.identity.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()).toBe(key);
    again.db.close();

    const electron = folder();
    mkdirSync(join(electron, 'Local Storage'), { recursive: true });
    writeFileSync(join(electron, 'Preferences'), '{}');
    const fresh = open(electron);
    expect(fresh.identity.actor).toMatch(/\/users\/owner$/);
    fresh.db.close();
    expect(lines.filter((l) => l.includes('new identity'))).toEqual([]);
  });

  it('the headless CLI reports it on stderr and exits 1', async () => {
    const { dir } = existingInstance();
    unlinkSync(join(dir, 'outpost.db'));
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main/headless.ts', '--data-dir', dir, '--port', '18999', '--admin-port', '0'], {
      cwd: join(__dirname, '../..'), encoding: 'utf8', timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/outpost\.db is missing/);
  });
});
