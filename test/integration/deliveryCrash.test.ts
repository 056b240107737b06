// Crash safety of the delivery queue: the real headless CLI, killed with SIGKILL in the
// middle of fanning a post out to 40 followers, then restarted on the same data folder.
// Nothing may be lost (every follower gets the post), and the only duplicates are the
// deliveries that were in flight at the kill — bounded by the in-flight caps.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, sleep } from '../support/outpost';
import { followAll, startInboxServers, type InboxServer } from '../support/remote/inboxServer';
import { adminClient, type AdminClient } from '../support/tunedOutpost';
import { DEFAULT_DELIVERY } from '../../src/main/core/config';
import type { DeliveryProgressDto } from '../../src/shared/dto';

const root = join(__dirname, '..', '..');
const IP = '127.0.2.100';
const FOLLOWERS = 40;
const TOKEN = 'crash-test-admin-token';
// Each inbox answers slowly, and each a little slower than the one before (300 ms … 1.47 s),
// so the fan-out completes one host at a time and a kill lands mid-way, with the rest
// still in flight. All stay under slowAttemptMs, so every attempt keeps its global slot.
const delayOf = (i: number) => 300 + 30 * i;

interface Child {
  proc: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
  /** kill -9 of the whole group (Outpost and anything it started). */
  killHard(): void;
}

let dataDir: string;
let port: number;
let adminPort: number;
let farm: InboxServer[] = [];
const children: Child[] = [];
let running: { child: Child; ready: { adminUrl: string } } | undefined;

function startChild(): Promise<{ child: Child; ready: { publicUrl: string; adminUrl: string; actor: string } }> {
  // One process (node with tsx's loader), not the tsx wrapper: the wrapper SIGKILLs its child
  // when the child's event loop takes over 30 ms to acknowledge a signal (a busy fan-out on a
  // loaded machine), which turned a clean SIGTERM into exit 143. detached: its own group.
  const proc = spawn(process.execPath, [
    '--import', 'tsx', 'src/main/headless.ts', '--data-dir', dataDir, '--port', String(port), '--admin-port', String(adminPort),
    '--public-url', `http://${IP}:${port}`, '--username', 'kit', '--allow-private-network',
  ], { cwd: root, env: { ...process.env, OUTPOST_ADMIN_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d) => (stdout += d));
  proc.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const child: Child = {
    proc, exited, stderr: () => stderr,
    killHard() {
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    },
  };
  children.push(child);
  return (async () => {
    const deadline = Date.now() + 20_000;
    while (!stdout.includes('\n') && proc.exitCode === null && Date.now() < deadline) await sleep(25);
    if (!stdout.includes('\n')) throw new Error(`headless did not get ready:\n${stderr}`);
    return { child, ready: JSON.parse(stdout.split('\n')[0]!) };
  })();
}

// Detached children outlive a worker that dies before afterAll runs: kill their groups on exit too.
const killAll = () => children.forEach((c) => c.proc.exitCode === null && c.proc.signalCode === null && c.killHard());
process.once('exit', killAll);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-crash-'));
  port = await freePort(IP);
  adminPort = await freePort();
  farm = await startInboxServers('127.0.2.101', FOLLOWERS);
});
afterAll(async () => {
  killAll();
  process.off('exit', killAll);
  await Promise.all(children.map((c) => c.exited));
  await Promise.all(farm.map((s) => s.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('crash recovery', () => {
  it('kill -9 mid fan-out: after a restart every follower has the post; duplicates ≤ what was in flight', async () => {
    const first = await startChild();
    const o: AdminClient & { actor: string; publicUrl: string } = { ...adminClient(first.ready.adminUrl, TOKEN), actor: first.ready.actor, publicUrl: first.ready.publicUrl };
    await followAll(o, farm, 20_000);
    await eventually(async () => (await o.rpc('queueStats')).delivered === FOLLOWERS, 15_000, 'all Accepts delivered');
    expect(new Set(farm.map((s) => s.host)).size).toBe(FOLLOWERS); // 40 distinct origins

    farm.forEach((s, i) => (s.respond = (req) => (req.type === 'Create' ? { status: 202, delayMs: delayOf(i) } : { status: 202 })));
    const { noteId, activityId } = await o.rpc('compose', { content: 'this post survives a kill -9' });

    // Kill once about 40% are recorded as delivered (bounded: the whole fan-out takes ~1.5 s).
    let atKill: DeliveryProgressDto | undefined;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const p = await o.rpc('deliveryProgress', { activityId });
      if (p.delivered >= FOLLOWERS * 0.4) {
        first.child.killHard();
        atKill = p;
        break;
      }
      await sleep(20);
    }
    expect(atKill?.delivered, 'fan-out reached 40%').toBeGreaterThanOrEqual(FOLLOWERS * 0.4);
    expect(await first.child.exited).toBeNull(); // killed by the signal, no clean shutdown
    expect(first.child.proc.signalCode).toBe('SIGKILL');
    const deliveredAtKill = atKill!.inboxes.filter((r) => r.state === 'delivered').map((r) => r.host);
    expect(deliveredAtKill.length).toBeGreaterThanOrEqual(16);
    expect(deliveredAtKill.length).toBeLessThan(FOLLOWERS); // really mid fan-out
    expect(atKill!.inFlight + atKill!.delivered).toBe(FOLLOWERS); // the rest were all under way (40 < globalConcurrency)
    const receivedAtKill = farm.filter((s) => s.creates(noteId).length > 0).length;

    const second = await startChild();
    const o2 = adminClient(second.ready.adminUrl, TOKEN);
    const done = await eventually(async () => {
      const p = await o2.rpc('deliveryProgress', { activityId });
      return p.delivered === FOLLOWERS && p;
    }, 15_000, 'every delivery done after the restart');
    expect(done).toMatchObject({ total: FOLLOWERS, failed: 0, queued: 0, inFlight: 0 });

    const counts = farm.map((s) => s.creates(noteId).length);
    expect(counts.every((n) => n >= 1)).toBe(true); // nothing lost
    expect(Math.max(...counts)).toBeLessThanOrEqual(2); // one kill, at most one resend
    const duplicated = farm.filter((s) => s.creates(noteId).length >= 2).map((s) => s.host);
    // Rows recorded as delivered before the kill are never sent again...
    expect(duplicated.filter((h) => deliveredAtKill.includes(h))).toEqual([]);
    // ...so duplicates are at most what was in flight, itself within both caps.
    expect(duplicated.length).toBeLessThanOrEqual(FOLLOWERS - deliveredAtKill.length);
    expect(duplicated.length).toBeLessThanOrEqual(DEFAULT_DELIVERY.globalConcurrency);
    expect(duplicated.length).toBeLessThanOrEqual(DEFAULT_DELIVERY.maxInFlight);
    expect(DEFAULT_DELIVERY.slowAttemptMs).toBeGreaterThan(delayOf(FOLLOWERS - 1)); // why globalConcurrency bounds it here
    expect(receivedAtKill).toBe(FOLLOWERS); // all 40 were under way at once (40 < 64)
    expect(second.child.stderr()).toMatch(/deliveries that were in flight when Outpost stopped are queued again/);
    running = second;
  }, 25_000);

  it('SIGTERM mid fan-out: attempts under way finish, exit 0, and a restart sends nothing twice', async () => {
    const current = running!;
    const o = adminClient(current.ready.adminUrl, TOKEN);
    const { noteId, activityId } = await o.rpc('compose', { content: 'this post sees a clean shutdown' });
    const deadline = Date.now() + 10_000;
    let atStop: DeliveryProgressDto | undefined;
    while (Date.now() < deadline) {
      const p = await o.rpc('deliveryProgress', { activityId });
      if (p.delivered >= FOLLOWERS * 0.4) {
        current.child.proc.kill('SIGTERM');
        atStop = p;
        break;
      }
      await sleep(20);
    }
    expect(atStop?.delivered, 'fan-out reached 40%').toBeGreaterThanOrEqual(FOLLOWERS * 0.4);
    expect(atStop!.delivered).toBeLessThan(FOLLOWERS);
    expect(await current.child.exited).toBe(0);
    // Every attempt under way finished within the grace period (the slowest inbox takes 1.5 s).
    expect(farm.every((s) => s.creates(noteId).length === 1)).toBe(true);

    const third = await startChild();
    running = third;
    const o3 = adminClient(third.ready.adminUrl, TOKEN);
    const p = await o3.rpc('deliveryProgress', { activityId });
    expect(p).toMatchObject({ total: FOLLOWERS, delivered: FOLLOWERS, inFlight: 0, queued: 0 });
    expect(third.child.stderr()).not.toMatch(/in flight when Outpost stopped/);
    await sleep(500);
    expect(farm.map((s) => s.creates(noteId).length)).toEqual(farm.map(() => 1));
  }, 20_000);

  // BUG: with an inbox that never answers, SIGTERM takes attemptTimeoutMs (30 s by default)
  // instead of the queue's 5 s grace. Expected: exit 0 within ~5 s, the unanswered delivery
  // queued again on the next start. Actual: exit 0 after ~30 s. DeliveryQueue.stop()
  // (deliveryQueue.ts:186-200) does give up after graceMs, but Instance.stop() then awaits
  // `this.http.close()` (instance.ts:169) → HttpClient.close() → undici `agent.close()`
  // (httpClient.ts:184-185), which waits for every request still under way, i.e. until its
  // AbortSignal.timeout(attemptTimeoutMs) fires. (Reproduced in process as well: stop()
  // with attemptTimeoutMs 12 s and one hanging inbox took 11.96 s.) A fix: after the grace,
  // abort what is left (agent.destroy(), or an AbortController per attempt).
  it('SIGTERM with an inbox that never answers: exit within the grace period, the delivery kept', async () => {
    const current = running!;
    const o = adminClient(current.ready.adminUrl, TOKEN);
    const silent = farm[0]!;
    silent.respond = (req) => (req.type === 'Create' ? 'hang' : { status: 202 });
    const { noteId, activityId } = await o.rpc('compose', { content: 'one follower never answers' });
    await eventually(async () => (await o.rpc('deliveryProgress', { activityId })).delivered === FOLLOWERS - 1, 10_000, 'all but one delivered');
    expect(silent.creates(noteId)).toHaveLength(1);
    const t0 = Date.now();
    current.child.proc.kill('SIGTERM');
    const code = await Promise.race([current.child.exited, sleep(9000).then(() => 'still running after 9 s')]);
    expect(code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000); // grace 5 s, plus closing up

    silent.respond = () => ({ status: 202 });
    const next = await startChild();
    running = next;
    const o2 = adminClient(next.ready.adminUrl, TOKEN);
    await eventually(async () => (await o2.rpc('deliveryProgress', { activityId })).delivered === FOLLOWERS, 10_000, 'the unanswered one sent again');
    expect(silent.creates(noteId)).toHaveLength(2);
  }, 28_000);

  afterAll(async () => {
    // The last Outpost started: a clean stop (its attempts are all answered by now).
    const last = running;
    if (!last || last.child.proc.exitCode !== null || last.child.proc.signalCode !== null) return;
    last.child.proc.kill('SIGTERM');
    expect(await Promise.race([last.child.exited, sleep(10_000).then(() => 'timeout')])).toBe(0);
  });
});
