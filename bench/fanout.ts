// One measured fan-out: start a fresh Outpost process on a world's data folder, reset its
// gauges, compose a public note, and time compose → last verified Create at the farm.
// measureFanout does the timing for any server the farm's users follow (Outpost, or Fedify
// in scenario 9: bench/fedifyHandle.ts).
import { join } from 'node:path';
import type { DeliveryOverrides } from '../src/main/core/config';
import { OutpostHandle } from './outpostHandle';
import type { ChildStats } from './outpostProcess';
import type { RemoteFarm, Track } from '../test/support/remote/farm';
import type { QueueStatsDto } from '../src/shared/dto';
import { connectFarm, waitQueueIdle, type World } from './world';
import { log } from './util';
import { CpuWindow, waitForQuiet } from './machineLoad';

export interface FanoutOptions {
  label: string;
  delivery?: DeliveryOverrides;
  /** Hosts that must get the Create before the run counts as delivered (default: all). */
  expectHosts?: number[];
  timeoutMs?: number;
  cpuProfDir?: string;
  /** Extra environment for the Outpost process (e.g. UV_THREADPOOL_SIZE). */
  env?: Record<string, string>;
  /** Keep the process running after the measurement (the caller stops it). */
  keep?: boolean;
}

/** A measured server process, as measureFanout drives it. */
export interface FanoutTarget {
  /** Its actor (the farm fetches its key from the actor document). */
  readonly actor: string;
  /** It signs with the key the farm already knows (the fan-out floor signs as Outpost): no fetch. */
  readonly keyKnown?: boolean;
  /** Resets its gauges (CPU, memory peaks, event-loop delay). */
  mark(): Promise<void>;
  stats(): Promise<ChildStats>;
  /** Publishes a public note to every follower; resolves once it is queued. */
  compose(content: string): Promise<{ activityId: string }>;
  /** Resolves once nothing is queued or in flight. */
  waitIdle(timeoutMs: number): Promise<void>;
}

export interface MeasureOptions {
  label: string;
  /** Hosts that must get the Create before the run counts as delivered (default: all). */
  expectHosts?: number[];
  timeoutMs?: number;
  /** Skip waiting for the queue to drain (the caller keeps the process running). */
  keep?: boolean;
  /** For the progress line: the farm's world and the server's name. */
  world: string;
  server: string;
}

export interface FanoutResult extends Measured {
  op: OutpostHandle;
  queue: QueueStatsDto | null;
}

export interface Measured {
  track: Track;
  activityId: string;
  /** compose rpc round trip. */
  composeMs: number;
  /** compose → last expected host's Create verified at the farm. */
  deliveredMs: number;
  /** Child figures for compose → delivered (stats taken the moment the last one verified). */
  atDelivered: ChildStats;
  /** Child figures once its queue drained (outcomes recorded). */
  atIdle: ChildStats | null;
  /** Whole-machine CPU utilisation just before the run (0-1), and how long we waited for it to drop. */
  machineBusyBefore: number | null;
  quietWaitMs: number;
  /** During compose → delivered: CPU ms of processes other than Outpost and this bench; irq/softirq and steal ms. */
  foreignCpuMs: number | null;
  irqMs: number | null;
  stealMs: number | null;
  /** CPU ms of this bench process (the farm: HTTP servers, signature checks) during compose → delivered. */
  farmCpuMs: number | null;
}

/** The run with the median delivery time (the lower middle one of an even count). */
export function medianRun<T extends Measured>(runs: T[]): T {
  return [...runs].sort((a, b) => a.deliveredMs - b.deliveredMs)[(runs.length - 1) >> 1]!;
}

export async function fanout(world: World, o: FanoutOptions): Promise<FanoutResult> {
  world.runs++;
  const op = await OutpostHandle.launch({
    dataDir: world.dataDir, host: world.host, port: world.port, delivery: o.delivery,
    logFile: join(world.logDir, `${o.label.replace(/[^\w.-]+/g, '_')}.log`), cpuProfDir: o.cpuProfDir, env: o.env,
  });
  try {
    const target: FanoutTarget = {
      actor: op.actor, mark: () => op.mark(), stats: () => op.stats(), compose: (content) => op.rpc('compose', { content }),
      waitIdle: (timeoutMs) => waitQueueIdle(op, timeoutMs),
    };
    const m = await measureFanout(world.farm, target, { ...o, world: world.name, server: 'Outpost' });
    return { ...m, op, queue: o.keep ? null : await op.rpc('queueStats') };
  } finally {
    if (!o.keep) await op.stop();
  }
}

/** Marks the target, composes, and times compose → the last expected host's verified Create. */
export async function measureFanout(farm: RemoteFarm, target: FanoutTarget, o: MeasureOptions): Promise<Measured> {
  if (!target.keyKnown) await connectFarm(farm, target);
  const expect = o.expectHosts ?? farm.hosts.map((h) => h.index);
  const track = farm.beginTrack();
  let missing = expect.length;
  const pending = new Uint8Array(farm.hostCount);
  for (const i of expect) pending[i] = 1;
  let lastExpectedAt = 0;
  const onProgress = (h: { index: number }) => {
    if (pending[h.index] && !Number.isNaN(track.firstVerifiedAt[h.index]!)) {
      pending[h.index] = 0;
      missing--;
      lastExpectedAt = Math.max(lastExpectedAt, track.firstVerifiedAt[h.index]!);
    }
  };
  farm.on('progress', onProgress);
  const quiet = await waitForQuiet();
  const window = new CpuWindow();
  await target.mark();
  track.t0 = performance.now();
  const { activityId } = await target.compose(`bench ${o.label} ${new Date().toISOString()}`);
  const composeMs = performance.now() - track.t0;
  try {
    await farm.waitFor(() => missing === 0, o.timeoutMs ?? 60_000, `${expect.length} hosts to receive the Create (${o.label})`);
  } finally {
    farm.off('progress', onProgress);
  }
  const atDelivered = await target.stats();
  const load = window.close(atDelivered.cpuMs);
  const foreignCpuMs = load?.foreignMs ?? null;
  const deliveredMs = lastExpectedAt - track.t0;
  let atIdle: ChildStats | null = null;
  if (!o.keep) {
    await target.waitIdle(30_000);
    atIdle = await target.stats();
  }
  log(`[${o.world}] ${o.label}: ${track.hostsReached} hosts, ${track.requests} requests, delivered in ${deliveredMs.toFixed(0)} ms, `
    + `${o.server} CPU ${atDelivered.cpuMs.toFixed(0)} ms, ELD p99 ${atDelivered.eldP99Ms.toFixed(1)} ms (machine busy before ${quiet.busy}, other processes' CPU ${foreignCpuMs} ms)`);
  return { track, activityId, composeMs, deliveredMs, atDelivered, atIdle, machineBusyBefore: quiet.busy, quietWaitMs: quiet.waitedMs, foreignCpuMs,
    irqMs: load?.irqMs ?? null, stealMs: load?.stealMs ?? null, farmCpuMs: load?.ownMs ?? null };
}
