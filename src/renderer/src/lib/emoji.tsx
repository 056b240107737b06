// Custom emoji: `:shortcode:` in text becomes a small picture from the instance's media
// cache — only for shortcodes the post or account declared, and only from the cache. When
// the picture cannot be had, the shortcode stays as text.
import { useState, type ReactNode } from 'react';
import type { EmojiDto } from '../../../shared/dto';
import { mediaSrc } from './media';

export function EmojiImage({ emoji }: { emoji: EmojiDto }) {
  const [failed, setFailed] = useState(false);
  const src = mediaSrc(emoji.src);
  const text = `:${emoji.shortcode}:`;
  if (!src || failed) return <>{text}</>;
  return <img className="emoji" src={src} alt={text} title={text} draggable={false} onError={() => setFailed(true)} />;
}

/** Text with its declared custom emoji as pictures. */
export function withEmojis(text: string, emojis: readonly EmojiDto[] | undefined): ReactNode {
  if (!emojis || emojis.length === 0 || !text.includes(':')) return text;
  const byCode = new Map(emojis.map((e) => [e.shortcode, e]));
  const parts: ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(/:([A-Za-z0-9_+-]{1,64}):/g)) {
    const emoji = byCode.get(m[1]!);
    if (!emoji) continue;
    if (m.index! > last) parts.push(text.slice(last, m.index));
    parts.push(<EmojiImage key={`${m.index}`} emoji={emoji} />);
    last = m.index! + m[0].length;
  }
  if (parts.length === 0) return text;
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}
