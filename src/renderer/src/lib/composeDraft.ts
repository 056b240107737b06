// What starting and cancelling a reply do to the composer's draft. A reply starts with the
// author's handle, takes the post's content warning (as "re: …") and at most the post's
// reach; cancelling it takes back exactly what it put in, so no stale mention, content
// warning or "Mentioned only" is left for the next post. Pure: the Composer applies it.
import { VISIBILITIES, type NoteDto, type Visibility } from '../../../shared/dto';
import { atHandle } from './format';

/** What a new post starts with (and the composer returns to after sending), as Mastodon's default. */
export const DEFAULT_VISIBILITY: Visibility = 'public';

export interface Draft {
  text: string;
  cwOpen: boolean;
  cw: string;
  visibility: Visibility;
}

export const EMPTY_DRAFT: Draft = { text: '', cwOpen: false, cw: '', visibility: DEFAULT_VISIBILITY };

/** What a reply put into the draft, to take back on cancel. */
export interface ReplyApplied {
  mention: string | null;
  cw: string | null;
  cwWasOpen: boolean;
  visibilityBefore: Visibility;
  visibility: Visibility;
}

/** The draft for replying to `to`, and what was put in. */
export function applyReply(draft: Draft, to: Pick<NoteDto, 'author' | 'summary' | 'visibility'>): { draft: Draft; applied: ReplyApplied } {
  const mention = to.author.local ? null : `${atHandle(to.author.handle)} `;
  const text = mention && !draft.text.startsWith(mention) ? mention + draft.text : draft.text;
  const cw = to.summary && !draft.cw ? (/^re: /i.test(to.summary) ? to.summary : `re: ${to.summary}`) : null;
  const order = VISIBILITIES as readonly Visibility[];
  // A reply keeps the parent's reach at most: a reply to a direct post is direct.
  const visibility = order.indexOf(to.visibility) > order.indexOf(draft.visibility) ? to.visibility : draft.visibility;
  return {
    draft: { text, cwOpen: draft.cwOpen || cw !== null, cw: cw ?? draft.cw, visibility },
    applied: { mention: mention && text !== draft.text ? mention : null, cw, cwWasOpen: draft.cwOpen, visibilityBefore: draft.visibility, visibility },
  };
}

/** The draft with a cancelled reply's additions taken back (what the user typed besides stays). */
export function withdrawReply(draft: Draft, applied: ReplyApplied): Draft {
  const text = applied.mention && draft.text.startsWith(applied.mention) ? draft.text.slice(applied.mention.length) : draft.text;
  const cwStays = applied.cw === null || draft.cw !== applied.cw;
  return {
    text: text.trim() === '' ? '' : text,
    cw: cwStays ? draft.cw : '',
    cwOpen: cwStays ? draft.cwOpen : applied.cwWasOpen,
    visibility: draft.visibility === applied.visibility ? applied.visibilityBefore : draft.visibility,
  };
}
