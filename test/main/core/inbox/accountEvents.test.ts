// Incoming Move and Block, with the payload shapes Mastodon, GoToSocial and Misskey send
// (test/fixtures/inbox/<kind>/move.json, block.json): what the user sees change, and what
// goes out because of it.
import { describe, expect, it } from 'vitest';
import { World } from '../support/world';
import type { Json } from '../../../../src/main/core/federation/activityStreams';

const KINDS = ['mastodon', 'gotosocial', 'misskey'] as const;

/** A new account elsewhere, listing `origins` as its aliases. */
function newAccount(w: World, origins: string[]): Json {
  const id = 'https://new.example/users/bob2';
  const doc: Json = {
    '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'], id, type: 'Person', preferredUsername: 'bob2',
    inbox: `${id}/inbox`, outbox: `${id}/outbox`, followers: `${id}/followers`, alsoKnownAs: origins,
    publicKey: { id: `${id}#main-key`, owner: id, publicKeyPem: String((w.remote('mastodon').actor.publicKey as Json).publicKeyPem) },
  };
  w.serve(doc);
  return doc;
}

describe.each(KINDS)('incoming Move from %s', (kind) => {
  it('verified (target lists the origin, origin says movedTo): follow the target, unfollow the origin, tell the user', async () => {
    const w = new World();
    const remote = w.remote(kind);
    await w.follow(remote);
    const target = newAccount(w, [remote.actorId]);
    w.serve({ ...remote.actor, movedTo: target.id });
    expect((await w.receive(remote.fixture('move', { TARGET: String(target.id) }))).error).toBeNull();

    expect(w.follows.following.get(String(target.id))?.state).toBe('pending');
    expect(w.follows.following.get(remote.actorId)).toBeUndefined();
    expect(w.deliveries('Follow').at(-1)).toMatchObject({ inbox: target.inbox, activity: { object: target.id } });
    expect(w.deliveries('Undo').at(-1)?.activity.object.object).toBe(remote.actorId);
    const [n] = w.notificationsOf('move');
    expect([n?.actorUri, n?.targetUri]).toEqual([remote.actorId, target.id]);
    expect(w.actors.cached(remote.actorId)?.movedTo).toBe(target.id);
  });

  it('refused when the target does not list the origin, or the origin does not say movedTo', async () => {
    for (const [aliases, movedTo] of [[[], true], [['x'], false]] as const) {
      const w = new World();
      const remote = w.remote(kind);
      await w.follow(remote);
      const target = newAccount(w, aliases.length ? [remote.actorId] : []);
      if (movedTo) w.serve({ ...remote.actor, movedTo: target.id });
      await w.receive(remote.fixture('move', { TARGET: String(target.id) }));
      expect(w.follows.following.get(remote.actorId)?.state).toBe('accepted');
      expect(w.follows.following.get(String(target.id))).toBeUndefined();
      expect(w.notificationsOf('move')).toEqual([]);
    }
  });

  it('of an account the user does not follow: marks it moved, follows nobody', async () => {
    const w = new World();
    const remote = w.remote(kind);
    await w.followedBy(remote);
    const target = newAccount(w, [remote.actorId]);
    w.serve({ ...remote.actor, movedTo: target.id });
    await w.receive(remote.fixture('move', { TARGET: String(target.id) }));
    expect(w.follows.following.get(String(target.id))).toBeUndefined();
    expect(w.actors.cached(remote.actorId)?.movedTo).toBe(target.id);
    expect(w.notificationsOf('move')).toEqual([]);
  });
});

describe.each(KINDS)('incoming Block from %s', (kind) => {
  it('ends the follows both ways, cancels what waits for its personal inbox, sends nothing more there, notifies nobody', async () => {
    const w = new World();
    const remote = w.remote(kind);
    await w.followedBy(remote);
    await w.follow(remote);
    const before = w.notificationsOf().length;
    const waiting = w.db.transaction(() => w.outbox.enqueue('dm1', { id: `${w.identity.origin}/activities/dm1`, type: 'Create' }, [remote.inbox]))();
    expect(waiting.deliveries).toBe(1);

    expect((await w.receive(remote.fixture('block'))).error).toBeNull();
    expect(w.follows.followers.get(remote.actorId)).toBeUndefined();
    expect(w.follows.following.get(remote.actorId)).toBeUndefined();
    expect(w.deliveries('Create').filter((d) => d.inbox === remote.inbox).map((d) => d.state)).toEqual(['cancelled']);
    const later = w.db.transaction(() => w.outbox.enqueue('dm2', { id: `${w.identity.origin}/activities/dm2`, type: 'Create' }, [remote.inbox]))();
    expect(later.deliveries).toBe(0);
    expect(w.notificationsOf().length).toBe(before);
  });

  it('a Block of someone else is not about us', async () => {
    const w = new World();
    const remote = w.remote(kind);
    await w.followedBy(remote);
    const block = remote.fixture('block', { LOCAL_ACTOR: 'https://elsewhere.example/users/zed' });
    await w.receive(block);
    expect(w.follows.followers.get(remote.actorId)?.state).toBe('accepted');
  });
});

it("Undo(Block) (Mastodon's shape) lets deliveries reach the personal inbox again", async () => {
  const w = new World();
  const remote = w.remote('mastodon');
  await w.receive(remote.fixture('block'));
  await w.receive(remote.fixture('undo-block'));
  const again = w.db.transaction(() => w.outbox.enqueue('dm3', { id: `${w.identity.origin}/activities/dm3`, type: 'Create' }, [remote.inbox]))();
  expect(again.deliveries).toBe(1);
});
