// Attachments and custom emoji in the shapes servers send them:
// - Mastodon, GoToSocial: `{type: Document|Image|Video|Audio, mediaType, url: "…", name, blurhash, width, height}`
// - Pleroma/Akkoma: `url: [{type: Link, href, mediaType}]`
// - Misskey: `Document` with `sensitive` per file, `name` null when it has no alt text
// - Pixelfed: `Image` with `url` a string, `name` as alt text, `blurhash`, `width`, `height`
// Emoji (all of them): `tag: [{type: Emoji, name: ":code:", icon: {type: Image, url}}]`.
// Only http(s) URLs are kept; text fields are plain text, capped.
import type { AttachmentKind } from '../../../shared/dto';
import { asArray, str, typeOf, type Json } from './activityStreams';
import { plainText } from './sanitize';

export interface AttachmentRecord {
  kind: AttachmentKind;
  mediaType: string | null;
  url: string;
  description: string | null;
  blurhash: string | null;
  width: number | null;
  height: number | null;
  /** Our own uploads: the file in media/ (remote attachments have none). */
  file?: string;
}

export interface EmojiRecord {
  shortcode: string;
  url: string;
}

export interface MediaLimits {
  remoteAttachmentsMax: number;
  remoteEmojisMax: number;
  descriptionMaxChars: number;
}

const TYPE_KIND: Record<string, AttachmentKind> = { Image: 'image', Video: 'video', Audio: 'audio' };
const BLURHASH = /^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{6,120}$/;
const SHORTCODE = /^[A-Za-z0-9_+-]{1,64}$/;
const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]{1,80}$/i;

const httpUrl = (v: unknown): string | undefined => {
  const s = str(v)?.trim();
  return s && /^https?:\/\/[^\s]+$/i.test(s) && s.length <= 4096 ? s : undefined;
};
const dimension = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 100_000 ? v : null);

/** The first http(s) URL of a `url` value (a string, a Link, or a list of them) and its media type. */
function firstUrl(value: unknown): { url: string; mediaType?: string } | undefined {
  for (const item of asArray<unknown>(value)) {
    const direct = httpUrl(item);
    if (direct) return { url: direct };
    if (item && typeof item === 'object') {
      const link = item as Json;
      const href = httpUrl(link.href) ?? httpUrl(link.url);
      if (href) return { url: href, mediaType: str(link.mediaType) };
    }
  }
  return undefined;
}

/** A note's attachments, and whether any of them was marked sensitive on its own (Misskey). */
export function parseAttachments(value: unknown, limits: MediaLimits): { attachments: AttachmentRecord[]; anySensitive: boolean } {
  const attachments: AttachmentRecord[] = [];
  let anySensitive = false;
  for (const item of asArray<unknown>(value)) {
    if (attachments.length >= limits.remoteAttachmentsMax) break;
    if (!item || typeof item !== 'object') continue;
    const a = item as Json;
    const found = firstUrl(a.url) ?? firstUrl(a.href);
    if (!found) continue;
    const declared = str(a.mediaType) ?? found.mediaType;
    const mediaType = declared && MEDIA_TYPE.test(declared) ? declared.toLowerCase() : null;
    const top = mediaType?.split('/')[0];
    const kind: AttachmentKind = top === 'image' || top === 'video' || top === 'audio' ? top : (TYPE_KIND[typeOf(a) ?? ''] ?? 'unknown');
    const name = plainText(str(a.name) ?? str(a.summary) ?? '');
    const blurhash = str(a.blurhash);
    if (a.sensitive === true) anySensitive = true;
    attachments.push({
      kind, mediaType, url: found.url,
      description: name ? [...name].slice(0, limits.descriptionMaxChars).join('') : null,
      blurhash: blurhash && BLURHASH.test(blurhash) ? blurhash : null,
      width: dimension(a.width), height: dimension(a.height),
    });
  }
  return { attachments, anySensitive };
}

/** Custom emoji of a `tag` list (first of each shortcode wins). */
export function parseEmojis(tags: unknown, limits: Pick<MediaLimits, 'remoteEmojisMax'>): EmojiRecord[] {
  const out = new Map<string, EmojiRecord>();
  for (const item of asArray<unknown>(tags)) {
    if (out.size >= limits.remoteEmojisMax) break;
    if (!item || typeof item !== 'object' || typeOf(item) !== 'Emoji') continue;
    const t = item as Json;
    const shortcode = (str(t.name) ?? '').trim().replace(/^:|:$/g, '');
    const icon = asArray<unknown>(t.icon)[0];
    const url = icon && typeof icon === 'object' ? firstUrl((icon as Json).url)?.url : httpUrl(icon);
    if (!SHORTCODE.test(shortcode) || !url || out.has(shortcode)) continue;
    out.set(shortcode, { shortcode, url });
  }
  return [...out.values()];
}
