// Starting and cancelling a reply in the composer: what a reply puts in is taken back on
// cancel, so the next post carries no stale mention, content warning or narrowed reach.
import { describe, expect, it } from 'vitest';
import { applyReply, EMPTY_DRAFT, withdrawReply } from '../../../src/renderer/src/lib/composeDraft';
import type { ActorSummary, NoteDto } from '../../../src/shared/dto';

const bob: ActorSummary = { uri: 'https://b.example/users/bob', handle: 'bob@b.example', name: 'Bob', url: null, iconUrl: null, iconSrc: null, summaryHtml: '', local: false, emojis: [] };
const post = (over: Partial<NoteDto> = {}) => ({ author: bob, summary: null, visibility: 'public' as const, ...over });

describe('a reply in the composer', () => {
  it('starts with the author\'s handle, the post\'s content warning as "re: …" and at most its reach', () => {
    const { draft } = applyReply(EMPTY_DRAFT, post({ summary: 'spoilers', visibility: 'direct' }));
    expect(draft).toEqual({ text: '@bob@b.example ', cwOpen: true, cw: 're: spoilers', visibility: 'direct' });
    expect(applyReply(EMPTY_DRAFT, post({ summary: 'Re: x' })).draft.cw).toBe('Re: x');
    expect(applyReply({ ...EMPTY_DRAFT, visibility: 'followers' }, post({ visibility: 'unlisted' })).draft.visibility).toBe('followers');
    expect(applyReply(EMPTY_DRAFT, post({ author: { ...bob, local: true } })).draft.text).toBe('');
  });

  it('cancelled, leaves no stale mention, content warning or "Mentioned only" (the reported bug)', () => {
    const start = EMPTY_DRAFT;
    const { draft, applied } = applyReply(start, post({ summary: 'spoilers', visibility: 'direct' }));
    expect(withdrawReply(draft, applied)).toEqual(EMPTY_DRAFT);
  });

  it('cancelled, keeps what the user wrote or changed themselves', () => {
    const { draft, applied } = applyReply({ ...EMPTY_DRAFT, text: 'draft' }, post({ summary: 'spoilers', visibility: 'direct' }));
    expect(draft.text).toBe('@bob@b.example draft');
    const typed = { ...draft, text: `${draft.text} and more`, cw: 'my own warning', visibility: 'followers' as const };
    expect(withdrawReply(typed, applied)).toEqual({ text: 'draft and more', cw: 'my own warning', cwOpen: true, visibility: 'followers' });
  });

  it('switching to another reply swaps the first one\'s additions for the second\'s', () => {
    const first = applyReply(EMPTY_DRAFT, post({ summary: 'a', visibility: 'direct' }));
    const carol = { ...bob, uri: 'https://c.example/users/carol', handle: 'carol@c.example' };
    const second = applyReply(withdrawReply(first.draft, first.applied), post({ author: carol }));
    expect(second.draft).toEqual({ text: '@carol@c.example ', cwOpen: false, cw: '', visibility: 'public' });
  });
});
