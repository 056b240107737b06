// Inbound Like (and Misskey/Pleroma emoji reactions): only of the local user's notes,
// counted once per actor, notified once.
import { describe, expect, it } from 'vitest';
import { SERVER_KINDS, world } from '../support/world';

describe.each(SERVER_KINDS)('Like from %s', (kind) => {
  it("of the user's note: counted and notified", async () => {
    const w = world();
    const bob = w.remote(kind);
    const mine = await w.post();
    expect(await w.receive(bob.fixture('like', { LOCAL_NOTE: mine.uri }))).toEqual({ error: null });
    expect(w.reactions(mine.uri, 'like')).toEqual([bob.actorId]);
    expect(w.notificationsOf().map((n) => [n.type, n.actorUri, n.noteUri])).toEqual([['like', bob.actorId, mine.uri]]);
  });
});

describe('Like', () => {
  it('a second Like of the same note by the same actor (a new id) counts once and notifies once', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const mine = await w.post();
    const like = bob.fixture('like', { LOCAL_NOTE: mine.uri });
    await w.receive(like);
    await w.receive({ ...like, id: `${like.id}-again` });
    expect(w.reactions(mine.uri, 'like')).toEqual([bob.actorId]);
    expect(w.notificationsOf()).toHaveLength(1);
  });

  it('an EmojiReact is taken as a like', async () => {
    const w = world();
    const bob = w.remote('pleroma');
    const mine = await w.post();
    await w.receive({ ...bob.fixture('like', { LOCAL_NOTE: mine.uri }), type: 'EmojiReact', content: '🔥' });
    expect(w.reactions(mine.uri, 'like')).toEqual([bob.actorId]);
    expect(w.notificationsOf('like')).toHaveLength(1);
  });

  it("of someone else's note is not recorded", async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('gotosocial');
    const create = carol.fixture('create-note-mention');
    await w.receive(create);
    await w.receive(bob.fixture('like', { LOCAL_NOTE: create.object.id }));
    expect(w.reactions(create.object.id, 'like')).toEqual([]);
    expect(w.notificationsOf('like')).toEqual([]);
  });

  it('of a note we do not have is not recorded, and nothing is fetched', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const fetchedBefore = w.web.fetched.length;
    await w.receive(bob.fixture('like', { LOCAL_NOTE: `${w.identity.origin}/notes/deleted` }));
    expect(w.db.prepare('SELECT count(*) AS n FROM reactions').get()).toEqual({ n: 0 });
    expect(w.web.fetched.slice(fetchedBefore)).toEqual([]);
  });
});
