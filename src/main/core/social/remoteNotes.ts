// Reads a remote Note (as Mastodon, Misskey, GoToSocial or Pleroma send it) into a record.
import type { NoteRecord } from './noteRepository';
import { visibilityOf } from './addressing';
import { asArray, hostOf, idOf, idsOf, str, typeOf, type Json } from '../federation/activityStreams';
import { plainText, sanitizeRemoteHtml } from '../federation/sanitize';
import { DEFAULT_MEDIA, DEFAULT_POLLS, type PollConfig } from '../config';
import { parsePoll } from './pollDocuments';
import { parseAttachments, parseEmojis, type MediaLimits } from '../federation/as2Media';

/** Object types we store as notes. */
export const NOTE_TYPES = new Set(['Note', 'Article', 'Page', 'Question']);

export class NoteParseError extends Error {}

export function parseRemoteNote(
  obj: Json, id: string, authorFollowers: string | null, now: number,
  polls: Pick<PollConfig, 'maxRemoteOptions' | 'maxOptionChars'> = DEFAULT_POLLS, media: MediaLimits = DEFAULT_MEDIA,
): NoteRecord {
  const uri = str(obj.id);
  const type = typeOf(obj);
  if (!uri || !type || !NOTE_TYPES.has(type)) throw new NoteParseError('not a note');
  const authorUri = idOf(obj.attributedTo) ?? idsOf(obj.attributedTo)[0];
  if (!authorUri) throw new NoteParseError('note has no attributedTo');
  if (hostOf(authorUri) !== hostOf(uri)) throw new NoteParseError('note and author are on different hosts');
  const to = idsOf(obj.to);
  const cc = idsOf(obj.cc);
  const tags = asArray<Json>(obj.tag).filter((t) => t && typeof t === 'object');
  const contentMap = obj.contentMap && typeof obj.contentMap === 'object' ? Object.values(obj.contentMap as Json)[0] : undefined;
  let content = str(obj.content) ?? str(contentMap) ?? '';
  if (type === 'Article' || type === 'Page') {
    const name = str(obj.name);
    const link = str(obj.url) ?? uri;
    if (name) content = `<p><a href="${link}">${name}</a></p>` + content;
  }
  const published = Date.parse(str(obj.published) ?? '');
  const updated = Date.parse(str(obj.updated) ?? '');
  const summary = plainText(str(obj.summary) ?? '');
  const urlValue = asArray(obj.url)[0];
  const url = str(urlValue) ?? (urlValue && typeof urlValue === 'object' ? str((urlValue as Json).href) : undefined) ?? null;
  const { attachments, anySensitive } = parseAttachments(obj.attachment, media);
  return {
    id,
    uri,
    authorUri,
    local: false,
    contentHtml: sanitizeRemoteHtml(content),
    summary: summary || null,
    visibility: visibilityOf(to, cc, authorFollowers),
    inReplyTo: idOf(obj.inReplyTo) ?? null,
    url: url && /^https?:\/\//.test(url) ? url : null,
    to,
    cc,
    mentions: tags
      .filter((t) => typeOf(t) === 'Mention' && typeof t.href === 'string')
      .map((t) => ({ href: t.href as string, name: str(t.name) ?? (t.href as string) })),
    hashtags: tags
      .filter((t) => typeOf(t) === 'Hashtag' && typeof t.name === 'string')
      .map((t) => (t.name as string).replace(/^#/, '').toLowerCase()),
    publishedAt: Number.isNaN(published) ? now : Math.min(published, now),
    updatedAt: Number.isNaN(updated) ? null : Math.min(updated, now),
    source: null,
    poll: parsePoll(obj, polls, now),
    attachments,
    emojis: parseEmojis(obj.tag, media),
    sensitive: obj.sensitive === true || anySensitive,
  };
}
