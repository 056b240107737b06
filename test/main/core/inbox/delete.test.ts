// Inbound Delete: of a note (by its author only) and of the sender's account.
import { describe, expect, it } from 'vitest';
import { SERVER_KINDS, world } from '../support/world';

describe.each(SERVER_KINDS)('Delete from %s', (kind) => {
  it('of its note: the note, its home timeline entry and its notification are gone', async () => {
    const w = world();
    const bob = w.remote(kind);
    await w.follow(bob);
    const create = bob.fixture('create-note-mention');
    await w.receive(create);
    expect(w.timeline()).toHaveLength(1);
    expect(await w.receive(bob.fixture('delete-note'))).toEqual({ error: null });
    expect(w.notes.byUri(create.object.id)).toBeUndefined();
    expect(w.timeline()).toEqual([]);
    expect(w.notificationsOf()).toEqual([]);
  });

  it('of its account: gone from followers and following, with its notes, likes, boosts, notifications and cached actor', async () => {
    const w = world();
    const bob = w.remote(kind);
    await w.followedBy(bob);
    await w.follow(bob);
    const mine = await w.post();
    await w.receive(bob.fixture('create-note-mention'));
    await w.receive(bob.fixture('like', { LOCAL_NOTE: mine.uri }));
    await w.receive(bob.fixture('announce', { LOCAL_NOTE: mine.uri }));
    expect(w.notificationsOf().length).toBeGreaterThanOrEqual(4); // follow, mention, like, boost

    await w.receive(bob.fixture('delete-actor'));
    expect(w.follows.followers.list()).toEqual([]);
    expect(w.follows.following.list()).toEqual([]);
    expect(w.notificationsOf()).toEqual([]);
    expect(w.notes.countBy(bob.actorId)).toBe(0);
    expect(w.reactions(mine.uri, 'like')).toEqual([]);
    expect(w.reactions(mine.uri, 'announce')).toEqual([]);
    expect(w.timeline()).toEqual([{ uri: mine.uri, boostedBy: null }]);
    expect(w.actors.cached(bob.actorId)).toBeUndefined();
  });
});

describe('Delete', () => {
  it("of someone else's note is ignored", async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('gotosocial');
    const create = bob.fixture('create-note-mention');
    await w.receive(create);
    await w.receive({ ...bob.fixture('delete-note'), id: `${carol.origin}/deletes/1`, actor: carol.actorId });
    expect(w.notes.byUri(create.object.id)?.authorUri).toBe(bob.actorId);
    expect(w.notificationsOf()).toHaveLength(1);
  });

  it("of the local user's note by a remote is ignored", async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const mine = await w.post();
    await w.receive({ ...bob.fixture('delete-note'), object: { id: mine.uri, type: 'Tombstone' } });
    expect(w.notes.byUri(mine.uri)?.id).toBe(mine.id);
  });

  it("of another account (actor ≠ object) deletes nothing of it", async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('misskey');
    await w.followedBy(carol);
    await w.receive({ ...bob.fixture('delete-actor'), object: carol.actorId });
    expect(w.follows.followers.get(carol.actorId)?.state).toBe('accepted');
    expect(w.actors.cached(carol.actorId)?.uri).toBe(carol.actorId);
  });
});
