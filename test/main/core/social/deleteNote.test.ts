// LocalActions.deleteNote: the note goes, and a Delete (Tombstone) is queued to everyone
// who got the Create.
import { describe, expect, it } from 'vitest';
import { world } from '../support/world';

describe('deleteNote', () => {
  it("of the user's note: gone from store, home and notifications; a Delete goes to followers and the mentioned", async () => {
    const w = world();
    const follower = w.remote('mastodon');
    const bob = w.remote('gotosocial');
    await w.followedBy(follower);
    const { noteId } = await w.actions.compose({ content: `look @${bob.handle}` });
    const note = w.notes.byId(noteId)!;
    await w.receive(follower.fixture('like', { LOCAL_NOTE: note.uri }));
    expect(w.notificationsOf('like')).toHaveLength(1);

    await w.actions.deleteNote(noteId);
    expect(w.notes.byId(noteId)).toBeUndefined();
    expect(w.timeline()).toEqual([]);
    expect(w.notificationsOf('like')).toEqual([]);
    const deletes = w.deliveries('Delete');
    expect(deletes.map((d) => d.inbox).sort()).toEqual([follower.deliveryInbox, bob.inbox].sort());
    expect(deletes[0]!.activity).toMatchObject({ actor: w.identity.actor, object: { id: note.uri, type: 'Tombstone' }, to: note.to, cc: note.cc });
  });

  it('of a direct note: the Delete goes to the mentioned only', async () => {
    const w = world();
    const follower = w.remote('mastodon');
    const bob = w.remote('pleroma');
    await w.followedBy(follower);
    const { noteId } = await w.actions.compose({ content: `psst @${bob.handle}`, visibility: 'direct' });
    await w.actions.deleteNote(noteId);
    expect(w.deliveries('Delete').map((d) => d.inbox)).toEqual([bob.deliveryInbox]);
  });

  it("of someone else's note is refused; it stays and nothing is queued", async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const create = bob.fixture('create-note-mention');
    await w.receive(create);
    const theirs = w.notes.byUri(create.object.id)!;
    await expect(w.actions.deleteNote(theirs.id)).rejects.toMatchObject({ kind: 'conflict' });
    expect(w.notes.byId(theirs.id)?.uri).toBe(theirs.uri);
    expect(w.activities('Delete')).toEqual([]);
  });

  it('of a note that does not exist: not found', async () => {
    const w = world();
    await expect(w.actions.deleteNote('nope')).rejects.toMatchObject({ kind: 'not_found' });
  });
});
