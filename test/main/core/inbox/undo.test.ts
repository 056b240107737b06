// Inbound Undo of a Follow, a Like or an Announce: only the actor who did it can undo it.
import { describe, expect, it } from 'vitest';
import { SERVER_KINDS, world } from '../support/world';
import { followedBoostOfStoredPost } from './boostedNotes';

describe.each(SERVER_KINDS)('Undo from %s', (kind) => {
  it('of its Follow: no longer a follower, the follow notification is gone', async () => {
    const w = world();
    const bob = w.remote(kind);
    await w.followedBy(bob);
    expect(await w.receive(bob.fixture('undo-follow'))).toEqual({ error: null });
    expect(w.follows.followers.list()).toEqual([]);
    expect(w.notificationsOf()).toEqual([]);
  });

  it('of its Like (embedded, or by id alone as Pleroma sends it): the like and its notification are gone', async () => {
    const w = world();
    const bob = w.remote(kind);
    const mine = await w.post();
    await w.receive(bob.fixture('like', { LOCAL_NOTE: mine.uri }));
    expect(w.reactions(mine.uri, 'like')).toEqual([bob.actorId]);
    await w.receive(bob.fixture('undo-like', { LOCAL_NOTE: mine.uri }));
    expect(w.reactions(mine.uri, 'like')).toEqual([]);
    expect(w.notificationsOf('like')).toEqual([]);
  });

  it('of its Announce: the boost, its notification and its home timeline entry are gone', async () => {
    const w = world();
    const bob = w.remote(kind);
    await w.follow(bob);
    const mine = await w.post();
    await w.receive(bob.fixture('announce', { LOCAL_NOTE: mine.uri }));
    expect(w.notificationsOf('boost')).toHaveLength(1);
    await w.receive(bob.fixture('undo-announce', { LOCAL_NOTE: mine.uri }));
    expect(w.reactions(mine.uri, 'announce')).toEqual([]);
    expect(w.notificationsOf('boost')).toEqual([]);
    expect(w.timeline()).toEqual([{ uri: mine.uri, boostedBy: null }]);
  });

  it('of its Announce of a post not in home: the boost\'s home entry goes too', async () => {
    const w = world();
    const { bob, theirs } = await followedBoostOfStoredPost(w, kind);
    expect(w.timeline()).toEqual([{ uri: theirs, boostedBy: bob.actorId }]);
    await w.receive(bob.fixture('undo-announce', { LOCAL_NOTE: theirs }));
    expect(w.reactions(theirs, 'announce')).toEqual([]);
    expect(w.timeline()).toEqual([]);
  });
});

describe('Undo by someone else', () => {
  it("of another actor's Like keeps the like", async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('misskey');
    const mine = await w.post();
    await w.receive(bob.fixture('like', { LOCAL_NOTE: mine.uri }));
    const forged = { ...bob.fixture('undo-like', { LOCAL_NOTE: mine.uri }), id: `${carol.origin}/undo/1`, actor: carol.actorId };
    await w.receive(forged);
    expect(w.reactions(mine.uri, 'like')).toEqual([bob.actorId]);
    expect(w.notificationsOf('like')).toHaveLength(1);
  });

  it("of another actor's Follow keeps the follower", async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('gotosocial');
    await w.followedBy(bob);
    await w.receive({ ...bob.fixture('undo-follow'), id: `${carol.origin}/undo/2`, actor: carol.actorId });
    expect(w.follows.followers.get(bob.actorId)?.state).toBe('accepted');
  });

  it("of another actor's Announce keeps the boost", async () => {
    const w = world();
    const bob = w.remote('pleroma');
    const carol = w.remote('mastodon');
    const mine = await w.post();
    await w.receive(bob.fixture('announce', { LOCAL_NOTE: mine.uri }));
    await w.receive({ ...bob.fixture('undo-announce', { LOCAL_NOTE: mine.uri }), id: `${carol.origin}/undo/3`, actor: carol.actorId });
    expect(w.reactions(mine.uri, 'announce')).toEqual([bob.actorId]);
  });
});

describe('Undo of a Follow', () => {
  it('that is not the current one (an older Follow, embedded) still ends the follow: it names us as the object', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    await w.followedBy(bob);
    const undo = bob.fixture('undo-follow');
    undo.object.id = `${bob.origin}/follows/older`;
    await w.receive(undo);
    expect(w.follows.followers.list()).toEqual([]);
  });

  it('of a Follow of someone else, by an id we do not know, changes nothing', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    await w.followedBy(bob);
    const undo = bob.fixture('undo-follow');
    undo.object = { id: `${bob.origin}/follows/other`, type: 'Follow', actor: bob.actorId, object: 'https://elsewhere.example/users/carol' };
    await w.receive(undo);
    expect(w.follows.followers.get(bob.actorId)?.state).toBe('accepted');
  });
});
