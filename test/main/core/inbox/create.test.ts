// Inbound Create of a note: stored only when it concerns the user (a followed author, a
// mention, a reply to one of theirs), sanitized, notified, and in the home timeline when
// the author is followed (or it is a direct message).
import { describe, expect, it } from 'vitest';
import { SERVER_KINDS, world, type Remote, type World } from '../support/world';

/** The fixture's Create with its mention of the local user taken out (tags and addressing). */
function withoutMention(w: World, create: any, suffix = '-nomention'): any {
  create.id = `${create.id}${suffix}`;
  create.object.id = `${create.object.id}${suffix}`;
  create.object.tag = [];
  for (const o of [create, create.object]) {
    for (const k of ['to', 'cc']) o[k] = [o[k] ?? []].flat().filter((a: string) => a !== w.identity.actor);
  }
  return create;
}

const storedNote = (w: World, uri: string) => w.notes.byUri(uri);

describe.each(SERVER_KINDS)('Create from %s', (kind) => {
  it('a public note mentioning the user, from someone not followed: stored, sanitized, a mention notification, not in home', async () => {
    const w = world();
    const bob = w.remote(kind);
    const create = bob.fixture('create-note-mention');
    expect(await w.receive(create)).toEqual({ error: null });
    const note = storedNote(w, create.object.id)!;
    expect(note).toMatchObject({ authorUri: bob.actorId, local: false, visibility: 'public', hashtags: ['outpost'] });
    expect(note.mentions.map((m) => m.href)).toContain(w.identity.actor);
    expect(note.contentHtml).toContain('href="https://example.com/outpost/federation-notes"');
    expect(w.notificationsOf().map((n) => [n.type, n.actorUri, n.noteUri])).toEqual([['mention', bob.actorId, create.object.id]]);
    expect(w.timeline()).toEqual([]);
  });

  it('a note from a followed author that does not mention the user: in the home timeline, no notification', async () => {
    const w = world();
    const bob = w.remote(kind);
    await w.follow(bob);
    const create = withoutMention(w, bob.fixture('create-note-mention'));
    await w.receive(create);
    expect(w.timeline()).toEqual([{ uri: create.object.id, boostedBy: null }]);
    expect(w.notificationsOf()).toEqual([]);
  });

  it('a note from someone not followed that does not mention the user: nothing is stored, nothing fetched', async () => {
    const w = world();
    const bob = w.remote(kind);
    const create = withoutMention(w, bob.fixture('create-note-mention'));
    const fetchedBefore = w.web.fetched.length;
    expect(await w.receive(create)).toEqual({ error: null });
    expect(w.web.fetched.slice(fetchedBefore)).toEqual([]);
    expect(storedNote(w, create.object.id)).toBeUndefined();
    expect(w.notificationsOf()).toEqual([]);
    expect(w.timeline()).toEqual([]);
  });

  it('a reply to the user that does not mention them: a reply notification, counted on their note', async () => {
    const w = world();
    const bob = w.remote(kind);
    const mine = await w.post();
    const create = withoutMention(w, bob.fixture('create-note-reply', { LOCAL_NOTE: mine.uri }));
    await w.receive(create);
    expect(storedNote(w, create.object.id)?.inReplyTo).toBe(mine.uri);
    expect(w.notificationsOf().map((n) => n.type)).toEqual(['reply']);
    expect(w.notes.replyCount(mine.uri)).toBe(1);
  });

  it('script, handlers, javascript: links and iframes never reach the store', async () => {
    const w = world();
    const bob = w.remote(kind);
    const create = bob.fixture('create-note-malicious');
    await w.receive(create);
    const html = storedNote(w, create.object.id)!.contentHtml.toLowerCase();
    for (const bad of ['<script', 'onerror', 'javascript:', '<iframe', 'style=']) expect(html, bad).not.toContain(bad);
    expect(html).toContain('look at this');
  });
});

describe('Create', () => {
  const bobAnd = (): [World, Remote] => {
    const w = world();
    return [w, w.remote('mastodon')];
  };

  it('a public reply to the user\'s post (which mentions the user too) notifies once, as a reply', async () => {
    const [w, bob] = bobAnd();
    const mine = await w.post();
    await w.receive(bob.fixture('create-note-reply', { LOCAL_NOTE: mine.uri }));
    expect(w.notificationsOf().map((n) => n.type)).toEqual(['reply']);
  });

  it('a direct message notifies as one; a mention elsewhere as a mention', async () => {
    const [w, bob] = bobAnd();
    const dm = bob.fixture('create-note-mention');
    for (const o of [dm, dm.object]) {
      o.to = [w.identity.actor];
      o.cc = [];
    }
    await w.receive(dm);
    const mention = bob.fixture('create-note-mention');
    mention.id = `${mention.id}-2`;
    mention.object.id = `${mention.object.id}-2`;
    await w.receive(mention);
    expect(w.notificationsOf().map((n) => [n.type, n.noteUri]).sort()).toEqual([['direct', dm.object.id], ['mention', mention.object.id]]);
  });

  it('the same note in a second Create (another activity id) is stored and notified once', async () => {
    const [w, bob] = bobAnd();
    const create = bob.fixture('create-note-mention');
    await w.receive(create);
    await w.receive({ ...create, id: `${create.id}-resent` });
    expect(w.db.prepare('SELECT count(*) AS n FROM notes WHERE uri = ?').get(create.object.id)).toEqual({ n: 1 });
    expect(w.notificationsOf()).toHaveLength(1);
  });

  it('a direct message to the user from someone not followed goes to the home timeline too', async () => {
    const [w, bob] = bobAnd();
    const create = bob.fixture('create-note-mention');
    for (const o of [create, create.object]) {
      o.to = [w.identity.actor];
      o.cc = [];
    }
    await w.receive(create);
    expect(storedNote(w, create.object.id)?.visibility).toBe('direct');
    expect(w.timeline()).toEqual([{ uri: create.object.id, boostedBy: null }]);
  });

  it('a note attributed to someone other than the sender is refused', async () => {
    const [w, bob] = bobAnd();
    const carol = w.remote('mastodon', 'https://other.example');
    const create = bob.fixture('create-note-mention');
    create.actor = carol.actorId; // carol (verified as the sender) claims bob's note
    const { error } = await w.receive(create, carol.actorId);
    expect(error).toMatch(/attributed to someone else/);
    expect(storedNote(w, create.object.id)).toBeUndefined();
    expect(w.notificationsOf()).toEqual([]);
  });

  it('a note given by URI is fetched from the author’s server; one on another server is not fetched at all', async () => {
    const [w, bob] = bobAnd();
    const create = bob.fixture('create-note-mention');
    w.serve(create.object);
    await w.receive({ ...create, object: create.object.id });
    expect(storedNote(w, create.object.id)?.authorUri).toBe(bob.actorId);

    const elsewhere = 'https://other.example/notes/1';
    const fetchedBefore = w.web.fetched.length;
    await w.receive({ ...create, id: `${create.id}-2`, object: elsewhere });
    expect(w.web.fetched.slice(fetchedBefore)).toEqual([]);
    expect(storedNote(w, elsewhere)).toBeUndefined();
  });

  it('notes of several followed senders processed in one turn: each in home once and found by search', async () => {
    const w = world();
    const senders = ['a', 'b', 'c', 'd', 'e'].map((n) => w.remote('mastodon', `https://${n}.example`));
    for (const r of senders) await w.follow(r);
    const creates = senders.map((r, i) => {
      const c = withoutMention(w, r.fixture('create-note-mention'));
      c.object.content = `<p>a kestrel over field ${['north', 'south', 'east', 'west', 'middle'][i]}</p>`;
      return c;
    });
    // The same note again, in a second Create of the first sender: it waits for the first one's turn.
    const again = { ...creates[0], id: `${creates[0].id}-again` };
    expect(await w.receiveTogether([...creates, again])).toEqual(Array(6).fill({ error: null }));
    expect(w.timeline().map((e) => e.uri).sort()).toEqual(creates.map((c) => c.object.id).sort());
    const found = async (q: string) => (await w.conversations.find(q, 0)).notes.map((n) => n.uri).sort();
    expect(await found('kestrel')).toEqual(creates.map((c) => c.object.id).sort());
    expect(await found('south')).toEqual([creates[1].object.id]);
  });

  it('a Create of something that is not a note (a Person, a ChatMessage) stores nothing', async () => {
    const [w, bob] = bobAnd();
    const create = bob.fixture('create-note-mention');
    await w.receive({ ...create, id: `${create.id}-chat`, object: { ...create.object, type: 'ChatMessage' } });
    expect(storedNote(w, create.object.id)).toBeUndefined();
    expect(w.notificationsOf()).toEqual([]);
  });
});
