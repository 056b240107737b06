// The headless CLI contract: one JSON ready line on stdout, logs on stderr, a clean exit
// on SIGTERM, and a clear error for bad flags.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/outpost';

const root = join(__dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/headless.ts', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('headless CLI', () => {
  it('prints exactly one ready line, writes a 0600 token file, and exits 0 on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-cli-'));
    dirs.push(dataDir);
    const port = await freePort();
    const adminPort = await freePort();
    const env = { ...process.env } as Record<string, string>;
    delete env.OUTPOST_ADMIN_TOKEN;
    const p = run(['--data-dir', dataDir, '--port', String(port), '--admin-port', String(adminPort), '--username', 'fred'], env);
    const deadline = Date.now() + 20_000;
    while (!p.out().includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const lines = p.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    const ready = JSON.parse(lines[0]!);
    expect(ready).toEqual({
      event: 'ready', publicUrl: `http://localhost:${port}`, adminUrl: `http://127.0.0.1:${adminPort}`,
      actor: `http://localhost:${port}/users/fred`, handle: `fred@localhost:${port}`,
    });
    expect(statSync(join(dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
    // The UI line follows the ready line, on the other pipe.
    while (!p.err().includes('admin UI: http://127.0.0.1:') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(p.err()).toContain('admin UI: http://127.0.0.1:');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out().trim().split('\n')).toHaveLength(1);
  });

  it('refuses unknown flags and bad values with exit code 2 and the usage', async () => {
    for (const args of [['--bogus'], ['--port', 'eighty'], ['--public-url', 'ftp://x']]) {
      const p = run(args);
      expect(await p.exited).toBe(2);
      expect(p.out()).toBe('');
      expect(p.err()).toContain('Usage: npm run headless');
    }
  });
});
