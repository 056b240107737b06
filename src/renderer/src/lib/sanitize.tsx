// Renders server-sanitized note HTML as React elements, sanitizing again on the way: the
// markup is parsed by DOMParser (an inert document: no scripts run, no images load) and
// walked, and only a small allowlist of elements and attributes becomes React output.
// Nothing is ever handed to innerHTML.
import { createElement, Fragment, type ReactNode } from 'react';
import { routeHash } from './route';
import type { EmojiDto } from '../../../shared/dto';
import { withEmojis } from './emoji';

/** Elements kept as they are. */
const KEEP = new Set(['p', 'br', 'a', 'span', 'strong', 'em', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'del']);
/** Equivalent elements rendered as an allowed one. */
const RENAME: Record<string, string> = { b: 'strong', i: 'em', s: 'del', strike: 'del', u: 'span' };
/** Elements dropped together with everything inside them. */
const DROP = new Set([
  'script', 'style', 'iframe', 'frame', 'frameset', 'object', 'embed', 'template', 'noscript', 'textarea', 'select',
  'option', 'title', 'head', 'svg', 'math', 'canvas', 'audio', 'video', 'img', 'picture', 'source', 'link', 'meta', 'base',
  'form', 'input', 'button',
]);
/** Classes with a meaning for note markup (mentions, hashtags, Mastodon's shortened links). */
const CLASSES = new Set(['mention', 'hashtag', 'h-card', 'u-url', 'invisible', 'ellipsis']);
/** Blocks that get dir="auto": each paragraph takes the direction of its own text (RTL and LTR mixed). */
const DIRECTIONAL = new Set(['p', 'li', 'blockquote', 'pre']);
/** Deepest nesting rendered: deeper content is flattened to text. */
const MAX_DEPTH = 32;

/** The href if it is an absolute http(s) URL, else undefined. */
export function safeHref(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function classesOf(el: Element): string | undefined {
  const kept = (el.getAttribute('class') ?? '').split(/\s+/).filter((c) => CLASSES.has(c));
  return kept.length > 0 ? kept.join(' ') : undefined;
}

function walk(node: Node, key: number, depth: number, emojis: readonly EmojiDto[]): ReactNode {
  if (node.nodeType === Node.TEXT_NODE) return createElement(Fragment, { key }, withEmojis(node.textContent ?? '', emojis));
  if (node.nodeType !== Node.ELEMENT_NODE) return null; // comments, processing instructions
  const el = node as Element;
  const name = el.localName.toLowerCase();
  if (DROP.has(name)) return null;
  if (depth > MAX_DEPTH) return el.textContent;
  const children = (): ReactNode[] => Array.from(el.childNodes, (c, i) => walk(c, i, depth + 1, emojis));
  const tag = KEEP.has(name) ? name : RENAME[name];
  // Anything else (div, h1, table, custom elements…) is unwrapped: its text survives.
  if (!tag) return createElement(Fragment, { key }, ...children());
  if (tag === 'br') return createElement('br', { key });
  const props: Record<string, unknown> = { key, className: classesOf(el), ...(DIRECTIONAL.has(tag) ? { dir: 'auto' } : {}) };
  if (tag === 'a') {
    // A hashtag link (Mastodon marks it, Misskey only spells it) opens the tag's timeline here.
    const hashtag = /^#([\p{L}\p{M}\p{N}_]{1,100})$/u.exec((el.textContent ?? '').trim());
    if (hashtag) {
      return createElement('a', { key, className: 'hashtag', href: routeHash({ view: 'tag', arg: hashtag[1]!.toLowerCase() }) }, ...children());
    }
    const href = safeHref(el.getAttribute('href'));
    if (!href) return createElement('span', { key, className: props.className }, ...children());
    Object.assign(props, { href, target: '_blank', rel: 'noopener noreferrer nofollow', title: href });
  }
  return createElement(tag, props, ...children());
}

/**
 * React elements for sanitized note HTML (content, bio). Pictures come only from `emojis`
 * (declared custom emoji, served from the instance's cache): an <img> in the HTML never renders.
 */
export function renderNoteHtml(html: string, emojis: readonly EmojiDto[] = []): ReactNode {
  if (!html) return null;
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html');
  return createElement(Fragment, null, ...Array.from(doc.body.childNodes, (c, i) => walk(c, i, 0, emojis)));
}

/** The visible text of note HTML (for excerpts, titles, aria labels). */
export function htmlToText(html: string): string {
  if (!html) return '';
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}`, 'text/html');
  for (const el of Array.from(doc.body.querySelectorAll('script, style, template, noscript, iframe'))) el.remove();
  for (const el of Array.from(doc.body.querySelectorAll('br'))) el.replaceWith(' ');
  for (const el of Array.from(doc.body.querySelectorAll('p, li, blockquote, pre'))) el.append(' ');
  return (doc.body.textContent ?? '').replace(/\s+/g, ' ').trim();
}
