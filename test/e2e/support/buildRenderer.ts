// Builds the renderer bundle once into out/renderer (what headless serves on the admin
// port), the way electron-vite builds it. Parallel test files share one build: a lock
// directory serializes them and a stamp of the sources skips rebuilding unchanged code.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const OUT = join(ROOT, 'out/renderer');
const STAMP = join(ROOT, 'out/.e2e-renderer-stamp');
const LOCK = join(ROOT, 'out/.e2e-renderer-build.lock');

function sourceStamp(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else hash.update(p).update(readFileSync(p));
    }
  };
  walk(join(ROOT, 'src/renderer'));
  walk(join(ROOT, 'src/shared'));
  return hash.digest('hex');
}

async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(join(ROOT, 'out'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // A lock older than two minutes belongs to a crashed run.
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      if (Date.now() > deadline) throw new Error('timed out waiting for the renderer build lock');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

/** Ensures out/renderer/index.html is built from the current sources. */
export async function buildRenderer(): Promise<void> {
  await withLock(async () => {
    const stamp = sourceStamp();
    if (existsSync(join(OUT, 'index.html')) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === stamp) return;
    const { build } = await import('vite');
    const { default: react } = await import('@vitejs/plugin-react');
    await build({
      configFile: false,
      root: join(ROOT, 'src/renderer'),
      base: './',
      logLevel: 'warn',
      plugins: [react()],
      build: { outDir: OUT, emptyOutDir: true, chunkSizeWarningLimit: 2000, rollupOptions: { input: join(ROOT, 'src/renderer/index.html') } },
    });
    writeFileSync(STAMP, stamp);
  });
}
