// A post or profile URL a person pasted: content negotiation first, else the page's
// `<link rel="alternate" type="application/activity+json">`, and the origin rule after.
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alternateActivityLink } from '../../../../src/main/core/federation/alternateLink';
import { FederationClient } from '../../../../src/main/core/federation/federationClient';
import { FetchError, HttpClient } from '../../../../src/main/core/federation/httpClient';
import { DEFAULT_LIMITS, DEFAULT_SIGNATURES } from '../../../../src/main/core/config';
import { HostSignatureSpecs } from '../../../../src/main/core/federation/hostSignatureSpecs';
import { freePort } from '../../../../src/main/core/http/httpUtil';

describe('alternateActivityLink', () => {
  const page = 'https://social.example/@bob/1';
  it('finds the link whatever the attribute order and quoting, resolving a relative href', () => {
    expect(alternateActivityLink('<head><link rel="alternate" type="application/activity+json" href="https://social.example/users/bob/statuses/1"></head>', page))
      .toBe('https://social.example/users/bob/statuses/1');
    expect(alternateActivityLink(`<link href='/objects/9' type='application/activity+json; charset=utf-8' rel='alternate nofollow'>`, page))
      .toBe('https://social.example/objects/9');
    expect(alternateActivityLink('<LINK TYPE=application/ld+json REL=alternate HREF=/n/2>', page)).toBe('https://social.example/n/2');
    expect(alternateActivityLink('<link rel="alternate" type="application/activity+json" href="/a?x=1&amp;y=2">', page)).toBe('https://social.example/a?x=1&y=2');
  });

  it('takes nothing but an http(s) alternate of an ActivityStreams type', () => {
    for (const html of [
      '<link rel="alternate" type="application/activity+json" href="javascript:alert(1)">',
      '<link rel="alternate" type="application/rss+xml" href="/feed">',
      '<link rel="stylesheet" type="application/activity+json" href="/x">',
      '<a rel="alternate" type="application/activity+json" href="/x">',
      '<link rel="alternate" type="application/activity+json">',
      '',
      '<link rel="alternate" type="application/activity+json" href="http://[bad">',
    ]) expect(alternateActivityLink(html, page), html).toBeUndefined();
  });
});

describe('FederationClient.getActivityJsonFromPage', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const http = new HttpClient({ allowPrivateNetwork: true, userAgent: 'test' });
  const client = new FederationClient(http, () => ({ keyId: 'https://me.example/u#k', privateKey }), DEFAULT_LIMITS,
    new HostSignatureSpecs(null, DEFAULT_SIGNATURES, () => DEFAULT_SIGNATURES.preferredSpec));
  let server: Server;
  let origin = '';
  let other: Server;
  let otherOrigin = '';
  const accepts: string[] = [];

  beforeAll(async () => {
    const port = await freePort('127.0.9.90');
    origin = `http://127.0.9.90:${port}`;
    const otherPort = await freePort('127.0.9.91');
    otherOrigin = `http://127.0.9.91:${otherPort}`;
    server = createServer((req, res) => {
      accepts.push(String(req.headers.accept));
      const html = (body: string) => {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html><head>${body}</head><body>page</body></html>`);
      };
      switch (req.url) {
        case '/@bob/1': return html(`<link rel="alternate" type="application/activity+json" href="${origin}/objects/1">`);
        case '/@bob/2': return html('<title>no alternate</title>');
        case '/@bob/3': return html(`<link rel="alternate" type="application/activity+json" href="${otherOrigin}/impostor">`);
        case '/objects/1':
          res.writeHead(200, { 'content-type': 'application/activity+json' });
          return res.end(JSON.stringify({ id: `${origin}/objects/1`, type: 'Note' }));
        case '/negotiated':
          res.writeHead(200, { 'content-type': 'application/activity+json' });
          return res.end(JSON.stringify({ id: `${origin}/objects/5`, type: 'Note' }));
      }
      res.writeHead(404).end();
    });
    other = createServer((_req, res) => {
      // Claims to be an object of the first server: the origin rule refetches it from there.
      res.writeHead(200, { 'content-type': 'application/activity+json' });
      res.end(JSON.stringify({ id: `${origin}/objects/666`, type: 'Note' }));
    });
    await new Promise<void>((r) => server.listen(port, '127.0.9.90', () => r()));
    await new Promise<void>((r) => other.listen(otherPort, '127.0.9.91', () => r()));
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await new Promise((r) => other.close(r));
    await http.close();
  });

  it('asks for ActivityStreams first and takes a negotiated answer as it is', async () => {
    expect((await client.getActivityJsonFromPage(`${origin}/negotiated`)).id).toBe(`${origin}/objects/5`);
    expect(accepts.at(-1)).toMatch(/^application\/activity\+json/);
  });

  it('follows an HTML page to its ActivityStreams alternate', async () => {
    expect((await client.getActivityJsonFromPage(`${origin}/@bob/1`)).id).toBe(`${origin}/objects/1`);
  });

  it('refuses a page without an alternate, and an alternate that speaks for another host', async () => {
    const none = await client.getActivityJsonFromPage(`${origin}/@bob/2`).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(FetchError);
    expect((none as FetchError).message).toMatch(/without an ActivityPub object/);
    const impostor = await client.getActivityJsonFromPage(`${origin}/@bob/3`).catch((e: unknown) => e);
    expect(impostor).toBeInstanceOf(FetchError);
  });
});
