// Inbound Announce (boost): of public notes only; a boost of the user's note notifies; a
// boost by a followed actor lands in the home timeline, fetching the note when needed.
import { describe, expect, it } from 'vitest';
import { SERVER_KINDS, world } from '../support/world';
import { followedBoostOfStoredPost, storedMention } from './boostedNotes';

describe.each(SERVER_KINDS)('Announce from %s', (kind) => {
  it("of the user's note by someone not followed: counted and notified, not in home", async () => {
    const w = world();
    const bob = w.remote(kind);
    const mine = await w.post();
    expect(await w.receive(bob.fixture('announce', { LOCAL_NOTE: mine.uri }))).toEqual({ error: null });
    expect(w.reactions(mine.uri, 'announce')).toEqual([bob.actorId]);
    expect(w.notificationsOf().map((n) => [n.type, n.actorUri, n.noteUri])).toEqual([['boost', bob.actorId, mine.uri]]);
    expect(w.timeline()).toEqual([{ uri: mine.uri, boostedBy: null }]);
  });

  it('by a followed actor, of a post not in home: a boost entry in the home timeline', async () => {
    const w = world();
    const { bob, theirs } = await followedBoostOfStoredPost(w, kind);
    expect(w.timeline()).toEqual([{ uri: theirs, boostedBy: bob.actorId }]);
  });

  it('by a followed actor, of a post already in home: no second entry, the post shows once', async () => {
    const w = world();
    const bob = w.remote(kind);
    await w.follow(bob);
    const mine = await w.post();
    await w.receive(bob.fixture('announce', { LOCAL_NOTE: mine.uri }));
    expect(w.reactions(mine.uri, 'announce')).toEqual([bob.actorId]);
    expect(w.timeline()).toEqual([{ uri: mine.uri, boostedBy: null }]);
    const page = w.notes.timeline(20, undefined, (n) => w.views.notes(n), (u) => w.views.actor(u));
    expect(page.entries.map((e) => e.note.uri)).toEqual([mine.uri]);
  });
});

describe('Announce', () => {
  it('by a followed actor of a note we do not have: fetched from its author (not trusted from the Announce), stored, in home', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('gotosocial');
    await w.follow(bob);
    const note = carol.fixture('create-note-mention').object;
    w.serve(note);
    await w.receive(bob.fixture('announce', { LOCAL_NOTE: note.id }));
    expect(w.web.fetched).toContain(note.id);
    expect(w.notes.byUri(note.id)).toMatchObject({ authorUri: carol.actorId, visibility: 'public' });
    expect(w.timeline()).toEqual([{ uri: note.id, boostedBy: bob.actorId }]);
    expect(w.notificationsOf()).toEqual([]); // not the user's note
  });

  it('by someone not followed, of a note we do not have: nothing fetched, nothing stored', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('gotosocial');
    const note = carol.fixture('create-note-mention').object;
    w.serve(note);
    const fetchedBefore = w.web.fetched.length;
    await w.receive(bob.fixture('announce', { LOCAL_NOTE: note.id }));
    expect(w.web.fetched.slice(fetchedBefore)).toEqual([]);
    expect(w.notes.byUri(note.id)).toBeUndefined();
  });

  it('of a fetched note that turns out not to be public is ignored', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('gotosocial');
    await w.follow(bob);
    const note = carol.fixture('create-note-mention').object;
    note.to = [`${carol.actorId}/followers`];
    note.cc = [];
    w.serve(note);
    await w.receive(bob.fixture('announce', { LOCAL_NOTE: note.id }));
    expect(w.notes.byUri(note.id)).toBeUndefined();
    expect(w.timeline()).toEqual([]);
  });

  it.each([
    ['addressed as Mastodon does', (a: any) => a],
    ['with no addressing at all', (a: any) => ({ ...a, to: undefined, cc: undefined })],
  ])("of the user's followers-only note, %s, is ignored", async (_name, address) => {
    const w = world();
    const bob = w.remote('mastodon');
    await w.follow(bob);
    const mine = await w.post('for my followers only', 'followers');
    await w.receive(address(bob.fixture('announce', { LOCAL_NOTE: mine.uri })));
    expect(w.reactions(mine.uri, 'announce')).toEqual([]);
    expect(w.notificationsOf()).toEqual([]);
    expect(w.timeline()).toEqual([{ uri: mine.uri, boostedBy: null }]);
  });

  it('published in the future is placed at the time it arrived', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    await w.follow(bob);
    const theirs = await storedMention(w);
    await w.receive({ ...bob.fixture('announce', { LOCAL_NOTE: theirs }), published: '2099-01-01T00:00:00Z' });
    const sortAt = w.db.prepare<[], { sort_at: number }>('SELECT sort_at FROM timeline WHERE boosted_by IS NOT NULL').get()!.sort_at;
    expect(sortAt).toBe(w.now);
  });
});
