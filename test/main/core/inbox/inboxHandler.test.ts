// The inbox's answers to signature problems (the 401 texts senders see), the signer checks,
// and the Delete of an account whose actor document is gone.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/main/core/store/database';
import { DEFAULT_INBOX, DEFAULT_LIMITS } from '../../../../src/main/core/config';
import { silentLogger } from '../../../../src/main/core/logger';
import { FetchError } from '../../../../src/main/core/federation/httpClient';
import type { RemoteActor, RemoteActors } from '../../../../src/main/core/federation/remoteActors';
import { signRequest } from '../../../../src/main/core/federation/signatures/cavage';
import { InboxHandler, type InboxRequest } from '../../../../src/main/core/inbox/inboxHandler';
import { BlockList } from '../../../../src/main/core/social/blockList';

const BOB = 'https://remote.example/users/bob';
const KEY_ID = `${BOB}#main-key`;
const INBOX = 'https://outpost.example/inbox';
let bobKey: KeyObject;
let bobPem: string;
beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  bobKey = pair.privateKey;
  bobPem = pair.publicKey.export({ type: 'spki', format: 'pem' }) as string;
});

const actor = (uri: string, pem: string | null): RemoteActor => ({
  uri, host: new URL(uri).host, username: 'bob', name: 'Bob', summaryHtml: '', url: null, iconUrl: null, inbox: `${uri}/inbox`,
  sharedInbox: null, outbox: null, followersUrl: null, followingUrl: null, keyId: `${uri}#main-key`, publicKeyPem: pem,
  followersCount: null, followingCount: null, fetchedAt: 0, emojis: [], imageUrl: null, fields: [], bot: false, locked: false, movedTo: null,
  publishedAt: null, postsCount: null, countsFetchedAt: null,
});

/** An inbox whose actor cache answers `forKey` from the script (the last answer repeats). */
function inbox(answers: Array<RemoteActor | Error>, cached?: RemoteActor, opts: { maxPending?: number } = {}) {
  const calls: Array<{ keyId: string; refresh: boolean }> = [];
  const actors = {
    async forKey(keyId: string, opts: { refresh?: boolean } = {}) {
      const a = answers[Math.min(calls.length, answers.length - 1)]!;
      calls.push({ keyId, refresh: !!opts.refresh });
      if (a instanceof Error) throw a;
      return a;
    },
    cached: (uri: string) => (cached?.uri === uri ? cached : undefined),
  } as unknown as RemoteActors;
  const db = openDatabase(':memory:');
  const told: number[] = [];
  const stored = () => (db.prepare('SELECT count(*) AS n FROM inbox_items').get() as { n: number }).n;
  const handler = new InboxHandler({
    db, actors, limits: DEFAULT_LIMITS, inbox: { ...DEFAULT_INBOX, pendingPerHostMaxItems: opts.maxPending ?? DEFAULT_INBOX.pendingPerHostMaxItems },
    log: silentLogger, federationBlocked: () => null, retryAfterSeconds: () => 3600,
    // Nothing processes here: every stored item is still waiting, as the instance's pendingFor counts them.
    onStored: () => told.push(stored()), pendingFor: () => ({ items: stored(), bytes: 0 }), blocks: new BlockList(db),
  });
  const has = (id: string) => db.prepare('SELECT 1 FROM inbox_items WHERE activity_uri = ?').get(id) !== undefined;
  return { handler, calls, stored, told, has };
}

async function post(activity: object, opts: { key?: KeyObject; keyId?: string; mutate?: (h: Record<string, string>) => void } = {}): Promise<InboxRequest> {
  const body = JSON.stringify(activity);
  const headers = await signRequest({ method: 'POST', url: INBOX, body, keyId: opts.keyId ?? KEY_ID, privateKey: opts.key ?? bobKey });
  opts.mutate?.(headers);
  return { method: 'POST', path: '/inbox', headers, body: Buffer.from(body) };
}

let seq = 0;
const follow = (over: object = {}) => ({ id: `${BOB}/follows/${++seq}`, type: 'Follow', actor: BOB, object: 'https://outpost.example/users/me', ...over });
const gone = () => new FetchError('GET answered 410', 'http', 410);

describe('InboxHandler signatures', () => {
  it('accepts a good signature and stores the activity', async () => {
    const i = inbox([actor(BOB, bobPem)]);
    expect(await i.handler.handle(await post(follow()))).toEqual({ status: 202, body: {} });
    expect(i.stored()).toBe(1);
  });

  it('answers pre-key problems with their own text, without fetching a key', async () => {
    const i = inbox([actor(BOB, bobPem)]);
    const unsigned = await post(follow(), { mutate: (h) => delete h.signature });
    expect(await i.handler.handle(unsigned)).toEqual({ status: 401, body: { error: 'signature: no Signature header' } });
    const tampered = { ...(await post(follow())), body: Buffer.from(JSON.stringify(follow())) };
    expect(await i.handler.handle(tampered)).toEqual({ status: 401, body: { error: 'signature: Digest does not match the body' } });
    expect(i.calls).toEqual([]);
  });

  it('a key that cannot be fetched: "cannot fetch key"', async () => {
    const i = inbox([new FetchError('refused', 'network')]);
    expect(await i.handler.handle(await post(follow()))).toEqual({ status: 401, body: { error: `signature: cannot fetch key ${KEY_ID}` } });
  });

  it('a signature that fails with the cached key and the refetched one: "verification failed", one refetch', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const i = inbox([actor(BOB, bobPem), actor(BOB, null)]);
    expect(await i.handler.handle(await post(follow(), { key: other }))).toEqual({ status: 401, body: { error: 'signature: verification failed' } });
    expect(i.calls.map((c) => c.refresh)).toEqual([false, true]);
    expect(i.stored()).toBe(0);
  });

  it('a rotated key verifies after the refetch', async () => {
    const i = inbox([actor(BOB, 'stale'), actor(BOB, bobPem)]);
    expect((await i.handler.handle(await post(follow()))).status).toBe(202);
  });

  it('the signer must be the activity actor, on its host', async () => {
    const mallory = 'https://remote.example/users/mallory';
    const sameHost = inbox([actor(mallory, bobPem)]);
    expect(await sameHost.handler.handle(await post(follow(), { keyId: `${mallory}#main-key` })))
      .toEqual({ status: 401, body: { error: "signature: signer is not the activity's actor" } });
    const otherHost = inbox([actor('https://evil.example/users/bob', bobPem)]);
    expect(await otherHost.handler.handle(await post(follow(), { keyId: 'https://evil.example/users/bob#main-key' })))
      .toEqual({ status: 401, body: { error: 'signature: the key and the activity actor are on different hosts' } });
  });

  describe('a Delete of an account whose actor document is gone', () => {
    const deleteSelf = () => ({ id: `${BOB}#delete-${++seq}`, type: 'Delete', actor: BOB, object: BOB });

    it('is verified with the cached key and stored', async () => {
      const i = inbox([gone()], actor(BOB, bobPem));
      expect(await i.handler.handle(await post(deleteSelf()))).toEqual({ status: 202, body: {} });
      expect(i.stored()).toBe(1);
    });

    it('signed by another key: refused', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
      const i = inbox([gone()], actor(BOB, bobPem));
      expect(await i.handler.handle(await post(deleteSelf(), { key: other }))).toEqual({ status: 401, body: { error: 'signature: verification failed' } });
    });

    it('never seen: 202 with nothing stored', async () => {
      const i = inbox([gone()]);
      expect(await i.handler.handle(await post(deleteSelf()))).toEqual({ status: 202, body: {} });
      expect(i.stored()).toBe(0);
    });

    it('but a gone key is no excuse for anything else', async () => {
      const i = inbox([gone()], actor(BOB, bobPem));
      expect(await i.handler.handle(await post(follow()))).toEqual({ status: 401, body: { error: `signature: cannot fetch key ${KEY_ID}` } });
    });
  });
});

describe('InboxHandler batches', () => {
  it('stores concurrent requests together, each durably before its 202', async () => {
    const i = inbox([actor(BOB, bobPem)]);
    const activities = Array.from({ length: 20 }, () => follow());
    const requests = await Promise.all(activities.map((a) => post(a)));
    const answers = await Promise.all(requests.map(async (r, n) => {
      const res = await i.handler.handle(r);
      // Already on disk when the answer is given.
      return { status: res.status, stored: i.has(activities[n]!.id) };
    }));
    expect(answers).toEqual(activities.map(() => ({ status: 202, stored: true })));
    expect(i.stored()).toBe(20);
    // Processing was told once per batch, after all of that batch was written.
    expect(i.told.length).toBeLessThan(20);
    expect(i.told.at(-1)).toBe(20);
  });

  it('keeps one copy of an activity sent twice in one batch', async () => {
    const i = inbox([actor(BOB, bobPem)]);
    const a = follow();
    const answers = await Promise.all([post(a), post(a), post(a)].map(async (r) => (await i.handler.handle(await r)).status));
    expect(answers).toEqual([202, 202, 202]);
    expect(i.stored()).toBe(1);
  });

  it("counts a batch's waiting items toward the sender's quota", async () => {
    const i = inbox([actor(BOB, bobPem)], undefined, { maxPending: 3 });
    const requests = await Promise.all(Array.from({ length: 6 }, () => post(follow())));
    // Usually all six are verified in one turn and meet in one batch; if the thread pool
    // splits them over two turns, the stored ones count instead: three either way.
    const answers = await Promise.all(requests.map(async (r) => (await i.handler.handle(r)).status));
    expect(answers.filter((s) => s === 202)).toHaveLength(3);
    expect(answers.filter((s) => s === 429)).toHaveLength(3);
    expect(i.stored()).toBe(3);
  });
});
