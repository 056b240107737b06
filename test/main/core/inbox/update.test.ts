// Inbound Update: of a note (by its author only) and of the sender's own actor document.
import { describe, expect, it } from 'vitest';
import { SERVER_KINDS, world } from '../support/world';

describe.each(SERVER_KINDS)('Update from %s', (kind) => {
  it('of a stored note by its author: new content, marked edited; its notification still points at it', async () => {
    const w = world();
    const bob = w.remote(kind);
    const create = bob.fixture('create-note-mention');
    await w.receive(create);
    const before = w.notes.byUri(create.object.id)!;
    const update = bob.fixture('update-note');
    expect(await w.receive(update)).toEqual({ error: null });
    const after = w.notes.byUri(create.object.id)!;
    expect(after.contentHtml).not.toBe(before.contentHtml);
    expect(after.contentHtml).toMatch(/edited/);
    expect(after.updatedAt).toBe(Date.parse(update.object.updated));
    expect(after.id).toBe(before.id);
    expect(w.notificationsOf().map((n) => n.noteUri)).toEqual([create.object.id]);
  });

  it("of the sender's own actor: the cached profile changes", async () => {
    const w = world();
    const bob = w.remote(kind);
    await w.followedBy(bob);
    const update = bob.fixture('update-actor');
    await w.receive(update);
    expect(w.actors.cached(bob.actorId)?.name).toBe(update.object.name.replace(/<[^>]*>/g, ''));
    expect(w.actors.cached(bob.actorId)?.summaryHtml).toContain('Renamed!');
  });
});

describe('Update', () => {
  it('of a note by another actor is ignored', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('misskey');
    const create = bob.fixture('create-note-mention');
    await w.receive(create);
    const before = w.notes.byUri(create.object.id)!;
    const forged = { ...bob.fixture('update-note'), id: `${carol.origin}/updates/1`, actor: carol.actorId };
    await w.receive(forged);
    expect(w.notes.byUri(create.object.id)).toEqual(before);
  });

  it('of a note by another account on the same server, claiming to be its author, is ignored', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('misskey', bob.origin);
    const create = bob.fixture('create-note-mention');
    await w.receive(create);
    const before = w.notes.byUri(create.object.id)!;
    const forged = bob.fixture('update-note');
    Object.assign(forged, { id: `${carol.actorId}#updates/1`, actor: carol.actorId });
    forged.object.attributedTo = carol.actorId;
    await w.receive(forged);
    expect(w.notes.byUri(create.object.id)).toEqual(before);
  });

  it('of a note whose attributedTo was changed to someone else is ignored', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const create = bob.fixture('create-note-mention');
    await w.receive(create);
    const before = w.notes.byUri(create.object.id)!;
    const update = bob.fixture('update-note');
    update.object.attributedTo = 'https://mastodon.example/users/mallory';
    await w.receive(update);
    expect(w.notes.byUri(create.object.id)).toEqual(before);
  });

  it('of a note we never stored stores nothing', async () => {
    const w = world();
    const bob = w.remote('gotosocial');
    const update = bob.fixture('update-note');
    await w.receive(update);
    expect(w.notes.byUri(update.object.id)).toBeUndefined();
  });

  it("of another actor's profile is ignored", async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const carol = w.remote('pleroma');
    await w.followedBy(carol);
    const nameBefore = w.actors.cached(carol.actorId)!.name;
    await w.receive({ ...carol.fixture('update-actor'), id: `${bob.origin}/updates/2`, actor: bob.actorId });
    expect(w.actors.cached(carol.actorId)!.name).toBe(nameBefore);
  });
});
