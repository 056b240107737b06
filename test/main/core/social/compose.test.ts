// LocalActions.compose: the note is stored and in the home timeline, and its Create is
// queued (never sent inline) once per delivery inbox: followers' shared inboxes,
// mentioned actors, the replied-to author.
import { describe, expect, it } from 'vitest';
import { AS_PUBLIC } from '../../../../src/main/core/federation/activityStreams';
import { world } from '../support/world';

describe('compose', () => {
  it('a public note: stored, in home, one Create per follower server (shared inboxes deduplicated), addressed to Public and followers', async () => {
    const w = world();
    const bob = w.remote('mastodon', 'https://shared.example');
    const kim = w.remote('misskey', 'https://shared.example'); // same server, same shared inbox
    const gts = w.remote('gotosocial'); // no shared inbox
    for (const r of [bob, kim, gts]) await w.followedBy(r);

    const { noteId, activityId } = await w.actions.compose({ content: 'Hello #Fediverse' });
    const note = w.notes.byId(noteId)!;
    expect(note).toMatchObject({ local: true, authorUri: w.identity.actor, visibility: 'public', hashtags: ['fediverse'], to: [AS_PUBLIC], cc: [w.identity.followers] });
    expect(w.timeline()).toEqual([{ uri: note.uri, boostedBy: null }]);

    const creates = w.deliveries('Create');
    expect(creates.map((d) => d.inbox).sort()).toEqual(['https://shared.example/inbox', gts.inbox].sort());
    expect(creates.every((d) => d.state === 'queued')).toBe(true);
    expect(creates[0]!.activity).toMatchObject({ type: 'Create', actor: w.identity.actor, to: [AS_PUBLIC], cc: [w.identity.followers], object: { id: note.uri } });
    expect(w.activities('Create')).toHaveLength(1);
    expect(w.outbox.activityIdByUri(creates[0]!.activity.id)).toBe(activityId);
  });

  it('a pending follower does not get posts', async () => {
    const w = world();
    w.requireApproval();
    const bob = w.remote('mastodon');
    await w.receive(bob.fixture('follow'));
    await w.post();
    expect(w.deliveries('Create')).toEqual([]);
  });

  it('a mention of a remote handle: resolved by WebFinger, tagged, addressed and delivered to them though they do not follow', async () => {
    const w = world();
    const bob = w.remote('pleroma');
    const { noteId } = await w.actions.compose({ content: `hi @${bob.handle}!` });
    const note = w.notes.byId(noteId)!;
    expect(note.mentions).toEqual([{ href: bob.actorId, name: `@${bob.handle}` }]);
    expect(note.cc).toContain(bob.actorId);
    expect(note.contentHtml).toContain(`href="${bob.actor.url}"`);
    expect(w.deliveries('Create').map((d) => d.inbox)).toEqual([bob.deliveryInbox]);
  });

  it('a mention of a handle that does not resolve stays plain text and goes nowhere', async () => {
    const w = world();
    const { noteId } = await w.actions.compose({ content: 'hi @nobody@nowhere.example' });
    const note = w.notes.byId(noteId)!;
    expect(note.mentions).toEqual([]);
    expect(note.contentHtml).toContain('@nobody@nowhere.example');
    expect(note.contentHtml).not.toContain('<a');
    expect(w.deliveries()).toEqual([]);
  });

  it('a direct note goes only to the mentioned actors, not to followers', async () => {
    const w = world();
    const follower = w.remote('mastodon');
    const bob = w.remote('gotosocial');
    await w.followedBy(follower);
    const { noteId } = await w.actions.compose({ content: `psst @${bob.handle}`, visibility: 'direct' });
    expect(w.notes.byId(noteId)).toMatchObject({ visibility: 'direct', to: [bob.actorId], cc: [] });
    expect(w.deliveries('Create').map((d) => d.inbox)).toEqual([bob.inbox]);
  });

  it('a followers-only note is addressed to the followers collection alone', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    await w.followedBy(bob);
    const { noteId } = await w.actions.compose({ content: 'friends only', visibility: 'followers' });
    expect(w.notes.byId(noteId)).toMatchObject({ to: [w.identity.followers], cc: [] });
    expect(w.deliveries('Create').map((d) => d.inbox)).toEqual([bob.deliveryInbox]);
  });

  it('a reply to a remote note: inReplyTo set, its author mentioned and delivered to', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const create = bob.fixture('create-note-mention');
    await w.receive(create);
    const parent = w.notes.byUri(create.object.id)!;
    const { noteId } = await w.actions.compose({ content: 'agreed', inReplyTo: parent.id });
    const note = w.notes.byId(noteId)!;
    expect(note.inReplyTo).toBe(parent.uri);
    expect(note.mentions.map((m) => m.href)).toEqual([bob.actorId]);
    expect(w.deliveries('Create').map((d) => d.inbox)).toEqual([bob.deliveryInbox]);
  });

  it('a reply to a note that does not exist is refused and stores nothing', async () => {
    const w = world();
    await expect(w.actions.compose({ content: 'hm', inReplyTo: 'nope' })).rejects.toMatchObject({ kind: 'not_found' });
    expect(w.timeline()).toEqual([]);
    expect(w.activities()).toEqual([]);
  });
});
