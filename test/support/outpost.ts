// Starts real Outpost instances in-process (the headless entry's startHeadless) on their
// own loopback origins, and talks to them only through their admin HTTP API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHeadless, type RunningHeadless } from '../../src/main/headless';
import { silentLogger } from '../../src/main/core/logger';
import type { AdminMethod, ParamsOf, ResultOf } from '../../src/shared/adminApi';
import type { MediaConfig } from '../../src/main/core/config';

import { freePort } from '../../src/main/core/http/httpUtil';
export { freePort };

export interface TestOutpost {
  running: RunningHeadless;
  publicUrl: string;
  actor: string;
  handle: string;
  dataDir: string;
  rpc<M extends AdminMethod>(method: M, params?: ParamsOf<M>): Promise<ResultOf<M>>;
  /** Raw RPC: status and parsed body, for error-path tests. */
  rpcRaw(method: string, params?: unknown): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startOutpost(opts: {
  host: string; username: string; dataDir?: string; publicUrl?: string; port?: number;
  /** Refuse private addresses except these (default: every private address is allowed). */
  privateNetworkAllowlist?: string[];
  media?: Partial<MediaConfig>;
}): Promise<TestOutpost> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'outpost-test-'));
  const port = opts.port ?? (await freePort(opts.host));
  const publicUrl = opts.publicUrl ?? `http://${opts.host}:${port}`;
  const running = await startHeadless({
    dataDir, port, adminPort: 0, publicUrl, username: opts.username, allowPrivateNetwork: !opts.privateNetworkAllowlist,
  }, silentLogger, {
    instance: { media: opts.media, privateNetworkAllowlist: opts.privateNetworkAllowlist ? [opts.host, ...opts.privateNetworkAllowlist] : undefined },
  });
  const rpcRaw = async (method: string, params: unknown = {}) => {
    const res = await fetch(`${running.adminUrl}/rpc/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${running.token}` },
      body: JSON.stringify(params),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    running, dataDir, publicUrl: running.instance.publicUrl, actor: running.instance.identity.actor, handle: running.instance.identity.handle,
    rpcRaw,
    async rpc(method, params) {
      const { status, body } = await rpcRaw(method, params ?? {});
      if (status !== 200) throw new Error(`${method} → ${status} ${JSON.stringify(body)}`);
      return body as ResultOf<typeof method>;
    },
    async stop() {
      await running.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a truthy value (bounded: 10 s by default). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v as T;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
