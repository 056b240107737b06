// Signed fetches of remote objects: one deadline for the whole fetch, redirects included,
// and an object moved to another host is taken when its id is on that host (the
// impersonation tests in test/security cover the id naming another host).
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FederationClient } from '../../../../src/main/core/federation/federationClient';
import { FetchError, HttpClient } from '../../../../src/main/core/federation/httpClient';
import { DEFAULT_LIMITS, DEFAULT_SIGNATURES } from '../../../../src/main/core/config';
import { HostSignatureSpecs } from '../../../../src/main/core/federation/hostSignatureSpecs';
import { freePort } from '../../../../src/main/core/http/httpUtil';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
let server: Server;
let origin = '';
let other = '';
let otherServer: Server;
const http = new HttpClient({ allowPrivateNetwork: true, userAgent: 'test' });
const specs = new HostSignatureSpecs(null, DEFAULT_SIGNATURES, () => DEFAULT_SIGNATURES.preferredSpec);
const client = (fetchTimeoutMs = 2000) => new FederationClient(http, () => ({ keyId: 'https://me.example/u#k', privateKey }), { ...DEFAULT_LIMITS, fetchTimeoutMs }, specs);

async function serve(host: string, handler: (path: string) => { status: number; location?: string; body?: unknown; delayMs?: number }): Promise<[Server, string]> {
  const port = await freePort(host);
  const s = createServer((req, res) => {
    const a = handler(req.url ?? '/');
    setTimeout(() => {
      res.writeHead(a.status, { 'content-type': 'application/activity+json', ...(a.location ? { location: a.location } : {}) });
      res.end(a.body === undefined ? '' : JSON.stringify(a.body));
    }, a.delayMs ?? 0);
  });
  await new Promise<void>((r) => s.listen(port, host, () => r()));
  return [s, `http://${host}:${port}`];
}

beforeAll(async () => {
  [otherServer, other] = await serve('127.0.9.81', (path) => ({ status: 200, body: { id: `${other}${path}`, type: 'Note' } }));
  [server, origin] = await serve('127.0.9.80', (path) => {
    const hop = /^\/slow\/(\d)$/.exec(path);
    if (hop) return Number(hop[1]) < 3 ? { status: 302, location: `/slow/${Number(hop[1]) + 1}`, delayMs: 300 } : { status: 200, body: { id: `${origin}/slow/3`, type: 'Note' } };
    if (path === '/away') return { status: 302, location: `${other}/note` };
    return { status: 200, body: { id: `${origin}${path}`, type: 'Note' } };
  });
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await new Promise((r) => otherServer.close(r));
  await http.close();
});

describe('FederationClient.getActivityJson', () => {
  it('follows redirects within one deadline for the whole fetch', async () => {
    expect((await client(2000).getActivityJson(`${origin}/slow/0`)).id).toBe(`${origin}/slow/3`);
    // Three hops of 300 ms each: under a 700 ms deadline the fetch as a whole times out.
    const err = await client(700).getActivityJson(`${origin}/slow/0`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect((err as FetchError).kind).toBe('timeout');
  });

  it('takes an object redirected to another host when its id is on that host', async () => {
    expect((await client().getActivityJson(`${origin}/away`)).id).toBe(`${other}/note`);
  });
});
