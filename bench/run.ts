// `npm run bench [-- --scenario N] [--sweep] [--repeat N] [--profile] [--scale F] [--keep]`
//
// The delivery benchmark: Outpost (its own process, bench/outpostProcess.ts) fans a post out
// to a loopback farm of up to 5000 remote servers (test/support/remote/farm.ts, in this process).
// Prints one JSON line and a table per scenario, then a summary JSON line. See bench/README.md.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureFloor } from './floor';
import type { DeliveryOverrides } from '../src/main/core/config';
import { waitForQuiet } from './machineLoad';
import { BENCH_DIR, killAllChildren, useBuiltChild } from './outpostHandle';
import { buildChild } from './buildChild';
import { buildWorld, type World } from './world';
import { scenario1, scenario2, scenario3, scenario4, sweep, TARGETS, type Ctx } from './scenarios';
import { scenario5 } from './flood';
import { BACKLOG_DEFAULTS, scenario6 } from './backlog';
import { scenario7 } from './timeline';
import { scenario8 } from './ingest';
import { scenario9 } from './versusFedify';
import { log, round, table } from './util';
import { FARM_DEFAULTS } from '../test/support/remote/farm';

const USAGE = `npm run bench -- [--scenario N]… [--sweep] [--repeat N] [--profile] [--scale F] [--keep] [--farm-address A] [--farm-addresses N] [--farm-port P]
  --scenario N   run scenario N only (1-9; repeatable; 5 is the inbox flood, 6 the backlog, 7 the timeline, 8 inbox ingest, 9 Outpost vs Fedify 2.3.6). Default: all and the sweep.
  --fedify-workers N  scenario 9: workers of the parallel Fedify variant (default: Outpost's globalConcurrency)
  --ingest-concurrency N  scenario 8: connections sending at once (default 32)
  --sweep        run the globalConcurrency × perHostConcurrency sweep on scenario 1's world
  --sweep-latency MS  the second sweep's farm answers every POST after MS (default 100)
  --repeat N     runs per measurement in scenario 1 and the sweep (default 3 and 1)
  --delivery JSON DeliveryConfig overrides for the measured Outpost processes, e.g. '{"globalConcurrency":16}'
  --threadpool N UV_THREADPOOL_SIZE for the Outpost processes (default: Node's 4)
  --backlog-posts N,M   scenario 6: posts per run (default ${BACKLOG_DEFAULTS.posts.join(',')})
  --backlog-window S    scenario 6: runs of more than ${BACKLOG_DEFAULTS.drainLimit} deliveries are measured for S seconds after the last compose (default ${BACKLOG_DEFAULTS.windowMs / 1000})
  --profile      write V8 CPU profiles of the measured Outpost processes (scenarios 1 and 3)
  --scale F      shrink every world by F (quick tries; targets then mean little)
  --keep         keep the temporary data folders and logs
  --tsx          run the measured Outpost from source under tsx (default: compiled like out/main/headless.js)
  --farm-address A    first loopback address of the farm (default ${FARM_DEFAULTS.firstAddress}; hosts take the next ones, x.y.z.1 … x.y.z.250 per /24)
  --farm-addresses N  addresses in the farm's block (default ${FARM_DEFAULTS.addresses}); with fewer than hosts, hosts share addresses on different ports
  --farm-port P       port of every farm host (default: one free port for all where it is free; with P, host i uses P + ⌊i / N⌋)`;

const WATCHDOG_MS = 30 * 60_000; // the full run takes ~18 min on a quiet machine (scenario 9 added ~3)

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      scenario: { type: 'string', multiple: true }, sweep: { type: 'boolean' }, repeat: { type: 'string' },
      profile: { type: 'boolean' }, 'sweep-latency': { type: 'string' }, delivery: { type: 'string' }, threadpool: { type: 'string' }, scale: { type: 'string' }, keep: { type: 'boolean' }, tsx: { type: 'boolean' }, help: { type: 'boolean' },
      'backlog-posts': { type: 'string' }, 'ingest-concurrency': { type: 'string' }, 'fedify-workers': { type: 'string' }, 'backlog-window': { type: 'string' },
      'farm-address': { type: 'string' }, 'farm-addresses': { type: 'string' }, 'farm-port': { type: 'string' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const picked = new Set((values.scenario ?? []).flatMap((s) => s.split(',')).map(Number));
  for (const n of picked) if (![1, 2, 3, 4, 5, 6, 7, 8, 9].includes(n)) throw new Error(`--scenario ${n}: there are scenarios 1 to 9`);
  const all = picked.size === 0;
  const want = (n: number) => all || picked.has(n);
  const doSweep = values.sweep ?? all;
  const scale = values.scale ? Number(values.scale) : 1;
  const root = mkdtempSync(join(tmpdir(), 'outpost-bench-'));
  const cpuProfDir = values.profile ? join(root, 'profiles') : undefined;
  if (cpuProfDir) mkdirSync(cpuProfDir, { recursive: true });
  log(`work folder ${root}`);
  let floorChild: string | undefined;
  if (!values.tsx) {
    const built = await buildChild(join(BENCH_DIR, '..'));
    useBuiltChild(built);
    floorChild = await buildChild(join(BENCH_DIR, '..'), 'floorProcess');
    log(`measured Outpost: ${built} (compiled; --tsx runs the source under tsx)`);
  }

  const started = Date.now();
  log('measuring the RSA-2048 signing floor');
  const quiet = await waitForQuiet();
  const floor = { ...(await measureFloor()), machineBusyBefore: quiet.busy };
  const ctx: Ctx = {
    root, scale, repeat: values.repeat ? Number(values.repeat) : 3, cpuProfDir, floor, results: {}, floorChild,
    delivery: values.delivery ? (JSON.parse(values.delivery) as DeliveryOverrides) : {},
    childEnv: values.threadpool ? { UV_THREADPOOL_SIZE: values.threadpool } : undefined,
    farm: {
      firstAddress: values['farm-address'], addresses: values['farm-addresses'] ? Number(values['farm-addresses']) : undefined,
      port: values['farm-port'] ? Number(values['farm-port']) : undefined,
    },
  };
  process.stdout.write(JSON.stringify({ floor }) + '\n');
  process.stdout.write(table('Physical floor (this machine)', [
    ['RSA-2048 signatures/s, one thread', floor.rsaSignPerSecSingleThread],
    [`RSA-2048 signatures/s, libuv threadpool (${floor.threadpoolSize} threads)`, floor.rsaSignPerSecThreadpool],
    ['RSA-2048 verifications/s, one thread', floor.rsaVerifyPerSecSingleThread],
  ]) + '\n');

  let worldA: World | undefined;
  const needA = want(1) || want(4) || want(9) || doSweep;
  try {
    if (needA) worldA = await buildWorld(root, 's1', Math.max(10, Math.round(500 * scale)), Math.max(10, Math.round(1000 * scale)), ctx.farm);
    if (want(1) && worldA) await scenario1(ctx, worldA);
    if (want(9) && worldA) await scenario9(ctx, worldA, { fedifyWorkers: values['fedify-workers'] ? Number(values['fedify-workers']) : undefined });
    if (doSweep && worldA) {
      const sweepCtx = { ...ctx, repeat: values.repeat ? ctx.repeat : 1 };
      await sweep(sweepCtx, worldA, { key: 'sweep', latencyMs: 0, perHosts: [1, 2, 4] });
      // On loopback a request takes well under a millisecond, so concurrency barely matters;
      // with round trips it decides throughput. perHost makes no difference there (one request per host).
      await sweep(sweepCtx, worldA, { key: 'sweepLatency', latencyMs: Number(values['sweep-latency'] ?? 100), perHosts: [4] });
    }
    if (want(4) && worldA) await scenario4(ctx, worldA);
  } finally {
    await worldA?.farm.stop();
  }
  if (want(2)) await scenario2(ctx);
  if (want(3)) {
    // 5000 listening sockets and up to 5000 accepted ones live in this process.
    const limit = openFileLimit();
    const needed = Math.round(5000 * scale) * 2 + 500;
    if (limit !== null && limit < needed) {
      log(`scenario 3 skipped: it needs about ${needed} open files in this process, ulimit -n is ${limit} (raise it: ulimit -n 20000)`);
      ctx.results.s3 = { scenario: 3, skipped: `ulimit -n ${limit} < ${needed}` };
    } else await scenario3(ctx);
  }
  if (want(6)) {
    await scenario6(ctx, {
      ...BACKLOG_DEFAULTS,
      ...(values['backlog-posts'] ? { posts: values['backlog-posts'].split(',').map(Number) } : {}),
      ...(values['backlog-window'] ? { windowMs: Number(values['backlog-window']) * 1000 } : {}),
    });
  }
  if (want(7)) ctx.results.s7 = await scenario7(root, scale);
  if (want(8)) ctx.results.s8 = await scenario8(root, scale, { concurrency: Number(values['ingest-concurrency'] ?? 32), cpuProfDir });
  if (want(5)) {
    await scenario5(root, scale, (json, human) => {
      ctx.results.s5 = json;
      process.stdout.write(JSON.stringify(json) + '\n');
      process.stdout.write(human + '\n');
    });
  }

  const passes = Object.values(ctx.results).map((r) => r.pass as Record<string, boolean | null> | undefined).filter((p) => p !== undefined);
  const failed = passes.flatMap((p) => Object.entries(p!).filter(([, v]) => v === false).map(([k]) => k));
  const summary = {
    summary: true,
    outpost: values.tsx ? 'source under tsx' : 'compiled (esbuild bundle, like out/main/headless.js)',
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, totalMemGB: round(totalmem() / 2 ** 30, 1),
      os: `${platform()} ${release()}`, node: process.version, date: new Date().toISOString(),
    },
    floor, targets: TARGETS, scale, delivery: ctx.delivery, threadpool: values.threadpool ? Number(values.threadpool) : 4, loadavg: loadavg().map((x) => round(x, 2)),
    scenarios: Object.fromEntries(Object.entries(ctx.results).map(([k, v]) => [k, headline(k, v)])),
    failedChecks: failed,
    // Runs during which other processes took over a quarter of a core: rerun on a quiet machine.
    noisyRuns: noisyRuns(ctx.results),
    benchSeconds: round((Date.now() - started) / 1000),
  };
  process.stdout.write(JSON.stringify(summary) + '\n');
  if (values.keep || cpuProfDir) log(`kept ${root}${cpuProfDir ? ` (CPU profiles in ${cpuProfDir})` : ''}`);
  else rmSync(root, { recursive: true, force: true });
  return 0;
}

function noisyRuns(results: Record<string, Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, r] of Object.entries(results)) {
    const n = typeof r.noisyRuns === 'number' ? r.noisyRuns : r.noisy === true ? 1
      : Array.isArray(r.rows) ? (r.rows as { noisyRuns?: number }[]).reduce((a, x) => a + (x.noisyRuns ?? 0), 0) : 0;
    if (n > 0) out[k] = n;
  }
  return out;
}

function openFileLimit(): number | null {
  const r = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : null; // "unlimited" → NaN → no limit known
}

function headline(key: string, r: Record<string, unknown>): Record<string, unknown> {
  const pick = (...ks: string[]) => Object.fromEntries(ks.filter((k) => k in r).map((k) => [k, r[k]]));
  switch (key) {
    case 's1': return pick('deliveredMs', 'requests', 'verified', 'cpuMs', 'peakRssMB', 'eldP50Ms', 'eldP99Ms', 'pass');
    case 's2': return pick('liveDeliveredMs', 'baselineDeliveredMs', 'ratioToBaseline', 'ratioToScenario1', 'connectionsToRefusingDuringBackoff', 'pass');
    case 's3': return 'skipped' in r ? r : pick('deliveredMs', 'msPerDelivery', 'perDeliveryRatioToScenario1', 'peakRssMB', 'eldP99Ms', 'pass');
    case 's4': return pick('hostsReached', 'duplicates', 'requeuedInFlightOnRestart', 'pass');
    case 's6': return { ...pick('onePostRatePerSecond', 'pass'), rows: (r.rows as Record<string, unknown>[]).map((x) => `${x.posts} posts: ${x.ratePerSecond}/s (×${x.rateRatioToOnePost}) with ${x.queuedAtWindow} queued, peak RSS ${x.peakRssMB} MB, ELD p99 ${x.eldP99Ms} ms`) };
    case 's7': return pick('notes', 'p50Ms', 'p99Ms', 'pass');
    case 's9': {
      const side = (x: unknown) => { const v = x as Record<string, unknown>; return `${v.deliveredMs} ms, ${v.requests} requests, CPU ${v.cpuMs} ms (${v.cpuMsPerDelivery} ms/delivery), RSS ${v.peakRssMB} MB, ELD p99 ${v.eldP99Ms} ms`; };
      const ratios = (x: unknown) => { const v = x as Record<string, unknown>; return `time ×${v.deliveredMs}, CPU ×${v.cpuMs}, main thread ×${v.mainThreadCpuMs} (medians of the rounds' ratios)`; };
      return { outpost: side(r.outpost), fedify: side(r.fedify), fedifyParallel: side(r.fedifyParallel), ratio: ratios(r.ratio), ratioParallel: ratios(r.ratioParallel), pass: r.pass };
    }
    case 's8': return { ...pick('concurrency', 'pass'), phases: (r.phases as Record<string, unknown>[]).map((p) => `${p.followed ? 'followed' : 'not followed'}: ${p.acceptedPerSecond}/s, p99 ${p.latencyP99Ms} ms, main ${p.mainThreadCpuMsPerActivity} ms each, done ${p.allDoneMs} ms`) };
    case 's5': return pick('requestsPerSecond', 'tooManyRequests', 'visibleMsMedian', 'visibleMsMax', 'eldP99Ms', 'cpuMs', 'pass');
    case 'sweep': case 'sweepLatency': return { rows: (r.rows as Record<string, unknown>[]).map((x) => `g${x.globalConcurrency}/p${x.perHostConcurrency}: ${x.deliveredMs} ms`) };
    default: return r;
  }
}

const watchdog = setTimeout(() => {
  log(`watchdog: the bench ran longer than ${WATCHDOG_MS / 60_000} min; stopping`);
  killAllChildren();
  process.exit(2);
}, WATCHDOG_MS);
watchdog.unref();
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    killAllChildren();
    process.exit(130);
  });
}
process.on('exit', killAllChildren);

main().then((code) => {
  killAllChildren();
  process.exit(code);
}, (err) => {
  log(`failed: ${err instanceof Error ? err.stack : String(err)} (Outpost logs are in the work folder above)`);
  killAllChildren();
  process.exit(1);
});
