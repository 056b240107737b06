// The parent's side of bench/outpostProcess.ts: fork it, wait for ready, call the admin API
// over HTTP like a user script would, ask the child for its own CPU/RSS/event-loop figures.
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DeliveryOverrides } from '../src/main/core/config';
import type { AdminMethod, ParamsOf, ResultOf } from '../src/shared/adminApi';
import type { ChildConfig, ChildMessage, ChildStats, ParentMessage } from './outpostProcess';

export const BENCH_DIR = new URL('.', import.meta.url).pathname;
const CHILD = join(BENCH_DIR, 'outpostProcess.ts');
/** The compiled child (bench/buildChild.ts); undefined: run CHILD under tsx. */
let builtChild: string | undefined;

/** Run the measured Outpost from this compiled file (or, undefined, from source under tsx). */
export function useBuiltChild(file: string | undefined): void {
  builtChild = file;
}

export interface LaunchOptions {
  dataDir: string;
  host: string;
  port: number;
  delivery?: DeliveryOverrides;
  /** Child stderr goes here. */
  logFile: string;
  /** Extra environment variables (e.g. UV_THREADPOOL_SIZE). */
  env?: Record<string, string>;
  /** Write a V8 CPU profile of the child into this folder. */
  cpuProfDir?: string;
  inboxRateLimits?: ChildConfig['inboxRateLimits'];
}

const live = new Set<ChildProcess>();
/** Kills (SIGKILL, by pid) every child this bench started that is still running. */
export function killAllChildren(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** Counts another bench child (bench/fedifyHandle.ts) among those killAllChildren kills, until it exits. */
export function trackChild(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once `exited` does. */
export async function stopChild(child: ChildProcess, exited: Promise<unknown>, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export class OutpostHandle {
  private nextId = 1;
  private readonly waiters = new Map<number, (m: ChildMessage) => void>();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  publicUrl = '';
  adminUrl = '';
  token = '';
  actor = '';
  keyId = '';

  private constructor(readonly child: ChildProcess, readonly opts: LaunchOptions) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => {
      live.delete(child);
      for (const w of this.waiters.values()) w({ type: 'fatal', message: `child exited (${code ?? signal})` });
      this.waiters.clear();
      resolve({ code, signal });
    }));
    child.on('message', (m: ChildMessage) => {
      if ((m.type === 'marked' || m.type === 'stats') && this.waiters.has(m.id)) {
        const w = this.waiters.get(m.id)!;
        this.waiters.delete(m.id);
        w(m);
      }
    });
  }

  static async launch(opts: LaunchOptions): Promise<OutpostHandle> {
    mkdirSync(join(opts.logFile, '..'), { recursive: true });
    const cfg: ChildConfig = {
      dataDir: opts.dataDir, host: opts.host, port: opts.port, username: 'bench', delivery: opts.delivery ?? {}, inboxRateLimits: opts.inboxRateLimits,
    };
    const execArgv = builtChild ? [] : ['--import', 'tsx'];
    if (opts.cpuProfDir) execArgv.push('--cpu-prof', `--cpu-prof-dir=${opts.cpuProfDir}`);
    const child = fork(builtChild ?? CHILD, [JSON.stringify(cfg)], { execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env: { ...process.env, ...opts.env } });
    live.add(child);
    const log = createWriteStream(opts.logFile, { flags: 'a' });
    child.stderr!.pipe(log);
    const h = new OutpostHandle(child, opts);
    const ready = await new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Outpost child did not start within 60 s (log: ${opts.logFile})`)), 60_000);
      child.on('message', (m: ChildMessage) => {
        if (m.type === 'ready' || m.type === 'fatal') {
          clearTimeout(timer);
          resolve(m);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`Outpost child exited with ${code} before ready (log: ${opts.logFile})`));
      });
    });
    if (ready.type !== 'ready') throw new Error(`Outpost child failed: ${ready.type === 'fatal' ? ready.message : ready.type} (log: ${opts.logFile})`);
    Object.assign(h, { publicUrl: ready.publicUrl, adminUrl: ready.adminUrl, token: ready.token, actor: ready.actor, keyId: ready.keyId });
    return h;
  }

  get pid(): number {
    return this.child.pid!;
  }

  async rpc<M extends AdminMethod>(method: M, params?: ParamsOf<M>, timeoutMs = 30_000): Promise<ResultOf<M>> {
    const res = await fetch(`${this.adminUrl}/rpc/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify(params ?? {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`rpc ${method} → ${res.status} ${JSON.stringify(body)}`);
    return body as ResultOf<M>;
  }

  private ask(type: ParentMessage['type']): Promise<ChildMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`child did not answer ${type}`));
      }, 10_000);
      this.waiters.set(id, (m) => {
        clearTimeout(timer);
        if (m.type === 'fatal') reject(new Error(m.message));
        else resolve(m);
      });
      this.child.send({ type, id } satisfies ParentMessage);
    });
  }

  /** Resets the child's event-loop histogram and CPU baseline. */
  async mark(): Promise<void> {
    await this.ask('mark');
  }

  async stats(): Promise<ChildStats> {
    const m = await this.ask('stats');
    if (m.type !== 'stats') throw new Error('unexpected answer');
    return m.stats;
  }

  /** kill -9: no shutdown code runs. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful: in-flight deliveries finish or return to the queue), SIGKILL after 15 s. */
  stop(): Promise<void> {
    return stopChild(this.child, this.exited, 15_000);
  }
}
