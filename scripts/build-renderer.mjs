#!/usr/bin/env node
// The renderer's production build, shared by `npm run headless`, `npm start` and the e2e
// tests. It resolves electron.vite.config.ts through electron-vite itself and builds only
// its renderer section, so every path yields the same minified bundle that
// `electron-vite build` writes to out/renderer. A stamp of the inputs skips rebuilding
// unchanged code; a lock directory serializes concurrent builders (parallel test files,
// a headless start while another builds). The new bundle is built beside out/renderer
// and swapped in, so a running server never serves a half-written folder.
//
//   node scripts/build-renderer.mjs          build when missing or stale
//   node scripts/build-renderer.mjs --force  build even when up to date
// On success prints one JSON line on stdout: {"status":"fresh"|"built","dir":…,"ms":…}.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LOCK_WAIT_MS = 180_000;
/** A lock this old is from a builder that died without cleaning up, whatever its pid says. */
const LOCK_STALE_MS = 300_000;

const paths = (root) => ({
  out: join(root, 'out'),
  dir: join(root, 'out', 'renderer'),
  stamp: join(root, 'out', '.renderer-stamp'),
  lock: join(root, 'out', '.renderer-build.lock'),
});

/** What the bundle is made from: renderer, shared contract, preload types, build config, dependency versions, this script. */
export function rendererInputsStamp(root = ROOT) {
  const hash = createHash('sha256');
  const add = (p) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) {
      for (const name of readdirSync(p).sort()) add(join(p, name));
    } else {
      hash.update(relative(root, p)).update('\0').update(readFileSync(p)).update('\0');
    }
  };
  for (const p of ['src/renderer', 'src/shared', 'src/preload', 'electron.vite.config.ts', 'package-lock.json', 'scripts/build-renderer.mjs']) {
    add(join(root, p));
  }
  return hash.digest('hex');
}

/** Whether out/renderer holds a production build of exactly these inputs. */
export function rendererIsFresh(root = ROOT, stamp = rendererInputsStamp(root)) {
  const p = paths(root);
  if (!existsSync(join(p.dir, 'index.html')) || !existsSync(p.stamp)) return false;
  try {
    return JSON.parse(readFileSync(p.stamp, 'utf8')).inputs === stamp;
  } catch {
    return false;
  }
}

/** Forgets which inputs out/renderer was built from (before anything rewrites it). */
export function forgetRendererStamp(root) {
  rmSync(paths(root).stamp, { force: true });
}

/** Records that out/renderer was built (in production mode) from `stamp`'s inputs. */
export function recordRendererStamp(root, stamp) {
  writeFileSync(paths(root).stamp, JSON.stringify({ inputs: stamp, mode: 'production', builtAt: new Date().toISOString() }) + '\n');
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Runs `fn` holding out/.renderer-build.lock (a directory: mkdir is atomic). */
export async function withBuildLock(root, fn) {
  const { out, lock } = paths(root);
  mkdirSync(out, { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      try {
        const owner = Number(readFileSync(join(lock, 'owner'), 'utf8'));
        const age = Date.now() - statSync(lock).mtimeMs;
        if ((owner && !pidAlive(owner)) || age > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // the owner file is not written yet, or the lock is gone meanwhile
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${LOCK_WAIT_MS / 1000} s waiting for ${lock}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

async function buildInto(root, outDir) {
  // electron-vite's resolveConfig applies its renderer preset (Electron's Chrome target,
  // base './', out/<outDir>/renderer) to our config, exactly as `electron-vite build` does,
  // and sets NODE_ENV=production so React's production build is bundled.
  const tool = (name) => import(name).catch((err) => {
    throw new Error(`${name} is not installed (${err.code ?? err.message}); the UI is built with the dev dependencies: run \`npm install\``);
  });
  const { resolveConfig } = await tool('electron-vite');
  const { build } = await tool('vite');
  const resolved = await resolveConfig({ mode: 'production', logLevel: 'warn', build: { outDir } }, 'build', 'production');
  const renderer = resolved.config?.renderer;
  if (!renderer) throw new Error('electron.vite.config.ts has no renderer section');
  await build(renderer);
  return join(outDir, 'renderer');
}

/** Builds out/renderer when missing or stale (or always, with `force`). Must run with cwd = root. */
export async function ensureRendererBuilt({ root = ROOT, force = false } = {}) {
  const started = Date.now();
  const p = paths(root);
  return withBuildLock(root, async () => {
    const stamp = rendererInputsStamp(root);
    if (!force && rendererIsFresh(root, stamp)) return { status: 'fresh', dir: p.dir, ms: Date.now() - started };
    const tmp = join(p.out, `.renderer-build-${process.pid}`);
    const old = join(p.out, `.renderer-old-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    try {
      const built = await buildInto(root, tmp);
      forgetRendererStamp(root);
      if (existsSync(p.dir)) renameSync(p.dir, old);
      renameSync(built, p.dir);
      recordRendererStamp(root, stamp);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(old, { recursive: true, force: true });
    }
    return { status: 'built', dir: p.dir, ms: Date.now() - started };
  });
}

/** One line for a build error (rolldown's message carries colours and a code frame). */
export function summarizeBuildError(err) {
  const text = String(err instanceof Error ? err.message : err).replace(/\x1b\[[0-9;]*m/g, '');
  const where = text.match(/\[\s*([^\]\s]+:\d+:\d+)\s*\]/)?.[1];
  const plain = text.split('\n').map((l) => l.trim()).filter((l) => l && !/[│╭╰─┬]/.test(l));
  return plain.join(' ') + (where ? ` (${where})` : '');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.chdir(ROOT); // electron.vite.config.ts resolves its paths from the working directory
  ensureRendererBuilt({ force: process.argv.includes('--force') }).then(
    (result) => process.stdout.write(JSON.stringify(result) + '\n'),
    (err) => {
      // The whole error, then a one-line summary last (what `npm run headless` reports).
      process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\nbuild-renderer: ${summarizeBuildError(err)}\n`);
      process.exit(1);
    },
  );
}
