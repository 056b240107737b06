// The ActivityStreams alternate of an HTML page: `<link rel="alternate"
// type="application/activity+json" href="…">` in its head, as Mastodon, GoToSocial and
// Pleroma put on post and profile pages. The page is a stranger's bytes: a bounded scan of
// `<link>` tags, attributes in any order and quoting, and only an http(s) href is taken.

/** How much of the page is read for the link: it sits in the head. */
const SCAN_CHARS = 256 * 1024;
const LINK_TAG = /<link\b([^>]{0,2000})>/gi;
const ATTRIBUTE = /([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
const AS_TYPES = ['application/activity+json', 'application/ld+json'];

function decodeEntities(text: string): string {
  return text.replace(/&(amp|quot|#39|apos|lt|gt);/g, (_, e: string) => ({ amp: '&', quot: '"', '#39': "'", apos: "'", lt: '<', gt: '>' })[e]!);
}

/** The absolute http(s) URL of the page's ActivityStreams alternate, or undefined. */
export function alternateActivityLink(html: string, pageUrl: string): string | undefined {
  for (const tag of html.slice(0, SCAN_CHARS).matchAll(LINK_TAG)) {
    const attrs = new Map<string, string>();
    for (const a of tag[1]!.matchAll(ATTRIBUTE)) attrs.set(a[1]!.toLowerCase(), decodeEntities(a[2] ?? a[3] ?? a[4] ?? ''));
    const rel = (attrs.get('rel') ?? '').toLowerCase().split(/\s+/);
    const type = (attrs.get('type') ?? '').toLowerCase();
    const href = attrs.get('href')?.trim();
    if (!href || !rel.includes('alternate') || !AS_TYPES.some((t) => type.startsWith(t))) continue;
    try {
      const url = new URL(href, pageUrl);
      if (url.protocol === 'https:' || url.protocol === 'http:') return url.href;
    } catch {
      // not a URL: look further
    }
  }
  return undefined;
}
