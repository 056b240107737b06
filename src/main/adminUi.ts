// The admin UI that headless serves on the admin port: the production renderer build in
// out/renderer, never the sources. In a source tree it is built first when missing or
// stale (scripts/build-renderer.mjs, the same build `npm start` makes); when that cannot
// happen the instance and the admin API still run, and stderr says why there is no UI.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from './core/logger';
import { DEFAULT_ADMIN } from './core/config';
import type { AdminUi } from './admin/httpTransport';

export type { AdminUi };

const BUILD_TIMEOUT_MS = DEFAULT_ADMIN.uiBuildTimeoutMs;

/** The project folder (with package.json), from wherever this module ended up: src/main, out/main, out/main/chunks. */
export function projectRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return join(from, '..', '..');
  }
}

/** out/renderer if it holds a build; no other folder is ever a candidate. */
export function builtRendererDir(root = projectRoot()): string | undefined {
  const dir = join(root, 'out', 'renderer');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

interface BuildResult { status: 'fresh' | 'built'; dir: string; ms: number }

function runBuild(root: string): Promise<BuildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'build-renderer.mjs')], {
      cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, BUILD_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // The script ends a failure with one "build-renderer: <summary>" line.
      const lines = err.trim().split('\n');
      const summary = (lines.filter((l) => l.startsWith('build-renderer: ')).pop()?.slice(16) ?? lines.pop() ?? '').trim();
      if (code !== 0) {
        const how = signal ? `was stopped (${signal}${timedOut ? ` after ${BUILD_TIMEOUT_MS / 1000} s` : ''})` : 'failed';
        return reject(new Error(`the renderer build ${how}${summary ? `: ${summary}` : ''}`));
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as BuildResult);
      } catch {
        reject(new Error(`the renderer build printed no result${summary ? `: ${summary}` : ''}`));
      }
    });
  });
}

/**
 * Makes sure out/renderer holds the production build of the current sources (building it
 * when missing or stale) and says on stderr what the admin port will serve. Never throws.
 */
export async function prepareAdminUi(log: Logger, root = projectRoot()): Promise<AdminUi> {
  const unavailable = (why: string): AdminUi => {
    log.warn(`admin UI: not available — ${why}. The instance and the admin API run without it.`);
    return { unavailable: why };
  };
  if (!existsSync(join(root, 'src', 'renderer', 'index.html'))) {
    // No sources (a packaged app): serve the build shipped with it, if any.
    const dir = builtRendererDir(root);
    if (!dir) return unavailable(`there is no built UI in ${join(root, 'out', 'renderer')} and no sources to build it from`);
    log.info(`admin UI: serving the build in ${dir}`);
    return { dir };
  }
  if (!existsSync(join(root, 'scripts', 'build-renderer.mjs'))) return unavailable('scripts/build-renderer.mjs is missing, so the UI cannot be built');
  let result: BuildResult;
  try {
    result = await runBuild(root);
  } catch (err) {
    return unavailable(`${err instanceof Error ? err.message : String(err)} (run \`node scripts/build-renderer.mjs\` to see the whole error)`);
  }
  if (!builtRendererDir(root)) return unavailable(`the renderer build left no index.html in ${result.dir}`);
  const how = result.status === 'built' ? `built it now in ${(result.ms / 1000).toFixed(1)} s` : 'up to date with the sources';
  log.info(`admin UI: serving the production build in ${result.dir} (${how})`);
  return { dir: result.dir };
}
