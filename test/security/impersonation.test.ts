// Impersonation through redirects (the class of Mastodon's CVE-2024-23832): a victim server
// with an open redirect, and an attacker serving documents that claim to be the victim's.
// A fetched object's id must be on the host that finally served it, or it is fetched again
// from its own id; a cached actor is never replaced by a document that fails this.
import { generateKeyPairSync, createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';

const ATTACKER_KEYS = generateKeyPairSync('rsa', {
  modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const attackerKey = createPrivateKey(ATTACKER_KEYS.privateKey);

let outpost: TestOutpost;
let victim: FakeRemote;
let attacker: FakeRemote;

/** A URL on the victim's host that redirects to `target` on the attacker's. */
const viaVictim = (target: string) => `${victim.origin}/redirect?to=${encodeURIComponent(target)}`;

/** The victim's actor document as the attacker rewrites it: its key and inbox. */
function forgedVictim(keyId: string) {
  return {
    ...victim.actor,
    inbox: `${attacker.origin}/inbox`,
    endpoints: { sharedInbox: `${attacker.origin}/inbox` },
    publicKey: { id: keyId, owner: victim.actorId, publicKeyPem: ATTACKER_KEYS.publicKey },
  };
}

const cachedVictim = () => outpost.running.instance.actors.cached(victim.actorId);

beforeAll(async () => {
  outpost = await startOutpost({ host: '127.0.9.1', username: 'owner' });
  const vars = { LOCAL_ACTOR: outpost.actor, LOCAL_HOST: new URL(outpost.actor).host, LOCAL_FOLLOWERS: `${outpost.actor}/followers` };
  victim = await new FakeRemote({ host: '127.0.9.2', kind: 'mastodon', vars }).start();
  victim.openRedirect = true;
  attacker = await new FakeRemote({ host: '127.0.9.3', kind: 'mastodon', vars }).start();
});

afterAll(async () => {
  await outpost?.stop();
  await victim?.stop();
  await attacker?.stop();
});

describe('a document served after a redirect to another host', () => {
  it('cannot sign for the victim: a keyId redirecting to a forged actor gets 401 and the cached actor stays genuine', async () => {
    // The genuine actor is cached first (as after any earlier contact).
    await outpost.rpc('lookup', { handle: victim.actorId });
    expect(cachedVictim()?.publicKeyPem?.trim()).toBe(victim.publicKeyPem.trim());

    const keyId = `${viaVictim(`${attacker.origin}/fake-alice`)}#main-key`;
    attacker.documents.set('/fake-alice', forgedVictim(keyId));
    const create = victim.fixture('create-note-mention');
    const res = await attacker.post(`${outpost.publicUrl}/inbox`, create, { keyId, key: attackerKey });

    expect(res.status).toBe(401);
    const cached = cachedVictim()!;
    expect(cached.publicKeyPem?.trim()).toBe(victim.publicKeyPem.trim());
    expect(cached.inbox).toBe(`${victim.origin}/users/bob/inbox`);
    await outpost.running.instance.inboxProcessor.drain();
    expect(outpost.running.instance.notes.byUri(create.object.id)).toBeUndefined();
    expect((await outpost.rpc('notifications', {})).notifications).toEqual([]);
  });

  it('cannot redirect a follow: following the victim through its open redirect follows the genuine actor', async () => {
    attacker.documents.set('/fake-alice-2', forgedVictim(`${victim.actorId}#main-key`));
    const followed = await outpost.rpc('follow', { handle: viaVictim(`${attacker.origin}/fake-alice-2`) });

    expect(followed.actor.uri).toBe(victim.actorId);
    expect(cachedVictim()!.inbox).toBe(`${victim.origin}/users/bob/inbox`);
    await eventually(() => victim.received.find((r) => r.json?.type === 'Follow'), 10_000, 'the Follow at the genuine inbox');
    expect(attacker.received.filter((r) => r.json?.type === 'Follow')).toEqual([]);
  });

  it('cannot plant a note: a boosted object whose id is on the victim but that the attacker serves is refused', async () => {
    // Outpost follows the attacker's own (genuine) account, which then boosts a "post by the victim".
    await outpost.rpc('follow', { handle: attacker.handle });
    const follow = await eventually(() => attacker.received.find((r) => r.json?.type === 'Follow' && r.json.object === attacker.actorId), 10_000, 'the Follow');
    expect((await attacker.post(`${outpost.actor}/inbox`, attacker.fixture('accept-follow', { LOCAL_FOLLOW: follow.json.id }))).status).toBe(202);
    await eventually(async () => (await outpost.rpc('following')).find((f) => f.actor.uri === attacker.actorId && f.state === 'accepted'), 10_000, 'accepted');

    const forgedUri = viaVictim(`${attacker.origin}/fake-note`);
    attacker.documents.set('/fake-note', {
      '@context': 'https://www.w3.org/ns/activitystreams', id: forgedUri, type: 'Note', attributedTo: victim.actorId,
      content: '<p>forged words in the victim\'s mouth</p>', published: '2025-01-15T10:20:30Z',
      to: ['https://www.w3.org/ns/activitystreams#Public'], cc: [],
    });
    const announce = { ...attacker.fixture('announce', { LOCAL_NOTE: forgedUri }), id: `${attacker.actorId}/statuses/1/activity` };
    expect((await attacker.post(`${outpost.publicUrl}/inbox`, announce)).status).toBe(202);
    await outpost.running.instance.inboxProcessor.drain();

    expect(outpost.running.instance.notes.byUri(forgedUri)).toBeUndefined();
    const timeline = (await outpost.rpc('timeline', {})).entries;
    expect(timeline.filter((e) => e.note.uri === forgedUri)).toEqual([]);
  });
});
