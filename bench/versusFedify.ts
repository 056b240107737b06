// Scenario 9: scenario 1's fan-out (1 post → 1000 followers on 500 hosts) by Outpost and by
// Fedify 2.3.6 (bench/fedify/server.mjs) against the same loopback farm, in one bench run.
// The farm's users follow both through the protocol; every measured run is a fresh process
// marked before compose; Outpost and Fedify runs alternate so machine noise hits both alike.
// Fedify runs twice per round: with InProcessMessageQueue alone (one task at a time, as in
// Fedify's examples) and inside a ParallelMessageQueue with Outpost's in-flight cap.
import { join } from 'node:path';
import { deliveryConfig } from '../src/main/core/config';
import { fanout, measureFanout, medianRun, type Measured } from './fanout';
import { FedifyHandle, fedifyVersion, prepareFedify } from './fedifyHandle';
import { runFigures, TARGETS, type Ctx } from './scenarios';
import { connectFarm, freePort, pollUntil, type World } from './world';
import { log, median, round, table } from './util';

/** The target: the fan-out at least this many times faster than Fedify's. */
export const FEDIFY_TARGET_RATIO = 5;

export interface VersusOptions {
  /** Workers of the parallel Fedify variant (ParallelMessageQueue); default: Outpost's globalConcurrency, the same in-flight cap. */
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

/** One Fedify variant: its queue workers (1: InProcessMessageQueue alone) and its runs. */
interface Variant {
  key: 'fedify' | 'fedifyParallel';
  workers: number;
  runs: Measured[];
}

async function fedifyRun(world: World, setup: FedifySetup, v: Variant, i: number, cpuProfDir: string | undefined): Promise<Measured> {
  const label = `s9-${v.key}-run${i}`;
  const fed = await FedifyHandle.launch({
    server: setup.server, host: '127.0.0.1', port: setup.port, stateFile: setup.stateFile, workers: v.workers, logFile: join(world.logDir, `${label}.log`), cpuProfDir,
  });
  try {
    const followers = (await fed.state()).followers;
    if (followers !== world.followers) throw new Error(`the Fedify server loaded ${followers} followers, expected ${world.followers}`);
    const m = await measureFanout(world.farm, fed, { label, world: world.name, server: 'Fedify' });
    const errors = (await fed.state()).outboxErrors;
    if (errors > 0) log(`[${world.name}] Fedify reported ${errors} outbox errors (log: ${label}.log)`);
    return m;
  } finally {
    await fed.stop();
  }
}

const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? round(a / b, 2) : null);

function side(runs: Measured[]) {
  const med = medianRun(runs);
  const f = runFigures(med);
  return {
    ...f, cpuMsPerDelivery: round(f.cpuMs / Math.max(1, f.hostsReached), 2),
    mainThreadCpuMsPerDelivery: f.mainThreadCpuMs === null ? null : round(f.mainThreadCpuMs / Math.max(1, f.hostsReached), 2),
    specs: med.track.specs, personalInboxCreates: med.track.personal,
    runsDeliveredMs: runs.map((r) => round(r.deliveredMs)), runsCpuMs: runs.map((r) => round(r.atDelivered.cpuMs)),
    noisyRuns: runs.filter((r) => runFigures(r).noisy).length,
  };
}

type Side = ReturnType<typeof side>;

/**
 * Fedify / Outpost. The headline is the median of each round's own ratio: a round's runs ran
 * back to back and share the machine's state, whereas each side's median may come from a quiet
 * round for one and a busy one for the other. The ratios of the medians are there too.
 */
function ratios(fed: Side, out: Side, fedRuns: Measured[], outRuns: Measured[]) {
  const per = (get: (m: Measured) => number | null) => outRuns.map((r, i) => ratio(get(fedRuns[i]!), get(r)));
  const med = (xs: (number | null)[]) => {
    const ok = xs.filter((x): x is number => x !== null);
    return ok.length ? round(median(ok), 2) : null;
  };
  const runsDeliveredMs = per((m) => m.deliveredMs);
  const runsCpuMs = per((m) => m.atDelivered.cpuMs);
  const runsMainThreadCpuMs = per((m) => m.atDelivered.mainThreadCpuMs);
  return {
    deliveredMs: med(runsDeliveredMs), cpuMs: med(runsCpuMs), mainThreadCpuMs: med(runsMainThreadCpuMs),
    runsDeliveredMs, runsCpuMs, runsMainThreadCpuMs,
    ofMedians: {
      deliveredMs: ratio(fed.deliveredMs, out.deliveredMs), cpuMs: ratio(fed.cpuMs, out.cpuMs), mainThreadCpuMs: ratio(fed.mainThreadCpuMs, out.mainThreadCpuMs),
      cpuMsUntilIdle: ratio(fed.cpuMsUntilIdle, out.cpuMsUntilIdle), peakRssMB: ratio(fed.peakRssMB, out.peakRssMB),
    },
  };
}

export async function scenario9(ctx: Ctx, world: World, o: VersusOptions = {}): Promise<void> {
  const globalConcurrency = deliveryConfig(ctx.delivery).globalConcurrency;
  const parallelWorkers = o.fedifyWorkers ?? globalConcurrency;
  const setup = await setupFedify(world, parallelWorkers);
  // Fedify as its examples set it up (InProcessMessageQueue: one task at a time), and with as
  // many deliveries in flight as Outpost allows (ParallelMessageQueue).
  const variants: Variant[] = [{ key: 'fedify', workers: 1, runs: [] }, { key: 'fedifyParallel', workers: parallelWorkers, runs: [] }];
  const outpost: Measured[] = [];
  for (let i = 1; i <= ctx.repeat; i++) {
    outpost.push(await fanout(world, { env: ctx.childEnv, label: `s9-outpost-run${i}`, cpuProfDir: ctx.cpuProfDir, delivery: ctx.delivery }));
    for (const v of variants) v.runs.push(await fedifyRun(world, setup, v, i, ctx.cpuProfDir));
  }
  const out = side(outpost);
  const [seq, par] = variants.map((v) => side(v.runs)) as [Side, Side];
  const r = ratios(seq, out, variants[0]!.runs, outpost);
  const rp = ratios(par, out, variants[1]!.runs, outpost);
  const json = {
    scenario: 9, hosts: world.hosts, followers: world.followers, runs: ctx.repeat, fedifyVersion: fedifyVersion(),
    config: { outpostGlobalConcurrency: globalConcurrency, fedifyParallelWorkers: parallelWorkers, overrides: ctx.delivery },
    outpost: out, fedify: seq, fedifyParallel: par,
    ratio: r, ratioParallel: rp,
    setup: {
      fedifyFollowSeconds: round(setup.followMs / 1000), fedifyFollowsFailed: setup.follows.failed,
      fedifyAcceptsReceived: setup.acceptsReceived, fedifyAcceptsInvalid: setup.acceptsInvalid,
    },
    noisyRuns: out.noisyRuns + seq.noisyRuns + par.noisyRuns,
    // Rounds in which some run had other processes taking over a quarter of a core: their ratios are suspect.
    noisyRounds: outpost.map((_, i) => i + 1).filter((n) => [outpost, ...variants.map((v) => v.runs)].some((runs) => runFigures(runs[n - 1]!).noisy)),
    pass: {
      requestsExact: [out, seq, par].every((x) => x.requests === world.hosts),
      allVerified: [out, seq, par].every((x) => x.verified === x.requests && x.invalid === 0),
      fasterThanFedify: (r.deliveredMs ?? 0) >= FEDIFY_TARGET_RATIO,
      fasterThanParallelFedify: (rp.deliveredMs ?? 0) >= FEDIFY_TARGET_RATIO,
      outpostEldP99Ms: out.eldP99Ms <= TARGETS.s1EldP99Ms,
    },
  };
  ctx.results.s9 = json;
  const row = (label: string, a: unknown, b: unknown, c: unknown, note = ''): [string, unknown, string?] =>
    [label, `${String(a).padStart(9)}  ${String(b).padStart(9)}  ${String(c).padStart(9)}`, note];
  process.stdout.write(JSON.stringify(json) + '\n');
  process.stdout.write(table(`Scenario 9: Outpost vs Fedify ${json.fedifyVersion}, 1 post → ${world.followers} followers on ${world.hosts} hosts (median of ${ctx.repeat} runs each)`, [
    row('', 'Outpost', 'Fedify', `Fedify ×${parallelWorkers}`, `Fedify / Outpost, Fedify ×${parallelWorkers} / Outpost`),
    row('in flight at once', globalConcurrency, 1, parallelWorkers, 'Outpost globalConcurrency; Fedify: InProcessMessageQueue alone, then in a ParallelMessageQueue'),
    row('compose → last verified delivery, ms', out.deliveredMs, seq.deliveredMs, par.deliveredMs, `×${r.deliveredMs}, ×${rp.deliveredMs} (median of the rounds' ratios; target ≥ ${FEDIFY_TARGET_RATIO})`),
    row('  by round, ms', out.runsDeliveredMs.join('/'), seq.runsDeliveredMs.join('/'), par.runsDeliveredMs.join('/'), `ratios ${r.runsDeliveredMs.join('/')}, ${rp.runsDeliveredMs.join('/')}; noisy rounds: ${json.noisyRounds.join(', ') || 'none'}`),
    row('requests', out.requests, seq.requests, par.requests, `must be ${world.hosts} each`),
    row('verified / invalid', `${out.verified}/${out.invalid}`, `${seq.verified}/${seq.invalid}`, `${par.verified}/${par.invalid}`, `specs: ${JSON.stringify(out.specs)}, ${JSON.stringify(seq.specs)}, ${JSON.stringify(par.specs)}`),
    row('CPU, whole process, ms', out.cpuMs, seq.cpuMs, par.cpuMs, `×${r.cpuMs}, ×${rp.cpuMs}; by round ${r.runsCpuMs.join('/')}, ${rp.runsCpuMs.join('/')}`),
    row('CPU, main thread, ms', out.mainThreadCpuMs, seq.mainThreadCpuMs, par.mainThreadCpuMs, `×${r.mainThreadCpuMs}, ×${rp.mainThreadCpuMs}; by round ${r.runsMainThreadCpuMs.join('/')}, ${rp.runsMainThreadCpuMs.join('/')}`),
    row('CPU per delivery, ms', out.cpuMsPerDelivery, seq.cpuMsPerDelivery, par.cpuMsPerDelivery, `main thread: ${out.mainThreadCpuMsPerDelivery}, ${seq.mainThreadCpuMsPerDelivery}, ${par.mainThreadCpuMsPerDelivery}`),
    row('CPU until queue idle, ms', out.cpuMsUntilIdle, seq.cpuMsUntilIdle, par.cpuMsUntilIdle),
    row('peak RSS, MB', out.peakRssMB, seq.peakRssMB, par.peakRssMB, `RSS at compose: ${out.rssAtComposeMB}, ${seq.rssAtComposeMB}, ${par.rssAtComposeMB}`),
    row('event-loop delay p99, ms', out.eldP99Ms, seq.eldP99Ms, par.eldP99Ms, `max: ${out.eldMaxMs}, ${seq.eldMaxMs}, ${par.eldMaxMs}`),
    row('other processes\' CPU, ms', out.foreignCpuMs, seq.foreignCpuMs, par.foreignCpuMs, `noisy runs: ${json.noisyRuns}`),
  ]) + '\n');
}
