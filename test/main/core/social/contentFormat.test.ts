import { describe, expect, it } from 'vitest';
import { findHashtags, findMentions, renderContent, type MentionRef } from '../../../../src/main/core/social/contentFormat';

const tagUrl = (tag: string) => `https://me.example/tags/${encodeURIComponent(tag.toLowerCase())}`;
const alice: MentionRef = { handle: 'alice@b.example', uri: 'https://b.example/users/alice', url: 'https://b.example/@alice' };
const resolved = new Map<string, MentionRef>([['alice@b.example', alice]]);
const none = new Map<string, MentionRef>();
const render = (text: string, mentions: ReadonlyMap<string, MentionRef> = none) => renderContent(text, mentions, tagUrl);

const link = (url: string) => `<a href="${url}" rel="nofollow noopener noreferrer" target="_blank">${url}</a>`;
const aliceLink = '<span class="h-card"><a href="https://b.example/@alice" class="u-url mention">@<span>alice</span></a></span>';
const tagLink = (shown: string) => `<a href="${tagUrl(shown)}" class="mention hashtag" rel="tag">#<span>${shown}</span></a>`;

describe('renderContent: paragraphs and escaping', () => {
  it('wraps text in a paragraph', () => {
    expect(render('hello world')).toBe('<p>hello world</p>');
  });

  it('splits paragraphs on blank lines and turns single newlines into <br>', () => {
    expect(render('one\ntwo\n\nthree')).toBe('<p>one<br>two</p><p>three</p>');
  });

  it('treats CRLF like LF and a line of only spaces as a blank line', () => {
    expect(render('a\r\n\r\nb\r\nc')).toBe('<p>a</p><p>b<br>c</p>');
    expect(render('a\n   \nb')).toBe('<p>a</p><p>b</p>');
    expect(render('\n\n  a\n\n\n\nb  \n\n')).toBe('<p>a</p><p>b</p>');
  });

  it('escapes < > & " and \' so typed HTML shows as text', () => {
    expect(render(`<script>alert("x") && 'y'</script>`)).toBe(
      '<p>&lt;script&gt;alert(&quot;x&quot;) &amp;&amp; &#39;y&#39;&lt;/script&gt;</p>',
    );
    expect(render('<img src=x onerror=alert(1)>')).not.toContain('<img');
  });
});

describe('renderContent: links', () => {
  it('links http and https URLs', () => {
    expect(render('see https://x.example/a/b and http://y.example')).toBe(
      `<p>see ${link('https://x.example/a/b')} and ${link('http://y.example')}</p>`,
    );
  });

  it('leaves trailing sentence punctuation out of the link', () => {
    for (const p of ['.', ',', ':', ';', '!', '?', ')', "'"]) {
      expect(render(`go to https://x.example/page${p}`)).toBe(`<p>go to ${link('https://x.example/page')}${p === "'" ? '&#39;' : p}</p>`);
    }
    expect(render('(https://x.example/a).')).toBe(`<p>(${link('https://x.example/a')}).</p>`);
    expect(render('end https://x.example/a...')).toBe(`<p>end ${link('https://x.example/a')}...</p>`);
  });

  it('keeps balanced parentheses that belong to the URL', () => {
    expect(render('https://en.example/wiki/Foo_(bar)')).toBe(`<p>${link('https://en.example/wiki/Foo_(bar)')}</p>`);
  });

  it('escapes & and quotes inside the href', () => {
    expect(render('https://x.example/?a=1&b=2')).toBe(`<p>${link('https://x.example/?a=1&amp;b=2')}</p>`);
    expect(render('"https://x.example/q"')).toBe(`<p>&quot;${link('https://x.example/q')}&quot;</p>`);
  });

  it('does not link other schemes', () => {
    const html = render('javascript:alert(1) ftp://x.example/f');
    expect(html).not.toContain('<a');
  });
});

describe('mentions', () => {
  it('finds @user@host mentions, lower-cased and deduplicated, in order', () => {
    expect(findMentions('hi @Alice@B.example and @bob@c.example, @alice@b.example again')).toEqual([
      'alice@b.example', 'bob@c.example',
    ]);
  });

  it('keeps a port, for instances not on 443', () => {
    expect(findMentions('@bob@127.0.0.1:8737 hi')).toEqual(['bob@127.0.0.1:8737']);
  });

  it('does not take the full stop that ends a sentence into the host', () => {
    expect(findMentions('Thanks @alice@b.example.')).toEqual(['alice@b.example']);
    expect(render('Thanks @alice@b.example.', resolved)).toBe(`<p>Thanks ${aliceLink}.</p>`);
  });

  it('links a resolved mention as an h-card to the profile URL', () => {
    expect(render('hi @alice@b.example!', resolved)).toBe(`<p>hi ${aliceLink}!</p>`);
    expect(render('(@Alice@B.Example)', resolved)).toBe(`<p>(${aliceLink.replace('<span>alice</span>', '<span>Alice</span>')})</p>`);
  });

  it('falls back to the actor URI when there is no profile URL', () => {
    const m = new Map([['alice@b.example', { handle: 'alice@b.example', uri: 'https://b.example/users/alice' }]]);
    expect(render('@alice@b.example', m)).toContain('href="https://b.example/users/alice"');
  });

  it('leaves an unresolved mention as escaped text', () => {
    expect(render('hi @bob@c.example', resolved)).toBe('<p>hi @bob@c.example</p>');
    const unresolved = new Map([['bob@c.example', { handle: 'bob@c.example' }]]);
    expect(render('hi @bob@c.example', unresolved)).toBe('<p>hi @bob@c.example</p>');
  });

  it('does not treat e-mail addresses or URL paths as mentions', () => {
    expect(findMentions('write to a@b.c or bob@example.com')).toEqual([]);
    expect(findMentions('x@alice@b.example')).toEqual([]);
    expect(render('a@b.c', resolved)).toBe('<p>a@b.c</p>');
    expect(findMentions('https://b.example/@alice@b.example')).toEqual([]);
  });
});

describe('hashtags', () => {
  it('finds hashtags, lower-cased and deduplicated, without #', () => {
    expect(findHashtags('#Hello world #hello #Fediverse')).toEqual(['hello', 'fediverse']);
  });

  it('accepts unicode letters and digits after a letter', () => {
    expect(findHashtags('#日本語 #café #Ünïcödé #a1 #1a #snake_case')).toEqual(['日本語', 'café', 'ünïcödé', 'a1', '1a', 'snake_case']);
    // A decomposed é (e + combining accent) stays in the tag.
    expect(findHashtags('#cafe\u0301')).toEqual(['cafe\u0301']);
  });

  it('does not make a hashtag of a number', () => {
    expect(findHashtags('issue #123 and #4_5')).toEqual([]);
    expect(render('issue #123')).toBe('<p>issue #123</p>');
  });

  it('does not find hashtags inside URLs or words', () => {
    expect(findHashtags('https://x.org/#frag')).toEqual([]);
    expect(findHashtags('x.org/#frag and C#sharp')).toEqual([]);
    expect(render('https://x.org/#frag')).toBe(`<p>${link('https://x.org/#frag')}</p>`);
  });

  it('links hashtags to tagUrl, showing them as typed', () => {
    expect(render('I like #Cats.')).toBe(`<p>I like ${tagLink('Cats')}.</p>`);
    expect(render('(#日本語)')).toBe(`<p>(${tagLink('日本語')})</p>`);
    expect(render('#a\n#b')).toBe(`<p>${tagLink('a')}<br>${tagLink('b')}</p>`);
  });
});

describe('everything together', () => {
  it('renders a realistic note', () => {
    const text = 'Hey @alice@b.example, look: https://x.example/p?q=1&r=2.\n\nSo <cool> #Fediverse & #日本語!';
    expect(render(text, resolved)).toBe(
      `<p>Hey ${aliceLink}, look: ${link('https://x.example/p?q=1&amp;r=2')}.</p>` +
        `<p>So &lt;cool&gt; ${tagLink('Fediverse')} &amp; ${tagLink('日本語')}!</p>`,
    );
    expect(findMentions(text)).toEqual(['alice@b.example']);
    expect(findHashtags(text)).toEqual(['fediverse', '日本語']);
  });
});
