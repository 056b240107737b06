// Scenario 9: scenario 1's fan-out (1 post → 1000 followers on 500 hosts) by Outpost and by
// Fedify 2.3.6 (bench/fedify/server.mjs) against the same loopback farm, in one bench run.
// The farm's users follow both through the protocol; every measured run is a fresh process
// marked before compose; Outpost and Fedify runs alternate so machine noise hits both alike.
import { join } from 'node:path';
import { deliveryConfig } from '../src/main/core/config';
import { fanout, measureFanout, type Measured } from './fanout';
import { FedifyHandle, fedifyVersion, prepareFedify } from './fedifyHandle';
import { medianRun, runFigures, TARGETS, type Ctx } from './scenarios';
import { connectFarm, freePort, pollUntil, type World } from './world';
import { log, round, table } from './util';

/** The target: the fan-out at least this many times faster than Fedify's. */
export const FEDIFY_TARGET_RATIO = 5;

export interface VersusOptions {
  /** Fedify's queue workers (ParallelMessageQueue); default: Outpost's globalConcurrency, the same in-flight cap. */
  fedifyWorkers?: number;
}

interface FedifySetup {
  server: string;
  port: number;
  stateFile: string;
  followMs: number;
  follows: { ok: number; failed: number };
  acceptsReceived: number;
  acceptsInvalid: number;
}

/** The farm's users follow a fresh Fedify server (it verifies each Follow and Accepts); its followers and key are saved for the measured runs. */
async function setupFedify(world: World, workers: number): Promise<FedifySetup> {
  const server = await prepareFedify();
  const { farm } = world;
  const port = await freePort('127.0.0.1');
  const stateFile = join(world.logDir, 'fedify-state.json');
  const fed = await FedifyHandle.launch({ server, host: '127.0.0.1', port, stateFile, workers, logFile: join(world.logDir, 's9-fedify-setup.log') });
  try {
    const accepts0 = farm.accepts;
    const invalid0 = farm.acceptsInvalid;
    await connectFarm(farm, fed);
    const t0 = performance.now();
    const follows = await farm.followAll(50);
    if (follows.failed > 0) log(`[${world.name}] ${follows.failed} Follows to Fedify failed; last error: ${follows.lastError}`);
    await pollUntil(async () => (await fed.state()).followers >= world.followers, 60_000 + world.followers * 20, `Fedify to have ${world.followers} followers`);
    const followMs = performance.now() - t0;
    await fed.waitIdle(60_000);
    await fed.save();
    const setup = { server, port, stateFile, followMs, follows, acceptsReceived: farm.accepts - accepts0, acceptsInvalid: farm.acceptsInvalid - invalid0 };
    log(`[${world.name}] Fedify: ${world.followers} followers in ${(followMs / 1000).toFixed(1)} s (farm received ${setup.acceptsReceived} Accepts, ${setup.acceptsInvalid} failed verification)`);
    return setup;
  } finally {
    await fed.stop();
  }
}

export async function scenario9(ctx: Ctx, world: World, o: VersusOptions = {}): Promise<void> {
  const globalConcurrency = deliveryConfig(ctx.delivery).globalConcurrency;
  const workers = o.fedifyWorkers ?? globalConcurrency;
  const setup = await setupFedify(world, workers);
  const outpost: Measured[] = [];
  const fedify: Measured[] = [];
  for (let i = 1; i <= ctx.repeat; i++) {
    outpost.push(await fanout(world, { env: ctx.childEnv, label: `s9-outpost-run${i}`, cpuProfDir: ctx.cpuProfDir, delivery: ctx.delivery }));
    const fed = await FedifyHandle.launch({
      server: setup.server, host: '127.0.0.1', port: setup.port, stateFile: setup.stateFile, workers,
      logFile: join(world.logDir, `s9-fedify-run${i}.log`), cpuProfDir: ctx.cpuProfDir,
    });
    try {
      const followers = (await fed.state()).followers;
      if (followers !== world.followers) throw new Error(`the Fedify server loaded ${followers} followers, expected ${world.followers}`);
      fedify.push(await measureFanout(world.farm, fed, { label: `s9-fedify-run${i}`, world: world.name, server: 'Fedify' }));
      const errors = (await fed.state()).outboxErrors;
      if (errors > 0) log(`[${world.name}] Fedify reported ${errors} outbox errors (log: s9-fedify-run${i}.log)`);
    } finally {
      await fed.stop();
    }
  }
  const side = (runs: Measured[]) => {
    const f = runFigures(medianRun(runs));
    return {
      ...f, cpuMsPerDelivery: round(f.cpuMs / Math.max(1, f.hostsReached), 2),
      mainThreadCpuMsPerDelivery: f.mainThreadCpuMs === null ? null : round(f.mainThreadCpuMs / Math.max(1, f.hostsReached), 2),
      specs: medianRun(runs).track.specs, personalInboxCreates: medianRun(runs).track.personal,
      runsDeliveredMs: runs.map((r) => round(r.deliveredMs)), runsCpuMs: runs.map((r) => round(r.atDelivered.cpuMs)),
      noisyRuns: runs.filter((r) => runFigures(r).noisy).length,
    };
  };
  const out = side(outpost);
  const fed = side(fedify);
  const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? round(a / b, 2) : null);
  const timeRatio = ratio(fed.deliveredMs, out.deliveredMs);
  // Each run's own ratio of CPU per delivery: the pairs ran back to back, so they share the machine's state.
  const json = {
    scenario: 9, hosts: world.hosts, followers: world.followers, runs: ctx.repeat, fedifyVersion: fedifyVersion(),
    config: { outpostGlobalConcurrency: globalConcurrency, fedifyWorkers: workers, overrides: ctx.delivery },
    outpost: out, fedify: fed,
    ratio: {
      deliveredMs: timeRatio, cpuMs: ratio(fed.cpuMs, out.cpuMs), mainThreadCpuMs: ratio(fed.mainThreadCpuMs, out.mainThreadCpuMs),
      cpuMsUntilIdle: ratio(fed.cpuMsUntilIdle, out.cpuMsUntilIdle), peakRssMB: ratio(fed.peakRssMB, out.peakRssMB),
      runsDeliveredMs: outpost.map((r, i) => ratio(fedify[i]!.deliveredMs, r.deliveredMs)),
      runsCpuMs: outpost.map((r, i) => ratio(fedify[i]!.atDelivered.cpuMs, r.atDelivered.cpuMs)),
    },
    setup: {
      fedifyFollowSeconds: round(setup.followMs / 1000), fedifyFollowsFailed: setup.follows.failed,
      fedifyAcceptsReceived: setup.acceptsReceived, fedifyAcceptsInvalid: setup.acceptsInvalid,
    },
    noisyRuns: out.noisyRuns + fed.noisyRuns,
    pass: {
      outpostRequestsExact: out.requests === world.hosts, fedifyRequestsExact: fed.requests === world.hosts,
      outpostAllVerified: out.verified === out.requests && out.invalid === 0, fedifyAllVerified: fed.verified === fed.requests && fed.invalid === 0,
      fasterThanFedify: timeRatio !== null && timeRatio >= FEDIFY_TARGET_RATIO, outpostEldP99Ms: out.eldP99Ms <= TARGETS.s1EldP99Ms,
    },
  };
  ctx.results.s9 = json;
  const row = (label: string, a: unknown, b: unknown, note = ''): [string, unknown, string?] => [label, `${String(a).padStart(12)}  ${String(b).padStart(12)}`, note];
  process.stdout.write(JSON.stringify(json) + '\n');
  process.stdout.write(table(`Scenario 9: Outpost vs Fedify ${json.fedifyVersion}, 1 post → ${world.followers} followers on ${world.hosts} hosts (median of ${ctx.repeat} runs each)`, [
    row('', 'Outpost', 'Fedify', 'Fedify / Outpost'),
    row('compose → last verified delivery, ms', out.deliveredMs, fed.deliveredMs, `×${timeRatio} (target ≥ ${FEDIFY_TARGET_RATIO}); runs ${out.runsDeliveredMs.join('/')} vs ${fed.runsDeliveredMs.join('/')}`),
    row('requests', out.requests, fed.requests, `must be ${world.hosts} each`),
    row('verified / invalid', `${out.verified} / ${out.invalid}`, `${fed.verified} / ${fed.invalid}`, `signatures: ${JSON.stringify(out.specs)} vs ${JSON.stringify(fed.specs)}`),
    row('CPU, whole process, ms', out.cpuMs, fed.cpuMs, `×${json.ratio.cpuMs}; until queue idle ${out.cpuMsUntilIdle} vs ${fed.cpuMsUntilIdle} ms`),
    row('CPU, main thread, ms', out.mainThreadCpuMs, fed.mainThreadCpuMs, `×${json.ratio.mainThreadCpuMs}`),
    row('CPU per delivery, ms', out.cpuMsPerDelivery, fed.cpuMsPerDelivery, `main thread ${out.mainThreadCpuMsPerDelivery} vs ${fed.mainThreadCpuMsPerDelivery} ms`),
    row('peak RSS, MB', out.peakRssMB, fed.peakRssMB, `RSS at compose ${out.rssAtComposeMB} vs ${fed.rssAtComposeMB} MB`),
    row('event-loop delay p99, ms', out.eldP99Ms, fed.eldP99Ms, `max ${out.eldMaxMs} vs ${fed.eldMaxMs} ms`),
    row('in flight at once', globalConcurrency, workers, 'Outpost globalConcurrency vs Fedify ParallelMessageQueue workers'),
    row('other processes\' CPU, ms', out.foreignCpuMs, fed.foreignCpuMs, `noisy runs: ${json.noisyRuns}`),
  ]) + '\n');
}
