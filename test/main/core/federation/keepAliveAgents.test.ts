// HttpClient's connections as a server sees them: kept alive and reused for the next request
// to the same origin, at most `idleSocketsMax` idle across all origins (the oldest closed
// first), a kept-alive socket the server dropped replaced by a fresh one, and the SSRF guard
// applied to every new connection of the shared agents.
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { FetchError, HttpClient } from '../../../../src/main/core/federation/httpClient';

interface Counted {
  server: Server;
  url: string;
  /** Every TCP connection the server accepted, in order. */
  sockets: Socket[];
  /** Requests per connection (same order as `sockets`). */
  requests: number[];
  /** Set to drop the connection (no answer) on the nth request of a connection. */
  dropOnNth?: number;
}

const servers: Counted[] = [];
const clients: HttpClient[] = [];

async function counted(address = '127.0.0.1'): Promise<Counted> {
  const c: Counted = { server: createServer(), url: '', sockets: [], requests: [] };
  c.server.on('connection', (s: Socket) => {
    c.sockets.push(s);
    c.requests.push(0);
  });
  c.server.on('request', (req, res) => {
    const i = c.sockets.indexOf(req.socket);
    c.requests[i] = (c.requests[i] ?? 0) + 1;
    if (c.dropOnNth !== undefined && c.requests[i] === c.dropOnNth) {
      req.socket.destroy();
      return;
    }
    req.resume();
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => c.server.listen(0, address, r));
  c.url = `http://${address}:${(c.server.address() as AddressInfo).port}/inbox`;
  servers.push(c);
  return c;
}

function client(o: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  const http = new HttpClient({ allowPrivateNetwork: true, userAgent: 'outpost-test', ...o });
  clients.push(http);
  return http;
}

const opts = { method: 'POST' as const, body: '{"type":"Create"}', timeoutMs: 5000, maxBytes: 1024 };
const closed = (s: Socket) => s.destroyed || new Promise<boolean>((r) => s.once('close', () => r(true)));

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of servers.splice(0)) {
    s.server.closeAllConnections();
    await new Promise((r) => s.server.close(r));
  }
});

describe('HttpClient keep-alive connections', () => {
  it('carries several requests to one server over one connection', async () => {
    const remote = await counted();
    const http = client();
    for (let i = 0; i < 3; i++) expect((await http.request(remote.url, opts)).status).toBe(202);
    expect(remote.sockets).toHaveLength(1);
    expect(remote.requests).toEqual([3]);
  });

  it('reuses one connection for many requests without piling up listeners on it', async () => {
    const remote = await counted();
    const http = client();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 25; i++) await http.request(remote.url, opts);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(remote.requests).toEqual([25]);
    expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
  });

  it('closes the connection after a request that asked for it (connection: close)', async () => {
    const remote = await counted();
    const http = client();
    await http.request(remote.url, { ...opts, headers: { connection: 'close' } });
    expect(await closed(remote.sockets[0]!)).toBe(true);
    expect(http.idleSockets).toBe(0);
    await http.request(remote.url, opts);
    expect(remote.sockets).toHaveLength(2);
  });

  it('keeps at most idleSocketsMax idle connections across servers, closing the oldest first', async () => {
    const remotes = [await counted(), await counted(), await counted(), await counted()];
    const http = client({ idleSocketsMax: 2 });
    for (const r of remotes) expect((await http.request(r.url, opts)).status).toBe(202);
    expect(http.idleSockets).toBe(2);
    // The first two servers' connections are closed by us; the last two stay open for reuse.
    expect(await closed(remotes[0]!.sockets[0]!)).toBe(true);
    expect(await closed(remotes[1]!.sockets[0]!)).toBe(true);
    expect(remotes[2]!.sockets[0]!.destroyed).toBe(false);
    expect(remotes[3]!.sockets[0]!.destroyed).toBe(false);
    await http.request(remotes[3]!.url, opts);
    expect(remotes[3]!.sockets).toHaveLength(1);
    await http.request(remotes[0]!.url, opts);
    expect(remotes[0]!.sockets).toHaveLength(2);
  });

  it('keeps no idle connection with idleSocketsMax 0', async () => {
    const remote = await counted();
    const http = client({ idleSocketsMax: 0 });
    await http.request(remote.url, opts);
    expect(await closed(remote.sockets[0]!)).toBe(true);
    await http.request(remote.url, opts);
    expect(remote.sockets).toHaveLength(2);
    expect(http.idleSockets).toBe(0);
  });

  it('sends again on a fresh connection when a kept-alive one was dropped by the server', async () => {
    const remote = await counted();
    const http = client();
    await http.request(remote.url, opts);
    remote.dropOnNth = 2; // the kept-alive connection dies under the second request
    const res = await http.request(remote.url, opts);
    expect(res.status).toBe(202);
    expect(remote.sockets).toHaveLength(2);
    expect(remote.requests).toEqual([2, 1]);
  });

  it('fails (no endless retry) when fresh connections are dropped too', async () => {
    const remote = await counted();
    const http = client();
    remote.dropOnNth = 1;
    const err = await http.request(remote.url, opts).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect((err as FetchError).kind).toBe('network');
    expect(remote.sockets).toHaveLength(1);
  });

  it('cuts off requests still running when closed after the grace period', async () => {
    const remote = await counted();
    remote.server.removeAllListeners('request');
    remote.server.on('request', () => {}); // never answers
    const http = client();
    const pending = http.request(remote.url, { ...opts, timeoutMs: 60_000 }).then(() => undefined, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    await http.close(100);
    expect(((await pending) as FetchError).kind).toBe('network');
    expect(await closed(remote.sockets[0]!)).toBe(true);
    expect(((await http.request(remote.url, opts).catch((e: unknown) => e)) as FetchError).code).toBe('ECLOSED');
  });
});

/** A name other than 'localhost' that resolves to loopback addresses only, with them, if there is one. */
async function loopbackName(): Promise<{ name: string; addresses: string[] } | undefined> {
  for (const name of [hostname(), 'localhost.localdomain', 'ip6-localhost']) {
    try {
      const addrs = await lookup(name, { all: true });
      if (addrs.length && addrs.every((a) => a.family === 4 && a.address.startsWith('127.'))) return { name, addresses: addrs.map((a) => a.address) };
    } catch {
      /* not resolvable */
    }
  }
  return undefined;
}
const named = await loopbackName();

describe('HttpClient keep-alive agents and the SSRF guard', () => {
  it.skipIf(!named)('refuses a name resolving to a private address on an agent that already holds a connection', async () => {
    // The allowlisted server listens on a loopback address the name does not resolve to.
    const allowed = ['127.0.0.1', '127.0.0.2'].find((a) => !named!.addresses.includes(a))!;
    const remote = await counted(allowed);
    const http = client({ allowPrivateNetwork: false, privateNetworkAllowlist: [allowed] });
    await http.request(remote.url, opts);
    expect(http.idleSockets).toBe(1);
    const port = new URL(remote.url).port;
    const err = (await http.request(`http://${named!.name}:${port}/inbox`, opts).catch((e: unknown) => e)) as FetchError;
    expect(err.kind).toBe('blocked');
    expect(err.code).toBe('EPRIVATEADDR');
    expect(remote.requests).toEqual([1]);
  });

  it('refuses a private IP literal that is not allowlisted, next to an allowlisted kept-alive one', async () => {
    const remote = await counted();
    const http = client({ allowPrivateNetwork: false, privateNetworkAllowlist: ['127.0.0.1'] });
    await http.request(remote.url, opts);
    const port = new URL(remote.url).port;
    const err = (await http.request(`http://127.0.0.2:${port}/inbox`, opts).catch((e: unknown) => e)) as FetchError;
    expect(err.kind).toBe('blocked');
    expect(remote.requests).toEqual([1]);
  });
});

/** A throwaway self-signed certificate for 127.0.0.1 (openssl), or undefined without openssl. */
function selfSigned(): { key: Buffer; cert: Buffer } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const tls = selfSigned();

describe('HttpClient over HTTPS', () => {
  it.skipIf(!tls)('verifies certificates: a self-signed one is refused, nothing is sent', async () => {
    let requests = 0;
    const server = createTlsServer({ key: tls!.key, cert: tls!.cert }, (_req, res) => {
      requests++;
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const http = client();
      const err = (await http.request(`https://127.0.0.1:${(server.address() as AddressInfo).port}/inbox`, opts).catch((e: unknown) => e)) as FetchError;
      expect(err).toBeInstanceOf(FetchError);
      expect(err.kind).toBe('network');
      expect(err.code).toMatch(/SELF_SIGNED|CERT/);
      expect(requests).toBe(0);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
