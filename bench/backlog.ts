// Scenario 6, a backlog: P posts to 1000 followers on 500 hosts composed back to back into
// one Outpost, so P × 500 deliveries wait at once. Measured: the drain rate while the queue
// is deep, against the one-post rate in the same world (target ≥ 0.8×); peak RSS (≤ 250 MB
// at any backlog: memory must follow hosts, not queued rows); event-loop delay.
//
// Each run starts a fresh Outpost on its own copy of the world's data folder, so a run that
// stops before its queue drained leaves nothing for the next. Runs with more deliveries than
// `drainLimit` are measured over a window after the last compose instead of to the end.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fanout } from './fanout';
import { OutpostHandle } from './outpostHandle';
import { buildWorld, connectFarm, type World } from './world';
import { CpuWindow, waitForQuiet } from './machineLoad';
import { grid, log, round } from './util';
import type { Ctx } from './scenarios';

export const BACKLOG_TARGETS = { rateRatio: 0.8, peakRssMB: 250, eldP99Ms: 20 };

export interface BacklogOptions {
  /** Posts per run (default 100 and 1000). */
  posts: number[];
  /** Runs with more deliveries than this are measured over `windowMs` after the last compose. Default 100 000. */
  drainLimit: number;
  windowMs: number;
}

export const BACKLOG_DEFAULTS: BacklogOptions = { posts: [100, 1000], drainLimit: 100_000, windowMs: 60_000 };

interface BacklogRow {
  posts: number;
  deliveries: number;
  composeSeconds: number;
  /** Deliveries still waiting when the measurement began (right after the last compose). */
  queuedAtWindow: number;
  measuredSeconds: number;
  drained: boolean;
  deliveredInWindow: number;
  ratePerSecond: number;
  rateRatioToOnePost: number;
  /** Over the whole run, composes included. */
  overallRatePerSecond: number;
  cpuMsPerDelivery: number;
  mainThreadCpuMsPerDelivery: number | null;
  peakRssMB: number;
  peakHeapUsedMB: number;
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  /** The rate in each 10 s of the window (deliveries/s): flat means O(new work) per turn. */
  ratesBy10s: number[];
  invalid: number;
  foreignCpuMs: number | null;
}

export async function scenario6(ctx: Ctx, o: BacklogOptions = BACKLOG_DEFAULTS): Promise<void> {
  const sized = (n: number) => Math.max(10, Math.round(n * ctx.scale));
  const world = await buildWorld(ctx.root, 's6', sized(500), sized(1000), ctx.farm);
  try {
    const one = await fanout(world, { env: ctx.childEnv, label: 's6-one-post', delivery: ctx.delivery });
    const oneRate = one.track.requests / (one.deliveredMs / 1000);
    const rows: BacklogRow[] = [];
    for (const posts of [...o.posts].sort((a, b) => a - b)) rows.push(await backlogRun(ctx, world, Math.max(1, Math.round(posts * ctx.scale)), oneRate, o));
    const pass = {
      rateRatio: rows.every((r) => r.rateRatioToOnePost >= BACKLOG_TARGETS.rateRatio),
      peakRssMB: rows.every((r) => r.peakRssMB <= BACKLOG_TARGETS.peakRssMB),
      eldP99Ms: rows.every((r) => r.eldP99Ms <= BACKLOG_TARGETS.eldP99Ms),
      allVerified: rows.every((r) => r.invalid === 0),
    };
    const json = {
      scenario: 6, hosts: world.hosts, followers: world.followers, onePostDeliveredMs: round(one.deliveredMs), onePostRatePerSecond: round(oneRate),
      rows, noisyRuns: rows.filter((r) => r.foreignCpuMs !== null && r.foreignCpuMs > 0.25 * r.measuredSeconds * 1000).length, pass,
    };
    ctx.results.s6 = json;
    process.stdout.write(JSON.stringify(json) + '\n');
    process.stdout.write(grid(`Scenario 6: a backlog of P posts × ${world.hosts} hosts composed back to back (one post: ${round(oneRate)} deliveries/s, ${round(one.deliveredMs)} ms)`,
      ['posts', 'deliveries', 'queued at start', 'measured s', 'rate /s', '× one post', 'CPU ms/delivery', 'main ms/delivery', 'peak RSS MB', 'ELD p50/p99/max ms', 'rate per 10 s'],
      rows.map((r) => [r.posts, r.deliveries, r.queuedAtWindow, r.measuredSeconds, r.ratePerSecond, r.rateRatioToOnePost, r.cpuMsPerDelivery,
        r.mainThreadCpuMsPerDelivery ?? '—', r.peakRssMB, `${r.eldP50Ms}/${r.eldP99Ms}/${r.eldMaxMs}`, r.ratesBy10s.join(' ')])) +
      `  targets: ≥ ${BACKLOG_TARGETS.rateRatio}× the one-post rate, peak RSS ≤ ${BACKLOG_TARGETS.peakRssMB} MB, ELD p99 ≤ ${BACKLOG_TARGETS.eldP99Ms} ms\n`);
  } finally {
    await world.farm.stop();
  }
}

async function backlogRun(ctx: Ctx, world: World, posts: number, oneRate: number, o: BacklogOptions): Promise<BacklogRow> {
  const { farm } = world;
  const dataDir = join(world.logDir, `backlog-${posts}`);
  rmSync(dataDir, { recursive: true, force: true });
  cpSync(world.dataDir, dataDir, { recursive: true });
  const op = await OutpostHandle.launch({
    env: ctx.childEnv, delivery: ctx.delivery, dataDir, host: world.host, port: world.port, logFile: join(world.logDir, `s6-${posts}.log`),
    cpuProfDir: ctx.cpuProfDir,
  });
  try {
    await connectFarm(farm, op);
    const track = farm.beginTrack();
    const total = posts * world.hosts;
    await waitForQuiet();
    const window = new CpuWindow();
    await op.mark();
    track.t0 = performance.now();
    for (let i = 0; i < posts; i++) await op.rpc('compose', { content: `backlog ${i + 1} of ${posts}` }, 60_000);
    const composedAt = performance.now();
    const atComposed = track.verified;
    const drain = total <= o.drainLimit;
    log(`[s6] ${posts} posts composed in ${round((composedAt - track.t0) / 1000)} s; ${atComposed} of ${total} delivered so far; ${drain ? 'draining' : `measuring ${o.windowMs / 1000} s`}`);
    const rates: number[] = [];
    let last = track.verified;
    const sampler = setInterval(() => {
      rates.push(round((track.verified - last) / 10));
      last = track.verified;
    }, 10_000);
    try {
      await farm.waitFor(() => track.verified >= total, drain ? 60 * 60_000 : o.windowMs, 'the backlog to drain').catch((err: unknown) => {
        if (drain) throw err;
      });
    } finally {
      clearInterval(sampler);
    }
    const endAt = drain ? track.lastVerifiedAt : performance.now();
    const stats = await op.stats();
    const load = window.close(stats.cpuMs);
    const measuredS = (endAt - composedAt) / 1000;
    const inWindow = track.verified - atComposed;
    const rate = inWindow / measuredS;
    const row: BacklogRow = {
      posts, deliveries: total, composeSeconds: round((composedAt - track.t0) / 1000), queuedAtWindow: total - atComposed,
      measuredSeconds: round(measuredS), drained: track.verified >= total, deliveredInWindow: inWindow,
      ratePerSecond: round(rate), rateRatioToOnePost: round(rate / oneRate, 2),
      overallRatePerSecond: round(track.verified / ((endAt - track.t0) / 1000)),
      cpuMsPerDelivery: round(stats.cpuMs / track.verified, 3),
      mainThreadCpuMsPerDelivery: stats.mainThreadCpuMs === null ? null : round(stats.mainThreadCpuMs / track.verified, 3),
      peakRssMB: round(Math.max(stats.peakRssMB, stats.peakRssSinceMarkMB)), peakHeapUsedMB: round(stats.peakHeapUsedMB),
      eldP50Ms: round(stats.eldP50Ms, 2), eldP99Ms: round(stats.eldP99Ms, 2), eldMaxMs: round(stats.eldMaxMs, 2),
      ratesBy10s: rates, invalid: track.invalid, foreignCpuMs: load?.foreignMs ?? null,
    };
    log(`[s6] ${posts} posts: ${row.ratePerSecond} deliveries/s with ${row.queuedAtWindow} queued (×${row.rateRatioToOnePost} one post), peak RSS ${row.peakRssMB} MB, ELD p99 ${row.eldP99Ms} ms`);
    return row;
  } finally {
    await op.stop();
  }
}
