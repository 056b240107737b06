// LocalActions.like / unlike: a reaction of the user's, a Like (or its Undo) queued to the
// note's author; an unlike before the Like left withdraws it and sends nothing.
import { describe, expect, it } from 'vitest';
import { world, type Remote, type World } from '../support/world';

async function remoteNote(w: World, bob: Remote) {
  const create = bob.fixture('create-note-mention');
  await w.receive(create);
  return w.notes.byUri(create.object.id)!;
}

describe('like', () => {
  it("a remote note: liked by the user, a Like of it queued to the author's personal inbox", async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const note = await remoteNote(w, bob);
    await w.actions.like(note.id);
    expect(w.reactions(note.uri, 'like')).toEqual([w.identity.actor]);
    const likes = w.deliveries('Like');
    expect(likes.map((d) => d.inbox)).toEqual([bob.inbox]);
    expect(likes[0]!.activity).toMatchObject({ actor: w.identity.actor, object: note.uri, to: [bob.actorId] });
  });

  it('twice: one like, one Like', async () => {
    const w = world();
    const note = await remoteNote(w, w.remote('misskey'));
    await w.actions.like(note.id);
    await w.actions.like(note.id);
    expect(w.reactions(note.uri, 'like')).toHaveLength(1);
    expect(w.activities('Like')).toHaveLength(1);
  });

  it("the user's own note: liked, nothing to deliver", async () => {
    const w = world();
    const mine = await w.post();
    await w.actions.like(mine.id);
    expect(w.reactions(mine.uri, 'like')).toEqual([w.identity.actor]);
    expect(w.deliveries('Like')).toEqual([]);
  });

  it('a note that does not exist: not found', async () => {
    const w = world();
    await expect(w.actions.like('nope')).rejects.toMatchObject({ kind: 'not_found' });
  });
});

describe('unlike', () => {
  it('after the Like was delivered: the like goes, an Undo of that Like is queued to the author', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const note = await remoteNote(w, bob);
    await w.actions.like(note.id);
    const like = w.deliveries('Like')[0]!.activity;
    w.db.prepare(`UPDATE deliveries SET state = 'delivered'`).run();
    await w.actions.unlike(note.id);
    expect(w.reactions(note.uri, 'like')).toEqual([]);
    const undos = w.deliveries('Undo');
    expect(undos.map((d) => d.inbox)).toEqual([bob.inbox]);
    expect(undos[0]!.activity.object).toMatchObject({ id: like.id, type: 'Like', object: note.uri });
  });

  it('while the Like is still queued: the Like is withdrawn and nothing is sent at all', async () => {
    const w = world();
    const bob = w.remote('gotosocial');
    const note = await remoteNote(w, bob);
    await w.actions.like(note.id);
    await w.actions.unlike(note.id);
    expect(w.reactions(note.uri, 'like')).toEqual([]);
    expect(w.deliveries('Like').map((d) => d.state)).toEqual(['cancelled']);
    expect(w.deliveries('Undo')).toEqual([]);
  });

  it('of a note the user did not like: nothing happens', async () => {
    const w = world();
    const note = await remoteNote(w, w.remote('mastodon'));
    await w.actions.unlike(note.id);
    expect(w.activities()).toEqual([]);
  });
});
