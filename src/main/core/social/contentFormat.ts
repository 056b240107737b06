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

const TOKEN = /(https?:\/\/[^\s<>"]+[^\s<>".,:;!?)\]'])|(?<=^|[\s(])(@[\w.-]+@[a-z0-9.-]+(?::\d{1,5})?)(?=$|[\s).,:;!?])|(?<=^|[\s(])#([\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)/giu;

/** The `@user@host` mentions in a text, lower-cased and deduplicated, in order. */
export function findMentions(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(TOKEN)) if (m[2]) out.add(m[2].slice(1).toLowerCase());
  return [...out];
}

/** The hashtags in a text, lower-cased and deduplicated, without '#'. */
export function findHashtags(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(TOKEN)) if (m[3]) out.add(m[3].toLowerCase());
  return [...out];
}

/** Renders text to HTML. `mentions` maps lower-cased `user@host` to its resolved actor. */
export function renderContent(text: string, mentions: ReadonlyMap<string, MentionRef>, tagUrl: (tag: string) => string): string {
  const paragraphs = text.replace(/\r\n?/g, '\n').trim().split(/\n{2,}/);
  return paragraphs.map((p) => `<p>${renderInline(p, mentions, tagUrl).replace(/\n/g, '<br>')}</p>`).join('');
}

function renderInline(text: string, mentions: ReadonlyMap<string, MentionRef>, tagUrl: (tag: string) => string): string {
  let html = '';
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    html += escapeHtml(text.slice(last, m.index));
    last = m.index! + m[0].length;
    if (m[1]) {
      const url = escapeHtml(m[1]);
      html += `<a href="${url}" rel="nofollow noopener noreferrer" target="_blank">${url}</a>`;
    } else if (m[2]) {
      const ref = mentions.get(m[2].slice(1).toLowerCase());
      const user = m[2].slice(1).split('@')[0]!;
      html += ref?.uri
        ? `<span class="h-card"><a href="${escapeHtml(ref.url ?? ref.uri)}" class="u-url mention">@<span>${escapeHtml(user)}</span></a></span>`
        : escapeHtml(m[2]);
    } else if (m[3]) {
      html += `<a href="${escapeHtml(tagUrl(m[3]))}" class="mention hashtag" rel="tag">#<span>${escapeHtml(m[3])}</span></a>`;
    }
  }
  return html + escapeHtml(text.slice(last));
}
