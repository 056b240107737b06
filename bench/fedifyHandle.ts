// The parent's side of bench/fedify/server.mjs (scenario 9's Fedify 2.3.6 server): install
// bench/fedify's own packages on demand (Fedify is not an Outpost dependency), bundle the
// server, fork it with plain node, and drive it over IPC as a FanoutTarget.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { ChildStats } from './childGauges';
import type { FanoutTarget } from './fanout';
import { BENCH_DIR, stopChild, trackChild } from './outpostHandle';
import { pollUntil } from './world';
import { log } from './util';

export const FEDIFY_DIR = join(BENCH_DIR, 'fedify');

/** The version bench/fedify/package.json pins (the one the comparison names). */
export function fedifyVersion(): string {
  const pkg = JSON.parse(readFileSync(join(FEDIFY_DIR, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  return pkg.dependencies['@fedify/fedify'] ?? 'unknown';
}

/**
 * Installs bench/fedify's packages from its lock file when they are missing
 * (`npm ci --prefix bench/fedify`), then bundles the server. Returns the file to fork.
 */
export async function prepareFedify(): Promise<string> {
  if (!existsSync(join(FEDIFY_DIR, 'node_modules', '@fedify', 'fedify', 'package.json'))) {
    log(`installing Fedify for scenario 9: npm ci --prefix ${FEDIFY_DIR} (once; about 20 s)`);
    const r = spawnSync('npm', ['ci', '--prefix', FEDIFY_DIR, '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 300_000 });
    if (r.status !== 0) {
      const why = r.error ? String(r.error) : (r.stderr ?? '').split('\n').filter((l) => l && !l.includes('EBADENGINE')).slice(-8).join('\n');
      throw new Error(`scenario 9 needs Fedify: "npm ci --prefix bench/fedify" failed (offline? the npm registry must be reachable once):\n${why}`);
    }
  }
  // Dependencies stay external: they resolve from bench/fedify/node_modules, next to out/.
  const outfile = join(FEDIFY_DIR, 'out', 'server.mjs');
  await build({
    entryPoints: [join(FEDIFY_DIR, 'server.mjs')],
    outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: false, logLevel: 'warning',
  });
  return outfile;
}

export interface FedifyLaunch {
  /** The bundled server (prepareFedify). */
  server: string;
  host: string;
  port: number;
  /** Key pair and followers (written by the setup process's save()). */
  stateFile: string;
  /** ParallelMessageQueue workers: deliveries in flight at once. */
  workers: number;
  logFile: string;
  cpuProfDir?: string;
}

type Reply = { type: 'result'; id: number; value?: unknown; error?: string };
type Ready = { type: 'ready'; origin: string; actor: string; pid: number };

export interface FedifyState {
  followers: number;
  queued: number;
  inFlight: number;
  outboxErrors: number;
}

export class FedifyHandle implements FanoutTarget {
  private nextId = 1;
  private readonly waiters = new Map<number, (m: Reply) => void>();
  readonly exited: Promise<void>;
  actor = '';
  origin = '';

  private constructor(readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      for (const w of this.waiters.values()) w({ type: 'result', id: 0, error: `Fedify server exited (${code ?? signal})` });
      this.waiters.clear();
      resolve();
    }));
    child.on('message', (m: Reply | Ready) => {
      if (m.type !== 'result') return;
      const w = this.waiters.get(m.id);
      this.waiters.delete(m.id);
      w?.(m);
    });
  }

  static async launch(o: FedifyLaunch): Promise<FedifyHandle> {
    mkdirSync(join(o.logFile, '..'), { recursive: true });
    const execArgv = o.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${o.cpuProfDir}`] : [];
    const child = fork(o.server, [JSON.stringify({ host: o.host, port: o.port, stateFile: o.stateFile, workers: o.workers })], {
      execArgv, cwd: FEDIFY_DIR, stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    trackChild(child);
    child.stderr!.pipe(createWriteStream(o.logFile, { flags: 'a' }));
    const h = new FedifyHandle(child);
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the Fedify server did not start within 60 s (log: ${o.logFile})`)), 60_000);
      child.on('message', (m: Reply | Ready) => {
        if (m.type !== 'ready') return;
        clearTimeout(timer);
        resolve(m);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the Fedify server exited with ${code} before ready (log: ${o.logFile})`));
      });
    });
    h.actor = ready.actor;
    h.origin = ready.origin;
    return h;
  }

  call<T>(method: string, params?: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`the Fedify server did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(id, (m) => {
        clearTimeout(timer);
        if (m.error !== undefined) reject(new Error(`Fedify ${method}: ${m.error}`));
        else resolve(m.value as T);
      });
      this.child.send({ type: 'call', id, method, params });
    });
  }

  async mark(): Promise<void> {
    await this.call('mark');
  }

  stats(): Promise<ChildStats> {
    return this.call('stats');
  }

  compose(content: string): Promise<{ activityId: string }> {
    return this.call('compose', { content });
  }

  state(): Promise<FedifyState> {
    return this.call('state');
  }

  /** Writes the key pair and followers to the state file. */
  async save(): Promise<void> {
    await this.call('save');
  }

  waitIdle(timeoutMs: number): Promise<void> {
    return pollUntil(async () => {
      const s = await this.state();
      return s.queued === 0 && s.inFlight === 0;
    }, timeoutMs, 'Fedify\'s queue to drain', 100);
  }

  /** SIGTERM, SIGKILL after 5 s (its queue is in memory: nothing to finish). */
  stop(): Promise<void> {
    return stopChild(this.child, this.exited, 5_000);
  }
}
