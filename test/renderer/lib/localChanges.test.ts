// A fetch begun before the user changed a note answers with the note as it was: the window
// keeps its own copy of that note, and takes the fetched one for every other note.
import { describe, expect, it } from 'vitest';
import type { NoteDto } from '../../../src/shared/dto';
import { adopt, adoptAll, localClock, noteChangedHere, noteSettledHere } from '../../../src/renderer/src/lib/localChanges';

let n = 0;
const note = (over: Partial<NoteDto> = {}): NoteDto => ({
  id: `n${++n}`, uri: `https://b.example/n${n}`, url: null, author: {
    uri: 'https://b.example/u', handle: 'u@b.example', name: 'U', url: null, iconUrl: null, iconSrc: null, summaryHtml: '', local: false, emojis: [], movedTo: null,
  },
  contentHtml: '<p>hi</p>', summary: null, visibility: 'public', inReplyTo: null, publishedAt: 1, local: false, likedByMe: false, boostedByMe: false,
  likeCount: 0, boostCount: 0, replyCount: 0, mentions: [], hashtags: [], attachments: [], sensitive: false, emojis: [], editedAt: null,
  inReplyToNoteId: null, inReplyToAuthor: null, poll: null, bookmarked: false, source: null, ...over,
});

describe('local changes against fetches', () => {
  it('a fetch begun before a like keeps the liked copy; one begun after takes what it fetched', () => {
    const fetchedEarly = note();
    const before = localClock();
    const liked = { ...fetchedEarly, likedByMe: true, likeCount: 1 };
    noteChangedHere(liked);
    expect(adopt(fetchedEarly, before)).toBe(liked);
    const after = localClock();
    const fetchedLate = { ...fetchedEarly, likeCount: 2, likedByMe: true };
    expect(adopt(fetchedLate, after)).toBe(fetchedLate);
  });

  it('the server answering the change counts as a change: a fetch that raced the request keeps the copy', () => {
    const original = note();
    noteChangedHere({ ...original, bookmarked: true });
    const raced = localClock(); // begun after the click, answered before the server stored it
    expect(adopt(original, raced)).toBe(original);
    noteSettledHere(original.id);
    expect(adopt(original, raced).bookmarked).toBe(true);
    noteSettledHere('never-changed'); // nothing to settle: no change
    expect(adopt(note(), raced).bookmarked).toBe(false);
  });

  it('adoptAll replaces only the changed notes of a list, passes entries without a note, and returns the same list when nothing changed', () => {
    const [a, b] = [note(), note()];
    const since = localClock();
    const list = [{ cursor: '1', note: a }, { cursor: '2', note: b }, { cursor: '3', note: null }];
    expect(adoptAll(list, since)).toBe(list);
    noteChangedHere({ ...b, likedByMe: true });
    const out = adoptAll(list, since);
    expect(out[0]).toBe(list[0]);
    expect(out[1]).toEqual({ cursor: '2', note: { ...b, likedByMe: true } });
    expect(out[2]).toBe(list[2]);
  });

  it('remembers a bounded number of notes, dropping the longest unchanged', () => {
    const first = note();
    const since = localClock();
    noteChangedHere({ ...first, likedByMe: true });
    for (let i = 0; i < 500; i += 1) noteChangedHere(note({ likedByMe: true }));
    expect(adopt(first, since)).toBe(first);
  });
});
