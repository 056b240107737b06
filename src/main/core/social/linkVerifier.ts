// Verified profile links, as Mastodon shows them: a profile field's link counts as the
// account owner's when the linked page links back to the profile with rel="me". Outpost
// checks its own fields (when they change, and every ownLinksRecheckMs) and the fields of
// profiles the user opens (each check reused for linkVerificationTtlMs). Every page is
// fetched through the guarded client (SSRF guard, redirects re-checked, size and time caps).
import type { Db } from '../store/database';
import type { PeopleConfig } from '../config';
import type { FederationClient } from '../federation/federationClient';
import type { Logger } from '../logger';

/** The hrefs of `<a>` and `<link>` elements whose rel names "me", resolved against `base`. */
export function relMeLinks(html: string, base: string): string[] {
  const out: string[] = [];
  for (const tag of html.matchAll(/<(a|link)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi)) {
    const attrs = attributesOf(tag[2] ?? '');
    const rel = attrs.get('rel');
    const href = attrs.get('href');
    if (!rel || !href || !rel.toLowerCase().split(/\s+/).includes('me')) continue;
    try {
      out.push(new URL(decodeEntities(href), base).href);
    } catch {
      // not a URL: ignored
    }
  }
  return out;
}

function attributesOf(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of text.matchAll(/([^\s=/"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    if (!attrs.has(name)) attrs.set(name, m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

function decodeEntities(text: string): string {
  return text.replace(/&(amp|quot|#39|lt|gt);/g, (_, e: string) => ({ amp: '&', quot: '"', '#39': "'", lt: '<', gt: '>' })[e]!);
}

/** A URL compared loosely: scheme and host case, a trailing slash and the fragment do not matter. */
function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      const url = new URL(u);
      url.hash = '';
      return url.href.replace(/\/$/, '');
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

export interface LinkCheck {
  verified: boolean;
  checkedAt: number;
}

/** The account whose links are checked: its actor URI, the URLs a page may link back to, its links. */
export interface LinkOwner {
  profileUri: string;
  profileUrls: string[];
  links: string[];
}

export class LinkVerifier {
  private readonly stmts;
  private timer: NodeJS.Timeout | undefined;
  /** Checks under way, so one link is fetched once however many ask. */
  private readonly running = new Map<string, Promise<LinkCheck>>();

  constructor(
    db: Db,
    private readonly client: Pick<FederationClient, 'getPage'>,
    private readonly config: Pick<PeopleConfig, 'linksVerifiedPerProfile' | 'linkFetchTimeoutMs' | 'linkFetchMaxBytes' | 'linkVerificationTtlMs' | 'ownLinksRecheckMs'>,
    private readonly log?: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.stmts = {
      get: db.prepare<[string, string], { verified: number; checked_at: number }>(
        'SELECT verified, checked_at FROM link_verifications WHERE profile_uri = ? AND link = ?'),
      put: db.prepare(`INSERT INTO link_verifications (profile_uri, link, verified, checked_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (profile_uri, link) DO UPDATE SET verified = excluded.verified, checked_at = excluded.checked_at`),
      links: db.prepare<[string], { link: string }>('SELECT link FROM link_verifications WHERE profile_uri = ?'),
      forget: db.prepare<[string, string]>('DELETE FROM link_verifications WHERE profile_uri = ? AND link = ?'),
    };
  }

  /** The last check of a link, if any. */
  cached(profileUri: string, link: string): LinkCheck | undefined {
    const r = this.stmts.get.get(profileUri, link);
    return r ? { verified: r.verified === 1, checkedAt: r.checked_at } : undefined;
  }

  /** When a link was found to link back (its last check), or null. */
  verifiedAt(profileUri: string, link: string): number | null {
    const c = this.cached(profileUri, link);
    return c?.verified ? c.checkedAt : null;
  }

  /**
   * Checks the owner's links whose last check is older than `maxAgeMs` (at most
   * linksVerifiedPerProfile of them); resolves when done. Failures count as not verified.
   */
  async verifyAll(owner: LinkOwner, maxAgeMs = this.config.linkVerificationTtlMs): Promise<void> {
    const links = [...new Set(owner.links)].slice(0, this.config.linksVerifiedPerProfile);
    await Promise.all(links.map((link) => {
      const c = this.cached(owner.profileUri, link);
      if (c && this.now() - c.checkedAt < maxAgeMs) return undefined;
      return this.check(owner, link);
    }));
  }

  /** Checks one link now (fetching its page) and records the answer. */
  check(owner: LinkOwner, link: string): Promise<LinkCheck> {
    const key = `${owner.profileUri} ${link}`;
    let p = this.running.get(key);
    if (!p) {
      p = this.fetchAndCheck(owner, link).finally(() => this.running.delete(key));
      this.running.set(key, p);
    }
    return p;
  }

  private async fetchAndCheck(owner: LinkOwner, link: string): Promise<LinkCheck> {
    let verified = false;
    try {
      const page = await this.client.getPage(link, { maxBytes: this.config.linkFetchMaxBytes, timeoutMs: this.config.linkFetchTimeoutMs });
      if (/html/i.test(page.contentType) || page.contentType === '') {
        verified = relMeLinks(page.body, page.url).some((href) => owner.profileUrls.some((u) => sameUrl(href, u)));
      }
    } catch (err) {
      this.log?.info(`profile link ${link} could not be checked: ${err instanceof Error ? err.message : String(err)}`);
    }
    const check = { verified, checkedAt: this.now() };
    this.stmts.put.run(owner.profileUri, link, verified ? 1 : 0, check.checkedAt);
    return check;
  }

  /**
   * Checks the owner's own links now (forgetting checks of links no longer listed), and
   * again every ownLinksRecheckMs until stop().
   */
  startOwnChecks(owner: () => LinkOwner): void {
    this.stop();
    const run = () => {
      const o = owner();
      for (const { link } of this.stmts.links.all(o.profileUri)) if (!o.links.includes(link)) this.stmts.forget.run(o.profileUri, link);
      void this.verifyAll(o, 0);
    };
    run();
    this.timer = setInterval(run, this.config.ownLinksRecheckMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
