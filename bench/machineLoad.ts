// Other work on the machine (a test suite in another shell, say) skews a 2-core benchmark.
// This reads /proc/stat to (a) wait, bounded, for the machine to be quiet before a measured
// run and (b) report how much CPU *other* processes took during the run.
import { readFileSync } from 'node:fs';
import { sleep } from './util';

const TICK_MS = 10; // USER_HZ = 100 on Linux

interface CpuSample {
  /** All non-idle ticks. */
  busy: number;
  /** user + nice + system: what processes are charged with. */
  proc: number;
  /** irq + softirq (loopback TCP is largely softirq work) and steal (the hypervisor ran something else). */
  irq: number;
  steal: number;
  total: number;
}

function sample(): CpuSample | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const v = (i: number) => f[i] ?? 0; // user nice system idle iowait irq softirq steal
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - v(3) - v(4), proc: v(0) + v(1) + v(2), irq: v(5) + v(6), steal: v(7), total };
  } catch {
    return null; // not Linux: no load figures
  }
}

export class CpuWindow {
  private readonly start = sample();
  private readonly own = process.cpuUsage();

  /**
   * Since the window opened: CPU ms processes other than this one and the child (`childCpuMs`)
   * used, interrupt time (irq + softirq), and time the hypervisor stole.
   */
  close(childCpuMs: number): { ownMs: number; foreignMs: number; irqMs: number; stealMs: number } | null {
    const end = sample();
    if (!this.start || !end) return null;
    const own = process.cpuUsage(this.own);
    return {
      ownMs: Math.round((own.user + own.system) / 1000),
      foreignMs: Math.max(0, Math.round((end.proc - this.start.proc) * TICK_MS - (own.user + own.system) / 1000 - childCpuMs)),
      irqMs: (end.irq - this.start.irq) * TICK_MS,
      stealMs: (end.steal - this.start.steal) * TICK_MS,
    };
  }
}

/**
 * Waits (at most `maxWaitMs`) until the whole machine is below `busyBelow` utilisation over a
 * 300 ms sample, while this bench is idle. Returns the last utilisation seen and the wait.
 */
export async function waitForQuiet(maxWaitMs = 8_000, busyBelow = 0.2): Promise<{ busy: number | null; waitedMs: number }> {
  const t0 = Date.now();
  let busy: number | null = null;
  for (;;) {
    const a = sample();
    await sleep(300);
    const b = sample();
    if (!a || !b || b.total === a.total) return { busy: null, waitedMs: Date.now() - t0 };
    busy = (b.busy - a.busy) / (b.total - a.total);
    if (busy < busyBelow || Date.now() - t0 > maxWaitMs) return { busy: Math.round(busy * 100) / 100, waitedMs: Date.now() - t0 };
    await sleep(700);
  }
}
