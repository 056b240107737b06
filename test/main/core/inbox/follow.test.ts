// Inbound Follow: auto-accepted (or held for approval), answered with an Accept to the
// follower's own inbox, notified once.
import { describe, expect, it } from 'vitest';
import { SERVER_KINDS, world } from '../support/world';

describe.each(SERVER_KINDS)('Follow from %s', (kind) => {
  it('makes an accepted follower, queues an Accept of that Follow to its personal inbox, notifies once', async () => {
    const w = world();
    const bob = w.remote(kind);
    const follow = bob.fixture('follow');
    expect(await w.receive(follow)).toEqual({ error: null });

    expect(w.follows.followers.get(bob.actorId)).toMatchObject({ state: 'accepted', followUri: follow.id });
    const accepts = w.deliveries('Accept');
    expect(accepts.map((d) => d.inbox)).toEqual([bob.inbox]);
    expect(accepts[0]!.activity).toMatchObject({ actor: w.identity.actor, object: { id: follow.id, type: 'Follow', actor: bob.actorId, object: w.identity.actor } });
    expect(w.notificationsOf().map((n) => [n.type, n.actorUri])).toEqual([['follow', bob.actorId]]);
    // The follower's actor was fetched and cached (its inbox is where posts will go).
    expect(w.actors.cached(bob.actorId)?.inbox).toBe(bob.inbox);
  });
});

describe('Follow', () => {
  it('with approval required: a pending follower and a follow request, no Accept', async () => {
    const w = world();
    w.requireApproval();
    const bob = w.remote('mastodon');
    await w.receive(bob.fixture('follow'));
    expect(w.follows.followers.get(bob.actorId)?.state).toBe('pending');
    expect(w.notificationsOf().map((n) => n.type)).toEqual(['follow_request']);
    expect(w.deliveries()).toEqual([]);
  });

  it('a new Follow from an accepted follower (it lost its state) is accepted again without a second notification', async () => {
    const w = world();
    w.requireApproval();
    const bob = w.remote('mastodon');
    await w.receive(bob.fixture('follow'));
    await w.actions.approveFollower(bob.actorId);
    const again = { ...bob.fixture('follow'), id: `${bob.origin}/follows/again` };
    await w.receive(again);
    expect(w.follows.followers.get(bob.actorId)).toMatchObject({ state: 'accepted', followUri: again.id });
    expect(w.deliveries('Accept').map((d) => d.activity.object.id)).toEqual([bob.fixture('follow').id, again.id]);
    expect(w.notificationsOf().map((n) => n.type)).toEqual([]); // the request was answered; nothing new
  });

  it('a Follow of someone else is ignored', async () => {
    const w = world();
    const bob = w.remote('gotosocial');
    await w.receive({ ...bob.fixture('follow'), object: 'https://elsewhere.example/users/carol' });
    expect(w.follows.followers.list()).toEqual([]);
    expect(w.deliveries()).toEqual([]);
    expect(w.notificationsOf()).toEqual([]);
  });

  it('a Follow whose actor cannot be fetched fails and leaves nothing behind', async () => {
    const w = world();
    const bob = w.remote('pleroma');
    w.web.documents.delete(bob.actorId);
    expect((await w.receive(bob.fixture('follow'))).error).toMatch(/404/);
    expect(w.follows.followers.list()).toEqual([]);
    expect(w.deliveries()).toEqual([]);
  });
});
