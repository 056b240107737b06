// A bench world: an inbox farm of N hosts with F users, and an Outpost data folder in which
// all F users follow the Outpost actor, set up through the real protocol. Setup runs in its
// own Outpost process, stopped afterwards, so measured runs start from a fresh process.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { RemoteFarm, type FarmOptions } from '../test/support/remote/farm';
import { OutpostHandle } from './outpostHandle';
import { log, sleep } from './util';

export interface World {
  name: string;
  farm: RemoteFarm;
  dataDir: string;
  logDir: string;
  /** Outpost's public address and port (kept across restarts: the identity is pinned to it). */
  host: string;
  port: number;
  hosts: number;
  followers: number;
  setupMs: number;
  followMs: number;
  acceptsDelivered: number;
  /** Accepts the farm received during setup, and how many failed verification (should be 0). */
  acceptsReceived: number;
  acceptsInvalid: number;
  runs: number;
}

import { freePort } from '../src/main/core/http/httpUtil';
export { freePort };

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs`. */
export async function pollUntil(check: () => Promise<boolean>, timeoutMs: number, what: string, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Waits until nothing is queued or in flight (parked rows are allowed). */
export async function waitQueueIdle(op: OutpostHandle, timeoutMs: number): Promise<void> {
  await pollUntil(async () => {
    const q = await op.rpc('queueStats');
    return q.queued === 0 && q.inFlight === 0;
  }, timeoutMs, 'the delivery queue to drain', 100);
}

/** Where the farm's hosts listen (bench/run.ts --farm-address, --farm-addresses, --farm-port). */
export type FarmPlacement = Pick<FarmOptions, 'firstAddress' | 'addresses' | 'port'>;

export async function buildWorld(root: string, name: string, hosts: number, followers: number, placement: FarmPlacement = {}): Promise<World> {
  const t0 = performance.now();
  const dataDir = join(root, name, 'data');
  const logDir = join(root, name);
  mkdirSync(dataDir, { recursive: true });
  const farm = new RemoteFarm({ ...placement, hosts, users: followers });
  await farm.start();
  log(`[${name}] farm: ${hosts} hosts up (${farm.hosts[0]!.origin} … ${farm.hosts[hosts - 1]!.origin})`);
  const host = '127.0.0.1';
  const port = await freePort(host);
  const op = await OutpostHandle.launch({ dataDir, host, port, logFile: join(logDir, 'setup.log') });
  try {
    await connectFarm(farm, op);
    const tf = performance.now();
    const follow = await farm.followAll(50);
    if (follow.failed > 0) log(`[${name}] ${follow.failed} Follows failed; last error: ${follow.lastError}`);
    await pollUntil(async () => (await op.rpc('status')).counts.followers >= followers, 60_000 + followers * 20, `${followers} accepted followers`);
    const followMs = performance.now() - tf;
    await waitQueueIdle(op, 60_000 + followers * 20);
    const list = await op.rpc('followers', {}, 60_000);
    const accepted = list.filter((f) => f.state === 'accepted').length;
    if (accepted !== followers) throw new Error(`[${name}] rpc('followers') lists ${accepted} accepted, expected ${followers}`);
    const q = await op.rpc('queueStats');
    const world: World = {
      name, farm, dataDir, logDir, host, port, hosts, followers, followMs,
      setupMs: performance.now() - t0, acceptsDelivered: q.delivered, acceptsReceived: farm.accepts, acceptsInvalid: farm.acceptsInvalid, runs: 0,
    };
    log(`[${name}] ${followers} followers on ${hosts} hosts in ${(followMs / 1000).toFixed(1)} s (Accepts delivered: ${q.delivered}, farm received ${farm.accepts}, ${farm.acceptsInvalid} failed verification)`);
    return world;
  } finally {
    await op.stop();
  }
}

/** Tells the farm who Outpost (or another followed server) is: its actor, key (fetched once from the actor document) and shared inbox. */
export async function connectFarm(farm: RemoteFarm, op: { actor: string }): Promise<void> {
  const res = await fetch(op.actor, { headers: { accept: 'application/activity+json' }, signal: AbortSignal.timeout(10_000) });
  const doc = (await res.json()) as { publicKey: { id: string; publicKeyPem: string }; endpoints?: { sharedInbox?: string }; inbox: string };
  farm.setOutpost({
    actor: op.actor, keyId: doc.publicKey.id, sharedInbox: doc.endpoints?.sharedInbox ?? doc.inbox,
    publicKey: createPublicKey(doc.publicKey.publicKeyPem),
  });
}
