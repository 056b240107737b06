// The actor fields Mastodon and others read, and the profile changes that must reach the
// followers' servers (Update(Person)); pinned posts with Add/Remove to the followers.
import { describe, expect, it } from 'vitest';
import { world } from '../support/world';
import { renderActor } from '../../../../src/main/core/social/renderers';
import { loadProfile, saveAliases } from '../../../../src/main/core/federation/localActor';
import { FeaturedNotes } from '../../../../src/main/core/social/featured';
import { DEFAULT_MOVES } from '../../../../src/main/core/config';

describe('the actor document', () => {
  it('has featured, featuredTags, discoverable (on), indexable (off), published, manuallyApprovesFollowers and FEP-2c59 webfinger', () => {
    const w = world();
    const doc = renderActor(w.identity, loadProfile(w.db));
    expect(doc).toMatchObject({
      featured: `${w.identity.actor}/collections/featured`, featuredTags: `${w.identity.actor}/collections/tags`,
      discoverable: true, indexable: false, manuallyApprovesFollowers: false, webfinger: `acct:${w.identity.handle}`,
      published: new Date(loadProfile(w.db).createdAt).toISOString(),
    });
    expect(doc.alsoKnownAs).toBeUndefined();
    expect(doc.movedTo).toBeUndefined();
    const terms = (doc['@context'] as unknown[])[2] as Record<string, unknown>;
    expect(Object.keys(terms)).toEqual(expect.arrayContaining(['featured', 'featuredTags', 'discoverable', 'indexable', 'alsoKnownAs', 'movedTo', 'webfinger']));
  });

  it('lists aliases as alsoKnownAs', () => {
    const w = world();
    saveAliases(w.db, ['https://old.example/users/me']);
    expect(renderActor(w.identity, loadProfile(w.db)).alsoKnownAs).toEqual(['https://old.example/users/me']);
  });

  it('turning discoverable off or indexable on is announced with Update(Person)', async () => {
    const w = world();
    await w.followedBy(w.remote('mastodon'));
    w.actions.updateSettings({ discoverable: false });
    w.actions.updateSettings({ indexable: true });
    const updates = w.deliveries('Update').map((d) => d.activity.object);
    expect(updates.map((o) => [o.discoverable, o.indexable])).toEqual([[false, false], [false, true]]);
  });
});

describe('pinned posts', () => {
  const featured = (w: ReturnType<typeof world>) => new FeaturedNotes({ db: w.db, identity: w.identity, notes: w.notes, outbox: w.outbox, config: DEFAULT_MOVES });

  it('pin sends Add (target: featured) to followers, unpin sends Remove; the collection lists the pins, newest first', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    await w.followedBy(bob);
    const f = featured(w);
    const first = await w.post('first');
    const second = await w.post('second');
    f.pin(first.id);
    w.now += 1000;
    f.pin(second.id);
    f.pin(second.id); // again: nothing more sent
    expect(f.list().map((n) => n.id)).toEqual([second.id, first.id]);
    const adds = w.deliveries('Add');
    expect(adds.map((d) => [d.inbox, d.activity.object, d.activity.target])).toEqual([
      [bob.deliveryInbox, first.uri, w.identity.featured], [bob.deliveryInbox, second.uri, w.identity.featured],
    ]);
    f.unpin(first.id);
    expect(w.deliveries('Remove').map((d) => d.activity.object)).toEqual([first.uri]);
    expect(f.isPinned(first.id)).toBe(false);
  });

  it('refuses others\' posts, private posts, and more than the limit', async () => {
    const w = world();
    const f = featured(w);
    const dm = await w.post('secret', 'followers');
    expect(() => f.pin(dm.id)).toThrow(/public and unlisted/);
    expect(() => f.pin('nope')).toThrow(/no note/);
    for (let i = 0; i < DEFAULT_MOVES.maxPinned; i++) f.pin((await w.post(`p${i}`)).id);
    const extra = await w.post('one too many');
    expect(() => f.pin(extra.id)).toThrow(/at most 5/);
  });

  it('a deleted post leaves the featured collection', async () => {
    const w = world();
    const f = featured(w);
    const note = await w.post('soon gone');
    f.pin(note.id);
    await w.actions.deleteNote(note.id);
    expect(f.list()).toEqual([]);
  });
});
