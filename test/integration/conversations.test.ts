// Conversations between two real instances over loopback (and a fake Mastodon server for
// what Outpost does not send itself): threads fetched up the chain, a replies collection,
// the origin rule on fetched parents, edits seen by the other side, polls voted on and
// counted both ways, a post found by its URL and replied to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';

let alice: TestOutpost;
let bob: TestOutpost;
let sam: FakeRemote;
let mallory: FakeRemote;

const PUBLIC = 'https://www.w3.org/ns/activitystreams#Public';

beforeAll(async () => {
  [alice, bob] = await Promise.all([startOutpost({ host: '127.0.12.1', username: 'alice' }), startOutpost({ host: '127.0.12.2', username: 'bob' })]);
  const vars = { LOCAL_ACTOR: alice.actor, LOCAL_HOST: new URL(alice.actor).host, LOCAL_FOLLOWERS: `${alice.actor}/followers` };
  [sam, mallory] = await Promise.all([
    new FakeRemote({ host: '127.0.12.3', kind: 'mastodon', vars }).start(),
    new FakeRemote({ host: '127.0.12.4', kind: 'mastodon', vars }).start(),
  ]);
  // Results of bob's polls go out 200 ms after a vote (a minute by default).
  bob.running.instance.conversationConfig.polls.resultsDelayMs = 200;
});

afterAll(async () => {
  await Promise.all([alice?.stop(), bob?.stop(), sam?.stop(), mallory?.stop()]);
});

const notePath = (uri: string) => new URL(uri).pathname;

describe('threads across instances', () => {
  it('a mention three replies deep opens with the whole conversation, fetched from its server', async () => {
    const root = await bob.rpc('compose', { content: 'root of the conversation' });
    const r1 = await bob.rpc('compose', { content: 'first reply', inReplyTo: root.noteId });
    const r2 = await bob.rpc('compose', { content: 'second reply', inReplyTo: r1.noteId });
    const r3 = await bob.rpc('compose', { content: `@${alice.handle} what do you think?`, inReplyTo: r2.noteId });
    const n = await eventually(async () => (await alice.rpc('notifications')).notifications.find((x) => x.note?.contentHtml.includes('what do you think')), 10_000, 'mention on alice');
    expect(n.type).toBe('mention');
    const t = await alice.rpc('thread', { noteId: n.note!.id });
    expect(t.ancestors.map((a) => notePath(a.uri))).toEqual([root, r1, r2].map((x) => `/notes/${x.noteId}`));
    expect(t.note.uri).toContain(r3.noteId);
    expect(t.missingAncestor).toBeNull();
    // Stored on alice now: she can reply to the root directly.
    const reply = await alice.rpc('compose', { content: `@${bob.handle} about the root`, inReplyTo: t.ancestors[0]!.id });
    const onBob = await eventually(async () => (await bob.rpc('notifications')).notifications.find((x) => x.type === 'reply' && x.note?.contentHtml.includes('about the root')), 10_000, 'reply on bob');
    expect(onBob.note!.inReplyTo).toContain(root.noteId);
    const bobThread = await bob.rpc('thread', { noteId: root.noteId });
    expect(bobThread.descendants.map((d) => d.contentHtml.replace(/<[^>]+>/g, ''))).toContain(`@bob about the root`);
    expect(reply.noteId).toBeTruthy();
  });

  it("reads a remote post's replies collection when its thread opens", async () => {
    const root = `${sam.actorId}/statuses/900`;
    const replies = `${root}/replies`;
    const post = (id: string, inReplyTo: string | null, content: string) => ({
      '@context': 'https://www.w3.org/ns/activitystreams', id, type: 'Note', attributedTo: sam.actorId, inReplyTo, content,
      published: new Date().toISOString(), to: [PUBLIC], cc: [],
    });
    sam.documents.set(notePath(root), {
      ...post(root, null, '<p>what is your favourite bird?</p>'),
      replies: { id: replies, type: 'Collection', first: { type: 'CollectionPage', partOf: replies, next: `${replies}?page=2`, items: [`${root}/a`] } },
    });
    sam.documents.set(notePath(replies), { id: `${replies}?page=2`, type: 'CollectionPage', partOf: replies, items: [`${root}/b`] });
    sam.documents.set(`${notePath(root)}/a`, post(`${root}/a`, root, '<p>the wagtail</p>'));
    sam.documents.set(`${notePath(root)}/b`, post(`${root}/b`, root, '<p>the heron</p>'));
    const found = await alice.rpc('search', { q: root });
    expect(found.notes.map((n) => n.uri)).toEqual([root]);
    const t = await alice.rpc('thread', { noteId: found.notes[0]!.id });
    expect(t.descendants.map((d) => d.contentHtml).sort()).toEqual(['<p>the heron</p>', '<p>the wagtail</p>']);
  });

  it('a parent served by another host in the victim\'s name is not taken (the origin rule), and the thread says it is missing', async () => {
    const forged = `${mallory.origin}/notes/forged`;
    // mallory serves a "parent" whose id claims sam's host; sam has no such post.
    mallory.documents.set('/notes/forged', { id: `${sam.origin}/users/bob/statuses/claimed`, type: 'Note', attributedTo: sam.actorId, content: '<p>fake</p>', to: [PUBLIC] });
    const child = `${mallory.actorId}/statuses/child`;
    mallory.documents.set(notePath(child), { id: child, type: 'Note', attributedTo: mallory.actorId, inReplyTo: forged, content: '<p>child</p>', to: [PUBLIC], cc: [] });
    const found = await alice.rpc('search', { q: child });
    const t = await alice.rpc('thread', { noteId: found.notes[0]!.id });
    expect(t.ancestors).toEqual([]);
    expect(t.missingAncestor).toBe(forged);
    expect((await alice.rpc('search', { q: 'fake' })).notes).toEqual([]);
  });
});

describe('edits, polls and search across instances', () => {
  it('bob sees alice\'s edit, marked edited, with the earlier version in its history', async () => {
    await bob.rpc('follow', { handle: alice.handle });
    await eventually(async () => (await bob.rpc('following')).some((f) => f.state === 'accepted'), 10_000, 'bob follows alice');
    const { noteId } = await alice.rpc('compose', { content: 'Seen a kestrel today' });
    await eventually(async () => (await bob.rpc('timeline', {})).entries.find((e) => e.note.contentHtml.includes('kestrel today')), 10_000, 'post on bob');
    const edited = await alice.rpc('editNote', { noteId, content: 'Seen a hobby today (not a kestrel)' });
    expect(edited.editedAt).not.toBeNull();
    const onBob = await eventually(async () => (await bob.rpc('timeline', {})).entries.find((e) => e.note.contentHtml.includes('hobby today'))?.note, 10_000, 'edit on bob');
    expect(onBob.editedAt).not.toBeNull();
    const history = await bob.rpc('noteHistory', { noteId: onBob.id });
    expect(history.map((v) => v.contentHtml.includes('kestrel today'))).toEqual([true, false]);
  });

  it('alice votes in bob\'s poll: bob counts it once, and his results come back to alice in an Update', async () => {
    await alice.rpc('follow', { handle: bob.handle });
    await eventually(async () => (await alice.rpc('following')).some((f) => f.actor.uri === bob.actor && f.state === 'accepted'), 10_000, 'alice follows bob');
    const { noteId } = await bob.rpc('compose', { content: 'Tea or coffee?', poll: { options: ['Tea', 'Coffee'], expiresInS: 3600 } });
    const onAlice = await eventually(async () => (await alice.rpc('timeline', {})).entries.find((e) => e.note.poll && e.note.contentHtml.includes('Tea or coffee'))?.note, 10_000, 'poll on alice');
    expect(onAlice.poll!.options.map((o) => o.title)).toEqual(['Tea', 'Coffee']);
    const voted = await alice.rpc('vote', { noteId: onAlice.id, choices: [1] });
    expect(voted.poll!.ownVotes).toEqual([1]);
    expect((await alice.rpcRaw('vote', { noteId: onAlice.id, choices: [0] })).status).toBe(409);
    const counted = await eventually(async () => {
      const p = (await bob.rpc('thread', { noteId })).note.poll!;
      return p.votersCount === 1 ? p : undefined;
    }, 10_000, 'vote counted on bob');
    expect(counted.options.map((o) => o.votes)).toEqual([0, 1]);
    // A second voter on bob's side; the Update carries both votes to alice.
    const vote = sam.fixture('create-vote', { LOCAL_NOTE: `${bob.publicUrl}/notes/${noteId}`, OPTION: 'Tea' });
    vote.to = bob.actor;
    vote.object.to = bob.actor;
    expect((await sam.post(`${bob.publicUrl}/inbox`, vote)).status).toBe(202);
    const refreshed = await eventually(async () => {
      const p = (await alice.rpc('thread', { noteId: onAlice.id })).note.poll!;
      return p.votersCount === 2 ? p : undefined;
    }, 10_000, 'results on alice');
    expect(refreshed.options.map((o) => o.votes)).toEqual([1, 1]);
    expect(refreshed.ownVotes).toEqual([1]);
    // No vote became a post anywhere.
    expect((await bob.rpc('timeline', {})).entries.some((e) => e.note.contentHtml === '')).toBe(false);
  });

  it('a post URL in search is fetched and stored; replying to it reaches its author', async () => {
    const { noteId } = await bob.rpc('compose', { content: 'Only findable by its URL', visibility: 'unlisted' });
    const found = await alice.rpc('search', { q: `${bob.publicUrl}/notes/${noteId}` });
    expect(found.notes).toHaveLength(1);
    await alice.rpc('like', { noteId: found.notes[0]!.id });
    await alice.rpc('compose', { content: `@${bob.handle} found it`, inReplyTo: found.notes[0]!.id });
    await eventually(async () => (await bob.rpc('notifications')).notifications.find((x) => x.type === 'reply' && x.note?.contentHtml.includes('found it')), 10_000, 'reply on bob');
    await eventually(async () => (await bob.rpc('notifications')).notifications.find((x) => x.type === 'like' && x.note?.id === noteId), 10_000, 'like on bob');
    const nothing = await alice.rpc('search', { q: `${bob.publicUrl}/notes/doesnotexist` });
    expect(nothing.message).toMatch(/nothing found/);
    // A server that refuses the connection: said once, with the host named once.
    const closed = `127.0.12.9:${await freePort('127.0.12.9')}`;
    const refused = await alice.rpc('search', { q: `http://${closed}/notes/1` });
    expect(refused.notes).toEqual([]);
    expect(refused.message).toMatch(/^could not reach /);
    expect(refused.message).toMatch(/ECONNREFUSED/);
    expect(refused.message!.startsWith(`could not reach ${closed}: ${closed}`)).toBe(false);
  });

  it('the follow box (lookup) takes a profile URL', async () => {
    const found = await alice.rpc('lookup', { handle: bob.actor });
    expect(found.actor.uri).toBe(bob.actor);
    expect((await alice.rpcRaw('lookup', { handle: `${bob.publicUrl}/notes/nope` })).status).toBe(404);
  });
});
