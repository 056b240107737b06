// LocalActions.boost / unboost: public and unlisted notes only; an Announce to the
// followers and the note's author, a boost entry in the home timeline; the Undo reaches
// the same inboxes.
import { describe, expect, it } from 'vitest';
import { AS_PUBLIC } from '../../../../src/main/core/federation/activityStreams';
import { world, type Remote, type World } from '../support/world';

async function setUp(): Promise<{ w: World; author: Remote; follower: Remote; noteId: string; noteUri: string }> {
  const w = world();
  const author = w.remote('mastodon');
  const follower = w.remote('gotosocial');
  await w.followedBy(follower);
  const create = author.fixture('create-note-mention');
  await w.receive(create);
  const note = w.notes.byUri(create.object.id)!;
  return { w, author, follower, noteId: note.id, noteUri: note.uri };
}

describe('boost', () => {
  it('a public remote note: a boost entry in home, an Announce to followers and the author', async () => {
    const { w, author, follower, noteId, noteUri } = await setUp();
    await w.actions.boost(noteId);
    expect(w.reactions(noteUri, 'announce')).toEqual([w.identity.actor]);
    expect(w.timeline()).toContainEqual({ uri: noteUri, boostedBy: w.identity.actor });
    const announces = w.deliveries('Announce');
    expect(announces.map((d) => d.inbox).sort()).toEqual([author.deliveryInbox, follower.inbox].sort());
    expect(announces[0]!.activity).toMatchObject({ object: noteUri, to: [AS_PUBLIC], cc: [author.actorId, w.identity.followers] });
  });

  it('twice: one boost, one Announce', async () => {
    const { w, noteId } = await setUp();
    await w.actions.boost(noteId);
    await w.actions.boost(noteId);
    expect(w.activities('Announce')).toHaveLength(1);
    expect(w.timeline().filter((e) => e.boostedBy)).toHaveLength(1);
  });

  it.each(['followers', 'direct'] as const)('a %s note is refused; nothing changes', async (visibility) => {
    const w = world();
    const mine = await w.post('not for boosting', visibility);
    await expect(w.actions.boost(mine.id)).rejects.toMatchObject({ kind: 'conflict' });
    expect(w.reactions(mine.uri, 'announce')).toEqual([]);
    expect(w.activities('Announce')).toEqual([]);
  });
});

describe('unboost', () => {
  it('after the Announce was delivered: the boost leaves home, an Undo goes to followers and the author', async () => {
    const { w, author, follower, noteId, noteUri } = await setUp();
    await w.actions.boost(noteId);
    const announce = w.deliveries('Announce')[0]!.activity;
    w.db.prepare(`UPDATE deliveries SET state = 'delivered'`).run();
    await w.actions.unboost(noteId);
    expect(w.reactions(noteUri, 'announce')).toEqual([]);
    expect(w.timeline().filter((e) => e.boostedBy)).toEqual([]);
    const undos = w.deliveries('Undo');
    expect(undos.map((d) => d.inbox).sort()).toEqual([author.deliveryInbox, follower.inbox].sort());
    expect(undos[0]!.activity.object).toMatchObject({ id: announce.id, type: 'Announce' });
  });

  it('while the Announce is still queued: withdrawn everywhere, no Undo sent', async () => {
    const { w, noteId } = await setUp();
    await w.actions.boost(noteId);
    await w.actions.unboost(noteId);
    expect(w.deliveries('Announce').map((d) => d.state)).toEqual(['cancelled', 'cancelled']);
    expect(w.deliveries('Undo')).toEqual([]);
  });
});
