import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/main/core/store/database';
import { LinkVerifier, relMeLinks } from '../../../../src/main/core/social/linkVerifier';
import { DEFAULT_PEOPLE } from '../../../../src/main/core/config';
import { FetchError } from '../../../../src/main/core/federation/httpClient';

describe('rel="me" links in a page', () => {
  it('finds <a> and <link> with rel containing "me", in any attribute order and quoting, resolved against the page', () => {
    const html = `<link href="https://a.example/@me" rel="me">
      <a rel='noopener me' class=x href=/users/me>x</a>
      <A HREF="https://b.example/?a=1&amp;b=2" REL="ME">y</A>
      <a rel="meh" href="https://c.example/no">no</a>
      <a href="https://d.example/no">no rel</a>
      <a rel="me">no href</a>
      <a data-x="rel=me href=https://e.example/no" href="https://f.example/no">attribute values are not attributes</a>`;
    expect(relMeLinks(html, 'https://site.example/page')).toEqual([
      'https://a.example/@me', 'https://site.example/users/me', 'https://b.example/?a=1&b=2',
    ]);
  });
});

describe('LinkVerifier', () => {
  const owner = { profileUri: 'https://o.example/users/me', profileUrls: ['https://o.example/users/me', 'https://o.example/@me'], links: [] as string[] };

  function verifier(pages: Record<string, string | Error>, now = () => 1000) {
    const fetched: string[] = [];
    const client = {
      getPage: async (url: string) => {
        fetched.push(url);
        const page = pages[url];
        if (page === undefined) throw new FetchError(`GET ${url} answered 404`, 'http', 404);
        if (page instanceof Error) throw page;
        return { body: page, url, contentType: 'text/html' };
      },
    };
    return { v: new LinkVerifier(openDatabase(':memory:'), client, DEFAULT_PEOPLE, undefined, now), fetched };
  }

  it('verifies a page linking back to the profile URL (trailing slash and fragment aside), not one linking elsewhere', async () => {
    const { v } = verifier({
      'https://blog.example/': '<a rel="me" href="https://o.example/@me/#x">me</a>',
      'https://other.example/': '<a rel="me" href="https://o.example/@someone-else">them</a>',
      'https://down.example/': new FetchError('down.example timed out', 'timeout'),
    });
    await v.verifyAll({ ...owner, links: ['https://blog.example/', 'https://other.example/', 'https://down.example/', 'https://missing.example/'] });
    expect(v.verifiedAt(owner.profileUri, 'https://blog.example/')).toBe(1000);
    expect(v.verifiedAt(owner.profileUri, 'https://other.example/')).toBeNull();
    expect(v.verifiedAt(owner.profileUri, 'https://down.example/')).toBeNull();
    expect(v.cached(owner.profileUri, 'https://missing.example/')).toEqual({ verified: false, checkedAt: 1000 });
  });

  it('reuses a check for its TTL, and checks at most linksVerifiedPerProfile links of one profile', async () => {
    let t = 1000;
    const links = Array.from({ length: 10 }, (_, i) => `https://l${i}.example/`);
    const { v, fetched } = verifier(Object.fromEntries(links.map((l) => [l, ''])), () => t);
    await v.verifyAll({ ...owner, links });
    expect(fetched).toHaveLength(DEFAULT_PEOPLE.linksVerifiedPerProfile);
    await v.verifyAll({ ...owner, links });
    expect(fetched).toHaveLength(DEFAULT_PEOPLE.linksVerifiedPerProfile);
    t += DEFAULT_PEOPLE.linkVerificationTtlMs;
    await v.verifyAll({ ...owner, links });
    expect(fetched).toHaveLength(2 * DEFAULT_PEOPLE.linksVerifiedPerProfile);
  });
});
