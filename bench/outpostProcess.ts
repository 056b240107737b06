// Bench-only wrapper: one headless Outpost in its own process, so the CPU time, peak RSS
// and event-loop delay it reports are Outpost's alone (the inbox farm runs in the parent).
// Mirrors src/main/headless.ts (Instance + admin handlers + admin HTTP server) because
// startHeadless takes no delivery overrides.
//
// Started by bench/outpostHandle.ts with fork(…, { execArgv: ['--import', 'tsx'] }); argv[2]
// is a JSON ChildConfig. Talks to the parent over IPC:
//   → {type:'ready', …}                       once listening
//   ← {type:'mark', id}   → {type:'marked', id}  resets the event-loop histogram and the CPU baseline
//   ← {type:'stats', id}  → {type:'stats', id, stats: ChildStats}
import { Instance } from '../src/main/core/instance';
import { stderrLogger } from '../src/main/core/logger';
import { closeServer, listen } from '../src/main/core/http/httpUtil';
import { createAdminHandlers } from '../src/main/admin/adminService';
import { createAdminServer } from '../src/main/admin/httpTransport';
import { loadAdminToken } from '../src/main/adminToken';
import { DEFAULT_INBOX, type DeliveryOverrides, type InboxConfig } from '../src/main/core/config';
import { startGauges, type ChildStats } from './childGauges';

export interface ChildConfig {
  dataDir: string;
  /** Loopback address the public server binds to and is known by. */
  host: string;
  port: number;
  username: string;
  delivery: DeliveryOverrides;
  /** Inbox rate limits over the bench's defaults (the ingest scenario lifts them all). */
  inboxRateLimits?: Partial<InboxConfig['rateLimits']>;
}

export type { ChildStats };

export type ParentMessage = { type: 'mark'; id: number } | { type: 'stats'; id: number };
export type ChildMessage =
  | { type: 'ready'; publicUrl: string; adminUrl: string; token: string; actor: string; keyId: string; pid: number }
  | { type: 'marked'; id: number }
  | { type: 'stats'; id: number; stats: ChildStats }
  | { type: 'fatal'; message: string };

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  const send = (m: ChildMessage) => process.send?.(m);
  const log = stderrLogger('outpost');
  const gauges = startGauges();

  const instance = new Instance({
    dataDir: cfg.dataDir, publicUrl: `http://${cfg.host}:${cfg.port}`, port: cfg.port, username: cfg.username,
    allowPrivateNetwork: true, delivery: cfg.delivery, log,
    // The farm's thousands of hosts follow through the inbox in bursts the default (laptop)
    // limits would refuse: this benchmark measures delivery, not the inbox's door.
    inbox: { rateLimits: { ...DEFAULT_INBOX.rateLimits, overall: { burst: 100_000, perSecond: 100_000 }, ...cfg.inboxRateLimits } },
  });
  await instance.start();
  const token = loadAdminToken(cfg.dataDir);
  let adminUrl = '';
  const handlers = createAdminHandlers(instance, { get adminUrl() { return adminUrl; }, dataDir: cfg.dataDir });
  const server = createAdminServer({ handlers, events: instance.events, token, log, metrics: () => instance.metrics.exposition() });
  adminUrl = `http://127.0.0.1:${await listen(server, 0, '127.0.0.1')}`;

  process.on('message', (m: ParentMessage) => {
    if (m.type === 'mark') {
      gauges.mark();
      send({ type: 'marked', id: m.id });
    } else if (m.type === 'stats') send({ type: 'stats', id: m.id, stats: gauges.stats() });
  });

  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      await closeServer(server).catch(() => {});
      await instance.stop();
    })().then(() => process.exit(0), (err) => {
      log.error(String(err));
      process.exit(1);
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // The bench died: do not linger.
  process.on('disconnect', shutdown);

  send({ type: 'ready', publicUrl: instance.publicUrl, adminUrl, token, actor: instance.identity.actor, keyId: instance.identity.keyId, pid: process.pid });
}

main().catch((err) => {
  process.stderr.write(`outpostProcess: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.send?.({ type: 'fatal', message: String(err) } satisfies ChildMessage);
  process.exit(1);
});
