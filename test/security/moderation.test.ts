// The owner's safety tools end to end: block (refused at the inbox, follows removed both
// ways with a Block sent, no deliveries, content gone), mute (hidden, nothing sent), domain
// block (before any signature work, subdomains included), report (a Flag to the server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';
import { openDatabase } from '../../src/main/core/store/database';
import { BlockList } from '../../src/main/core/social/blockList';

let outpost: TestOutpost;
let bob: FakeRemote;
let carol: FakeRemote;
let seq = 0;

const inst = () => outpost.running.instance;
const settled = () => inst().inboxProcessor.drain();
const received = (r: FakeRemote, type: string) => r.received.filter((x) => x.json?.type === type);
const mention = (r: FakeRemote) => {
  const c = r.fixture('create-note-mention');
  const n = ++seq;
  return { ...c, id: `${c.id}-${n}`, object: { ...c.object, id: `${c.object.id}-${n}` } };
};
const stored = () => (inst().db.prepare('SELECT count(*) AS n FROM inbox_items').get() as { n: number }).n;

/** bob follows the user, the user follows bob, bob's mention is in the timeline and notifications. */
async function befriend(r: FakeRemote) {
  expect((await r.post(`${outpost.publicUrl}/inbox`, { ...r.fixture('follow'), id: `${r.actorId}#follows/${++seq}` })).status).toBe(202);
  await eventually(async () => (await outpost.rpc('followers')).some((f) => f.actor.uri === r.actorId), 10_000, 'follower');
  await outpost.rpc('follow', { handle: r.handle });
  const follow = await eventually(() => received(r, 'Follow').at(-1), 10_000, 'our Follow');
  await r.post(`${outpost.actor}/inbox`, r.fixture('accept-follow', { LOCAL_FOLLOW: follow.json.id }));
  await eventually(async () => (await outpost.rpc('following')).some((f) => f.actor.uri === r.actorId && f.state === 'accepted'), 10_000, 'following');
  const m = mention(r);
  expect((await r.post(`${outpost.publicUrl}/inbox`, m)).status).toBe(202);
  await settled();
  return m;
}

beforeAll(async () => {
  outpost = await startOutpost({ host: '127.0.9.120', username: 'owner' });
  const vars = { LOCAL_ACTOR: outpost.actor, LOCAL_HOST: new URL(outpost.actor).host, LOCAL_FOLLOWERS: `${outpost.actor}/followers` };
  bob = await new FakeRemote({ host: '127.0.9.121', kind: 'mastodon', vars }).start();
  carol = await new FakeRemote({ host: '127.0.9.122', kind: 'gotosocial', vars }).start();
});

afterAll(async () => {
  await outpost?.stop();
  await bob?.stop();
  await carol?.stop();
});

describe('blocking an account', () => {
  it('removes the follows both ways with a Block and an Undo sent, and its posts and notifications go', async () => {
    const m = await befriend(bob);
    expect((await outpost.rpc('timeline')).entries.some((e) => e.note.uri === m.object.id)).toBe(true);

    const lists = await outpost.rpc('block', { handle: bob.handle });
    expect(lists.accounts.map((a) => a.actor.uri)).toEqual([bob.actorId]);
    await eventually(() => received(bob, 'Block').length === 1 && received(bob, 'Undo').length === 1, 10_000, 'Block and Undo at bob');
    expect(received(bob, 'Block')[0]!.json.object).toBe(bob.actorId);
    expect(received(bob, 'Undo')[0]!.json.object.type).toBe('Follow');
    expect(await outpost.rpc('followers')).toEqual([]);
    expect(await outpost.rpc('following')).toEqual([]);
    expect((await outpost.rpc('timeline')).entries.filter((e) => e.note.author.uri === bob.actorId)).toEqual([]);
    expect((await outpost.rpc('notifications')).notifications.filter((n) => n.actor.uri === bob.actorId)).toEqual([]);
  });

  it('refuses what the blocked account sends (403, nothing stored), and is never delivered to or followed', async () => {
    const before = stored();
    const res = await bob.post(`${outpost.publicUrl}/inbox`, mention(bob));
    expect(res.status).toBe(403);
    expect(stored()).toBe(before);

    const creates = received(bob, 'Create').length;
    await outpost.rpc('compose', { content: `hello @${bob.handle}` });
    await new Promise((r) => setTimeout(r, 300));
    expect(received(bob, 'Create').length).toBe(creates);
    const follow = await outpost.rpcRaw('follow', { handle: bob.handle });
    expect(follow.status).toBe(409);
    expect(follow.body.error.message).toMatch(/unblock first/);
  });

  it('unblocking sends an Undo of the Block and lets the account in again', async () => {
    const lists = await outpost.rpc('unblock', { handle: bob.actorId });
    expect(lists.accounts).toEqual([]);
    await eventually(() => received(bob, 'Undo').some((u) => u.json.object.type === 'Block'), 10_000, 'Undo(Block)');
    expect((await bob.post(`${outpost.publicUrl}/inbox`, mention(bob))).status).toBe(202);
    expect((await outpost.rpcRaw('unblock', { handle: bob.actorId })).status).toBe(404);
  });
});

describe('muting an account', () => {
  it('hides its posts and notifications without telling anyone, and unmuting shows them again', async () => {
    const m = mention(bob);
    expect((await bob.post(`${outpost.publicUrl}/inbox`, m)).status).toBe(202);
    await settled();
    const sentBefore = bob.received.length;
    const visible = async () => (await outpost.rpc('notifications')).notifications.some((n) => n.note?.uri === m.object.id);
    expect(await visible()).toBe(true);

    expect((await outpost.rpc('mute', { handle: bob.actorId })).mutes.map((x) => x.actor.uri)).toEqual([bob.actorId]);
    expect(await visible()).toBe(false);
    await new Promise((r) => setTimeout(r, 200));
    expect(bob.received.length).toBe(sentBefore);

    await outpost.rpc('unmute', { handle: bob.actorId });
    expect(await visible()).toBe(true);
  });
});

describe('blocking a domain', () => {
  it('removes its followers, cancels what waits for it, refuses its requests before any signature work', async () => {
    await befriend(carol);
    // A post carol's server refuses for now: its delivery waits for a retry.
    (carol.opts as { inboxStatus?: number }).inboxStatus = 503;
    const waiting = await outpost.rpc('compose', { content: 'for my followers' });
    const carolRow = async () => (await outpost.rpc('deliveryProgress', { activityId: waiting.activityId })).inboxes.find((r) => r.host === carol.host);
    await eventually(async () => (await carolRow())?.attempts === 1 && (await carolRow())?.state === 'queued', 10_000, 'a retry waiting');

    const lists = await outpost.rpc('blockDomain', { domain: carol.host });
    expect((await carolRow())?.state).toBe('cancelled');
    expect(lists.domains.map((d) => d.domain)).toEqual(['127.0.9.122']);
    expect((await outpost.rpc('followers')).filter((f) => f.actor.uri === carol.actorId)).toEqual([]);
    expect((await outpost.rpc('following')).filter((f) => f.actor.uri === carol.actorId)).toEqual([]);

    const before = stored();
    carol.fetched.length = 0;
    // Unsigned, but naming a key on the blocked domain: refused on the header alone.
    const unsigned = await carol.post(`${outpost.publicUrl}/inbox`, mention(carol), { sign: false, mutate: (h, b) => ({ headers: { ...h, signature: `keyId="${carol.keyId}",signature="AAAA"` }, body: b }) });
    expect(unsigned.status).toBe(403);
    expect((await carol.post(`${outpost.publicUrl}/inbox`, mention(carol))).status).toBe(403);
    expect(stored()).toBe(before);
    expect(carol.fetched).toEqual([]);

    const creates = received(carol, 'Create').length;
    await outpost.rpc('compose', { content: `to @${carol.handle}` });
    await new Promise((r) => setTimeout(r, 300));
    expect(received(carol, 'Create').length).toBe(creates);
    expect((await outpost.rpc('unblockDomain', { domain: carol.host })).domains).toEqual([]);
    // The very next request is let in again.
    expect((await carol.post(`${outpost.publicUrl}/inbox`, mention(carol))).status).toBe(202);
  });

  it('refuses what is not a domain, and our own', async () => {
    for (const domain of ['not a domain', 'http://', '...']) {
      expect((await outpost.rpcRaw('blockDomain', { domain })).status, domain).toBe(400);
    }
    expect((await outpost.rpcRaw('blockDomain', { domain: new URL(outpost.actor).hostname })).status).toBe(409);
  });

  it('covers subdomains, not look-alikes', () => {
    const list = new BlockList(openDatabase(':memory:'));
    list.blockDomain('Bad.Example', 1);
    expect(['bad.example', 'a.bad.example', 'x.y.bad.example:8443', 'BAD.EXAMPLE.'].map((h) => list.isDomainBlocked(h))).toEqual([true, true, true, true]);
    expect(['notbad.example', 'bad.example.org', 'example'].map((h) => list.isDomainBlocked(h))).toEqual([false, false, false]);
    expect(list.isBlocked('https://a.bad.example/users/x')).toBe(true);
  });
});

describe('reporting', () => {
  it('sends a Flag with the account, its posts and the comment to its server', async () => {
    const m = mention(bob);
    expect((await bob.post(`${outpost.publicUrl}/inbox`, m)).status).toBe(202);
    await settled();
    const note = inst().notes.byUri(m.object.id)!;
    expect(await outpost.rpc('report', { handle: bob.handle, noteIds: [note.id], comment: 'spam' })).toEqual({ ok: true });
    const flag = await eventually(() => received(bob, 'Flag')[0], 10_000, 'the Flag');
    expect(flag.json).toMatchObject({ type: 'Flag', actor: outpost.actor, content: 'spam', object: [bob.actorId, m.object.id] });
    expect(flag.signatureValid).toBe(true);
  });

  it('refuses posts that are not by the account reported', async () => {
    const { noteId } = await outpost.rpc('compose', { content: 'mine' });
    const res = await outpost.rpcRaw('report', { handle: bob.handle, noteIds: [noteId] });
    expect(res.status).toBe(409);
  });
});
