// A home timeline page as the window gets it: each note's counts, the user's own like and
// boost, reply counts and boosters, read for the whole page at once (Views.notes, batched
// queries), and paging by cursor without gaps or repeats.
import { describe, expect, it } from 'vitest';
import { world, type World } from '../support/world';
import { loadProfile } from '../../../../src/main/core/federation/localActor';
import { Views } from '../../../../src/main/core/social/views';
import type { NoteRecord } from '../../../../src/main/core/social/noteRepository';

const AUTHOR = 'https://remote.example/users/bob';
const OTHER = 'https://remote.example/users/cid';
/** No remote media cached: pictures have no local path. */
const NO_CACHE = { pathFor: () => null };

function note(i: number, extra: Partial<NoteRecord> = {}): NoteRecord {
  const uri = `${AUTHOR}/statuses/${i}`;
  return {
    id: `note${i}`, uri, authorUri: AUTHOR, local: false, contentHtml: `<p>${i}</p>`, summary: null, visibility: 'public', inReplyTo: null,
    url: uri, to: [], cc: [], mentions: [], hashtags: [], publishedAt: 1000 + i, updatedAt: null, attachments: [], emojis: [], sensitive: false, ...extra,
  };
}

function seed(w: World, n: number): void {
  const me = w.identity.actor;
  for (let i = 0; i < n; i++) {
    w.notes.insert(note(i, i === 3 ? { inReplyTo: `${AUTHOR}/statuses/1` } : {}));
    w.notes.addToTimeline(`note${i}`, 1000 + i);
  }
  w.notes.insert(note(100, { inReplyTo: `${AUTHOR}/statuses/1` }));
  w.notes.addReaction('like', 'l1', OTHER, `${AUTHOR}/statuses/1`, 1);
  w.notes.addReaction('like', 'l2', me, `${AUTHOR}/statuses/1`, 1);
  w.notes.addReaction('announce', 'a1', OTHER, `${AUTHOR}/statuses/2`, 1);
  w.notes.addReaction('announce', 'a2', me, `${AUTHOR}/statuses/2`, 1);
  w.notes.addReaction('like', 'l3', OTHER, `${AUTHOR}/statuses/2`, 1);
  // A followed account boosts a stored post that is not in home yet (a boost of one already
  // there adds no second entry): it shows as that account's boost.
  w.notes.addToTimeline('note100', 2000, { by: OTHER, announceUri: 'a3' });
}

describe('a home timeline page', () => {
  it("gives each note its own counts, the user's like and boost, replies and booster", () => {
    const w = world();
    seed(w, 5);
    const views = new Views(w.identity, w.notes, w.actors, () => loadProfile(w.db), () => null, NO_CACHE);
    const page = w.notes.timeline(10, undefined, (list) => views.notes(list), (uri) => views.actor(uri));
    expect(page.entries.map((e) => [e.note.id, e.boostedBy?.uri ?? null])).toEqual([
      ['note100', OTHER], ['note4', null], ['note3', null], ['note2', null], ['note1', null], ['note0', null],
    ]);
    const byId = (id: string) => page.entries.find((e) => e.note.id === id && !e.boostedBy)!.note;
    expect(byId('note1')).toMatchObject({ likeCount: 2, boostCount: 0, replyCount: 2, likedByMe: true, boostedByMe: false });
    expect(byId('note2')).toMatchObject({ likeCount: 1, boostCount: 2, replyCount: 0, likedByMe: false, boostedByMe: true });
    expect(byId('note0')).toMatchObject({ likeCount: 0, boostCount: 0, replyCount: 0, likedByMe: false, boostedByMe: false });
    expect(byId('note3')).toMatchObject({ inReplyTo: `${AUTHOR}/statuses/1`, replyCount: 0 });
    // One note seen alone gets the same figures as on the page.
    expect(views.note(w.notes.byId('note1')!)).toEqual(byId('note1'));
    expect(page.next).toBeNull();
  });

  it('pages by cursor: every entry once, in order', () => {
    const w = world();
    seed(w, 25);
    const views = new Views(w.identity, w.notes, w.actors, () => loadProfile(w.db), () => null, NO_CACHE);
    const seen: string[] = [];
    let before: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = w.notes.timeline(7, before, (list) => views.notes(list), (uri) => views.actor(uri));
      seen.push(...page.entries.map((e) => `${e.note.id}${e.boostedBy ? '+boost' : ''}`));
      if (!page.next) break;
      before = page.next;
    }
    expect(seen).toEqual(['note100+boost', ...Array.from({ length: 25 }, (_, i) => `note${24 - i}`)]);
  });
});
