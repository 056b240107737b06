// Hostile actor documents: keys claimed by the wrong actor (key poisoning), script URLs in
// profile links, and inboxes aimed at third parties. Each case fails without its fix.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';

const OTHER_KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
}).publicKey;

let outpost: TestOutpost;
let bob: FakeRemote;
let elsewhere: FakeRemote;
let third: FakeRemote;
let seq = 0;

const inst = () => outpost.running.instance;
const settled = () => inst().inboxProcessor.drain();

/** A mention of the Outpost user by bob, with a fresh id. */
function mention() {
  const create = bob.fixture('create-note-mention');
  const n = ++seq;
  return { ...create, id: `${create.id}-${n}`, object: { ...create.object, id: `${create.object.id}-${n}` } };
}

/** Each case starts from a clean cache: bob genuine and unknown, no mallory. */
async function restoreBob() {
  bob.actor = bob.fixture('actor');
  for (const uri of [bob.actorId, `${bob.origin}/users/mallory`, `${elsewhere.origin}/users/mallory`]) inst().actors.forget(uri);
}

beforeAll(async () => {
  outpost = await startOutpost({ host: '127.0.9.50', username: 'owner' });
  const vars = { LOCAL_ACTOR: outpost.actor, LOCAL_HOST: new URL(outpost.actor).host, LOCAL_FOLLOWERS: `${outpost.actor}/followers` };
  bob = await new FakeRemote({ host: '127.0.9.51', kind: 'mastodon', vars }).start();
  elsewhere = await new FakeRemote({ host: '127.0.9.52', kind: 'mastodon', vars }).start();
  third = await new FakeRemote({ host: '127.0.9.53', kind: 'mastodon', vars }).start();
});

afterEach(restoreBob);

afterAll(async () => {
  await outpost?.stop();
  for (const r of [bob, elsewhere, third]) await r?.stop();
});

describe('key poisoning', () => {
  it.each([
    ['an account on the same server', () => ({ server: bob, path: '/users/mallory' })],
    ['an account on another server', () => ({ server: elsewhere, path: '/users/mallory' })],
  ])("%s claiming bob's key id does not lock bob out", async (_what, where) => {
    const { server, path } = where();
    const mallory = `${server.origin}${path}`;
    server.documents.set(path, {
      ...server.fixture('actor'), id: mallory, preferredUsername: 'mallory', inbox: `${mallory}/inbox`, url: mallory,
      publicKey: { id: bob.keyId, owner: mallory, publicKeyPem: OTHER_KEY },
    });
    // Outpost meets mallory first (a lookup, a boost, a follow: any fetch of the document).
    await outpost.rpc('lookup', { handle: mallory });
    expect(inst().actors.cached(mallory)?.keyId ?? null).toBeNull();

    const create = mention();
    const res = await bob.post(`${outpost.publicUrl}/inbox`, create);
    expect(res.status).toBe(202);
    await settled();
    expect(inst().notes.byUri(create.object.id)?.authorUri).toBe(bob.actorId);
  });

  it('a key whose owner is another actor is not taken from the document at all', async () => {
    bob.actor = { ...bob.fixture('actor'), publicKey: { ...bob.fixture('actor').publicKey, owner: `${bob.origin}/users/someone-else` } };
    const res = await bob.post(`${outpost.publicUrl}/inbox`, mention());
    expect(res.status).toBe(401);
    expect(inst().actors.cached(bob.actorId)?.keyId ?? null).toBeNull();
  });
});

describe('profile links', () => {
  it.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['vbscript:', 'vbscript:msgbox(1)'],
  ])('a %s actor url or icon is not stored, and never reaches the user\'s own posts', async (_scheme, bad) => {
    bob.actor = { ...bob.fixture('actor'), url: bad, icon: { type: 'Image', mediaType: 'image/png', url: bad } };
    const found = await outpost.rpc('lookup', { handle: bob.handle });
    expect(found.actor.url).toBeNull();
    expect(found.actor.iconUrl).toBeNull();
    const cached = inst().actors.cached(bob.actorId)!;
    expect([cached.url, cached.iconUrl]).toEqual([null, null]);

    const { noteId } = await outpost.rpc('compose', { content: `hi @${bob.handle}` });
    const html = inst().notes.byId(noteId)!.contentHtml;
    expect(html).toContain(`href="${bob.actorId}"`);
    expect(html).not.toMatch(/javascript:|data:|vbscript:/i);
  });
});

describe('inboxes on another host', () => {
  it('an actor whose inbox is on a third party cannot follow: 401, no follower, nothing sent there', async () => {
    bob.actor = { ...bob.fixture('actor'), inbox: `${third.origin}/users/victim/inbox` };
    const res = await bob.post(`${outpost.publicUrl}/inbox`, { ...bob.fixture('follow'), id: `${bob.actorId}#follows/${++seq}` });
    expect(res.status).toBe(401);
    await settled();
    expect(await outpost.rpc('followers')).toEqual([]);
    await new Promise((r) => setTimeout(r, 300));
    expect(third.received).toEqual([]);
  });

  it('a shared inbox on a third party is ignored: deliveries go to the personal inbox', async () => {
    bob.actor = { ...bob.fixture('actor'), endpoints: { sharedInbox: `${third.origin}/inbox` } };
    const res = await bob.post(`${outpost.publicUrl}/inbox`, { ...bob.fixture('follow'), id: `${bob.actorId}#follows/${++seq}` });
    expect(res.status).toBe(202);
    await eventually(async () => (await outpost.rpc('followers')).find((f) => f.state === 'accepted'), 10_000, 'bob follows');
    expect(inst().actors.cached(bob.actorId)!.sharedInbox).toBeNull();

    const before = bob.received.length;
    await outpost.rpc('compose', { content: 'to my followers' });
    await eventually(() => bob.received.slice(before).find((r) => r.json?.type === 'Create'), 10_000, 'the Create at bob');
    expect(bob.received.slice(before).find((r) => r.json?.type === 'Create')!.path).toBe('/users/bob/inbox');
    expect(third.received).toEqual([]);
  });
});
