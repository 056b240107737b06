import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAdminToken } from '../../src/main/adminToken';

describe('loadAdminToken', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-token-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('uses OUTPOST_ADMIN_TOKEN when set, and writes nothing', () => {
    expect(loadAdminToken(join(dir, 'data'), { OUTPOST_ADMIN_TOKEN: 'from-env' })).toBe('from-env');
    expect(() => statSync(join(dir, 'data', 'admin-token'))).toThrow();
  });

  it('prefers the env var over an existing token file', () => {
    writeFileSync(join(dir, 'admin-token'), 'from-file\n');
    expect(loadAdminToken(dir, { OUTPOST_ADMIN_TOKEN: 'from-env' })).toBe('from-env');
  });

  it('generates a strong token once, in a 0600 file, creating the data dir', () => {
    const data = join(dir, 'nested', 'data');
    const token = loadAdminToken(data, {});
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes, base64url
    const file = join(data, 'admin-token');
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('is stable across calls and restarts', () => {
    const first = loadAdminToken(dir, {});
    const mtime = statSync(join(dir, 'admin-token')).mtimeMs;
    expect(loadAdminToken(dir, {})).toBe(first);
    expect(loadAdminToken(dir, { OUTPOST_ADMIN_TOKEN: '' })).toBe(first);
    expect(statSync(join(dir, 'admin-token')).mtimeMs).toBe(mtime);
  });

  it('gives different instances different tokens', () => {
    const other = mkdtempSync(join(tmpdir(), 'outpost-token-'));
    try {
      expect(loadAdminToken(dir, {})).not.toBe(loadAdminToken(other, {}));
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('reads a token file written by hand, ignoring surrounding whitespace', () => {
    writeFileSync(join(dir, 'admin-token'), '  hand-made-token \n');
    expect(loadAdminToken(dir, {})).toBe('hand-made-token');
  });

  it('replaces an empty token file with a new token', () => {
    writeFileSync(join(dir, 'admin-token'), '\n', { mode: 0o644 });
    const token = loadAdminToken(dir, {});
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(loadAdminToken(dir, {})).toBe(token);
    if (process.platform !== 'win32') expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
  });
});
