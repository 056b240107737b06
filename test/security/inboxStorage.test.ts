// What the inbox keeps and how long one sender can hold it: unknown activity types are not
// stored, processed bodies are dropped (ids stay for deduplication), a host cannot fill the
// disk with activities waiting to be processed, and a sender whose fetch crawls holds up
// only itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';
import { openDatabase } from '../../src/main/core/store/database';
import { DEFAULT_INBOX, DEFAULT_LIMITS } from '../../src/main/core/config';
import { silentLogger } from '../../src/main/core/logger';
import { InboxHandler } from '../../src/main/core/inbox/inboxHandler';
import type { RemoteActors } from '../../src/main/core/federation/remoteActors';
import { REMOTE_KEY, signedPostHeaders } from '../support/remote/signing';
import { BlockList } from '../../src/main/core/social/blockList';

let outpost: TestOutpost;
let bob: FakeRemote;
let carol: FakeRemote;
let seq = 0;

const rows = () => outpost.running.instance.db
  .prepare('SELECT activity_uri, length(body) AS bytes, processed_at FROM inbox_items').all() as { activity_uri: string; bytes: number; processed_at: number | null }[];

beforeAll(async () => {
  outpost = await startOutpost({ host: '127.0.9.70', username: 'owner' });
  const vars = { LOCAL_ACTOR: outpost.actor, LOCAL_HOST: new URL(outpost.actor).host, LOCAL_FOLLOWERS: `${outpost.actor}/followers` };
  bob = await new FakeRemote({ host: '127.0.9.71', kind: 'mastodon', vars }).start();
  carol = await new FakeRemote({ host: '127.0.9.72', kind: 'gotosocial', vars }).start();
});

afterAll(async () => {
  await outpost?.stop();
  await bob?.stop();
  await carol?.stop();
});

describe('what is kept', () => {
  // Move and Block are handled (issue 13): see test/main/core/inbox/accountEvents.test.ts.
  it.each(['Flag', 'Add', 'Remove', 'Question', 'TotallyMadeUp'])('an unknown or unhandled %s: 202, nothing stored, no key fetched', async (type) => {
    const before = rows().length;
    bob.fetched.length = 0;
    const big = { id: `${bob.actorId}/x/${++seq}`, type, actor: bob.actorId, object: bob.actorId, content: 'x'.repeat(200_000) };
    const res = await bob.post(`${outpost.publicUrl}/inbox`, big);
    expect(res.status).toBe(202);
    expect(rows().length).toBe(before);
    expect(bob.fetched).toEqual([]);
  });

  it('a processed activity keeps its id (a redelivery is dropped) but not its body', async () => {
    const create = bob.fixture('create-note-mention');
    expect((await bob.post(`${outpost.publicUrl}/inbox`, create)).status).toBe(202);
    await outpost.running.instance.inboxProcessor.drain();
    const row = rows().find((r) => r.activity_uri === create.id)!;
    expect(row.processed_at).not.toBeNull();
    expect(row.bytes).toBe(0);
    expect((await bob.post(`${outpost.publicUrl}/inbox`, create)).status).toBe(202);
    expect(rows().filter((r) => r.activity_uri === create.id)).toHaveLength(1);
  });
});

describe('no head-of-line blocking', () => {
  it("a sender whose object fetch hangs holds up only itself: another sender's post is processed meanwhile", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const slowNote = { ...bob.fixture('create-note-mention').object, id: `${bob.actorId}/statuses/slow` };
    bob.slowDocuments.set('/users/bob/statuses/slow', { body: slowNote, after: held });
    const slowCreate = { ...bob.fixture('create-note-mention'), id: `${bob.actorId}/statuses/slow/activity`, object: slowNote.id };
    expect((await bob.post(`${outpost.publicUrl}/inbox`, slowCreate)).status).toBe(202);

    const fast = carol.fixture('create-note-mention');
    expect((await carol.post(`${outpost.publicUrl}/inbox`, fast)).status).toBe(202);
    const notes = outpost.running.instance.notes;
    await eventually(() => notes.byUri(fast.object.id), 5000, "carol's post while bob's fetch hangs");
    expect(notes.byUri(slowNote.id)).toBeUndefined();

    release();
    await eventually(() => notes.byUri(slowNote.id), 5000, "bob's post once its fetch answers");
  });
});

describe('per-host quota of activities waiting', () => {
  const BOB = 'https://remote.example/users/bob';
  async function handlerWith(pending: { items: number; bytes: number }) {
    const actor = {
      uri: BOB, host: 'remote.example', username: 'bob', name: 'Bob', summaryHtml: '', url: null, iconUrl: null, inbox: `${BOB}/inbox`,
      sharedInbox: null, outbox: null, followersUrl: null, followingUrl: null, keyId: `${BOB}#main-key`, publicKeyPem: REMOTE_KEY.publicKeyPem,
      followersCount: null, followingCount: null, fetchedAt: Date.now(),
    };
    const db = openDatabase(':memory:');
    const handler = new InboxHandler({
      db, actors: { forKey: async () => actor, cached: () => actor } as unknown as RemoteActors, limits: DEFAULT_LIMITS, inbox: DEFAULT_INBOX,
      log: silentLogger, federationBlocked: () => null, retryAfterSeconds: () => 3600, onStored: () => {}, pendingFor: () => pending, blocks: new BlockList(db),
    });
    const body = JSON.stringify({ id: `${BOB}/likes/${++seq}`, type: 'Like', actor: BOB, object: 'https://outpost.example/notes/1' });
    const headers = await signedPostHeaders({ url: 'https://outpost.example/inbox', body, keyId: `${BOB}#main-key`, privateKey: REMOTE_KEY.privateKey });
    const res = await handler.handle({ method: 'POST', path: '/inbox', headers: { ...headers, host: 'outpost.example' }, body: Buffer.from(body) });
    return { res, stored: (db.prepare('SELECT count(*) AS n FROM inbox_items').get() as { n: number }).n };
  }

  it('under the quota: 202 and stored', async () => {
    expect(await handlerWith({ items: DEFAULT_INBOX.pendingPerHostMaxItems - 1, bytes: 0 })).toEqual({ res: { status: 202, body: {} }, stored: 1 });
  });

  it.each([
    ['items', { items: DEFAULT_INBOX.pendingPerHostMaxItems, bytes: 0 }],
    ['bytes', { items: 1, bytes: DEFAULT_INBOX.pendingPerHostMaxBytes }],
  ])('over the quota of %s: 429 with Retry-After, nothing stored', async (_what, pending) => {
    const { res, stored } = await handlerWith(pending);
    expect(res.status).toBe(429);
    expect(res.headers).toEqual({ 'retry-after': String(DEFAULT_INBOX.pendingRetryAfterSeconds) });
    expect(stored).toBe(0);
  });
});
