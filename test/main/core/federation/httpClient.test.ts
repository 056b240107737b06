import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FetchError, HttpClient, isPrivateAddress, type FetchErrorKind } from '../../../../src/main/core/federation/httpClient';

const MiB = 1024 * 1024;

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1'], ['127.255.0.9'], ['10.1.2.3'], ['172.16.0.1'], ['172.31.255.255'], ['192.168.1.1'], ['169.254.169.254'],
    ['100.64.0.1'], ['0.0.0.0'], ['224.0.0.1'], ['255.255.255.255'], ['192.0.2.10'], ['198.51.100.7'], ['203.0.113.1'],
  ])('IPv4 %s is private', (a) => expect(isPrivateAddress(a)).toBe(true));

  it.each([
    ['::1'], ['::'], ['0:0:0:0:0:0:0:1'], ['fe80::1'], ['FE80::abcd'], ['fc00::1'], ['fd12:3456::1'], ['ff02::1'], ['fec0::1'], ['2001:db8::1'],
  ])('IPv6 %s is private', (a) => expect(isPrivateAddress(a)).toBe(true));

  it.each([
    ['::ffff:127.0.0.1'], ['::FFFF:10.0.0.1'], ['::ffff:7f00:1'], ['::ffff:a9fe:a9fe'], ['0:0:0:0:0:ffff:7f00:1'],
    ['::127.0.0.1'], // deprecated IPv4-compatible
    ['64:ff9b::127.0.0.1'], ['64:ff9b::a00:1'], ['64:ff9b:1::7f00:1'], // NAT64 of private IPv4
    ['2002:7f00:1::1'], ['2002:c0a8:101::'], // 6to4 of private IPv4
  ])('IPv4 hidden in IPv6 %s is private', (a) => expect(isPrivateAddress(a)).toBe(true));

  it.each([
    ['8.8.8.8'], ['1.1.1.1'], ['93.184.216.34'], ['172.32.0.1'], ['192.169.0.1'], ['100.128.0.1'],
    ['2001:4860::8888'], ['2001:4860:4860::8888'], ['2a00:1450:4001::200e'], ['::ffff:8.8.8.8'], ['64:ff9b::808:808'], ['2002:808:808::1'],
  ])('public %s is not private', (a) => expect(isPrivateAddress(a)).toBe(false));

  it('treats what is not an IP address as private', () => {
    expect(isPrivateAddress('example.com')).toBe(true);
    expect(isPrivateAddress('')).toBe(true);
  });
});

// ---- a real loopback server ----------------------------------------------------------------

interface Loopback {
  server: Server;
  port: number;
  hits: string[];
}

function handler(hits: string[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    hits.push(`${req.method} ${req.url} ${req.headers['user-agent'] ?? ''}`);
    const path = req.url ?? '/';
    if (path === '/ok') {
      res.writeHead(200, { 'content-type': 'application/activity+json' }).end('{"ok":true}');
    } else if (path === '/missing') {
      res.writeHead(404).end('nope');
    } else if (path === '/redirect') {
      res.writeHead(302, { location: '/ok' }).end();
    } else if (path === '/big-with-length') {
      res.writeHead(200, { 'content-length': String(2 * MiB) }).end(Buffer.alloc(2 * MiB, 'a'));
    } else if (path === '/big-chunked') {
      res.writeHead(200); // no Content-Length: chunked
      const piece = Buffer.alloc(64 * 1024, 'b');
      let sent = 0;
      const more = () => {
        while (sent < 2 * MiB) {
          sent += piece.length;
          if (!res.write(piece)) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    } else if (path === '/exactly-1mib') {
      res.writeHead(200).end(Buffer.alloc(MiB, 'c'));
    } else if (path === '/hang') {
      // never answers
    } else if (path === '/drip') {
      res.writeHead(200);
      const t = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(t));
    } else {
      res.writeHead(500).end();
    }
  };
}

async function listenOn(host: string): Promise<Loopback | undefined> {
  const hits: string[] = [];
  const server = createServer(handler(hits));
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
  } catch {
    return undefined; // e.g. no IPv6 loopback here
  }
  return { server, port: (server.address() as AddressInfo).port, hits };
}

async function closeLoopback(l: Loopback | undefined): Promise<void> {
  if (!l) return;
  l.server.closeAllConnections();
  await new Promise((r) => l.server.close(r));
}

async function fetchError(p: Promise<unknown>): Promise<FetchError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(FetchError);
    return err as FetchError;
  }
  throw new Error('request succeeded');
}

async function expectKind(p: Promise<unknown>, kind: FetchErrorKind): Promise<FetchError> {
  const err = await fetchError(p);
  expect(err.kind, err.message).toBe(kind);
  return err;
}

/** A name other than 'localhost' that this machine resolves to loopback only, if there is one. */
async function loopbackName(): Promise<string | undefined> {
  for (const name of [hostname(), 'localhost.localdomain', 'ip6-localhost']) {
    try {
      const addrs = await lookup(name, { all: true });
      if (addrs.length && addrs.every((a) => a.family === 4 && a.address.startsWith('127.'))) return name;
    } catch {
      /* not resolvable */
    }
  }
  return undefined;
}

const v4 = await listenOn('127.0.0.1');
const v6 = await listenOn('::1');
const dnsLoopback = await loopbackName();
const opts = { timeoutMs: 5000, maxBytes: MiB };

describe('HttpClient SSRF guard (allowPrivateNetwork: false)', () => {
  let client: HttpClient;
  beforeAll(() => {
    client = new HttpClient({ allowPrivateNetwork: false, userAgent: 'outpost-test' });
  });
  afterAll(async () => {
    await client.close();
  });

  it('refuses loopback IP literals and localhost names without sending anything', async () => {
    const port = v4!.port;
    for (const url of [
      `http://127.0.0.1:${port}/ok`, `http://localhost:${port}/ok`, `http://LOCALHOST:${port}/ok`, `http://localhost.:${port}/ok`,
      `http://sub.localhost:${port}/ok`, `http://[::ffff:127.0.0.1]:${port}/ok`, `http://2130706433:${port}/ok`,
      `http://0x7f.1:${port}/ok`, `http://0:${port}/ok`,
    ]) {
      await expectKind(client.request(url, opts), 'blocked');
    }
    expect(v4!.hits).toEqual([]);
  });

  it.skipIf(!v6)('refuses http://[::1] without sending anything', async () => {
    await expectKind(client.request(`http://[::1]:${v6!.port}/ok`, opts), 'blocked');
    expect(v6!.hits).toEqual([]);
  });

  it.skipIf(!dnsLoopback)('refuses a hostname that resolves to loopback, checking the resolved address', async () => {
    const err = await expectKind(client.request(`http://${dnsLoopback}:${v4!.port}/ok`, opts), 'blocked');
    expect(err.code).toBe('EPRIVATEADDR');
    expect(v4!.hits).toEqual([]);
  });

  it('refuses URLs it cannot or must not fetch as invalid', async () => {
    await expectKind(client.request('not a url', opts), 'invalid');
    await expectKind(client.request('ftp://example.com/x', opts), 'invalid');
    await expectKind(client.request('file:///etc/passwd', opts), 'invalid');
    await expectKind(client.request('https://user:pw@example.com/', opts), 'invalid');
  });
});

describe('HttpClient against loopback (allowPrivateNetwork: true)', () => {
  let client: HttpClient;
  beforeAll(() => {
    client = new HttpClient({ allowPrivateNetwork: true, userAgent: 'outpost-test/1' });
  });
  afterAll(async () => {
    await client.close();
  });

  it('fetches from 127.0.0.1 and localhost, sending the user agent', async () => {
    const before = v4!.hits.length;
    for (const host of ['127.0.0.1', 'localhost']) {
      const res = await client.request(`http://${host}:${v4!.port}/ok`, opts);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('{"ok":true}');
      expect(res.headers['content-type']).toBe('application/activity+json');
    }
    expect(v4!.hits.slice(before)).toEqual(['GET /ok outpost-test/1', 'GET /ok outpost-test/1']);
  });

  it.skipIf(!v6)('fetches from [::1]', async () => {
    expect((await client.request(`http://[::1]:${v6!.port}/ok`, opts)).status).toBe(200);
    expect(v6!.hits).toHaveLength(1);
  });

  it.skipIf(!dnsLoopback)('fetches from a hostname that resolves to loopback', async () => {
    expect((await client.request(`http://${dnsLoopback}:${v4!.port}/ok`, opts)).status).toBe(200);
  });

  it('returns error statuses and redirects as responses, without following', async () => {
    expect((await client.request(`http://127.0.0.1:${v4!.port}/missing`, opts)).status).toBe(404);
    const before = v4!.hits.length;
    const res = await client.request(`http://127.0.0.1:${v4!.port}/redirect`, opts);
    expect(res.status).toBe(302);
    expect(v4!.hits.length - before).toBe(1);
  });

  it('accepts a body of exactly maxBytes', async () => {
    expect((await client.request(`http://127.0.0.1:${v4!.port}/exactly-1mib`, opts)).body.length).toBe(MiB);
  });

  it('refuses 2 MiB announced by Content-Length when the cap is 1 MiB', async () => {
    const err = await expectKind(client.request(`http://127.0.0.1:${v4!.port}/big-with-length`, opts), 'too_large');
    expect(err.status).toBe(200);
  });

  it('refuses 2 MiB streamed without Content-Length when the cap is 1 MiB', async () => {
    await expectKind(client.request(`http://127.0.0.1:${v4!.port}/big-chunked`, opts), 'too_large');
  });

  it('times out on a server that never answers, within the deadline', async () => {
    const started = Date.now();
    await expectKind(client.request(`http://127.0.0.1:${v4!.port}/hang`, { timeoutMs: 300, maxBytes: MiB }), 'timeout');
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2000);
  });

  it('times out on a body that trickles in forever: the deadline covers the whole response', async () => {
    const started = Date.now();
    await expectKind(client.request(`http://127.0.0.1:${v4!.port}/drip`, { timeoutMs: 300, maxBytes: MiB }), 'timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reports a refused connection as a network error', async () => {
    const closed = await listenOn('127.0.0.1');
    const port = closed!.port;
    await closeLoopback(closed);
    await expectKind(client.request(`http://127.0.0.1:${port}/ok`, opts), 'network');
  });
});

afterAll(async () => {
  await closeLoopback(v4);
  await closeLoopback(v6);
});
