// The remote actor cache: TTL, key lookup, refetch-on-rotation limits, handle parsing.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/main/core/store/database';
import { parseActorDocument, parseHandle, RemoteActors } from '../../../../src/main/core/federation/remoteActors';
import { DEFAULT_LIMITS } from '../../../../src/main/core/config';
import type { FederationClient } from '../../../../src/main/core/federation/federationClient';
import { FetchError } from '../../../../src/main/core/federation/httpClient';

const HOUR = 3600_000;
const actorDoc = (pem: string, name = 'Bob') => ({
  '@context': ['https://www.w3.org/ns/activitystreams'],
  id: 'https://remote.example/users/bob', type: 'Person', preferredUsername: 'bob', name,
  inbox: 'https://remote.example/users/bob/inbox', endpoints: { sharedInbox: 'https://remote.example/inbox' },
  followers: { id: 'https://remote.example/users/bob/followers', totalItems: 7 },
  publicKey: { id: 'https://remote.example/users/bob#main-key', owner: 'https://remote.example/users/bob', publicKeyPem: pem },
});

function setup() {
  let now = 1_000_000;
  let doc: any = actorDoc('PEM-1');
  const fetched: string[] = [];
  let fail = false;
  const client = {
    async getActivityJson(url: string) {
      fetched.push(url);
      if (fail) throw new FetchError('down', 'network');
      return structuredClone(doc);
    },
    async getPlainJson() {
      throw new Error('not used');
    },
  } as unknown as FederationClient;
  const db = openDatabase(':memory:');
  const actors = new RemoteActors(db, client, { ...DEFAULT_LIMITS, actorCacheTtlMs: 24 * HOUR, keyRefetchMinAgeMs: 30_000 }, false, () => now);
  return {
    actors, fetched, db,
    tick: (ms: number) => (now += ms),
    setDoc: (d: any) => (doc = d),
    setFail: (f: boolean) => (fail = f),
  };
}

describe('RemoteActors', () => {
  it('caches an actor for its TTL, then refetches; a failed refetch falls back to the stale copy', async () => {
    const s = setup();
    const a = await s.actors.resolve('https://remote.example/users/bob');
    expect(a).toMatchObject({ inbox: 'https://remote.example/users/bob/inbox', sharedInbox: 'https://remote.example/inbox', followersCount: 7 });
    await s.actors.resolve('https://remote.example/users/bob');
    expect(s.fetched).toHaveLength(1);
    s.tick(25 * HOUR);
    s.setDoc(actorDoc('PEM-1', 'Robert'));
    expect((await s.actors.resolve('https://remote.example/users/bob')).name).toBe('Robert');
    expect(s.fetched).toHaveLength(2);
    s.tick(25 * HOUR);
    s.setFail(true);
    expect((await s.actors.resolve('https://remote.example/users/bob')).name).toBe('Robert');
  });

  it('finds the actor by key id and refetches on rotation, but not more than once per min age', async () => {
    const s = setup();
    const keyId = 'https://remote.example/users/bob#main-key';
    expect((await s.actors.forKey(keyId)).publicKeyPem).toBe('PEM-1');
    expect((await s.actors.forKey(keyId)).publicKeyPem).toBe('PEM-1');
    expect(s.fetched).toHaveLength(1);
    s.setDoc(actorDoc('PEM-2'));
    // Too soon after the last fetch: a forged signature cannot make us hammer the remote.
    expect((await s.actors.forKey(keyId, { refresh: true })).publicKeyPem).toBe('PEM-1');
    s.tick(31_000);
    expect((await s.actors.forKey(keyId, { refresh: true })).publicKeyPem).toBe('PEM-2');
    expect(s.fetched).toHaveLength(2);
  });

  it('refuses a key the actor does not own and an actor served by another host', async () => {
    const s = setup();
    await expect(s.actors.forKey('https://remote.example/users/bob#other-key')).rejects.toThrow(/does not own/);
    expect(() => parseActorDocument(actorDoc('P') as any, 'evil.example', 0)).toThrow(/served by evil.example/);
  });

  it('sanitizes names and summaries it stores', () => {
    const doc = { ...actorDoc('P'), name: '<b onclick="x">Bob</b>', summary: '<p>hi<script>alert(1)</script></p>' };
    const a = parseActorDocument(doc as any, 'remote.example', 0);
    expect(a.name).toBe('Bob');
    expect(a.summaryHtml).toBe('<p>hi</p>');
  });

  it('parses handles with and without @ and ports', () => {
    expect(parseHandle('@bob@remote.example')).toEqual({ username: 'bob', host: 'remote.example' });
    expect(parseHandle('bob@127.0.1.2:4000')).toEqual({ username: 'bob', host: '127.0.1.2:4000' });
    expect(parseHandle('bob')).toBeUndefined();
    expect(parseHandle('bob@evil/x')).toBeUndefined();
  });
});

describe('RemoteActors stale keys', () => {
  it('keeps verifying with a stale cached key when the refetch fails', async () => {
    const s = setup();
    const keyId = 'https://remote.example/users/bob#main-key';
    await s.actors.forKey(keyId);
    s.tick(25 * HOUR);
    s.setFail(true);
    expect((await s.actors.forKey(keyId)).publicKeyPem).toBe('PEM-1');
    await expect(s.actors.forKey(keyId, { refresh: true })).rejects.toThrow();
  });
});

describe('RemoteActors in memory', () => {
  const bob = 'https://remote.example/users/bob';
  const keyId = `${bob}#main-key`;
  const rotated = (pem: string) => ({ ...actorDoc(pem), publicKey: { id: `${bob}#key-2`, owner: bob, publicKeyPem: pem } });

  it('an Update of the actor replaces the key the next lookup finds; the old key is not its any more', async () => {
    const s = setup();
    await s.actors.forKey(keyId);
    expect((await s.actors.forKey(keyId)).publicKeyPem).toBe('PEM-1');
    expect(s.actors.cached(bob)?.name).toBe('Bob');
    s.actors.storeDocument({ ...rotated('PEM-2'), name: 'Robert' }, bob);
    expect(s.actors.cached(bob)).toMatchObject({ name: 'Robert', keyId: `${bob}#key-2` });
    expect((await s.actors.forKey(`${bob}#key-2`)).publicKeyPem).toBe('PEM-2');
    expect(s.fetched).toHaveLength(1);
    // Its old key is asked of its server again, which no longer lists it.
    s.setDoc(rotated('PEM-2'));
    await expect(s.actors.forKey(keyId)).rejects.toThrow(/does not own/);
    expect(s.fetched).toHaveLength(2);
  });

  it('a Delete of the actor forgets it at once', async () => {
    const s = setup();
    await s.actors.forKey(keyId);
    await s.actors.forKey(keyId);
    s.actors.forget(bob);
    expect(s.actors.cached(bob)).toBeUndefined();
    s.setFail(true);
    await expect(s.actors.forKey(keyId)).rejects.toThrow(/down/);
  });

  it('collection counts stored are seen by the next read', async () => {
    const s = setup();
    await s.actors.resolve(bob);
    await s.actors.resolve(bob);
    s.actors.storeCounts(bob, { followersCount: 40, followingCount: 2, postsCount: 9 }, 5);
    expect(s.actors.cached(bob)).toMatchObject({ followersCount: 40, followingCount: 2, postsCount: 9, countsFetchedAt: 5 });
  });

  it('a write rolled back with its transaction is never seen', async () => {
    const s = setup();
    await s.actors.forKey(keyId);
    await s.actors.forKey(keyId);
    expect(() => s.db.transaction(() => {
      s.actors.storeDocument({ ...actorDoc('PEM-1'), name: 'Mallory' }, bob);
      expect(s.actors.cached(bob)?.name).toBe('Mallory');
      throw new Error('rolled back');
    })()).toThrow('rolled back');
    expect(s.actors.cached(bob)?.name).toBe('Bob');
    expect((await s.actors.forKey(keyId)).name).toBe('Bob');
  });
});
