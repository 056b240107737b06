// Remote HTML is sanitized before it is stored, with sanitize-html and an allowlist
// close to Mastodon's: text formatting, links (http/https only) and mention/hashtag spans.
import sanitizeHtml from 'sanitize-html';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'a', 'span', 'strong', 'b', 'em', 'i', 'u', 's', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li'],
  allowedAttributes: {
    a: ['href', 'rel', 'class', 'target'],
    span: ['class'],
  },
  allowedClasses: {
    a: ['mention', 'hashtag', 'u-url', 'status-link', 'unhandled-link'],
    span: ['h-card', 'invisible', 'ellipsis', 'mention', 'hashtag'],
  },
  allowedSchemes: ['http', 'https'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object', 'embed', 'template'],
  transformTags: {
    // Every link opens outside, without referrer; only absolute http(s) hrefs are kept
    // (a relative href would resolve against our own origin).
    a: (tagName, attribs) => {
      const { href, ...rest } = attribs;
      const keep = href !== undefined && /^https?:\/\//i.test(href.trim());
      return { tagName, attribs: { ...(keep ? { href: href.trim() } : {}), ...rest, rel: 'nofollow noopener noreferrer', target: '_blank' } };
    },
  },
};

/**
 * Paragraphs of plain text (line breaks as `<br />`), with no other tag, no entity and no
 * `<`, `>` or `&` in the text: a plain post as Mastodon sends it, which the parser gives back
 * unchanged (the test fuzzes this against it), at a fraction of its cost.
 */
const PLAIN_PARAGRAPHS = /^(?:<p>(?:[^<>&]|<br \/>)*<\/p>)+$/;

/** Sanitized HTML safe to store and render. */
export function sanitizeRemoteHtml(html: string): string {
  return PLAIN_PARAGRAPHS.test(html) ? html : parsedRemoteHtml(html);
}

/** sanitizeRemoteHtml by the parser alone, never a fast path (what the fast path is tested against). */
export function parsedRemoteHtml(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}

/**
 * Plain text with every tag removed and entities decoded (names, content warnings): the
 * result is text, not HTML, and must be escaped wherever it is put into HTML.
 */
export function plainText(html: string): string {
  // Without a tag or an entity there is nothing to strip or decode (most names, most empty
  // content warnings): the parser would hand back the same text.
  if (!/[<&]/.test(html)) return html.trim();
  // Text whose only tags are <p> (a plain post once searchableText has spaced its paragraph
  // ends): the parser would only drop them (fuzzed in the test).
  if (/^(?:[^<&]|<p>)*$/.test(html)) return html.replace(/<p>/g, '').trim();
  return parsedPlainText(html);
}

/** plainText by the parser alone, never a fast path (what the fast paths are tested against). */
export function parsedPlainText(html: string): string {
  const stripped = sanitizeHtml(html.replace(/<br\s*\/?>/gi, ' '), { allowedTags: [], allowedAttributes: {} });
  // sanitize-html decodes entities and re-escapes &, <, > and " in its output: undo that.
  return stripped
    .replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!)
    .trim();
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
