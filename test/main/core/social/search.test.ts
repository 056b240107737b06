// Search over stored posts (FTS5: HTML stripped, diacritics folded, best match then newest,
// user input never FTS syntax), hashtag timelines, the resolver behind handles and URLs,
// and private bookmarks.
import { describe, expect, it } from 'vitest';
import { world, type World } from '../support/world';
import { ftsQuery, searchableText } from '../../../../src/main/core/social/noteSearchIndex';
import { normalizeTag } from '../../../../src/main/core/social/search';

async function posts(w: World, texts: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const t of texts) {
    w.now += 1000;
    ids.push((await w.post(t)).id);
  }
  return ids;
}

describe('full-text search', () => {
  it('finds posts by their words (not their markup), folds accents, matches a word being typed, ranks best match then newest', async () => {
    const w = world();
    const [cafe, wagtail, both, old] = await posts(w, [
      'Coffee at the café by the canal',
      'A grey wagtail! https://birds.example/wagtail #birds',
      'wagtail wagtail wagtail by the canal',
      'an old post about a wagtail',
    ]);
    const ids = async (q: string) => (await w.conversations.find(q, 0)).notes.map((n) => n.id);
    expect(await ids('cafe')).toEqual([cafe]);
    expect(await ids('CAFÉ')).toEqual([cafe]);
    expect(await ids('wagt')).toEqual(expect.arrayContaining([wagtail, both, old]));
    expect((await ids('wagtail'))[0]).toBe(both);
    expect(await ids('canal wagtail')).toEqual([both]);
    // Markup and link targets are not words of the post.
    expect(await ids('href')).toEqual([]);
    expect(await ids('span')).toEqual([]);
    // Equal rank: the newer first.
    const [a, b] = await posts(w, ['kestrel', 'kestrel']);
    expect(await ids('kestrel')).toEqual([b, a]);
  });

  it('never hands user input to FTS as syntax: quotes, operators, column filters and stray symbols give results or nothing, never an error', async () => {
    const w = world();
    const [p] = await posts(w, ['He said "hello" to the NEAR kestrel, OR not']);
    const hostile = ['"', '""', '"hello', 'hello"', 'NEAR(hello kestrel)', 'hello OR', 'AND', 'NOT', '*', 'kes*', '^hello', 'body:hello',
      '(', ')', '-hello', '+', 'hello:', '{body}: x', '\\', "'", '%', '_', ':', '""""', 'a"b', '\u0000', '   ', 'ñ', '🦜', 'x'.repeat(2000)];
    for (const q of hostile) {
      const r = await w.conversations.find(q, 0);
      expect(Array.isArray(r.notes), q).toBe(true);
    }
    expect((await w.conversations.find('"hello"', 0)).notes.map((n) => n.id)).toEqual([p]);
    expect((await w.conversations.find('NEAR', 0)).notes.map((n) => n.id)).toEqual([p]);
    expect((await w.conversations.find('hello OR', 0)).notes.map((n) => n.id)).toEqual([p]);
    expect((await w.conversations.find('body:hello', 0)).notes).toEqual([]);
  });

  it('ftsQuery quotes every word (doubling quotes) and prefixes the last; nothing for symbols alone', () => {
    expect(ftsQuery('grey wagtail', 16)).toBe('"grey" "wagtail"*');
    expect(ftsQuery('say "hi"', 16)).toBe('"say" """hi"""*');
    expect(ftsQuery('  * ( ) " ', 16)).toBeUndefined();
    expect(ftsQuery('a b c d', 2)).toBe('"a" "b"*');
    expect(searchableText({ id: 'x', contentHtml: '<p>one</p><p>two<br>three</p>', summary: 'cw', pollOptions: ['yes'] })).toBe('cw one two three yes');
  });

  it('pages through many results; leaves out muted accounts; finds remote posts and poll options', async () => {
    const w = world();
    await posts(w, Array.from({ length: 25 }, (_, i) => `heron number ${i}`));
    const first = await w.conversations.find('heron', 0);
    expect(first.notes).toHaveLength(20);
    expect(first.nextOffset).toBe(20);
    const second = await w.conversations.find('heron', 20);
    expect(second.notes).toHaveLength(5);
    expect(second.nextOffset).toBeNull();
    expect(new Set([...first.notes, ...second.notes].map((n) => n.id)).size).toBe(25);

    const bob = w.remote('mastodon');
    await w.receive(bob.fixture('create-question'));
    const found = await w.conversations.find('kingfisher', 0);
    expect(found.notes.map((n) => n.author.uri)).toEqual([bob.actorId]);
    w.db.prepare('INSERT INTO account_mutes (actor_uri, created_at) VALUES (?, ?)').run(bob.actorId, w.now);
    expect((await w.conversations.find('kingfisher', 0)).notes).toEqual([]);
  });

  it('indexes posts stored before the index existed (at start, in batches)', async () => {
    const w = world();
    const [p] = await posts(w, ['a forgotten plover']);
    w.db.prepare('DELETE FROM note_search_text').run();
    w.db.prepare('DELETE FROM note_search').run();
    expect((await w.conversations.find('plover', 0)).notes).toEqual([]);
    expect(w.notes.backfillSearch(500)).toBe(1);
    expect((await w.conversations.find('plover', 0)).notes.map((n) => n.id)).toEqual([p]);
  });

  it('posts stored one savepoint each are indexed together afterwards; one whose savepoint was undone is not', async () => {
    const w = world();
    const [mine] = await posts(w, ['template']);
    const note = (id: string, text: string) => ({ ...w.notes.byId(mine!)!, id, uri: `https://remote.example/notes/${id}`, contentHtml: `<p>${text}</p>` });
    w.db.transaction(() => {
      w.db.transaction(() => w.notes.insert(note('n1', 'a curlew calling'), { indexLater: true }))();
      try {
        w.db.transaction(() => {
          w.notes.insert(note('n2', 'a curlew undone'), { indexLater: true });
          throw new Error('this write fails');
        })();
      } catch { /* its savepoint is undone */ }
      w.db.transaction(() => w.notes.insert(note('n3', 'another curlew'), { indexLater: true }))();
      expect((w.db.prepare('SELECT count(*) AS n FROM note_search').get() as { n: number }).n).toBe(1); // only the template so far
      w.notes.indexDeferred();
    })();
    expect((await w.conversations.find('curlew', 0)).notes.map((n) => n.id).sort()).toEqual(['n1', 'n3']);
  });

  it('a post waiting for its entry that is edited meanwhile is found by its new words only', async () => {
    const w = world();
    const [mine] = await posts(w, ['template']);
    const note = { ...w.notes.byId(mine!)!, id: 'n1', uri: 'https://remote.example/notes/n1', contentHtml: '<p>a dunlin at dawn</p>' };
    w.notes.insert(note, { indexLater: true });
    w.notes.update({ ...note, contentHtml: '<p>a knot at dusk</p>', updatedAt: w.now });
    w.notes.indexDeferred();
    expect((await w.conversations.find('dunlin', 0)).notes).toEqual([]);
    expect((await w.conversations.find('knot', 0)).notes.map((n) => n.id)).toEqual(['n1']);
  });

  it('forgets deleted posts', async () => {
    const w = world();
    const [p] = await posts(w, ['ephemeral sandpiper']);
    await w.actions.deleteNote(p!);
    expect((await w.conversations.find('sandpiper', 0)).notes).toEqual([]);
    expect(w.db.prepare('SELECT count(*) AS n FROM note_search').get()).toEqual({ n: 0 });
  });
});

describe('hashtags', () => {
  it('a hashtag timeline lists stored posts with the tag, newest first, paged; #tag searches list the tags in use', async () => {
    const w = world();
    const ids = await posts(w, Array.from({ length: 23 }, (_, i) => `bird ${i} #Birds`));
    await posts(w, ['#birdsong at dawn', 'no tags here']);
    const page1 = w.conversations.search.tagPage('#birds', 20, undefined);
    expect(page1.entries.map((e) => e.note.id)).toEqual(ids.slice(3).reverse());
    const page2 = w.conversations.search.tagPage('birds', 20, page1.next!);
    expect(page2.entries.map((e) => e.note.id)).toEqual(ids.slice(0, 3).reverse());
    expect(page2.next).toBeNull();
    const found = await w.conversations.find('#bird', 0);
    expect(found.hashtags).toEqual([{ name: 'birds', count: 23 }, { name: 'birdsong', count: 1 }]);
    expect(() => w.conversations.search.tagPage('not a tag!', 20, undefined)).toThrow(/not a hashtag/);
  });

  it('follow edits and deletes of the posts', async () => {
    const w = world();
    const [p] = await posts(w, ['#owls at night']);
    expect(w.conversations.search.tagPage('owls', 20, undefined).entries).toHaveLength(1);
    await w.conversations.editNote(p!, '#bats at night', undefined);
    expect(w.conversations.search.tagPage('owls', 20, undefined).entries).toHaveLength(0);
    expect(w.conversations.search.tagPage('bats', 20, undefined).entries).toHaveLength(1);
    await w.actions.deleteNote(p!);
    expect(w.conversations.search.tagPage('bats', 20, undefined).entries).toHaveLength(0);
  });

  it('normalizeTag', () => {
    expect(normalizeTag('#Vögel')).toBe('vögel');
    expect(normalizeTag('tag_1')).toBe('tag_1');
    expect(normalizeTag('#')).toBeUndefined();
    expect(normalizeTag('a b')).toBeUndefined();
    expect(normalizeTag("x' OR 1=1")).toBeUndefined();
  });
});

describe('resolving handles and URLs', () => {
  it('a handle or a profile URL gives the account; a post URL gives the post, stored so it can be replied to', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    const byHandle = await w.conversations.find(`@${bob.handle}`, 0);
    expect(byHandle.accounts.map((a) => a.actor.uri)).toEqual([bob.actorId]);
    const byUrl = await w.conversations.find(bob.actorId, 0);
    expect(byUrl.accounts.map((a) => a.actor.uri)).toEqual([bob.actorId]);
    const note = { id: `${bob.actorId}/statuses/42`, type: 'Note', attributedTo: bob.actorId, content: '<p>found me</p>', to: ['https://www.w3.org/ns/activitystreams#Public'], cc: [] };
    w.serve(note);
    const byPost = await w.conversations.find(note.id, 0);
    expect(byPost.notes.map((n) => n.uri)).toEqual([note.id]);
    const stored = w.notes.byUri(note.id)!;
    const reply = await w.actions.compose({ content: 'replying', inReplyTo: stored.id });
    expect(w.notes.byId(reply.noteId)!.inReplyTo).toBe(note.id);
    // The user's own post URL and own handle resolve locally, without fetching.
    w.web.fetched.length = 0;
    const mine = await w.post('mine');
    expect((await w.conversations.find(mine.uri, 0)).notes.map((n) => n.id)).toEqual([mine.id]);
    expect((await w.conversations.find(`@${w.identity.handle}`, 0)).accounts.map((a) => a.actor.uri)).toEqual([w.identity.actor]);
    expect(w.web.fetched).toEqual([]);
  });

  it('says why when nothing is found: no such account, nothing at a URL, not a post or profile', async () => {
    const w = world();
    w.remote('mastodon');
    expect((await w.conversations.find('@nobody@mastodon.example', 0)).message).toMatch(/no such account/i);
    expect((await w.conversations.find('https://mastodon.example/nothing-here', 0)).message).toMatch(/nothing found/i);
    w.serve({ id: 'https://mastodon.example/things/1', type: 'Collection' });
    const r = await w.conversations.find('https://mastodon.example/things/1', 0);
    expect(r.message).toMatch(/not a post or a profile/);
    expect(r.notes).toEqual([]);
  });

  it('the follow box takes a profile URL; a post URL there is refused with a clear reason', async () => {
    const w = world();
    const bob = w.remote('mastodon');
    expect((await w.conversations.resolver.account(bob.actorId)).uri).toBe(bob.actorId);
    const note = { id: `${bob.actorId}/statuses/7`, type: 'Note', attributedTo: bob.actorId, content: '<p>x</p>', to: ['https://www.w3.org/ns/activitystreams#Public'] };
    w.serve(note);
    await expect(w.conversations.resolver.account(note.id)).rejects.toThrow(/is a post, not a profile/);
  });
});

describe('bookmarks', () => {
  it('are private, listed newest bookmark first and paged, and shown on the post', async () => {
    const w = world();
    const ids = await posts(w, Array.from({ length: 22 }, (_, i) => `post ${i}`));
    for (const id of ids) {
      w.now += 1000;
      w.conversations.bookmark(id, true);
    }
    const page1 = w.conversations.bookmarkPage(20, undefined);
    expect(page1.entries.map((e) => e.note.id)).toEqual(ids.slice(2).reverse());
    expect(page1.entries[0]!.note.bookmarked).toBe(true);
    const page2 = w.conversations.bookmarkPage(20, page1.next!);
    expect(page2.entries.map((e) => e.note.id)).toEqual([ids[1], ids[0]]);
    w.conversations.bookmark(ids[0]!, false);
    expect(w.conversations.bookmarkPage(20, page1.next!).entries.map((e) => e.note.id)).toEqual([ids[1]]);
    expect(w.views.note(w.notes.byId(ids[0]!)!).bookmarked).toBe(false);
    // Nothing federated: only the posts' own Creates were queued.
    expect(w.activities().map((a) => a.type)).toEqual(ids.map(() => 'Create'));
  });
});
