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
function inbox(answers: Array<RemoteActor | Error>, cached?: RemoteActor) {
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
  const handler = new InboxHandler({ db, actors, limits: DEFAULT_LIMITS, inbox: DEFAULT_INBOX, log: silentLogger, federationBlocked: () => null, retryAfterSeconds: () => 3600, onStored: () => {}, pendingFor: () => ({ items: 0, bytes: 0 }), blocks: new BlockList(db) });
  const stored = () => (db.prepare('SELECT count(*) AS n FROM inbox_items').get() as { n: number }).n;
  return { handler, calls, stored };
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
