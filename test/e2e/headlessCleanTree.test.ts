// `npm run headless` on a fresh checkout, as a user runs it: a copy of the tree with no
// out/ (node_modules linked, as after `npm install`). It must build the production UI
// itself and serve it — the real window renders in Chromium — and never hand out sources.
// When the UI cannot be built, the instance and the admin API still start and stderr says why.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { freePort } from '../support/outpost';
import { launchBrowser, openWindow } from './support/env';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SKIP = new Set(['node_modules', 'out', '.git', 'dist', 'release']);

/** The files of a fresh checkout of this tree (tracked or new, not ignored), with the working-tree contents. */
function checkoutFiles(): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (git.status === 0) {
    return git.stdout.split('\0').filter((f) => f && !SKIP.has(f.split('/')[0]!) && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
  }
  const walk = (rel: string): string[] => readdirSync(join(ROOT, rel), { withFileTypes: true }).flatMap((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (SKIP.has(p) || (e.name.endsWith('.db') || e.name === 'admin-token')) return [];
    return e.isDirectory() ? walk(p) : e.isFile() ? [p] : [];
  });
  return walk('');
}

function cleanCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-checkout-'));
  for (const f of checkoutFiles()) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(ROOT, f), join(dir, f));
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'), 'dir');
  return dir;
}

interface Headless { child: ChildProcess; ready: { adminUrl: string; handle: string }; stderr: () => string; stop(): Promise<void> }

/** `npm run headless -- …` in `cwd`, in its own process group; resolves on the ready line. */
async function startHeadless(cwd: string, args: string[]): Promise<Headless> {
  const env = { ...process.env };
  delete env.OUTPOST_ADMIN_TOKEN;
  const child = spawn('npm', ['run', 'headless', '--', ...args], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // gone
      }
    }, 10_000);
    await exited;
    clearTimeout(killer);
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    // npm prints its own banner on stdout first; the ready line is the JSON one.
    const line = out.split('\n').find((l) => l.startsWith('{'));
    if (line) return { child, ready: JSON.parse(line), stderr: () => err, stop };
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`headless did not get ready (exit ${child.exitCode})\nstdout: ${out}\nstderr: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a browser gets for `path` on the admin port. */
async function get(adminUrl: string, path: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(adminUrl + path);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

const SOURCE_PATHS = ['/src/main.tsx', '/main.tsx', '/src/renderer/src/main.tsx', '/src/App.tsx', '/index.tsx', '/../src/main.tsx'];

let checkout: string;
let dataDir: string;
let port: number;
let browser: Browser;
let running: Headless | undefined;

beforeAll(async () => {
  checkout = cleanCheckout();
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-checkout-data-'));
  port = await freePort();
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await running?.stop();
  await browser?.close();
  for (const d of [checkout, dataDir]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('npm run headless on a fresh checkout', () => {
  it('builds the production UI, serves it, and the window renders in Chromium', async () => {
    expect(existsSync(join(checkout, 'out'))).toBe(false);
    running = await startHeadless(checkout, ['--data-dir', dataDir, '--port', String(port), '--admin-port', '0', '--username', 'fresh']);
    const { adminUrl, handle } = running.ready;
    expect(adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.stderr()).toContain(`admin UI: serving the production build in ${join(checkout, 'out', 'renderer')}`);

    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const win = await openWindow(browser, adminUrl, token);
    await expect.poll(() => win.page.getByTestId('status-footer').textContent(), { timeout: 10_000 }).toContain(`@${handle}`);
    expect(win.errors).toEqual([]);
    await win.context.close();

    const index = await get(adminUrl, '/');
    expect(index.status).toBe(200);
    expect(index.body).toMatch(/src="\.\/assets\/index-[\w-]+\.js"/);
    expect(index.body).not.toContain('.tsx');
    for (const path of SOURCE_PATHS) {
      const res = await get(adminUrl, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toMatch(/import |createRoot|React/);
    }
  }, 90_000);

  it('built a minified bundle with the charts (uPlot) in their own chunk', () => {
    const assets = join(checkout, 'out', 'renderer', 'assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    const main = js.find((f) => f.startsWith('index-'));
    const charts = js.find((f) => f.startsWith('uplot-'));
    expect(main, js.join(', ')).toBeDefined();
    expect(charts, js.join(', ')).toBeDefined();
    const mainCode = readFileSync(join(assets, main!), 'utf8');
    // Unminified, the UI was one 873 KB chunk with uPlot inside; minified without it ≈ 320 KB.
    expect(mainCode.length).toBeLessThan(450_000);
    expect(mainCode.split('\n').length).toBeLessThan(50);
    expect(mainCode).not.toContain('u-over'); // uPlot's own class names live in its chunk
    expect(readFileSync(join(assets, charts!), 'utf8')).toContain('u-over');
  });

  it('still starts the instance and the admin API when the UI cannot be built, and says why', async () => {
    await running?.stop();
    // A syntax error in the renderer makes the build fail; the old build must not be served either.
    appendFileSync(join(checkout, 'src/renderer/src/main.tsx'), '\nexport const broken = ;\n');
    running = await startHeadless(checkout, ['--data-dir', dataDir, '--port', String(port), '--admin-port', '0']);
    const { adminUrl } = running.ready;
    expect(running.stderr()).toMatch(/admin UI: not available — the renderer build failed: .*src\/renderer\/src\/main\.tsx/);

    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const status = await fetch(`${adminUrl}/rpc/status`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(status.status).toBe(200);

    const index = await get(adminUrl, '/');
    expect(index.status).toBe(503);
    expect(index.body).toContain('The admin UI is not available: the renderer build failed');
    expect(index.body).not.toContain('<script');
    for (const path of SOURCE_PATHS) {
      const res = await get(adminUrl, path);
      expect(res.status, path).not.toBe(200);
      expect(res.body, path).not.toMatch(/import |createRoot/);
    }
  }, 90_000);
});
