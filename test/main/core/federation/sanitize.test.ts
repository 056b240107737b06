import { describe, expect, it } from 'vitest';
import { escapeHtml, parsedPlainText, parsedRemoteHtml, plainText, sanitizeRemoteHtml } from '../../../../src/main/core/federation/sanitize';

const REL = 'rel="nofollow noopener noreferrer"';

/** Every <a> in the output carries the forced rel and target. */
function expectSafeLinks(html: string): void {
  for (const a of html.match(/<a\b[^>]*>/g) ?? []) {
    expect(a).toContain(REL);
    expect(a).toContain('target="_blank"');
  }
}

describe('sanitizeRemoteHtml: what is removed', () => {
  it('drops script, style, iframe and similar elements with their content', () => {
    const out = sanitizeRemoteHtml(
      '<p>hi<script>alert(1)</script></p><style>p{color:red}</style><iframe src="https://x.example"></iframe>' +
        '<object data="x"></object><embed src="x"><noscript>ns</noscript><template>t</template><textarea>ta</textarea>',
    );
    expect(out).toBe('<p>hi</p>');
  });

  it('drops unknown elements but keeps their text', () => {
    expect(sanitizeRemoteHtml('<div><h1>Title</h1><img src="x" onerror="alert(1)"><font>f</font></div>')).toBe('Titlef');
    expect(sanitizeRemoteHtml('<svg><script>alert(1)</script><a href="javascript:x">s</a></svg>ok')).not.toMatch(/script|javascript|<svg/i);
  });

  it('strips on* handlers and style attributes', () => {
    const out = sanitizeRemoteHtml('<p style="position:fixed" onclick="x()" onmouseover="y()">t</p><span style="x" onload="z">s</span>');
    expect(out).toBe('<p>t</p><span>s</span>');
  });

  it('removes javascript:, data:, vbscript: and other non-http(s) hrefs, however disguised', () => {
    for (const href of [
      'javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java&#x09;script:alert(1)', '&#106;avascript:alert(1)',
      'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'ftp://x.example/f', 'mailto:a@b.c',
      '//evil.example/', '/relative/path', 'relative', '#frag',
    ]) {
      const out = sanitizeRemoteHtml(`<a href="${href}">x</a>`);
      expect(out, href).not.toContain('href');
      expectSafeLinks(out);
    }
  });

  it('removes classes outside the allowlist and attributes outside it', () => {
    const out = sanitizeRemoteHtml('<a href="https://x.example/" class="mention evil" id="i" data-x="1" title="t">m</a><span class="h-card bad">s</span>');
    expect(out).toBe(`<a href="https://x.example/" class="mention" ${REL} target="_blank">m</a><span class="h-card">s</span>`);
  });
});

describe('sanitizeRemoteHtml: what is kept', () => {
  it('keeps paragraphs, line breaks and text formatting', () => {
    expect(sanitizeRemoteHtml('<p>a<br>b</p><p><strong>s</strong> <em>e</em> <code>c</code></p><blockquote>q</blockquote><ul><li>i</li></ul>'))
      .toBe('<p>a<br />b</p><p><strong>s</strong> <em>e</em> <code>c</code></p><blockquote>q</blockquote><ul><li>i</li></ul>');
  });

  it('keeps http and https links, forcing rel and target', () => {
    const out = sanitizeRemoteHtml('<a href="https://x.example/a?b=1&amp;c=2" rel="me" target="_self">x</a> <a href="http://y.example/">y</a>');
    expect(out).toContain('href="https://x.example/a?b=1&amp;c=2"');
    expect(out).toContain('href="http://y.example/"');
    expect(out).not.toContain('rel="me"');
    expect(out).not.toContain('_self');
    expectSafeLinks(out);
    expect(out.match(/<a /g)).toHaveLength(2);
  });

  it('forces rel and target on links that had none', () => {
    expect(sanitizeRemoteHtml('<a href="https://x.example/">x</a>')).toBe(`<a href="https://x.example/" ${REL} target="_blank">x</a>`);
  });

  it('keeps Mastodon mention and hashtag markup', () => {
    const mention = '<span class="h-card"><a href="https://b.example/@alice" class="u-url mention">@<span>alice</span></a></span>';
    const out = sanitizeRemoteHtml(`<p>${mention} <a href="https://b.example/tags/cats" class="mention hashtag" rel="tag">#<span>cats</span></a></p>`);
    expect(out).toContain('<span class="h-card"><a href="https://b.example/@alice" class="u-url mention"');
    expect(out).toContain('@<span>alice</span></a></span>');
    expect(out).toContain('class="mention hashtag"');
    expect(out).toContain('#<span>cats</span>');
    expectSafeLinks(out);
  });

  it('keeps Mastodon link shortening spans', () => {
    expect(sanitizeRemoteHtml('<span class="invisible">https://</span><span class="ellipsis">x.example/long</span>'))
      .toBe('<span class="invisible">https://</span><span class="ellipsis">x.example/long</span>');
  });

  it('keeps text escaped', () => {
    expect(sanitizeRemoteHtml('<p>1 &lt; 2 &amp; 3 &gt; 2</p>')).toBe('<p>1 &lt; 2 &amp; 3 &gt; 2</p>');
  });
});

describe('plainText', () => {
  it('removes every tag, keeping the text', () => {
    expect(plainText('<p>Hello <b>bold</b> <a href="https://x.example/">world</a></p>')).toBe('Hello bold world');
  });

  it('drops script and style content entirely', () => {
    expect(plainText('A<script>alert(1)</script><style>p{}</style>B')).toBe('AB');
  });

  it('returns text, not HTML: entities are decoded once', () => {
    expect(plainText('Tom &amp; Jerry')).toBe('Tom & Jerry');
    expect(plainText('a &lt;b&gt; &quot;c&quot; &#39;d&#39;')).toBe(`a <b> "c" 'd'`);
    expect(plainText('Tom & Jerry <3')).toBe('Tom & Jerry <3');
    // Double-escaped input stays escaped once: no second decoding.
    expect(plainText('&amp;lt;')).toBe('&lt;');
  });

  it('gives text without tags or entities back as it is, trimmed (quotes, >, control characters and all)', () => {
    for (const text of ['', '  Zoë  ', 'a "quoted" > b', "it's\u0000\u0001 x", '\ud83d\ude00 \u2028']) {
      expect(plainText(text)).toBe(text.trim());
    }
  });

  it('turns line breaks into spaces and trims', () => {
    expect(plainText('  <p>one<br>two</p>  ')).toBe('one two');
  });

  it('round-trips through escapeHtml as the original text', () => {
    const name = `Zoë "the <coder>" & co`;
    expect(plainText(escapeHtml(name))).toBe(name);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
  });

  it('leaves other text, including unicode, alone', () => {
    expect(escapeHtml('héllo 日本 👍 #tag @a')).toBe('héllo 日本 👍 #tag @a');
    expect(escapeHtml('')).toBe('');
  });
});

describe('fast paths: the same answer as the parser', () => {
  // Random strings from pieces that sit at the edges of the fast paths' patterns (seeded, so a failure repeats).
  const PIECES = ['a', 'b', ' ', '\n', '\r', '\t', '"', "'", '>', '<', '&', 'é', '\u0000', '\u00a0', '\ud83d\ude00', '=', '/', '\\',
    '<p>', '</p>', '<br />', '<br>', '<br/>', '<P>', 'p>', '</', '<p', '&amp;', '&lt;', '&#39;', '\u2028', '\ufeff', '\u0085', '<a href="https://x.example">', '</a>'];
  function* strings(seed: number, count: number, wrap: boolean): Generator<string> {
    let x = seed;
    const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < count; i++) {
      let s = wrap ? '<p>' : '';
      for (let n = 1 + Math.floor(next() * 12); n > 0; n--) s += PIECES[Math.floor(next() * PIECES.length)];
      yield wrap && next() < 0.8 ? `${s}</p>` : s;
    }
  }

  it('sanitizeRemoteHtml: plain paragraphs come back as the parser gives them (it takes the fast path for thousands of them)', () => {
    let plain = 0;
    for (const html of strings(7, 30_000, true)) {
      if (/^(?:<p>(?:[^<>&]|<br \/>)*<\/p>)+$/.test(html)) plain++;
      expect(sanitizeRemoteHtml(html), JSON.stringify(html)).toBe(parsedRemoteHtml(html));
    }
    expect(plain).toBeGreaterThan(1500);
    expect(sanitizeRemoteHtml('<p>one</p><p>two<br />three</p>')).toBe('<p>one</p><p>two<br />three</p>');
  });

  it('plainText: text with <p> tags only comes back as the parser gives it', () => {
    let paragraphs = 0;
    for (const html of strings(11, 30_000, false)) {
      if (html.includes('<p>') && /^(?:[^<&]|<p>)*$/.test(html)) paragraphs++;
      expect(plainText(html), JSON.stringify(html)).toBe(parsedPlainText(html));
    }
    expect(paragraphs).toBeGreaterThan(400);
  });
});
