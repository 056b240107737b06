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
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Instance } from '../src/main/core/instance';
import { stderrLogger } from '../src/main/core/logger';
import { closeServer, listen } from '../src/main/core/http/httpUtil';
import { createAdminHandlers } from '../src/main/admin/adminService';
import { createAdminServer } from '../src/main/admin/httpTransport';
import { loadAdminToken } from '../src/main/adminToken';
import { DEFAULT_INBOX, type DeliveryOverrides, type InboxConfig } from '../src/main/core/config';

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

export interface ChildStats {
  /** CPU (user + system) since the last mark, ms. */
  cpuMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** CPU of the main (event-loop) thread alone since the last mark, ms (Linux; 10 ms ticks), null elsewhere. */
  mainThreadCpuMs: number | null;
  /** Wall time since the last mark, ms. */
  wallMs: number;
  /** Peak RSS of the process's whole life (getrusage maxrss), MB. */
  peakRssMB: number;
  /** RSS when the mark was taken, and now, MB. */
  rssAtMarkMB: number;
  rssNowMB: number;
  heapUsedMB: number;
  /** Peaks since the mark, sampled every 50 ms: V8 heap used/total, external and ArrayBuffer memory, MB. */
  peakHeapUsedMB: number;
  peakHeapTotalMB: number;
  peakExternalMB: number;
  peakArrayBuffersMB: number;
  /** Peak RSS seen by the 50 ms sampler since the mark, MB (maxRSS covers the whole life). */
  peakRssSinceMarkMB: number;
  /** Event-loop delay since the mark (1 ms resolution), ms. */
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  eldSamples: number;
}

export type ParentMessage = { type: 'mark'; id: number } | { type: 'stats'; id: number };
export type ChildMessage =
  | { type: 'ready'; publicUrl: string; adminUrl: string; token: string; actor: string; keyId: string; pid: number }
  | { type: 'marked'; id: number }
  | { type: 'stats'; id: number; stats: ChildStats }
  | { type: 'fatal'; message: string };

const MB = 1024 * 1024;

/** utime + stime of the main thread (tid = pid) from /proc, ms; the rest of cpuUsage is libuv's threadpool (signing), V8's and GC helper threads. */
function mainThreadCpuMs(): number | null {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
  const send = (m: ChildMessage) => process.send?.(m);
  const log = stderrLogger('outpost');
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();

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

  let cpuMark = process.cpuUsage();
  let mainMark = mainThreadCpuMs();
  let wallMark = performance.now();
  let rssAtMark = process.memoryUsage().rss;
  const peaks = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, rss: 0 };
  const samplePeaks = () => {
    const m = process.memoryUsage();
    peaks.heapUsed = Math.max(peaks.heapUsed, m.heapUsed);
    peaks.heapTotal = Math.max(peaks.heapTotal, m.heapTotal);
    peaks.external = Math.max(peaks.external, m.external);
    peaks.arrayBuffers = Math.max(peaks.arrayBuffers, m.arrayBuffers);
    peaks.rss = Math.max(peaks.rss, m.rss);
  };
  setInterval(samplePeaks, 50).unref();
  process.on('message', (m: ParentMessage) => {
    if (m.type === 'mark') {
      eld.reset();
      rssAtMark = process.memoryUsage().rss;
      for (const k of Object.keys(peaks) as (keyof typeof peaks)[]) peaks[k] = 0;
      samplePeaks();
      cpuMark = process.cpuUsage();
      mainMark = mainThreadCpuMs();
      wallMark = performance.now();
      send({ type: 'marked', id: m.id });
    } else if (m.type === 'stats') {
      const cpu = process.cpuUsage(cpuMark);
      const main = mainThreadCpuMs();
      samplePeaks();
      const mem = process.memoryUsage();
      send({
        type: 'stats', id: m.id, stats: {
          cpuMs: (cpu.user + cpu.system) / 1000, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000,
          mainThreadCpuMs: main !== null && mainMark !== null ? main - mainMark : null,
          wallMs: performance.now() - wallMark,
          peakRssMB: process.resourceUsage().maxRSS / 1024, rssAtMarkMB: rssAtMark / MB, rssNowMB: mem.rss / MB, heapUsedMB: mem.heapUsed / MB,
          peakHeapUsedMB: peaks.heapUsed / MB, peakHeapTotalMB: peaks.heapTotal / MB, peakExternalMB: peaks.external / MB,
          peakArrayBuffersMB: peaks.arrayBuffers / MB, peakRssSinceMarkMB: peaks.rss / MB,
          eldP50Ms: eld.count ? eld.percentile(50) / 1e6 : 0, eldP99Ms: eld.count ? eld.percentile(99) / 1e6 : 0,
          eldMaxMs: eld.count ? eld.max / 1e6 : 0, eldSamples: eld.count,
        },
      });
    }
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
