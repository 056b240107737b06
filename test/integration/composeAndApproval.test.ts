// Composing: who receives what (visibility, mentions, shared-inbox dedup), and manual
// follow approval — observed at real remote servers on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/remote/fakeRemote';

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';
let o: TestOutpost;
let m: FakeRemote; // a Mastodon-shaped follower with a shared inbox
let g: FakeRemote; // a GoToSocial-shaped account (no shared inbox), not a follower

beforeAll(async () => {
  o = await startOutpost({ host: '127.0.1.60', username: 'gina' });
  m = await new FakeRemote({ host: '127.0.1.61', kind: 'mastodon', vars: { LOCAL_ACTOR: o.actor } }).start();
  g = await new FakeRemote({ host: '127.0.1.62', kind: 'gotosocial', vars: { LOCAL_ACTOR: o.actor } }).start();
  expect((await m.post(`${o.publicUrl}/inbox`, m.fixture('follow'))).status).toBe(202);
  await eventually(async () => (await o.rpc('followers')).length === 1, 10_000, 'follower');
  await eventually(() => m.received.find((r) => r.json?.type === 'Accept'), 10_000, 'Accept');
});
afterAll(async () => {
  await o?.stop();
  await m?.stop();
  await g?.stop();
});

const receivedBy = (r: FakeRemote, noteText: string) =>
  r.received.filter((x) => x.json?.type === 'Create' && String(x.json.object?.content).includes(noteText));

describe('compose', () => {
  it('a public note with a mention goes once to each server, signed, addressed and tagged', async () => {
    const { activityId } = await o.rpc('compose', { content: `Hi @${g.handle} #Outpost`, summary: 'greeting' });
    await eventually(async () => (await o.rpc('deliveryProgress', { activityId })).delivered === 2, 10_000, 'both delivered');
    const [toM] = receivedBy(m, 'Hi ');
    const [toG] = receivedBy(g, 'Hi ');
    expect(toM?.path).toBe('/inbox'); // shared inbox
    expect(toG?.path).toBe('/users/bob/inbox'); // GoToSocial has no shared inbox
    for (const r of [toM!, toG!]) {
      expect(r.signatureValid).toBe(true);
      expect(r.signer).toBe(o.actor);
      expect(r.headers['content-type']).toBe('application/activity+json');
    }
    const note = toM!.json.object;
    expect(note.to).toEqual([PUBLIC]);
    expect(note.cc).toEqual([`${o.actor}/followers`, g.actorId]);
    expect(note.summary).toBe('greeting');
    expect(note.sensitive).toBe(true);
    expect(note.tag).toEqual([
      { type: 'Mention', href: g.actorId, name: `@${g.handle}` },
      { type: 'Hashtag', href: `${o.publicUrl}/tags/outpost`, name: '#outpost' },
    ]);
    expect(note.content).toContain(`<span class="h-card"><a href="${g.actor.url}" class="u-url mention">@<span>bob</span></a></span>`);
  });

  it('a direct note goes only to the mentioned account', async () => {
    const { activityId } = await o.rpc('compose', { content: `@${g.handle} just between us`, visibility: 'direct' });
    await eventually(async () => (await o.rpc('deliveryProgress', { activityId })).delivered === 1, 10_000, 'delivered');
    expect(receivedBy(g, 'just between us')).toHaveLength(1);
    expect(receivedBy(m, 'just between us')).toHaveLength(0);
    const note = receivedBy(g, 'just between us')[0]!.json.object;
    expect(note.to).toEqual([g.actorId]);
    expect(note.cc).toEqual([]);
  });

  it('a followers-only note goes to followers, addressed to the followers collection', async () => {
    const { activityId } = await o.rpc('compose', { content: 'followers only please', visibility: 'followers' });
    await eventually(async () => (await o.rpc('deliveryProgress', { activityId })).delivered === 1, 10_000, 'delivered');
    const note = receivedBy(m, 'followers only please')[0]!.json.object;
    expect(note.to).toEqual([`${o.actor}/followers`]);
    expect(receivedBy(g, 'followers only please')).toHaveLength(0);
  });

  it('an unresolvable mention stays plain text and blocks nothing', async () => {
    const { noteId } = await o.rpc('compose', { content: 'hello @ghost@127.0.1.63:9 there' });
    const entry = (await o.rpc('timeline', {})).entries.find((e) => e.note.id === noteId)!;
    expect(entry.note.contentHtml).toBe('<p>hello @ghost@127.0.1.63:9 there</p>');
    expect(entry.note.mentions).toEqual([]);
  });

  it('rejects a reply to an unknown note and an over-long note', async () => {
    expect((await o.rpcRaw('compose', { content: 'x', inReplyTo: 'nope' })).status).toBe(404);
    const long = await o.rpcRaw('compose', { content: 'a'.repeat(501) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toContain('content');
  });
});

describe('manual follow approval', () => {
  it('holds follow requests until approved or rejected', async () => {
    await o.rpc('updateSettings', { manuallyApprovesFollowers: true });
    // The profile change is announced to followers.
    await eventually(() => m.received.find((r) => r.json?.type === 'Update' && r.json.object?.manuallyApprovesFollowers === true), 10_000, 'Update(Person)');

    expect((await g.post(`${o.actor}/inbox`, g.fixture('follow'))).status).toBe(202);
    const req = await eventually(async () => (await o.rpc('notifications')).notifications.find((n) => n.type === 'follow_request'), 10_000, 'request');
    expect(req.actor.uri).toBe(g.actorId);
    expect((await o.rpc('followers')).find((f) => f.actor.uri === g.actorId)?.state).toBe('pending');
    expect(g.received.some((r) => r.json?.type === 'Accept')).toBe(false);

    await o.rpc('approveFollower', { actor: g.actorId });
    const accept = await eventually(() => g.received.find((r) => r.json?.type === 'Accept'), 10_000, 'Accept');
    expect(accept.signatureValid).toBe(true);
    expect(accept.json.object.id).toBe(g.fixture('follow').id);
    expect((await o.rpc('followers')).find((f) => f.actor.uri === g.actorId)?.state).toBe('accepted');
    expect((await o.rpc('notifications')).notifications.some((n) => n.type === 'follow_request')).toBe(false);
  });

  it('rejecting sends Reject and drops the request', async () => {
    expect((await g.post(`${o.actor}/inbox`, g.fixture('undo-follow'))).status).toBe(202);
    await eventually(async () => !(await o.rpc('followers')).some((f) => f.actor.uri === g.actorId), 10_000, 'unfollowed');
    expect((await g.post(`${o.actor}/inbox`, { ...g.fixture('follow'), id: `${g.origin}/users/bob/follow/again` })).status).toBe(202);
    await eventually(async () => (await o.rpc('followers')).some((f) => f.actor.uri === g.actorId && f.state === 'pending'), 10_000, 'pending');
    await o.rpc('rejectFollower', { actor: g.actorId });
    const reject = await eventually(() => g.received.find((r) => r.json?.type === 'Reject'), 10_000, 'Reject');
    expect(reject.json.object.id).toBe(`${g.origin}/users/bob/follow/again`);
    expect((await o.rpc('followers')).some((f) => f.actor.uri === g.actorId)).toBe(false);
    expect((await o.rpcRaw('approveFollower', { actor: g.actorId })).status).toBe(404);
  });
});
