// LocalActions.approveFollower / rejectFollower, with follow approval on: the request is
// answered with an Accept or a Reject of that Follow, and its notification goes.
import { describe, expect, it } from 'vitest';
import { world, type Remote, type World } from '../support/world';

async function requested(): Promise<{ w: World; bob: Remote; followId: string }> {
  const w = world();
  w.requireApproval();
  const bob = w.remote('mastodon');
  const follow = bob.fixture('follow');
  await w.receive(follow);
  return { w, bob, followId: follow.id };
}

describe('approveFollower', () => {
  it('accepts the follower, queues an Accept of its Follow to its inbox, clears the request', async () => {
    const { w, bob, followId } = await requested();
    await w.actions.approveFollower(bob.actorId);
    expect(w.follows.followers.get(bob.actorId)?.state).toBe('accepted');
    const accepts = w.deliveries('Accept');
    expect(accepts.map((d) => d.inbox)).toEqual([bob.inbox]);
    expect(accepts[0]!.activity.object).toEqual({ id: followId, type: 'Follow', actor: bob.actorId, object: w.identity.actor });
    expect(w.notificationsOf('follow_request')).toEqual([]);
    // From now on it gets the user's posts.
    await w.post();
    expect(w.deliveries('Create').map((d) => d.inbox)).toEqual([bob.deliveryInbox]);
  });

  it('someone who never asked: not found, nothing sent', async () => {
    const { w } = await requested();
    await expect(w.actions.approveFollower('https://elsewhere.example/users/carol')).rejects.toMatchObject({ kind: 'not_found' });
    expect(w.deliveries()).toEqual([]);
  });
});

describe('rejectFollower', () => {
  it('removes the request, queues a Reject of its Follow, and it gets no posts', async () => {
    const { w, bob, followId } = await requested();
    await w.actions.rejectFollower(bob.actorId);
    expect(w.follows.followers.list()).toEqual([]);
    const rejects = w.deliveries('Reject');
    expect(rejects.map((d) => d.inbox)).toEqual([bob.inbox]);
    expect(rejects[0]!.activity.object).toMatchObject({ id: followId, type: 'Follow' });
    expect(w.notificationsOf()).toEqual([]);
    await w.post();
    expect(w.deliveries('Create')).toEqual([]);
  });
});
