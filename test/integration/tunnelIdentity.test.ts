// The tunnel's URL is the identity: headless --tunnel starts under it and pins it on first
// federation; a tunnel that later comes up elsewhere pauses federation and says why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHeadless, type RunningHeadless } from '../../src/main/headless';
import { createAdminHandlers } from '../../src/main/admin/adminService';
import { silentLogger } from '../../src/main/core/logger';
import { LocalTunnelServer } from '../support/localtunnelServer';
import { FakeRemote } from '../support/remote/fakeRemote';
import { eventually, startOutpost } from '../support/outpost';
import { readBootState } from '../../src/main/core/tunnel/tunnelBoot';
import { DEFAULT_PUBLIC_SERVER } from '../../src/main/core/config';

let serverA: LocalTunnelServer;
let serverB: LocalTunnelServer;
let remote: FakeRemote;
const dirs: string[] = [];
const FAST = { attemptTimeoutMs: 3000, reconnect: { initialDelayMs: 100, maxDelayMs: 400 } };

beforeAll(async () => {
  serverA = await new LocalTunnelServer({ ip: '127.0.4.50' }).start();
  serverB = await new LocalTunnelServer({ ip: '127.0.4.51' }).start();
  remote = await new FakeRemote({ host: '127.0.4.60', kind: 'mastodon' }).start();
});
afterAll(async () => {
  await serverA?.close();
  await serverB?.close();
  await remote?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function boot(dataDir: string, tunnelHost: string): Promise<RunningHeadless> {
  return startHeadless({
    dataDir, port: 0, adminPort: 0, publicUrl: 'http://localhost:8737', username: 'tina', allowPrivateNetwork: true,
    tunnel: true, tunnelHost, publicUrlGiven: false,
  }, silentLogger, { tunnelClient: FAST });
}

describe('headless --tunnel', () => {
  it('starts under the tunnel URL, federates through it, and pauses federation when the tunnel comes back elsewhere', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-tunnel-'));
    dirs.push(dataDir);
    const first = await boot(dataDir, serverA.controlUrl);
    try {
      expect(first.instance.publicUrl).toBe(serverA.publicUrl);
      expect(first.instance.identity.actor).toBe(`${serverA.publicUrl}/users/tina`);
      remote.vars.LOCAL_ACTOR = first.instance.identity.actor;
      expect((await remote.post(`${serverA.publicUrl}/inbox`, remote.fixture('follow'))).status).toBe(202);
      const admin = createAdminHandlers(first.instance, { adminUrl: first.adminUrl, dataDir });
      await eventually(async () => (await admin.followers({})).length === 1, 10_000, 'follower through the tunnel');
      await eventually(() => remote.received.find((r) => r.json?.type === 'Accept'), 10_000, 'Accept');
      expect((await admin.status({})).federation.pinnedOrigin).toBe(serverA.publicUrl);
    } finally {
      await first.stop();
    }

    // The tunnel server hands out another address now (subdomain taken, server changed).
    const second = await boot(dataDir, serverB.controlUrl);
    try {
      const admin = createAdminHandlers(second.instance, { adminUrl: second.adminUrl, dataDir });
      const status = await admin.status({});
      expect(status.actor).toBe(`${serverA.publicUrl}/users/tina`); // the identity did not move
      expect(status.federation.enabled).toBe(false);
      expect(status.federation.reason).toContain(serverA.publicUrl);
      const tunnel = await eventually(async () => {
        const t = await admin.tunnelStatus({});
        return t.state.status === 'online' && t.identityProblem ? t : undefined;
      }, 10_000, 'identity problem reported');
      expect(tunnel.identityProblem).toMatchObject({ pinned: serverA.publicUrl, got: serverB.publicUrl, canRepin: false });
      expect(tunnel.identityProblem!.message).toContain('paused');
      // Remote servers reaching the new address get 503 + Retry-After: nothing is accepted or lost.
      const res = await remote.post(`${serverB.publicUrl}/inbox`, { ...remote.fixture('follow'), id: `${remote.origin}/follows/2` });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe(String(DEFAULT_PUBLIC_SERVER.pausedAtStartRetryAfterSeconds));
    } finally {
      await second.stop();
    }
  });
});

describe('tunnelStart at run time', () => {
  it('a tunnel under another URL than the identity pauses federation until it stops', async () => {
    const o = await startOutpost({ host: '127.0.4.70', username: 'uma' });
    try {
      const started = await o.rpc('tunnelStart', { host: serverA.controlUrl });
      expect(['connecting', 'online']).toContain(started.state.status);
      const t = await eventually(async () => {
        const s = await o.rpc('tunnelStatus');
        return s.identityProblem ? s : undefined;
      }, 10_000, 'identity problem');
      expect(t.identityProblem).toMatchObject({ pinned: o.publicUrl, got: serverA.publicUrl, canRepin: true });
      expect(t.identityProblem!.message).toContain(`--public-url ${serverA.publicUrl}`);
      expect((await o.rpc('status')).federation.enabled).toBe(false);
      const blocked = await remote.post(`${o.publicUrl}/inbox`, { ...remote.fixture('follow', { LOCAL_ACTOR: o.actor }), id: `${remote.origin}/follows/3` });
      expect(blocked.status).toBe(503);
      expect(blocked.headers.get('retry-after')).toBe('300');
      // Remembered, so the desktop app brings the tunnel back (first) at its next launch.
      expect(readBootState(o.dataDir).settings?.tunnel).toEqual({ enabled: true, host: serverA.controlUrl });
      const stopped = await o.rpc('tunnelStop');
      expect(readBootState(o.dataDir).settings?.tunnel.enabled).toBe(false);
      expect(stopped.state.status).toBe('off');
      expect(stopped.identityProblem).toBeNull();
      expect((await o.rpc('status')).federation.enabled).toBe(true);
      const bad = await o.rpcRaw('tunnelStart', { subdomain: 'Not A Subdomain' });
      expect(bad.status).toBe(400);
    } finally {
      await o.stop();
    }
  });
});
