// Editing the user's posts: Update(Note) to the same audience as the post, every version
// kept with its time; and remote edits, which keep the previous version too.
import { describe, expect, it } from 'vitest';
import { world } from '../support/world';

describe('editNote', () => {
  it('sends Update(Note) to the post\'s audience (followers and the mentioned), keeps the old version, marks it edited', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const kim = w.remote('misskey');
    await w.followedBy(bob);
    const { noteId } = await w.actions.compose({ content: `Hello @${kim.handle} #birds`, summary: 'cw' });
    const created = w.deliveries('Create')[0]!;
    const createInboxes = w.deliveries('Create').map((d) => d.inbox).sort();
    w.now += 60_000;
    const edited = await w.conversations.editNote(noteId, `Hello again @${kim.handle} #birding`, 'new cw');
    expect(edited.editedAt).toBe(w.now);
    expect(edited.summary).toBe('new cw');
    expect(edited.contentHtml).toContain('Hello again');
    expect(edited.hashtags).toEqual(['birding']);
    expect(edited.source).toBe(`Hello again @${kim.handle} #birding`);
    const updates = w.deliveries('Update');
    expect(updates.map((d) => d.inbox).sort()).toEqual(createInboxes);
    const update = updates[0]!.activity;
    expect(update.actor).toBe(w.identity.actor);
    expect(update.object.id).toBe(created.activity.object.id);
    expect(update.object.updated).toBe(new Date(w.now).toISOString());
    expect(update.to).toEqual(created.activity.to);
    expect(update.cc).toEqual(created.activity.cc);
    const history = w.conversations.noteHistory(noteId);
    expect(history.map((v) => [v.summary, v.at])).toEqual([['cw', w.now - 60_000], ['new cw', w.now]]);
    expect(history[0]!.contentHtml).toContain('#<span>birds</span>');
    // The new text is what search finds.
    expect((await w.conversations.find('again', 0)).notes.map((n) => n.id)).toEqual([noteId]);
    expect((await w.conversations.find('birds', 0)).notes).toEqual([]);
  });

  it('a direct post\'s edit goes only to the people it was sent to', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const kim = w.remote('misskey');
    await w.followedBy(bob);
    const { noteId } = await w.actions.compose({ content: `psst @${kim.handle}`, visibility: 'direct' });
    await w.conversations.editNote(noteId, `psst @${kim.handle}, again`, undefined);
    expect(w.deliveries('Update').map((d) => d.inbox)).toEqual([kim.deliveryInbox]);
  });

  it('changes nothing and sends nothing when the text is the same; refuses someone else\'s post', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    await w.followedBy(bob);
    const mine = await w.post('unchanged');
    const same = await w.conversations.editNote(mine.id, 'unchanged', undefined);
    expect(same.editedAt).toBeNull();
    expect(w.deliveries('Update')).toEqual([]);
    const create = bob.fixture('create-note-mention');
    await w.receive(create);
    const theirs = w.notes.byUri(create.object.id)!;
    await expect(w.conversations.editNote(theirs.id, 'mine now', undefined)).rejects.toThrow(/only your own/);
  });
});

describe('remote edits', () => {
  it('keep the previous version with its time and show the edit time; an older Update changes nothing', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const create = bob.fixture('create-note-mention');
    await w.receive(create);
    const update = bob.fixture('update-note');
    await w.receive(update);
    const note = w.notes.byUri(create.object.id)!;
    const dto = w.views.note(note);
    expect(dto.editedAt).toBe(Date.parse(update.object.updated));
    const history = w.conversations.noteHistory(note.id);
    expect(history.map((v) => v.at)).toEqual([Date.parse(create.object.published), Date.parse(update.object.updated)]);
    expect(history[0]!.contentHtml).not.toBe(history[1]!.contentHtml);
    // A replay of an older version (its `updated` before the one we have) is ignored.
    const older = { ...bob.fixture('update-note'), id: `${update.id}-old` };
    older.object = { ...older.object, content: '<p>stale</p>', updated: '2025-01-15T10:25:00Z' };
    await w.receive(older);
    expect(w.notes.byUri(create.object.id)!.contentHtml).toBe(note.contentHtml);
    expect(w.conversations.noteHistory(note.id)).toHaveLength(2);
  });
});
