// Inbound Accept and Reject of the local user's Follow.
import { describe, expect, it } from 'vitest';
import { SERVER_KINDS, world } from '../support/world';

describe.each(SERVER_KINDS)('Accept and Reject from %s', (kind) => {
  it('Accept of our Follow: following is accepted', async () => {
    const w = world();
    const bob = w.remote(kind);
    const followUri = await w.follow(bob, false);
    expect(w.follows.following.get(bob.actorId)?.state).toBe('pending');
    expect(await w.receive(bob.fixture('accept-follow', { LOCAL_FOLLOW: followUri }))).toEqual({ error: null });
    expect(w.follows.following.get(bob.actorId)?.state).toBe('accepted');
  });

  it('Reject of our Follow: following is rejected', async () => {
    const w = world();
    const bob = w.remote(kind);
    const followUri = await w.follow(bob, false);
    await w.receive(bob.fixture('reject-follow', { LOCAL_FOLLOW: followUri }));
    expect(w.follows.following.get(bob.actorId)?.state).toBe('rejected');
  });
});

describe('Accept', () => {
  it('naming a Follow of its own making (not our id) is matched on the pair: us → them', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    await w.follow(bob, false);
    const accept = bob.fixture('accept-follow', { LOCAL_FOLLOW: `${bob.origin}/their-own-follow-id` });
    await w.receive(accept);
    expect(w.follows.following.get(bob.actorId)?.state).toBe('accepted');
  });

  it('from an actor other than the one we follow is ignored', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('gotosocial');
    const followUri = await w.follow(bob, false);
    const announced: unknown[] = [];
    w.events.on('follows', (e) => announced.push(e));
    await w.receive({ ...bob.fixture('accept-follow', { LOCAL_FOLLOW: followUri }), id: `${carol.origin}/accepts/1`, actor: carol.actorId });
    expect(w.follows.following.get(bob.actorId)?.state).toBe('pending');
    expect(announced).toEqual([]); // the UI is not told of any change either
    expect(w.follows.following.get(carol.actorId)).toBeUndefined();
  });

  it('from someone we never asked to follow changes nothing', async () => {
    const w = world();
    const bob = w.remote('pleroma');
    await w.receive(bob.fixture('accept-follow', { LOCAL_FOLLOW: `${w.identity.origin}/activities/never-sent` }));
    expect(w.follows.following.list()).toEqual([]);
  });

  it("of a Follow by someone else (the embedded Follow's actor is not us) is ignored", async () => {
    const w = world();
    const bob = w.remote('pleroma');
    await w.follow(bob, false);
    const accept = bob.fixture('accept-follow', { LOCAL_FOLLOW: `${bob.origin}/their-own-follow-id` });
    accept.object.actor = 'https://elsewhere.example/users/carol';
    await w.receive(accept);
    expect(w.follows.following.get(bob.actorId)?.state).toBe('pending');
  });
});
