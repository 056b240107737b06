// Scenario 8, inbox ingest: 50 accounts on 10 loopback servers send signed Creates to
// Outpost's shared inbox over `concurrency` connections, first while the user does not
// follow them, then after following all 50. Measured: activities accepted (202) per second,
// request latency p50/p99, Outpost CPU per activity (whole process and main thread), and
// how long until every note is processed (not followed) or in the home timeline
// (followed), read from Outpost's SQLite file. The rate limits are lifted: this measures
// what the door and the processing cost, not the policy (defaults: 50/s per host).
// Target: ≥ 2000 accepted/s on 2 cores.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { RemoteServer, personDocument } from '../test/support/remote/remoteServer';
import { REMOTE_KEY, signedPostHeaders } from '../test/support/remote/signing';
import { OutpostHandle } from './outpostHandle';
import { freePort, pollUntil } from './world';
import { grid, log, round } from './util';

export const INGEST_TARGETS = { acceptedPerSecond: 2000 };
const AS = 'https://www.w3.org/ns/activitystreams';
const LIFTED = { burst: 1_000_000, perSecond: 1_000_000 };

interface Account { actor: string; handle: string }

async function accountServer(address: string, names: string[], onFollow: (follow: unknown, actor: string) => void) {
  let origin = '';
  const actorOf = (name: string) => `${origin}/users/${name}`;
  const server = new RemoteServer({
    address, record: false,
    site: {
      get: (path) => {
        const name = /^\/users\/([a-z0-9]+)$/.exec(path)?.[1];
        return name && names.includes(name)
          ? { status: 200, body: personDocument({ id: actorOf(name), username: name, name, publicKeyPem: REMOTE_KEY.publicKeyPem }) } : undefined;
      },
      actorFor: (u) => (names.includes(u) ? actorOf(u) : undefined),
    },
    onPost: (req) => {
      const follow = req.json as { type?: string; object?: string };
      if (req.type === 'Follow' && typeof follow.object === 'string') setImmediate(() => onFollow(req.json, String((req.json as { object: unknown }).object)));
    },
  });
  await server.start();
  origin = server.origin;
  return { server, accounts: names.map((n): Account => ({ actor: actorOf(n), handle: `${n}@${server.host}` })) };
}

interface Phase {
  followed: boolean;
  sent: number;
  accepted: number;
  other: Record<string, number>;
  seconds: number;
  acceptedPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  cpuMsPerActivity: number;
  mainThreadCpuMsPerActivity: number | null;
  /** From the first request until every accepted activity was processed (not followed) or in the timeline (followed). */
  allDoneMs: number;
  eldP99Ms: number;
  peakRssMB: number;
}

export async function scenario8(root: string, scale: number, opts: { concurrency: number; cpuProfDir?: string }): Promise<Record<string, unknown>> {
  const dataDir = join(root, 'ingest', 'data');
  mkdirSync(dataDir, { recursive: true });
  const host = '127.0.0.1';
  const port = await freePort(host);
  const op = await OutpostHandle.launch({
    dataDir, host, port, logFile: join(root, 'ingest', 'outpost.log'), cpuProfDir: opts.cpuProfDir, inboxRateLimits: { perHost: LIFTED, perKey: LIFTED, overall: LIFTED },
  });
  const inbox = `http://${host}:${port}/inbox`;
  const agent = new Agent({ connections: opts.concurrency, pipelining: 1 });
  const servers: RemoteServer[] = [];
  const db = new Database(join(dataDir, 'outpost.db'), { readonly: true, fileMustExist: true });
  try {
    const accounts: Account[] = [];
    for (let s = 0; s < 10; s++) {
      const made = await accountServer(`127.0.30.${s + 1}`, Array.from({ length: 5 }, (_, i) => `a${s}x${i}`), (follow, actor) => {
        const body = JSON.stringify({ '@context': AS, id: `${actor}#accepts/${Date.now()}/${Math.random()}`, type: 'Accept', actor, object: follow });
        void signedPostHeaders({ url: `http://${host}:${port}/users/bench/inbox`, body, keyId: `${actor}#main-key`, privateKey: REMOTE_KEY.privateKey })
          .then((headers) => request(`http://${host}:${port}/users/bench/inbox`, { method: 'POST', headers, body, dispatcher: agent }))
          .then((res) => res.body.dump());
      });
      servers.push(made.server);
      accounts.push(...made.accounts);
    }
    const perPhase = Math.max(200, Math.round(10_000 * scale));
    const phases: Phase[] = [];
    for (const followed of [false, true]) {
      if (followed) {
        for (const a of accounts) await op.rpc('follow', { handle: a.handle });
        await pollUntil(async () => (await op.rpc('following')).filter((f) => f.state === 'accepted').length === accounts.length, 30_000, 'the follows accepted');
      }
      phases.push(await phase(op, db, agent, inbox, accounts, perPhase, followed, opts.concurrency));
    }
    const json = {
      scenario: 8, accounts: accounts.length, servers: servers.length, concurrency: opts.concurrency, phases,
      pass: { acceptedPerSecond: phases.every((p) => p.acceptedPerSecond >= INGEST_TARGETS.acceptedPerSecond) },
    };
    process.stdout.write(JSON.stringify(json) + '\n');
    process.stdout.write(grid(`Scenario 8: signed Creates from ${accounts.length} accounts on ${servers.length} servers, ${opts.concurrency} connections`,
      ['senders', 'sent', 'accepted', 'other', 'accepted/s', 'latency p50/p99 ms', 'CPU ms/activity', 'main ms/activity', 'all done ms', 'ELD p99 ms', 'peak RSS MB'],
      phases.map((p) => [p.followed ? 'followed' : 'not followed', p.sent, p.accepted, JSON.stringify(p.other), p.acceptedPerSecond,
        `${p.latencyP50Ms}/${p.latencyP99Ms}`, p.cpuMsPerActivity, p.mainThreadCpuMsPerActivity ?? '—', p.allDoneMs, p.eldP99Ms, p.peakRssMB])) +
      `  target: ≥ ${INGEST_TARGETS.acceptedPerSecond} accepted/s\n`);
    return json;
  } finally {
    db.close();
    await op.stop().catch(() => undefined);
    await agent.close();
    await Promise.all(servers.map((s) => s.stop()));
  }
}

async function phase(op: OutpostHandle, db: Database.Database, agent: Agent, inbox: string, accounts: Account[], n: number, followed: boolean, concurrency: number): Promise<Phase> {
  const tag = followed ? 'f' : 'n';
  log(`[s8] signing ${n} Creates (${followed ? 'followed' : 'not followed'})`);
  // Signed before the clock starts: the bench's own signing is not what is measured.
  const items = await Promise.all(Array.from({ length: n }, async (_, i) => {
    const a = accounts[i % accounts.length]!;
    const noteUri = `${a.actor}/notes/${tag}${i}`;
    const body = JSON.stringify({
      '@context': AS, id: `${noteUri}/activity`, type: 'Create', actor: a.actor, to: [`${AS}#Public`], cc: [`${a.actor}/followers`],
      object: { id: noteUri, type: 'Note', attributedTo: a.actor, content: `<p>note ${i} from ${a.handle}, a few words long as posts are</p>`,
        to: [`${AS}#Public`], cc: [`${a.actor}/followers`], published: new Date().toISOString() },
    });
    return { body, headers: await signedPostHeaders({ url: inbox, body, keyId: `${a.actor}#main-key`, privateKey: REMOTE_KEY.privateKey }) };
  }));
  const processed = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM inbox_items WHERE activity_uri LIKE ? AND processed_at IS NOT NULL`);
  const inTimeline = db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM timeline t JOIN notes n ON n.id = t.note_id WHERE n.uri LIKE ?`);
  const pattern = `%/notes/${tag}%`;
  const latencies: number[] = [];
  const other: Record<string, number> = {};
  let accepted = 0;
  await op.mark();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let i = next++; i < items.length; i = next++) {
      const s = performance.now();
      let status = 0;
      try {
        const res = await request(inbox, { method: 'POST', headers: items[i]!.headers, body: items[i]!.body, dispatcher: agent });
        await res.body.dump();
        status = res.statusCode;
      } catch { /* counted as 0 */ }
      latencies.push(performance.now() - s);
      if (status === 202) accepted++;
      else other[status] = (other[status] ?? 0) + 1;
    }
  }));
  const sentMs = performance.now() - t0;
  const stats = await op.stats();
  const done = () => (followed ? inTimeline.get(pattern)!.n : processed.get(pattern)!.n) >= accepted;
  await pollUntil(async () => done(), 120_000, `${followed ? 'timeline' : 'processing'} to catch up`, 20);
  const allDoneMs = performance.now() - t0;
  latencies.sort((a, b) => a - b);
  const q = (f: number) => round(latencies[Math.min(latencies.length - 1, Math.floor(f * latencies.length))]!, 2);
  const p: Phase = {
    followed, sent: n, accepted, other, seconds: round(sentMs / 1000, 2), acceptedPerSecond: round(accepted / (sentMs / 1000)),
    latencyP50Ms: q(0.5), latencyP99Ms: q(0.99), cpuMsPerActivity: round(stats.cpuMs / Math.max(1, accepted), 3),
    mainThreadCpuMsPerActivity: stats.mainThreadCpuMs === null ? null : round(stats.mainThreadCpuMs / Math.max(1, accepted), 3),
    allDoneMs: round(allDoneMs), eldP99Ms: round(stats.eldP99Ms, 2), peakRssMB: round(stats.peakRssMB),
  };
  log(`[s8] ${followed ? 'followed' : 'not followed'}: ${p.acceptedPerSecond} accepted/s, p99 ${p.latencyP99Ms} ms, ${p.mainThreadCpuMsPerActivity} ms main-thread CPU each, all done after ${p.allDoneMs} ms`);
  return p;
}
