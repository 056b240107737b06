// A measured server process's own gauges (bench/outpostProcess.ts, bench/fedify/server.mjs):
// CPU of the whole process and of the main thread alone, memory peaks, event-loop delay at
// 1 ms resolution. `mark()` resets them; `stats()` reads them since the last mark.
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ChildStats {
  /** CPU (user + system) since the last mark, ms. */
  cpuMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** CPU of the main (event-loop) thread alone since the last mark, ms (Linux; 10 ms ticks), null elsewhere. */
  mainThreadCpuMs: number | null;
  /** CPU ms since the mark by thread ("main", then "node#1"… in creation order: V8's workers, then libuv's pool): where the rest of cpuMs goes. */
  cpuByThreadMs: Record<string, number>;
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

export interface Gauges {
  /** Resets the event-loop histogram, the CPU baselines and the memory peaks. */
  mark(): void;
  stats(): ChildStats;
}

const MB = 1024 * 1024;

/**
 * utime + stime (ms) of every thread of this process, by name and creation order: "main", then
 * e.g. "node#1"… (Node names its V8 platform workers, started first, and its libuv pool threads,
 * started at first use, alike — the order tells them apart).
 */
function cpuByThreadMs(): Record<string, number> {
  // Linux only (10 ms ticks); elsewhere empty, and mainThreadCpuMs is null.
  const out: Record<string, number> = {};
  const seen = new Map<string, number>();
  try {
    const tids = readdirSync('/proc/self/task').map(Number).sort((a, b) => a - b);
    for (const tid of tids) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const open = stat.indexOf('('), close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      if (tid === process.pid) out.main = ms;
      else {
        const name = stat.slice(open + 1, close).trim();
        const n = (seen.get(name) ?? 0) + 1;
        seen.set(name, n);
        out[`${name}#${n}`] = ms;
      }
    }
  } catch {
    /* not Linux: no breakdown */
  }
  return out;
}

/** The threads' CPU since `base` (threads that ended since are gone from both). */
function threadDelta(now: Record<string, number>, base: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(now)) out[k] = v - (base[k] ?? 0);
  return out;
}

/** Starts the gauges (call it first thing in the process: the histogram runs from here). */
export function startGauges(): Gauges {
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  let cpuMark = process.cpuUsage();
  let threadsMark = cpuByThreadMs();
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
  return {
    mark() {
      eld.reset();
      rssAtMark = process.memoryUsage().rss;
      for (const k of Object.keys(peaks) as (keyof typeof peaks)[]) peaks[k] = 0;
      samplePeaks();
      cpuMark = process.cpuUsage();
      threadsMark = cpuByThreadMs();
      wallMark = performance.now();
    },
    stats() {
      const cpu = process.cpuUsage(cpuMark);
      const threads = cpuByThreadMs();
      samplePeaks();
      const mem = process.memoryUsage();
      return {
        cpuMs: (cpu.user + cpu.system) / 1000, cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000,
        mainThreadCpuMs: threads.main !== undefined && threadsMark.main !== undefined ? threads.main - threadsMark.main : null,
        cpuByThreadMs: threadDelta(threads, threadsMark),
        wallMs: performance.now() - wallMark,
        peakRssMB: process.resourceUsage().maxRSS / 1024, rssAtMarkMB: rssAtMark / MB, rssNowMB: mem.rss / MB, heapUsedMB: mem.heapUsed / MB,
        peakHeapUsedMB: peaks.heapUsed / MB, peakHeapTotalMB: peaks.heapTotal / MB, peakExternalMB: peaks.external / MB,
        peakArrayBuffersMB: peaks.arrayBuffers / MB, peakRssSinceMarkMB: peaks.rss / MB,
        eldP50Ms: eld.count ? eld.percentile(50) / 1e6 : 0, eldP99Ms: eld.count ? eld.percentile(99) / 1e6 : 0,
        eldMaxMs: eld.count ? eld.max / 1e6 : 0, eldSamples: eld.count,
      };
    },
  };
}
