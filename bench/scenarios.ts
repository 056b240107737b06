// The four scenarios of the delivery benchmark, and the concurrency sweep.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deliveryConfig, type DeliveryConfig, type DeliveryOverrides } from '../src/main/core/config';
import type { HostDto } from '../src/shared/dto';
import { floorFanout } from './floorHandle';
import { fanout, medianRun, type FanoutResult, type Measured } from './fanout';
import { OutpostHandle } from './outpostHandle';
import { buildWorld, connectFarm, pollUntil, waitQueueIdle, type FarmPlacement, type World } from './world';
import type { Floor } from './floor';
import { grid, log, median, round, sleep, table } from './util';
import { waitForQuiet } from './machineLoad';

export interface Ctx {
  root: string;
  /** 1 for the real sizes; smaller for a quick try (--scale). */
  scale: number;
  repeat: number;
  cpuProfDir?: string;
  floor: Floor;
  results: Record<string, Record<string, unknown>>;
  /** Per-delivery figures of scenario 1, for scenarios 2 and 3 to compare with. */
  s1?: { deliveredMs: number; requests: number; cpuMs: number };
  /** Environment for every Outpost process (--threadpool sets UV_THREADPOOL_SIZE). */
  childEnv?: Record<string, string>;
  /** DeliveryConfig overrides for every measured Outpost process (--delivery JSON). */
  delivery: DeliveryOverrides;
  /** Where the farm listens (--farm-address, --farm-addresses, --farm-port). */
  farm: FarmPlacement;
  /** The bundled fan-out floor (bench/floorProcess.ts); none under --tsx. */
  floorChild?: string;
}

const effective = (ctx: Ctx): DeliveryConfig => deliveryConfig(ctx.delivery);

export const TARGETS = { s1DeliveredMs: 1000, s1EldP99Ms: 20, s2LiveRatio: 1.5, s3PeakRssMB: 250 };

const sized = (ctx: Ctx, n: number) => Math.max(10, Math.round(n * ctx.scale));

function emit(ctx: Ctx, key: string, json: Record<string, unknown>, human: string): void {
  ctx.results[key] = json;
  process.stdout.write(JSON.stringify(json) + '\n');
  process.stdout.write(human + '\n');
}

/** "main 570, node#1 40, …" (ms, in the threads' creation order, idle threads left out). */
function threadList(byThread: Record<string, number> | undefined): string {
  return Object.entries(byThread ?? {}).filter(([, ms]) => ms > 0).map(([k, ms]) => `${k} ${ms}`).join(', ') || '—';
}

/** One run's figures, for the JSON lines and tables (Outpost's, or Fedify's in scenario 9). */
export function runFigures(r: Measured) {
  const s = r.atDelivered;
  return {
    requests: r.track.requests, verified: r.track.verified, invalid: r.track.invalid, hostsReached: r.track.hostsReached,
    deliveredMs: round(r.deliveredMs), composeMs: round(r.composeMs), cpuMs: round(s.cpuMs), mainThreadCpuMs: s.mainThreadCpuMs, cpuByThreadMs: s.cpuByThreadMs, cpuMsUntilIdle: r.atIdle ? round(r.atIdle.cpuMs) : null,
    peakRssMB: round(Math.max(s.peakRssMB, r.atIdle?.peakRssMB ?? 0)), rssAtComposeMB: round(s.rssAtMarkMB),
    eldP50Ms: round(s.eldP50Ms, 2), eldP99Ms: round(s.eldP99Ms, 2), eldMaxMs: round(s.eldMaxMs, 2),
    peakHeapUsedMB: round(s.peakHeapUsedMB), peakHeapTotalMB: round(s.peakHeapTotalMB), peakExternalMB: round(s.peakExternalMB),
    peakArrayBuffersMB: round(s.peakArrayBuffersMB),
    // Other processes used more than a quarter of a core on average: the figures are skewed.
    noisy: r.foreignCpuMs !== null && r.foreignCpuMs > 0.25 * r.deliveredMs,
    machineBusyBefore: r.machineBusyBefore, farmCpuMs: r.farmCpuMs, foreignCpuMs: r.foreignCpuMs, irqMs: r.irqMs, stealMs: r.stealMs,
  };
}

// ---- scenario 1 ----------------------------------------------------------------------

export async function scenario1(ctx: Ctx, world: World): Promise<void> {
  const runs: FanoutResult[] = [];
  for (let i = 0; i < ctx.repeat; i++) {
    runs.push(await fanout(world, { env: ctx.childEnv, label: `s1-run${i + 1}`, cpuProfDir: ctx.cpuProfDir, delivery: ctx.delivery }));
  }
  const med = medianRun(runs);
  const f = runFigures(med);
  const floorRun = ctx.floorChild
    ? await floorFanout({ built: ctx.floorChild, world, actor: med.op.actor, keyId: med.op.keyId, concurrency: effective(ctx).globalConcurrency, repeat: ctx.repeat })
    : null;
  const json = {
    scenario: 1, hosts: world.hosts, followers: world.followers, ...f,
    runsDeliveredMs: runs.map((r) => round(r.deliveredMs)), runsCpuMs: runs.map((r) => round(r.atDelivered.cpuMs)),
    runsEldP99Ms: runs.map((r) => round(r.atDelivered.eldP99Ms, 2)),
    noisyRuns: runs.filter((r) => runFigures(r).noisy).length,
    personalInboxCreates: med.track.personal,
    setup: { followSeconds: round(world.followMs / 1000), acceptsReceived: world.acceptsReceived, acceptsInvalid: world.acceptsInvalid },
    config: { globalConcurrency: effective(ctx).globalConcurrency, perHostConcurrency: effective(ctx).perHostConcurrency, overrides: ctx.delivery },
    floorSignPerSec: { singleThread: ctx.floor.rsaSignPerSecSingleThread, threadpool: ctx.floor.rsaSignPerSecThreadpool },
    floorMsForRequests: round((f.requests / ctx.floor.rsaSignPerSecThreadpool) * 1000),
    cpuMsPerDelivery: round(f.cpuMs / Math.max(1, f.verified), 3),
    floorFanout: floorRun,
    pass: {
      requestsExact: f.requests === world.hosts, allVerified: f.verified === f.requests && f.invalid === 0,
      deliveredMs: f.deliveredMs <= TARGETS.s1DeliveredMs, eldP99Ms: f.eldP99Ms <= TARGETS.s1EldP99Ms,
    },
  };
  ctx.s1 = { deliveredMs: f.deliveredMs, requests: f.requests, cpuMs: f.cpuMs };
  emit(ctx, 's1', json, table(`Scenario 1: 1 post → ${world.followers} followers on ${world.hosts} hosts (median of ${runs.length} runs)`, [
    ['requests', f.requests, `must be ${world.hosts}`],
    ['verified signatures + digests', f.verified, `${f.invalid} invalid`],
    ['compose → last verified delivery', `${f.deliveredMs} ms`, `target ≤ ${TARGETS.s1DeliveredMs} ms; runs ${json.runsDeliveredMs.join(' / ')}`],
    ['compose rpc', `${f.composeMs} ms`],
    ['Outpost CPU (compose → delivered)', `${f.cpuMs} ms`, `main thread ${f.mainThreadCpuMs} ms; until queue idle: ${f.cpuMsUntilIdle} ms`],
    ['  by thread (compose → delivered)', threadList(f.cpuByThreadMs)],
    ['Outpost peak RSS', `${f.peakRssMB} MB`, `RSS at compose: ${f.rssAtComposeMB} MB`],
    ['event-loop delay p50 / p99', `${f.eldP50Ms} / ${f.eldP99Ms} ms`, `target p99 ≤ ${TARGETS.s1EldP99Ms} ms; max ${f.eldMaxMs} ms`],
    ['floor: RSA-2048 signs for these requests', `${json.floorMsForRequests} ms`, `at ${ctx.floor.rsaSignPerSecThreadpool}/s (threadpool)`],
    ['floor: bare signed POSTs, fresh process', floorRun ? `${floorRun.deliveredMs} ms` : '—',
      floorRun ? `CPU ${floorRun.cpuMs} ms = ${floorRun.cpuMsPerDelivery} ms/delivery (Outpost ${json.cpuMsPerDelivery}); main thread ${floorRun.mainThreadCpuMs} ms; runs ${floorRun.runsDeliveredMs.join(' / ')}` : 'needs the compiled bench (not --tsx)'],
    ['  by thread', floorRun ? threadList(floorRun.cpuByThreadMs) : '—'],
    ['farm (this process) CPU during the run', `${f.farmCpuMs} ms`, `irq+softirq ${f.irqMs} ms, steal ${f.stealMs} ms`],
    ['other processes\' CPU during the run', `${f.foreignCpuMs} ms`, `machine busy before: ${f.machineBusyBefore}`],
  ]));
}

// ---- concurrency sweep ---------------------------------------------------------------

export interface SweepOptions {
  /** Result key: 'sweep' or 'sweepLatency'. */
  key: string;
  /** The farm answers every POST after this long (0: loopback as is). */
  latencyMs: number;
  perHosts: number[];
}

export async function sweep(ctx: Ctx, world: World, o: SweepOptions): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  world.farm.latencyMs = o.latencyMs;
  // perHostConcurrency (the per-origin socket cap of Outpost's node:http agents) only matters
  // for hosts with several deliveries; 1 is not a sensible cap for busy hosts.
  try {
    for (const perHost of o.perHosts) {
      for (const global of [16, 32, 64, 128]) {
        const delivery: DeliveryOverrides = { ...ctx.delivery, globalConcurrency: global, perHostConcurrency: perHost };
        const reps: FanoutResult[] = [];
        for (let i = 0; i < ctx.repeat; i++) {
          reps.push(await fanout(world, { env: ctx.childEnv, label: `sweep-l${o.latencyMs}-g${global}-p${perHost}-${i + 1}`, delivery }));
        }
        const figs = reps.map(runFigures);
        const med = (k: keyof ReturnType<typeof runFigures>, d = 1) => round(median(figs.map((f) => Number(f[k]))), d);
        rows.push({
          globalConcurrency: global, perHostConcurrency: perHost,
          deliveredMs: med('deliveredMs'), cpuMs: med('cpuMs'), mainThreadCpuMs: med('mainThreadCpuMs'),
          eldP99Ms: med('eldP99Ms', 2), eldMaxMs: med('eldMaxMs', 2), peakRssMB: med('peakRssMB'), peakHeapUsedMB: med('peakHeapUsedMB'),
          noisyRuns: figs.filter((f) => f.noisy).length, requests: figs[0]!.requests, runsDeliveredMs: figs.map((f) => f.deliveredMs), foreignCpuMs: figs.map((f) => f.foreignCpuMs),
        });
      }
    }
  } finally {
    world.farm.latencyMs = 0;
  }
  emit(ctx, o.key, { sweep: 'scenario1', hosts: world.hosts, followers: world.followers, farmLatencyMs: o.latencyMs, repeat: ctx.repeat, rows },
    grid(`Concurrency sweep on scenario 1 (${world.hosts} hosts; farm answers after ${o.latencyMs} ms; median of ${ctx.repeat})`,
      ['global', 'perHost', 'delivered ms', 'CPU ms', 'main-thread ms', 'ELD p99 ms', 'ELD max ms', 'peak RSS MB', 'peak heap MB', 'runs ms', 'others\' CPU ms'],
      rows.map((r) => [r.globalConcurrency, r.perHostConcurrency, r.deliveredMs, r.cpuMs, r.mainThreadCpuMs, r.eldP99Ms, r.eldMaxMs, r.peakRssMB, r.peakHeapUsedMB,
        (r.runsDeliveredMs as number[]).join('/'), (r.foreignCpuMs as number[]).join('/')])));
}

// ---- scenario 2 ----------------------------------------------------------------------

/**
 * A retry schedule that reaches the backoff within seconds and then holds it for minutes: the
 * backoff is never longer than the user's own retry after as many failures, so three failures
 * 0.25 s apart then a retry 100 s later (250 ms × 20²) give a 100 s backoff to observe.
 */
export const SHORT_RETRY: DeliveryOverrides = {
  retry: { initialDelayMs: 250, factor: 20, maxDelayMs: 600_000, maxElapsedMs: 3600_000, jitter: 0.2, maxRetryAfterMs: 60_000 },
  hosts: { failuresBeforeBackoff: 3 },
};

export async function scenario2(ctx: Ctx): Promise<void> {
  const world = await buildWorld(ctx.root, 's2', sized(ctx, 500), sized(ctx, 1000), ctx.farm);
  const { farm } = world;
  try {
    // Same world, every host up: the baseline this scenario is compared with.
    const base = await fanout(world, { env: ctx.childEnv, label: 's2-baseline', delivery: { ...ctx.delivery, ...SHORT_RETRY } });

    // Host i: i mod 10 ∈ {0,1} refuses connections (20 %), = 2 answers after 15 s (10 %), else normal.
    const dead = farm.hosts.filter((h) => h.index % 10 < 2);
    const slow = farm.hosts.filter((h) => h.index % 10 === 2);
    const live = farm.hosts.filter((h) => h.index % 10 > 2);
    for (const h of dead) await farm.refuse(h);
    for (const h of slow) farm.slow(h);
    log(`[s2] ${dead.length} hosts refuse connections, ${slow.length} answer after ${farm.slowMs / 1000} s, ${live.length} normal`);

    const r = await fanout(world, { env: ctx.childEnv, label: 's2-faulty', delivery: { ...ctx.delivery, ...SHORT_RETRY }, expectHosts: live.map((h) => h.index), keep: true, timeoutMs: 60_000 });
    const { op, track } = r;
    try {
      const deadHosts = new Set(dead.map((h) => h.host));
      const hostsNow = async () => (await op.rpc('hosts')).filter((h) => deadHosts.has(h.host));
      let deadDtos: HostDto[] = [];
      await pollUntil(async () => {
        deadDtos = await hostsNow();
        return deadDtos.length === dead.length && deadDtos.every((h) => h.state === 'backing_off');
      }, 30_000, 'every refusing host to be backing_off', 100);
      const backoffMs = performance.now() - track.t0;
      const attemptsBefore = sum(deadDtos.map((h) => h.attempts));
      // Each of these hosts had only successes before this run (Accepts, the baseline): its failures are this run's attempts.
      const failures = deadDtos.map((h) => h.failures);
      const minFailures = Math.min(...deadDtos.map((h) => h.consecutiveFailures));
      const backoffUntilMin = Math.min(...deadDtos.map((h) => h.backoffUntil ?? 0));

      // Observe the backoff: a bare listener on every refusing host's address:port counts
      // connection attempts (any attempt would now connect), and the admin API's per-host
      // attempt counts must not move.
      for (const h of dead) await farm.countConnections(h);
      const observeMs = 5000;
      await sleep(observeMs);
      const after = await hostsNow();
      const attemptsAfter = sum(after.map((h) => h.attempts));
      const stillBackingOff = after.filter((h) => h.state === 'backing_off').length;
      const connections = sum(dead.map((h) => h.connectionsCounted));
      const qBackoff = await op.rpc('queueStats');
      // Positive control: the listeners do see attempts. Retry one host now (admin API);
      // Outpost must connect to it within a few seconds.
      const probe = dead[0]!;
      await op.rpc('retryHost', { host: probe.host });
      await pollUntil(async () => probe.connectionsCounted > 0, 5000, `a connection to ${probe.host} after retryHost`, 50).catch(() => {});
      const controlConnections = probe.connectionsCounted;
      for (const h of dead) await farm.stopCounting(h);

      // Slow hosts: they got it at once, but answer after 15 s.
      let slowAnsweredMs = NaN;
      const live70 = live.length + slow.length;
      await pollUntil(async () => {
        const p = await op.rpc('deliveryProgress', { activityId: r.activityId });
        if (p.delivered >= live70) slowAnsweredMs = performance.now() - track.t0;
        return p.delivered >= live70;
      }, 40_000, 'the slow hosts to answer', 200);
      const progress = await op.rpc('deliveryProgress', { activityId: r.activityId });
      const stats = await op.stats();
      const q = await op.rpc('queueStats');
      const slowReceivedMs = Math.max(...slow.map((h) => track.firstVerifiedAt[h.index]! - track.t0));
      const f = runFigures(r);
      const baseMs = base.deliveredMs;
      const json = {
        scenario: 2, hosts: world.hosts, followers: world.followers, refusing: dead.length, slow: slow.length, live: live.length,
        liveDeliveredMs: f.deliveredMs, baselineDeliveredMs: round(baseMs), ratioToBaseline: round(f.deliveredMs / baseMs, 2),
        ratioToScenario1: ctx.s1 ? round(f.deliveredMs / ctx.s1.deliveredMs, 2) : null,
        cpuMs: f.cpuMs, eldP50Ms: f.eldP50Ms, eldP99Ms: f.eldP99Ms, peakRssMB: round(stats.peakRssMB),
        foreignCpuMs: f.foreignCpuMs, noisy: f.noisy || runFigures(base).noisy, offline: q.offline,
        slowReceivedMs: round(slowReceivedMs), slowAnsweredMs: round(slowAnsweredMs),
        backingOffAfterMs: round(backoffMs), refusingMinConsecutiveFailures: minFailures,
        failedAttemptsPerRefusingHost: { min: Math.min(...failures), max: Math.max(...failures) },
        backoffEndsInMin: round((backoffUntilMin - Date.now()) / 60_000, 1),
        observeMs, attemptsToRefusingBefore: attemptsBefore, attemptsToRefusingAfter: attemptsAfter,
        connectionsToRefusingDuringBackoff: connections, controlRetryHostConnections: controlConnections, stillBackingOff, parked: qBackoff.parked, hostsBackingOff: qBackoff.hostsBackingOff,
        progress: { delivered: progress.delivered, parked: progress.parked, queued: progress.queued, failed: progress.failed },
        requestsToRefusing: sum(dead.map((h) => track.perHost[h.index]!)), invalid: track.invalid,
        retry: SHORT_RETRY.retry,
        pass: {
          liveWithin1_5xBaseline: f.deliveredMs <= TARGETS.s2LiveRatio * baseMs,
          liveWithin1_5xScenario1: ctx.s1 ? f.deliveredMs <= TARGETS.s2LiveRatio * ctx.s1.deliveredMs : null,
          allRefusingBackingOff: stillBackingOff === dead.length,
          noAttemptsDuringBackoff: connections === 0 && attemptsAfter === attemptsBefore,
          counterSeesAttempts: controlConnections > 0,
          slowDelivered: progress.delivered >= live70,
        },
      };
      emit(ctx, 's2', json, table(`Scenario 2: ${world.hosts} hosts, ${dead.length} refusing, ${slow.length} answering after ${farm.slowMs / 1000} s`, [
        ['live hosts (70 %) all have it', `${json.liveDeliveredMs} ms`, `baseline (all up, same world) ${json.baselineDeliveredMs} ms → ×${json.ratioToBaseline}${ctx.s1 ? `; vs scenario 1 ×${json.ratioToScenario1}` : ''}; target ≤ ×${TARGETS.s2LiveRatio}`],
        ['slow hosts received / answered', `${json.slowReceivedMs} / ${json.slowAnsweredMs} ms`],
        ['refusing hosts all backing_off after', `${json.backingOffAfterMs} ms`, `failed attempts per host ${json.failedAttemptsPerRefusingHost.min}-${json.failedAttemptsPerRefusingHost.max}; backoff ends in ${json.backoffEndsInMin} min`],
        [`attempts to refusing hosts (admin API, all time) before / after ${observeMs / 1000} s`, `${attemptsBefore} / ${attemptsAfter}`],
        [`TCP connections to refusing hosts in ${observeMs / 1000} s of backoff`, connections, 'listeners bound on their address:port after backoff began'],
        ['control: connections after retryHost on one', controlConnections, 'the listeners do catch attempts'],
        ['parked deliveries / hosts backing off (during backoff)', `${qBackoff.parked} / ${qBackoff.hostsBackingOff}`],
        ['Outpost CPU / ELD p50 / p99', `${f.cpuMs} ms / ${f.eldP50Ms} / ${f.eldP99Ms} ms`],
      ]));
    } finally {
      await op.stop();
    }
  } finally {
    await farm.stop();
  }
}

// ---- scenario 3 ----------------------------------------------------------------------

export async function scenario3(ctx: Ctx): Promise<void> {
  const world = await buildWorld(ctx.root, 's3', sized(ctx, 5000), sized(ctx, 10_000), ctx.farm);
  try {
    const r = await fanout(world, { env: ctx.childEnv, label: 's3', timeoutMs: 120_000, cpuProfDir: ctx.cpuProfDir, delivery: ctx.delivery });
    const f = runFigures(r);
    const perDelivery = f.deliveredMs / f.requests;
    const cpuPerDelivery = f.cpuMs / f.requests;
    const s1 = ctx.s1;
    const json = {
      scenario: 3, hosts: world.hosts, followers: world.followers, ...f,
      msPerDelivery: round(perDelivery, 3), cpuMsPerDelivery: round(cpuPerDelivery, 3),
      scenario1MsPerDelivery: s1 ? round(s1.deliveredMs / s1.requests, 3) : null,
      scenario1CpuMsPerDelivery: s1 ? round(s1.cpuMs / s1.requests, 3) : null,
      perDeliveryRatioToScenario1: s1 ? round(perDelivery / (s1.deliveredMs / s1.requests), 2) : null,
      setupSeconds: round(world.setupMs / 1000), setupAcceptsReceived: world.acceptsReceived, setupAcceptsInvalid: world.acceptsInvalid,
      pass: { peakRssMB: f.peakRssMB <= TARGETS.s3PeakRssMB, requestsExact: f.requests === world.hosts, allVerified: f.verified === f.requests },
    };
    emit(ctx, 's3', json, table(`Scenario 3: 1 post → ${world.followers} followers on ${world.hosts} hosts`, [
      ['requests / verified', `${f.requests} / ${f.verified}`],
      ['compose → last verified delivery', `${f.deliveredMs} ms`],
      ['per delivery (wall)', `${json.msPerDelivery} ms`, s1 ? `scenario 1: ${json.scenario1MsPerDelivery} ms → ×${json.perDeliveryRatioToScenario1}` : ''],
      ['per delivery (Outpost CPU)', `${json.cpuMsPerDelivery} ms`, `${s1 ? `scenario 1: ${json.scenario1CpuMsPerDelivery} ms; ` : ''}main thread ${f.mainThreadCpuMs} ms in all`],
      ['Outpost peak V8 heap used / external', `${f.peakHeapUsedMB} / ${f.peakExternalMB} MB`],
      ['Outpost peak RSS', `${f.peakRssMB} MB`, `target ≤ ${TARGETS.s3PeakRssMB} MB; at compose ${f.rssAtComposeMB} MB`],
      ['event-loop delay p50 / p99 / max', `${f.eldP50Ms} / ${f.eldP99Ms} / ${f.eldMaxMs} ms`],
      ['setup (not measured)', `${json.setupSeconds} s`],
    ]));
  } finally {
    await world.farm.stop();
  }
}

// ---- scenario 4 ----------------------------------------------------------------------

export async function scenario4(ctx: Ctx, world: World): Promise<void> {
  const { farm } = world;
  const logFile = (n: string) => join(world.logDir, `${n}.log`);
  const op = await OutpostHandle.launch({ env: ctx.childEnv, delivery: ctx.delivery, dataDir: world.dataDir, host: world.host, port: world.port, logFile: logFile('s4-before-crash') });
  await connectFarm(farm, op);
  const track = farm.beginTrack();
  const killAt = Math.ceil(world.hosts * 0.4);
  let killedAt = { hosts: 0, requests: 0, ms: 0 };
  let killed = false;
  const onProgress = () => {
    if (killed || track.hostsReached < killAt) return;
    killed = true;
    op.child.kill('SIGKILL'); // synchronously, from inside the request that crossed 40 %
    killedAt = { hosts: track.hostsReached, requests: track.requests, ms: performance.now() - track.t0 };
  };
  farm.on('progress', onProgress);
  await waitForQuiet();
  track.t0 = performance.now();
  const { activityId } = await op.rpc('compose', { content: `bench crash ${new Date().toISOString()}` });
  const exit = await Promise.race([op.exited, sleep(30_000).then(() => null)]);
  farm.off('progress', onProgress);
  if (!exit) {
    await op.kill9();
    throw new Error('scenario 4: 40 % was never reached');
  }
  await sleep(300); // requests the dead process had on the wire are finished (or failed) by now
  const afterKill = { hosts: track.hostsReached, requests: track.requests };

  const t1 = performance.now();
  const op2 = await OutpostHandle.launch({ env: ctx.childEnv, delivery: ctx.delivery, dataDir: world.dataDir, host: world.host, port: world.port, logFile: logFile('s4-after-restart') });
  try {
    await connectFarm(farm, op2);
    const restartMs = performance.now() - t1;
    await farm.waitFor(() => track.hostsReached >= world.hosts, 60_000, 'every host after the restart');
    const allMs = performance.now() - t1;
    await waitQueueIdle(op2, 30_000);
    await sleep(200);
    const progress = await op2.rpc('deliveryProgress', { activityId });
    const duplicates = track.requests - track.hostsReached;
    const dupHosts = Array.from(track.perHost).filter((n) => n > 1).length;
    const requeued = Number(/(\d+) deliveries that were in flight when Outpost stopped are queued again/.exec(readFileSync(logFile('s4-after-restart'), 'utf8'))?.[1] ?? 0);
    const cap = effective(ctx).globalConcurrency;
    const json = {
      scenario: 4, hosts: world.hosts, followers: world.followers, killAfterHosts: killAt,
      killedAtMs: round(killedAt.ms), hostsAtKill: killedAt.hosts, hostsAfterKill: afterKill.hosts, requestsBeforeRestart: afterKill.requests,
      requeuedInFlightOnRestart: requeued, restartMs: round(restartMs), allHostsReachedAfterRestartMs: round(allMs),
      hostsReached: track.hostsReached, requests: track.requests, duplicates, hostsWithDuplicates: dupHosts,
      inFlightCap: { globalConcurrency: cap, maxInFlight: effective(ctx).maxInFlight },
      progress: { total: progress.total, delivered: progress.delivered, failed: progress.failed, queued: progress.queued },
      invalid: track.invalid,
      pass: { allHostsReached: track.hostsReached === world.hosts, duplicatesWithinCap: duplicates <= cap, allRecordedDelivered: progress.delivered === world.hosts },
    };
    emit(ctx, 's4', json, table(`Scenario 4: kill -9 at ~40 % of ${world.hosts} hosts, restart`, [
      ['killed after', `${json.hostsAtKill} hosts`, `${json.killedAtMs} ms after compose; ${afterKill.hosts} hosts had it once the process was gone`],
      ['in-flight rows requeued on restart', requeued],
      ['restart → every host reached', `${json.allHostsReachedAfterRestartMs} ms`, `process start ${json.restartMs} ms`],
      ['hosts reached', `${track.hostsReached} / ${world.hosts}`],
      ['duplicates (requests − hosts)', duplicates, `on ${dupHosts} hosts; cap ${cap} (globalConcurrency), hard cap ${effective(ctx).maxInFlight}`],
      ['Outpost records delivered', `${progress.delivered} / ${progress.total}`],
    ]));
  } finally {
    await op2.stop();
  }
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

export { buildWorld };
