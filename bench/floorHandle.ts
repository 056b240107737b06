// The parent's side of bench/floorProcess.ts: fork the fan-out floor with the measured
// Outpost's key (read from its data folder, so the farm verifies its requests as
// Outpost's) and drive it as a FanoutTarget, timed by the same measureFanout.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../src/main/core/store/dataFolder';
import type { ChildStats } from './childGauges';
import { measureFanout, medianRun, type FanoutTarget, type Measured } from './fanout';
import type { FloorConfig } from './floorProcess';
import { stopChild, trackChild } from './outpostHandle';
import { round } from './util';
import type { World } from './world';

type Reply = { type: 'result'; id: number; value?: unknown };

export class FloorHandle implements FanoutTarget {
  readonly keyKnown = true;
  private nextId = 1;
  private readonly waiters = new Map<number, (m: Reply) => void>();
  private readonly exited: Promise<void>;

  private constructor(private readonly child: ChildProcess, readonly actor: string) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (m: Reply) => {
      if (m.type !== 'result') return;
      const w = this.waiters.get(m.id);
      this.waiters.delete(m.id);
      w?.(m);
    });
  }

  /** `built`: the bundled floorProcess.mjs; the key is the one in `dataDir`'s database. */
  static async launch(o: { built: string; dataDir: string; actor: string; keyId: string; inboxes: string[]; concurrency: number }): Promise<FloorHandle> {
    const db = new Database(join(o.dataDir, DATABASE_FILE), { readonly: true });
    const row = db.prepare('SELECT private_key_pem AS pem FROM local_actor WHERE id = 1').get() as { pem: string };
    db.close();
    const cfg: FloorConfig = { privateKeyPem: row.pem, keyId: o.keyId, inboxes: o.inboxes, concurrency: o.concurrency, timeoutMs: 30_000 };
    const child = fork(o.built, [JSON.stringify(cfg)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    trackChild(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the fan-out floor process did not start within 10 s')), 10_000);
      child.once('message', () => { clearTimeout(timer); resolve(); });
      child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the fan-out floor process exited with ${code}`)); });
    });
    return new FloorHandle(child, o.actor);
  }

  private call<T>(type: string, extra: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => { this.waiters.delete(id); reject(new Error(`the fan-out floor did not answer ${type} within ${timeoutMs} ms`)); }, timeoutMs);
      this.waiters.set(id, (m) => { clearTimeout(timer); resolve(m.value as T); });
      this.child.send({ type, id, ...extra });
    });
  }

  async mark(): Promise<void> {
    await this.call('mark');
  }

  stats(): Promise<ChildStats> {
    return this.call('stats');
  }

  /** A Create of a public note shaped like Outpost's, sent to every inbox. */
  async compose(content: string): Promise<{ activityId: string }> {
    const id = `${this.actor.replace(/\/users\/.*$/, '')}/activities/${randomUUID()}`;
    const published = new Date().toISOString();
    const to = ['https://www.w3.org/ns/activitystreams#Public'];
    const cc = [`${this.actor}/followers`];
    const body = JSON.stringify({
      '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'], id, type: 'Create', actor: this.actor, published, to, cc,
      object: { id: `${id}/note`, type: 'Note', attributedTo: this.actor, content: `<p>${content}</p>`, published, to, cc, url: `${id}/note`, sensitive: false, tag: [], attachment: [] },
    });
    await this.call('send', { body });
    return { activityId: id };
  }

  async waitIdle(timeoutMs: number): Promise<void> {
    const r = await this.call<{ ok: number; failed: number; lastError: string }>('idle', {}, timeoutMs);
    if (r.failed > 0) throw new Error(`the fan-out floor: ${r.failed} requests failed (last: ${r.lastError})`);
  }

  stop(): Promise<void> {
    return stopChild(this.child, this.exited, 2_000);
  }
}

export interface FloorFanout {
  deliveredMs: number;
  cpuMs: number;
  mainThreadCpuMs: number | null;
  cpuByThreadMs: Record<string, number>;
  cpuMsPerDelivery: number;
  runsDeliveredMs: number[];
  runsCpuMs: number[];
}

/**
 * Scenario 1's post sent by the floor process, `repeat` fresh processes, each timed by
 * measureFanout like Outpost's runs; the run with the median time. The farm must already
 * know Outpost's key (an Outpost run came first).
 */
export async function floorFanout(o: { built: string; world: World; actor: string; keyId: string; concurrency: number; repeat: number }): Promise<FloorFanout> {
  const runs: Measured[] = [];
  const inboxes = o.world.farm.hosts.map((h) => `${h.origin}/inbox`);
  for (let i = 0; i < o.repeat; i++) {
    const floor = await FloorHandle.launch({ built: o.built, dataDir: o.world.dataDir, actor: o.actor, keyId: o.keyId, inboxes, concurrency: o.concurrency });
    try {
      runs.push(await measureFanout(o.world.farm, floor, { label: `floor-run${i + 1}`, world: o.world.name, server: 'floor' }));
    } finally {
      await floor.stop();
    }
  }
  const med = medianRun(runs);
  const s = med.atDelivered;
  return {
    deliveredMs: round(med.deliveredMs), cpuMs: round(s.cpuMs), mainThreadCpuMs: s.mainThreadCpuMs, cpuByThreadMs: s.cpuByThreadMs,
    cpuMsPerDelivery: round(s.cpuMs / Math.max(1, med.track.verified), 3),
    runsDeliveredMs: runs.map((r) => round(r.deliveredMs)), runsCpuMs: runs.map((r) => round(r.atDelivered.cpuMs)),
  };
}
