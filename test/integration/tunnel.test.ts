// The real localtunnel client against a loopback localtunnel server (test/support/
// localtunnelServer.ts): a remote reaches a real Outpost only through the tunnel URL.
//
//   FakeRemote 127.0.4.20 ──HTTP──▶ tunnel server public port 127.0.4.1 ──tunnel socket──▶
//   localtunnel client ──▶ relay on localhost ──▶ Outpost public port (127.0.4.1, see below)
//
// (The tunnel coming up under another URL pausing federation needs the Instance wiring;
// identityGuard.test.ts covers the decisions, and the last test here shows the client
// reporting the URL a server hands out instead of the requested subdomain.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/remote/fakeRemote';
import { LocalTunnelServer } from '../support/localtunnelServer';
import { isOnline, TunnelClient, waitForTunnelState, type TunnelState } from '../../src/main/core/tunnel/tunnelClient';
import { checkReachability } from '../../src/main/core/tunnel/reachability';
import { checkTunnelIdentity } from '../../src/main/core/tunnel/identityGuard';
import { pinnedOrigin } from '../../src/main/core/federation/federationGate';
import { ADMIN_METHODS } from '../../src/shared/adminApi';

const AS = 'application/activity+json';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let server: LocalTunnelServer;
let outpost: TestOutpost;
let remote: FakeRemote;
let tunnel: TunnelClient;
const states: TunnelState[] = [];
const extraClients: TunnelClient[] = [];
const extraServers: LocalTunnelServer[] = [];

function newTunnel(host: string, extra: Partial<ConstructorParameters<typeof TunnelClient>[0]> = {}): TunnelClient {
  const client = new TunnelClient({
    localPort: outpost.running.instance.port,
    // Instance binds its public server to the public URL's host when that is a loopback IP:
    // here the tunnel URL's 127.0.4.1, which 'localhost' does not reach — the relay does.
    localHost: new URL(outpost.publicUrl).hostname,
    host, subdomain: 'outpost-alice', attemptTimeoutMs: 3_000, reconnect: { initialDelayMs: 100, maxDelayMs: 400 },
    ...extra,
  });
  extraClients.push(client);
  return client;
}

/** A sender retries a POST that failed on the network or with a 5xx (as real servers do); bounded. */
async function deliver(url: string, activity: unknown): Promise<Response> {
  for (let i = 1; ; i++) {
    try {
      const res = await remote.post(url, activity);
      if (res.status < 500 || i === 3) return res;
    } catch (err) {
      if (i === 3) throw err;
    }
    await sleep(200);
  }
}

beforeAll(async () => {
  server = await new LocalTunnelServer({ ip: '127.0.4.1' }).start();
  // The public URL is the tunnel URL; the instance listens on a free local port.
  outpost = await startOutpost({ host: '127.0.4.10', username: 'alice', publicUrl: server.publicUrl });
  tunnel = newTunnel(server.controlUrl);
  tunnel.on('state', (s) => states.push(s));
  await tunnel.start();
  await waitForTunnelState(tunnel, isOnline, 5_000);
  remote = await new FakeRemote({
    host: '127.0.4.20', kind: 'mastodon', vars: { LOCAL_ACTOR: outpost.actor, LOCAL_HOST: new URL(outpost.actor).host },
  }).start();
});

afterAll(async () => {
  for (const c of extraClients) await c.stop();
  await outpost?.stop();
  await remote?.stop();
  for (const s of [server, ...extraServers]) await s?.close();
});

describe('tunnel (real localtunnel client)', () => {
  it('comes online at the URL the server handed out, for the requested subdomain', () => {
    expect(tunnel.state).toMatchObject({ status: 'online', url: server.publicUrl });
    expect(states.map((s) => s.status)).toEqual(['connecting', 'online']);
    expect(server.registrations).toEqual([{ requested: 'outpost-alice', id: 'outpost-alice' }]);
    expect(outpost.actor).toBe(`${server.publicUrl}/users/alice`);
  });

  it('a remote fetches the actor and follows through the tunnel: Host is preserved and signatures verify', async () => {
    const res = await fetch(outpost.actor, { headers: { accept: AS } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toBe(outpost.actor);
    const finger = await fetch(`${server.publicUrl}/.well-known/webfinger?resource=acct:${outpost.handle}`);
    expect(((await finger.json()) as { subject: string }).subject).toBe(`acct:${outpost.handle}`);

    const follow = await deliver(`${server.publicUrl}/inbox`, remote.fixture('follow'));
    // 202 means the signature over `host` verified: the Host header reached Outpost as the sender signed it.
    expect(follow.status).toBe(202);
    const relayedFollow = server.relayed.find((h) => h.startsWith('POST /inbox '))!;
    expect(relayedFollow).toMatch(new RegExp(`\\r\\nhost: ${new URL(server.publicUrl).host.replace(/\./g, '\\.')}\\r\\n`, 'i'));
    // The Accept goes out signed; the remote verifies it by fetching alice's key through the tunnel.
    const accept = await eventually(() => remote.received.find((r) => r.json?.type === 'Accept'), 10_000, 'Accept at the remote');
    expect(accept.signatureValid).toBe(true);
    expect(accept.signer).toBe(outpost.actor);
    expect((await outpost.rpc('followers')).map((f) => f.actor.uri)).toEqual([remote.actorId]);
  });

  it('the admin API is never reachable through the tunnel, even with the token', async () => {
    const auth = { authorization: `Bearer ${outpost.running.token}` };
    // It is there on the admin port …
    expect((await fetch(`${outpost.running.adminUrl}/rpc/status`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' })).status).toBe(200);
    // … and nowhere on the public one.
    expect(ADMIN_METHODS.length).toBeGreaterThan(20);
    for (const method of ADMIN_METHODS) {
      const res = await fetch(`${server.publicUrl}/rpc/${method}`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' });
      expect([method, res.status]).toEqual([method, 404]);
      await res.arrayBuffer();
    }
    for (const path of ['/events', '/metrics', '/rpc/status']) {
      const res = await fetch(`${server.publicUrl}${path}`, { headers: auth });
      expect([path, res.status]).toEqual([path, 404]);
      await res.arrayBuffer();
    }
  });

  it('reachability: yes through the tunnel, with a latency', async () => {
    const report = await checkReachability(outpost.actor);
    expect(report).toMatchObject({ reachable: true, error: null, latencyMs: expect.any(Number) }); // null when unreachable
    expect(server.relayed.some((h) => /^GET \/users\/alice /.test(h) && /\r\nbypass-tunnel-reminder: 1/i.test(h))).toBe(true);
  });

  it('dropped tunnel sockets are replaced; activities sent right after the drop still arrive', async () => {
    server.dropSockets();
    await sleep(20);
    const create = await deliver(`${server.publicUrl}/users/alice/inbox`, remote.fixture('create-note-mention'));
    expect(create.status).toBe(202);
    await eventually(async () => (await outpost.rpc('notifications')).notifications.find((n) => n.type === 'mention'), 10_000, 'the mention');

    server.dropSockets();
    await sleep(20);
    const before = remote.received.length;
    await outpost.rpc('compose', { content: 'hello through the tunnel' });
    const delivered = await eventually(() => remote.received.slice(before).find((r) => r.json?.type === 'Create'), 10_000, 'Create at the remote');
    expect(delivered.signatureValid).toBe(true); // its key fetch went through the re-opened tunnel
    expect(tunnel.state.status).toBe('online'); // the client replaced its sockets by itself
    await eventually(() => server.idleSockets >= 1, 5_000, 'tunnel sockets back');
  });

  it('a tunnel server outage puts the tunnel in reconnecting; it comes back on the same URL', async () => {
    const from = states.length;
    await server.refuseTunnelSockets();
    const down = await waitForTunnelState(tunnel, (s): s is Extract<TunnelState, { status: 'reconnecting' }> => s.status === 'reconnecting', 5_000);
    expect(down.lastError).toMatch(/^tunnel dropped: connection refused/);
    await sleep(300); // an attempt or two against the refusing server
    await server.acceptTunnelSockets();
    const up = await waitForTunnelState(tunnel, isOnline, 5_000);
    expect(up.url).toBe(server.publicUrl);
    expect(states.slice(from).map((s) => s.status)).toContain('connecting');
    expect(server.registrations.every((r) => r.requested === 'outpost-alice')).toBe(true);
    const like = await deliver(`${server.publicUrl}/inbox`, {
      '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/likes/after-outage`, type: 'Like',
      actor: remote.actorId, object: (await outpost.rpc('timeline', {})).entries[0]!.note.uri,
    });
    expect(like.status).toBe(202);
  });

  it('stopping the tunnel stops exposure; reachability then says no', async () => {
    await tunnel.stop();
    await tunnel.stop();
    expect(tunnel.state).toEqual({ status: 'off' });
    await eventually(() => server.idleSockets === 0, 2_000, 'the tunnel sockets to close');
    server.socketWaitMs = 300;
    const res = await fetch(outpost.actor, { headers: { accept: AS } });
    expect(res.status).toBe(504);
    await res.arrayBuffer();
    const report = await checkReachability(outpost.actor);
    expect(report).toMatchObject({ reachable: false, latencyMs: null, error: `HTTP 504 from ${outpost.actor}` });
    // The local server is still there for the owner.
    const local = await fetch(`http://${new URL(outpost.publicUrl).hostname}:${outpost.running.instance.port}/users/alice`, { headers: { accept: AS } });
    expect(local.status).toBe(200);
  });

  it('an attempt that does not come up in time is closed and retried', async () => {
    const slow = await new LocalTunnelServer({ ip: '127.0.4.2' }).start();
    extraServers.push(slow);
    slow.registrationDelayMs = 700;
    const client = newTunnel(slow.controlUrl, { attemptTimeoutMs: 300, reconnect: { initialDelayMs: 50, maxDelayMs: 50 } });
    await client.start();
    const waiting = await waitForTunnelState(client, (s): s is Extract<TunnelState, { status: 'reconnecting' }> => s.status === 'reconnecting', 2_000);
    expect(waiting.lastError).toBe(`no tunnel within 300 ms (tunnel server ${slow.controlUrl})`);
    slow.registrationDelayMs = 0;
    expect((await waitForTunnelState(client, isOnline, 3_000)).url).toBe(slow.publicUrl);
    await client.stop();
  });

  it('an unreachable tunnel server is reported, and maxAttempts ends in error', async () => {
    const port = await freePort('127.0.4.3');
    const client = newTunnel(`http://127.0.4.3:${port}`, { maxAttempts: 2, reconnect: { initialDelayMs: 50 } });
    await client.start();
    const failed = await waitForTunnelState(client, (s): s is Extract<TunnelState, { status: 'error' }> => s.status === 'error', 3_000);
    expect(failed.reason).toMatch(new RegExp(`^gave up after 2 attempts: tunnel server http://127\\.0\\.4\\.3:${port} unreachable: .*ECONNREFUSED`));
  });

  it('a server handing out another subdomain: the client reports that URL and the guard calls it a mismatch', async () => {
    const taken = await new LocalTunnelServer({
      ip: '127.0.4.4', assign: () => 'someone-else', urlFor: (id, publicUrl) => `http://${id}.tunnel.test:${new URL(publicUrl).port}`,
    }).start();
    extraServers.push(taken);
    const client = newTunnel(taken.controlUrl);
    await client.start();
    const { url } = await waitForTunnelState(client, isOnline, 5_000);
    expect(url).toMatch(/^http:\/\/someone-else\.tunnel\.test:\d+$/);
    expect(taken.registrations).toEqual([{ requested: 'outpost-alice', id: 'someone-else' }]);
    // (Read from the store: status.federation is a snapshot taken at start.)
    const pinned = pinnedOrigin(outpost.running.instance.db);
    expect(pinned).toBe(server.publicUrl); // pinned by the first delivery (the Accept)
    const { counts } = await outpost.rpc('status');
    const decision = checkTunnelIdentity({ pinnedOrigin: pinned, tunnelUrl: url, canRepin: counts.followers + counts.following === 0 });
    expect(decision).toMatchObject({ kind: 'mismatch', pinned: server.publicUrl, got: url, canRepin: false });
    await client.stop();
  });
});
