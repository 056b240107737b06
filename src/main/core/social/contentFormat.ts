// Turns what the user typed into the note's HTML: paragraphs, line breaks, links,
// mentions (h-card spans as Mastodon renders them) and hashtags. Everything else is escaped.
import { escapeHtml } from '../federation/sanitize';

export interface MentionRef {
  /** `@user@host` as typed (without the leading @ normalised). */
  handle: string;
  /** Resolved actor URI and profile URL, or undefined when it could not be resolved. */
  uri?: string;
  url?: string;
}

// 1: a URL (trailing punctuation is trimmed in code, so balanced parentheses survive).
// 2: `@user@host[:port]`, not preceded by a word character or '/' (so e-mail addresses and
//    URL paths are not mentions); the host ends in a letter or digit, so a sentence's full
//    stop is not part of it.
// 3: `#tag` with at least one letter, not preceded by a word character, '/' or ')' (as Mastodon).
const TOKEN = new RegExp(
  String.raw`(https?:\/\/[^\s<>"]+)` +
    String.raw`|(?<![\p{L}\p{N}_\/])@([\w.-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::\d{1,5})?)(?![\p{L}\p{N}_@-])` +
    String.raw`|(?<![\p{L}\p{M}\p{N}_\/)])#([\p{N}\p{M}_]*\p{L}[\p{L}\p{M}\p{N}_]*)`,
  'giu',
);

type Token =
  | { kind: 'url'; start: number; end: number; url: string }
  | { kind: 'mention'; start: number; end: number; handle: string }
  | { kind: 'hashtag'; start: number; end: number; tag: string };

/** Drops punctuation that ends a sentence rather than the URL; keeps balanced ) and ]. */
function trimUrl(url: string): string {
  const count = (s: string, c: string) => s.split(c).length - 1;
  for (;;) {
    const last = url.at(-1)!;
    if (/[.,:;!?'*]/.test(last)) url = url.slice(0, -1);
    else if (last === ')' && count(url, ')') > count(url, '(')) url = url.slice(0, -1);
    else if (last === ']' && count(url, ']') > count(url, '[')) url = url.slice(0, -1);
    else return url;
  }
}

function* tokens(text: string): Generator<Token> {
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index!;
    if (m[1]) {
      const url = trimUrl(m[1]);
      if (url.length <= url.indexOf('//') + 2) continue; // nothing after the scheme
      yield { kind: 'url', start, end: start + url.length, url };
    } else if (m[2]) {
      yield { kind: 'mention', start, end: start + m[0].length, handle: m[2] };
    } else if (m[3]) {
      yield { kind: 'hashtag', start, end: start + m[0].length, tag: m[3] };
    }
  }
}

/** The `@user@host` mentions in a text, lower-cased and deduplicated, in order. */
export function findMentions(text: string): string[] {
  const out = new Set<string>();
  for (const t of tokens(text)) if (t.kind === 'mention') out.add(t.handle.toLowerCase());
  return [...out];
}

/** The hashtags in a text, lower-cased and deduplicated, without '#'. */
export function findHashtags(text: string): string[] {
  const out = new Set<string>();
  for (const t of tokens(text)) if (t.kind === 'hashtag') out.add(t.tag.toLowerCase());
  return [...out];
}

/** Renders text to HTML. `mentions` maps lower-cased `user@host` to its resolved actor. */
export function renderContent(text: string, mentions: ReadonlyMap<string, MentionRef>, tagUrl: (tag: string) => string): string {
  // A blank line (possibly holding only spaces) separates paragraphs.
  const paragraphs = text.replace(/\r\n?/g, '\n').trim().split(/\n[ \t]*\n\s*/);
  return paragraphs.map((p) => `<p>${renderInline(p, mentions, tagUrl).replace(/\n/g, '<br>')}</p>`).join('');
}

function renderInline(text: string, mentions: ReadonlyMap<string, MentionRef>, tagUrl: (tag: string) => string): string {
  let html = '';
  let last = 0;
  for (const t of tokens(text)) {
    html += escapeHtml(text.slice(last, t.start));
    last = t.end;
    switch (t.kind) {
      case 'url': {
        const url = escapeHtml(t.url);
        html += `<a href="${url}" rel="nofollow noopener noreferrer" target="_blank">${url}</a>`;
        break;
      }
      case 'mention': {
        const ref = mentions.get(t.handle.toLowerCase());
        const user = t.handle.split('@')[0]!;
        html += ref?.uri
          ? `<span class="h-card"><a href="${escapeHtml(ref.url ?? ref.uri)}" class="u-url mention">@<span>${escapeHtml(user)}</span></a></span>`
          : escapeHtml(text.slice(t.start, t.end));
        break;
      }
      case 'hashtag':
        html += `<a href="${escapeHtml(tagUrl(t.tag))}" class="mention hashtag" rel="tag">#<span>${escapeHtml(t.tag)}</span></a>`;
        break;
    }
  }
  return html + escapeHtml(text.slice(last));
}

/** The URL a profile field's value links to, if it is one. */
export function fieldLink(value: string): string | undefined {
  const text = value.trim();
  return /^https?:\/\/[^\s<>"]+$/i.test(text) ? text : undefined;
}

/**
 * A profile field's value as HTML: a URL becomes a link marked rel="me" (so the linked
 * site can say the profile is its owner's, and Mastodon can show it verified), with the
 * scheme hidden as Mastodon renders it; anything else is escaped text.
 */
export function renderFieldValue(value: string): string {
  const link = fieldLink(value);
  if (!link) return escapeHtml(value.trim());
  const scheme = link.slice(0, link.indexOf('//') + 2);
  return `<a href="${escapeHtml(link)}" target="_blank" rel="me nofollow noopener noreferrer"><span class="invisible">${escapeHtml(scheme)}</span><span>${escapeHtml(link.slice(scheme.length))}</span></a>`;
}
