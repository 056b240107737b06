// The reachability check against small loopback servers (127.0.4.x).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { checkReachability, ReachabilityMonitor, type ReachabilityReport } from '../../../../src/main/core/tunnel/reachability';
import { freePort } from '../../../support/outpost';

const IP = '127.0.4.30';
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

async function serve(answer: (path: string, headers: IncomingHttpHeaders) => { status: number; type?: string; body: string; delayMs?: number }): Promise<string> {
  const port = await freePort(IP);
  server = createServer((req, res) => {
    const a = answer(req.url ?? '/', req.headers);
    setTimeout(() => {
      res.writeHead(a.status, { 'content-type': a.type ?? 'application/activity+json' });
      res.end(a.body);
    }, a.delayMs ?? 0);
  });
  await new Promise<void>((r) => server!.listen(port, IP, () => r()));
  return `http://${IP}:${port}`;
}

describe('checkReachability', () => {
  it('fetches the actor as a remote server would and checks it is ours', async () => {
    let seen: IncomingHttpHeaders = {};
    const origin = await serve((path, headers) => {
      seen = headers;
      return { status: 200, body: JSON.stringify({ id: `http://${headers.host}${path}`, type: 'Person' }), delayMs: 60 };
    });
    const report = await checkReachability(`${origin}/users/alice`, { now: () => 42 });
    expect(report).toMatchObject({ reachable: true, checkedAt: 42, error: null });
    // The server answers after 60 ms: the latency covers the round trip, in milliseconds.
    expect(report.latencyMs).toBeGreaterThanOrEqual(55);
    expect(seen.accept).toContain('application/activity+json');
    expect(seen['bypass-tunnel-reminder']).toBe('1');
    expect(seen.cookie).toBeUndefined();
  });

  it('is not reachable when something else answers at the address', async () => {
    const origin = await serve((path) => {
      if (path === '/users/html') return { status: 200, type: 'text/html', body: '<html>Friendly reminder</html>' };
      if (path === '/users/other') return { status: 200, body: JSON.stringify({ id: 'https://elsewhere.example/users/other' }) };
      return { status: 404, body: '{}' };
    });
    const html = await checkReachability(`${origin}/users/html`);
    expect(html).toMatchObject({ reachable: false, latencyMs: null });
    expect(html.error).toContain('did not answer with JSON (text/html)');
    expect((await checkReachability(`${origin}/users/other`)).error).toContain('is someone else');
    expect((await checkReachability(`${origin}/users/none`)).error).toBe(`HTTP 404 from ${origin}/users/none`);
  });

  it('reports a refused connection and a timeout', async () => {
    const port = await freePort(IP);
    const refused = await checkReachability(`http://${IP}:${port}/users/alice`);
    expect(refused).toMatchObject({ reachable: false, latencyMs: null });
    expect(refused.error).toContain('ECONNREFUSED');
    const origin = await serve(() => ({ status: 200, body: '{}', delayMs: 2_000 }));
    const slow = await checkReachability(`${origin}/users/alice`, { timeoutMs: 200 });
    expect(slow).toMatchObject({ reachable: false, error: 'no answer within 0.2 s' });
  });
});

describe('ReachabilityMonitor', () => {
  it('checks at start, then every interval, until stopped', async () => {
    let hits = 0;
    const origin = await serve((path, headers) => {
      hits++;
      return { status: 200, body: JSON.stringify({ id: `http://${headers.host}${path}` }) };
    });
    const monitor = new ReachabilityMonitor({ actorUri: () => `${origin}/users/alice`, intervalMs: 50 });
    const reports: ReachabilityReport[] = [];
    monitor.on('report', (r) => reports.push(r));
    monitor.start();
    monitor.start();
    const deadline = Date.now() + 5_000;
    while (reports.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    monitor.stop();
    expect(reports.length).toBeGreaterThanOrEqual(3);
    expect(reports.every((r) => r.reachable)).toBe(true);
    expect(monitor.last?.reachable).toBe(true);
    const after = hits;
    await new Promise((r) => setTimeout(r, 200));
    expect(hits).toBeLessThanOrEqual(after + 1); // at most a check already under way
    // checkNow works while stopped and joins a check under way.
    const [a, b] = await Promise.all([monitor.checkNow(), monitor.checkNow()]);
    expect(a).toBe(b);
  });
});
