// LocalActions.follow / unfollow: resolved by handle (WebFinger), a pending follow and a
// Follow queued to the actor's own inbox; unfollow removes it and undoes that Follow.
import { describe, expect, it } from 'vitest';
import { world } from '../support/world';

describe('follow', () => {
  it('by handle: pending, a Follow of them queued to their personal inbox', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const dto = await w.actions.follow(`@${bob.handle}`);
    expect(dto).toMatchObject({ state: 'pending', actor: { uri: bob.actorId, handle: bob.handle } });
    const rec = w.follows.following.get(bob.actorId)!;
    expect(rec.state).toBe('pending');
    const follows = w.deliveries('Follow');
    expect(follows.map((d) => d.inbox)).toEqual([bob.inbox]);
    expect(follows[0]!.activity).toMatchObject({ id: rec.followUri, actor: w.identity.actor, object: bob.actorId });
  });

  it('someone already asked, or already followed: no second Follow', async () => {
    const w = world();
    const bob = w.remote('gotosocial');
    const followUri = await w.follow(bob, false);
    expect((await w.actions.follow(bob.handle)).state).toBe('pending');
    await w.receive(bob.fixture('accept-follow', { LOCAL_FOLLOW: followUri }));
    expect((await w.actions.follow(bob.handle)).state).toBe('accepted');
    expect(w.activities('Follow').map((a) => a.id)).toEqual([followUri]);
  });

  it('after a Reject: a new Follow with a new id', async () => {
    const w = world();
    const bob = w.remote('pleroma');
    const first = await w.follow(bob, false);
    await w.receive(bob.fixture('reject-follow', { LOCAL_FOLLOW: first }));
    await w.actions.follow(bob.handle);
    const rec = w.follows.following.get(bob.actorId)!;
    expect(rec.state).toBe('pending');
    expect(rec.followUri).not.toBe(first);
    expect(w.deliveries('Follow').map((d) => d.activity.id)).toEqual([first, rec.followUri]);
  });

  it('yourself: refused', async () => {
    const w = world();
    w.serve({ id: w.identity.actor, type: 'Person', preferredUsername: 'alice', inbox: w.identity.inbox });
    await expect(w.actions.follow(w.identity.actor)).rejects.toMatchObject({ kind: 'conflict' });
    expect(w.activities()).toEqual([]);
  });

  it('a handle nobody answers for: not found, nothing stored', async () => {
    const w = world();
    await expect(w.actions.follow('nobody@nowhere.example')).rejects.toMatchObject({ kind: 'not_found' });
    expect(w.follows.following.list()).toEqual([]);
  });
});

describe('unfollow', () => {
  it('removes the follow and queues an Undo of the original Follow to their inbox', async () => {
    const w = world();
    const bob = w.remote('misskey');
    const followUri = await w.follow(bob);
    await w.actions.unfollow(bob.handle);
    expect(w.follows.following.list()).toEqual([]);
    const undos = w.deliveries('Undo');
    expect(undos.map((d) => d.inbox)).toEqual([bob.inbox]);
    expect(undos[0]!.activity.object).toEqual({ id: followUri, type: 'Follow', actor: w.identity.actor, object: bob.actorId });
  });

  it('someone not followed: not found, nothing sent', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    await expect(w.actions.unfollow(bob.handle)).rejects.toMatchObject({ kind: 'not_found' });
    expect(w.activities()).toEqual([]);
  });
});
