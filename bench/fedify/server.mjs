// Bench scenario 9: a minimal Fedify 2.3.6 server, the comparison point for Outpost's fan-out.
// One actor ("bench", RSA-2048 like Outpost's), a shared inbox that takes Follows (Fedify
// verifies the signature, fetching the follower's key, and the app Accepts), a followers
// collection, and on `compose` one public Note sent with
// `sendActivity(…, 'followers', create, { preferSharedInbox: true })` through Fedify's own
// queue (InProcessMessageQueue; with workers > 1 inside a ParallelMessageQueue).
//
// Plain JavaScript so `npm run typecheck` does not depend on this folder's on-demand install;
// bundled (dependencies external, resolved from bench/fedify/node_modules) into
// bench/fedify/out/server.mjs by bench/fedifyHandle.ts, which forks it with plain node.
// argv[2]: JSON { host, port, stateFile, workers }. The state file holds what an app keeps in
// its own database: the key pair and the followers (written on `save` by the setup process,
// read by every measured process). Fedify's own KV is in memory (MemoryKvStore), as its docs
// suggest for a single process; nothing in it is needed to send.
//
// IPC: → {type:'ready', origin, actor, pid}; ← {type:'call', id, method, params}
// → {type:'result', id, value} | {type:'result', id, error}. Methods: mark, stats (childGauges),
// compose {content} → {activityId}, state → {followers, queued, inFlight}, save.
import { readFileSync, writeFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Temporal } from '@js-temporal/polyfill';
import { createFederation, exportJwk, importJwk, InProcessMessageQueue, MemoryKvStore, ParallelMessageQueue } from '@fedify/fedify';
import { Accept, Create, Endpoints, Follow, Note, Person, PUBLIC_COLLECTION } from '@fedify/vocab';
import { startGauges } from '../childGauges';

const gauges = startGauges();
const cfg = JSON.parse(process.argv[2] ?? '{}');
const origin = `http://${cfg.host}:${cfg.port}`;
const ID = 'bench';

/** The app's own storage: key pair and followers, loaded from the state file if there is one. */
const state = loadState();
const followers = new Map(state.followers.map((f) => [f.id, f]));

function loadState() {
  try {
    const s = JSON.parse(readFileSync(cfg.stateFile, 'utf8'));
    return { keys: s.keys, followers: s.followers };
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
    return { keys: null, followers: [] };
  }
}

async function keyPair() {
  if (state.keys) return { privateKey: await importJwk(state.keys.privateKey, 'private'), publicKey: await importJwk(state.keys.publicKey, 'public') };
  // Fedify's generateCryptoKeyPair() makes RSA-4096 keys; Outpost signs with RSA-2048.
  const pair = await crypto.subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify'],
  );
  state.keys = { privateKey: await exportJwk(pair.privateKey), publicKey: await exportJwk(pair.publicKey) };
  return pair;
}
const keys = await keyPair();

/**
 * Fedify's queue: InProcessMessageQueue alone (workers 1: one task at a time, as in Fedify's
 * examples) or in a ParallelMessageQueue of `workers`; wrapped only to count the tasks running
 * (so the bench can wait for idle).
 */
let inFlight = 0;
const inner = cfg.workers > 1 ? new ParallelMessageQueue(new InProcessMessageQueue(), cfg.workers) : new InProcessMessageQueue();
const queue = {
  nativeRetrial: inner.nativeRetrial,
  enqueue: (m, o) => inner.enqueue(m, o),
  enqueueMany: (ms, o) => inner.enqueueMany(ms, o),
  getDepth: () => inner.getDepth(),
  listen: (handler, o) => inner.listen(async (m) => {
    inFlight++;
    try {
      await handler(m);
    } finally {
      inFlight--;
    }
  }, o),
};

let outboxErrors = 0;
const federation = createFederation({
  kv: new MemoryKvStore(),
  queue,
  origin,
  // The farm lives on 127.0.x.y: Fedify refuses private addresses unless told otherwise.
  allowPrivateAddress: true,
  onOutboxError: (error, activity) => {
    outboxErrors++;
    if (outboxErrors <= 20) process.stderr.write(`fedify outbox error (${activity?.id?.href}): ${error?.stack ?? error}\n`);
  },
});

federation.setActorDispatcher('/users/{identifier}', async (ctx, identifier) => {
  if (identifier !== ID) return null;
  const pairs = await ctx.getActorKeyPairs(identifier);
  return new Person({
    id: ctx.getActorUri(identifier), preferredUsername: identifier, name: 'Fedify bench',
    inbox: ctx.getInboxUri(identifier), endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    followers: ctx.getFollowersUri(identifier),
    publicKey: pairs[0]?.cryptographicKey, assertionMethods: pairs.map((p) => p.multikey),
  });
}).setKeyPairsDispatcher((_ctx, identifier) => (identifier === ID ? [keys] : []));

federation.setFollowersDispatcher('/users/{identifier}/followers', (_ctx, identifier) => {
  if (identifier !== ID) return null;
  return {
    items: [...followers.values()].map((f) => ({ id: new URL(f.id), inboxId: new URL(f.inbox), endpoints: f.sharedInbox ? { sharedInbox: new URL(f.sharedInbox) } : null })),
  };
});

federation.setInboxListeners('/users/{identifier}/inbox', '/inbox').on(Follow, async (ctx, follow) => {
  if (follow.id == null || follow.actorId == null || follow.objectId?.href !== ctx.getActorUri(ID).href) return;
  const follower = await follow.getActor(ctx);
  if (follower == null || follower.id == null || follower.inboxId == null) return;
  followers.set(follower.id.href, { id: follower.id.href, inbox: follower.inboxId.href, sharedInbox: follower.endpoints?.sharedInbox?.href ?? null });
  await ctx.sendActivity({ identifier: ID }, follower, new Accept({ id: new URL(`${origin}/accepts/${crypto.randomUUID()}`), actor: ctx.getActorUri(ID), object: follow }));
});

let notes = 0;
async function compose({ content }) {
  const ctx = federation.createContext(new URL(origin), undefined);
  const actor = ctx.getActorUri(ID);
  const id = new URL(`${origin}/notes/${Date.now().toString(36)}-${++notes}`);
  const published = Temporal.Now.instant();
  const note = new Note({ id, attribution: actor, content, to: PUBLIC_COLLECTION, cc: ctx.getFollowersUri(ID), published, url: id });
  const create = new Create({ id: new URL(`${id.href}/activity`), actor, object: note, to: PUBLIC_COLLECTION, cc: ctx.getFollowersUri(ID), published });
  await ctx.sendActivity({ identifier: ID }, 'followers', create, { preferSharedInbox: true });
  return { activityId: create.id.href };
}

const methods = {
  mark: () => gauges.mark(),
  stats: () => gauges.stats(),
  compose,
  state: async () => ({ followers: followers.size, queued: (await queue.getDepth()).queued, inFlight, outboxErrors }),
  save: () => writeFileSync(cfg.stateFile, JSON.stringify({ keys: state.keys, followers: [...followers.values()] })),
};

process.on('message', (m) => {
  if (m?.type !== 'call') return;
  const fn = methods[m.method];
  Promise.resolve()
    .then(() => (fn ? fn(m.params ?? {}) : Promise.reject(new Error(`no method ${m.method}`))))
    .then((value) => process.send?.({ type: 'result', id: m.id, value: value ?? null }), (err) => process.send?.({ type: 'result', id: m.id, error: String(err?.stack ?? err) }));
});

const server = serve({ fetch: (request) => federation.fetch(request, { contextData: undefined }), port: cfg.port, hostname: cfg.host }, () => {
  process.send?.({ type: 'ready', origin, actor: `${origin}/users/${ID}`, pid: process.pid });
});
const shutdown = () => { server.close(); process.exit(0); };
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);
