// An Outpost started in-process with a tuned DeliveryConfig (short retries, short
// timeouts), which startOutpost cannot take; its admin API over HTTP; an SSE reader for /events.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Instance } from '../../src/main/core/instance';
import type { DeliveryOverrides, RetryOptions } from '../../src/main/core/config';
import { silentLogger, type Logger } from '../../src/main/core/logger';
import { closeServer, listen } from '../../src/main/core/http/httpUtil';
import { createAdminHandlers } from '../../src/main/admin/adminService';
import { createAdminServer } from '../../src/main/admin/httpTransport';
import type { AdminMethod, ParamsOf, ResultOf } from '../../src/shared/adminApi';
import { freePort, type TestOutpost } from './outpost';

/** The admin API of an Outpost, over its HTTP transport. */
export interface AdminClient {
  rpc<M extends AdminMethod>(method: M, params?: ParamsOf<M>): Promise<ResultOf<M>>;
  rpcRaw(method: string, params?: unknown): Promise<{ status: number; body: any }>;
}

export function adminClient(adminUrl: string, token: string): AdminClient {
  const rpcRaw = async (method: string, params: unknown = {}): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${adminUrl}/rpc/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(params),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: await res.json() };
  };
  return {
    rpcRaw,
    async rpc(method, params) {
      const { status, body } = await rpcRaw(method, params ?? {});
      if (status !== 200) throw new Error(`${method} → ${status} ${JSON.stringify(body)}`);
      return body as ResultOf<typeof method>;
    },
  };
}

/** Delivery config for tests: retries within tens of milliseconds, no jitter. */
export const FAST_RETRY: Partial<RetryOptions> = { initialDelayMs: 50, factor: 2, maxDelayMs: 200, maxElapsedMs: 5000, jitter: 0 };

export interface TunedOutpost extends TestOutpost {
  instance: Instance;
  /** The public port (reuse it to restart on the same origin). */
  port: number;
  adminUrl: string;
  token: string;
}

/**
 * A real Outpost (Instance + admin HTTP transport, as headless wires them) with its own
 * delivery config: startHeadless cannot take one.
 */
export async function startTunedOutpost(opts: {
  ip: string; username: string; delivery?: DeliveryOverrides; connectivityProbe?: (origin: string) => Promise<boolean>;
  /** Reuse a data folder and port (a restart); the folder is then left in place on stop. */
  dataDir?: string; port?: number;
  /** The instance's logger (default: silent). */
  log?: Logger;
}): Promise<TunedOutpost> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'outpost-delivery-'));
  const port = opts.port ?? await freePort(opts.ip);
  const instance = new Instance({
    dataDir, publicUrl: `http://${opts.ip}:${port}`, port, username: opts.username, allowPrivateNetwork: true,
    // Tests re-check connectivity every 500 ms while offline.
    delivery: { ...opts.delivery, retry: { ...FAST_RETRY, ...opts.delivery?.retry }, connectivity: { recheckMs: 500, ...opts.delivery?.connectivity } },
    connectivityProbe: opts.connectivityProbe, log: opts.log ?? silentLogger,
  });
  await instance.start();
  const token = `test-token-${Math.random().toString(36).slice(2)}`;
  let adminUrl = '';
  const handlers = createAdminHandlers(instance, { get adminUrl() { return adminUrl; }, dataDir });
  const server = createAdminServer({ handlers, events: instance.events, token, log: silentLogger, metrics: () => instance.metrics.exposition() });
  adminUrl = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;
  const client = adminClient(adminUrl, token);
  const stop = async () => {
    await closeServer(server);
    await instance.stop();
  };
  return {
    ...client,
    instance, adminUrl, token, dataDir, port,
    running: { instance, adminUrl, token, stop },
    publicUrl: instance.publicUrl, actor: instance.identity.actor, handle: instance.identity.handle,
    async stop() {
      await stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SseEvent {
  event: string;
  data: any;
}

/**
 * Opens GET /events and collects events until `until` holds or `timeoutMs` passes
 * (bounded either way). Call `ready` before triggering what should emit events.
 */
export function readEvents(adminUrl: string, token: string, until: (events: SseEvent[]) => boolean, timeoutMs = 5000): { ready: Promise<void>; done: Promise<{ status: number; events: SseEvent[] }> } {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeoutMs);
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  const done = (async () => {
    const events: SseEvent[] = [];
    let status = 0;
    try {
      const res = await fetch(`${adminUrl}/events`, { headers: { authorization: `Bearer ${token}` }, signal: ctrl.signal });
      status = res.status;
      markReady();
      if (!res.body) return { status, events };
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buf = '';
      while (!until(events)) {
        const { value, done: end } = await reader.read();
        if (end) break;
        buf += decoder.decode(value, { stream: true });
        let idx;
        while ((idx = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, idx);
          buf = buf.slice(idx + 2);
          const event = /^event: (.+)$/m.exec(block)?.[1];
          const data = /^data: (.+)$/m.exec(block)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch (err) {
      if (!ctrl.signal.aborted) throw err;
    } finally {
      markReady();
      clearTimeout(timer);
      ctrl.abort();
    }
    return { status, events };
  })();
  return { ready, done };
}
