// Scenario 5, the inbox under a flood: one host sends 20 000 bad requests (unsigned, or
// signed with the wrong key) and 5 000 valid signed Likes as fast as 32 connections go,
// while five accounts the user follows (each on its own server) keep posting. Measured in
// Outpost's process: event-loop delay (the admin API and, in the app, the window share
// it), CPU; from outside: how soon each followed post is in the home timeline, and what
// the flood got back (429s counted).
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { RemoteServer, personDocument } from '../test/support/remote/remoteServer';
import { REMOTE_KEY, digestHeader, signedPostHeaders } from '../test/support/remote/signing';
import { OutpostHandle } from './outpostHandle';
import { freePort, pollUntil } from './world';
import { log, median, round, sleep, table } from './util';

export const FLOOD_TARGETS = { eldP99Ms: 20, visibleMs: 2000 };

interface Poster {
  server: RemoteServer;
  actor: string;
  handle: string;
  posts: number;
}

const AS = 'https://www.w3.org/ns/activitystreams';

/** A server hosting one account at /users/<name> with REMOTE_KEY; `onFollow` answers Outpost's Follow. */
async function accountServer(address: string, name: string, onFollow?: (follow: any, actor: string) => void) {
  let actor = '';
  const server = new RemoteServer({
    address, record: false,
    site: {
      get: (path) => (path === `/users/${name}` ? { status: 200, body: personDocument({ id: actor, username: name, name, publicKeyPem: REMOTE_KEY.publicKeyPem }) } : undefined),
      actorFor: (u) => (u === name ? actor : undefined),
    },
    onPost: (req) => {
      if (req.type === 'Follow' && onFollow) setImmediate(() => onFollow(req.json, actor));
    },
  });
  await server.start();
  actor = `${server.origin}/users/${name}`;
  return { server, actor, handle: `${name}@${server.host}` };
}

async function signedPost(agent: Agent, inbox: string, activity: unknown, keyId: string, privateKey = REMOTE_KEY.privateKey): Promise<number> {
  const body = JSON.stringify(activity);
  const headers = await signedPostHeaders({ url: inbox, body, keyId, privateKey });
  const res = await request(inbox, { method: 'POST', headers, body, dispatcher: agent });
  await res.body.dump();
  return res.statusCode;
}

export async function scenario5(root: string, scale: number, emit: (json: Record<string, unknown>, human: string) => void): Promise<void> {
  const dataDir = join(root, 'flood', 'data');
  mkdirSync(dataDir, { recursive: true });
  const host = '127.0.0.1';
  const port = await freePort(host);
  const op = await OutpostHandle.launch({ dataDir, host, port, logFile: join(root, 'flood', 'outpost.log') });
  const inbox = `http://${host}:${port}/inbox`;
  const agent = new Agent({ connections: 32, pipelining: 1 });
  const servers: RemoteServer[] = [];
  try {
    // Five accounts the user follows, each on its own server, each accepting the follow.
    const posters: Poster[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await accountServer(`127.0.8.${i + 1}`, `poster${i}`, (follow, actor) => {
        void signedPost(agent, `http://${host}:${port}/users/bench/inbox`, {
          '@context': AS, id: `${actor}#accepts/${Date.now()}`, type: 'Accept', actor, object: follow,
        }, `${actor}#main-key`);
      });
      servers.push(p.server);
      posters.push({ ...p, posts: 0 });
      await op.rpc('follow', { handle: p.handle });
    }
    await pollUntil(async () => (await op.rpc('following')).filter((f) => f.state === 'accepted').length === posters.length, 20_000, 'the follows accepted');
    const { noteId } = await op.rpc('compose', { content: 'the post the flood likes' });
    const flooder = await accountServer('127.0.8.100', 'flooder');
    servers.push(flooder.server);
    const flooderKey = `${flooder.actor}#main-key`;
    const wrongKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

    const bad = Math.round(20_000 * scale);
    const valid = Math.round(5_000 * scale);
    log(`[s5] preparing ${bad} bad and ${valid} valid requests`);
    // Valid Likes are signed before the clock starts: the bench's own signing must not be what is measured.
    const validBodies = await Promise.all(Array.from({ length: valid }, async (_, i) => {
      const body = JSON.stringify({ '@context': AS, id: `${flooder.actor}/likes/${i}`, type: 'Like', actor: flooder.actor, object: `http://${host}:${port}/notes/${noteId}` });
      return { body, headers: await signedPostHeaders({ url: inbox, body, keyId: flooderKey, privateKey: REMOTE_KEY.privateKey }) };
    }));
    const wronglySigned = await signedPostHeaders({ url: inbox, body: '{}', keyId: flooderKey, privateKey: wrongKey });
    const statuses = new Map<number, number>();
    const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);

    await op.mark();
    const t0 = performance.now();
    let next = 0;
    const total = bad + valid;
    const worker = async () => {
      for (let i = next++; i < total; i = next++) {
        let status: number;
        try {
          if (i % 5 === 4 && validBodies.length > 0) {
            const v = validBodies.pop()!;
            const res = await request(inbox, { method: 'POST', headers: v.headers, body: v.body, dispatcher: agent });
            await res.body.dump();
            status = res.statusCode;
          } else {
            // Unsigned half the time, else a signature by the wrong key (its digest even matches).
            const body = JSON.stringify({ id: `${flooder.actor}/x/${i}`, type: 'Like', actor: flooder.actor, object: 'x' });
            const headers = i % 2 === 0 ? { 'content-type': 'application/activity+json' } : { ...wronglySigned, digest: digestHeader(body) };
            const res = await request(inbox, { method: 'POST', headers, body, dispatcher: agent });
            await res.body.dump();
            status = res.statusCode;
          }
        } catch {
          status = 0;
        }
        count(status);
      }
    };
    const flood = Promise.all(Array.from({ length: 32 }, worker));

    // Meanwhile the followed accounts post, one every 400 ms in turn, until the flood is over.
    const visibleMs: number[] = [];
    let floodOver = false;
    void flood.then(() => (floodOver = true));
    for (let turn = 0; !floodOver || turn < 5; turn++) {
      const p = posters[turn % posters.length]!;
      const noteUri = `${p.actor}/notes/${++p.posts}`;
      const create = {
        '@context': AS, id: `${noteUri}/activity`, type: 'Create', actor: p.actor, to: [`${AS}#Public`], cc: [`${p.actor}/followers`],
        object: { id: noteUri, type: 'Note', attributedTo: p.actor, content: `<p>post ${p.posts} by ${p.handle}</p>`, to: [`${AS}#Public`], cc: [`${p.actor}/followers`], published: new Date().toISOString() },
      };
      const sent = performance.now();
      await signedPost(agent, inbox, create, `${p.actor}#main-key`);
      await pollUntil(async () => (await op.rpc('timeline', { limit: 40 })).entries.some((e) => e.note.uri === noteUri), 30_000, `post ${noteUri} visible`, 20);
      visibleMs.push(performance.now() - sent);
      await sleep(400);
      if (turn > 500) break;
    }
    await flood;
    const floodMs = performance.now() - t0;
    const stats = await op.stats();
    const byStatus = Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0]));
    const json = {
      scenario: 5, badRequests: bad, validRequests: valid, floodMs: round(floodMs), requestsPerSecond: round(total / (floodMs / 1000)),
      byStatus, tooManyRequests: statuses.get(429) ?? 0, followedPosts: visibleMs.length,
      visibleMsMedian: round(median(visibleMs)), visibleMsMax: round(Math.max(...visibleMs)),
      eldP50Ms: round(stats.eldP50Ms, 2), eldP99Ms: round(stats.eldP99Ms, 2), eldMaxMs: round(stats.eldMaxMs, 2),
      cpuMs: round(stats.cpuMs), mainThreadCpuMs: stats.mainThreadCpuMs, peakRssMB: round(stats.peakRssMB),
      pass: { eldP99Ms: stats.eldP99Ms <= FLOOD_TARGETS.eldP99Ms, visibleMs: Math.max(...visibleMs) <= FLOOD_TARGETS.visibleMs, flooderLimited: (statuses.get(429) ?? 0) > 0 },
    };
    emit(json, table('Scenario 5 · a flood at the inbox while followed accounts post', [
      ['requests (bad / valid)', `${bad} / ${valid} in ${round(floodMs)} ms (${json.requestsPerSecond}/s)`],
      ['answers', Object.entries(byStatus).map(([s, n]) => `${s}: ${n}`).join(', ')],
      ['followed posts visible (median / max)', `${json.visibleMsMedian} / ${json.visibleMsMax} ms over ${visibleMs.length} posts (target ≤ ${FLOOD_TARGETS.visibleMs})`],
      ['event-loop delay p50 / p99 / max', `${json.eldP50Ms} / ${json.eldP99Ms} / ${json.eldMaxMs} ms (target p99 ≤ ${FLOOD_TARGETS.eldP99Ms})`],
      ['Outpost CPU (main thread)', `${json.cpuMs} ms (${json.mainThreadCpuMs ?? '—'} ms)`],
    ]));
  } finally {
    await op.stop().catch(() => undefined);
    await agent.close();
    await Promise.all(servers.map((s) => s.stop()));
  }
}
