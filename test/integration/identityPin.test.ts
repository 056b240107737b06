// The public URL is the identity: once the instance has federated, a start under another
// URL must not federate, and must say why.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost } from '../support/outpost';
import { FakeRemote } from '../support/remote/fakeRemote';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'outpost-pin-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('identity pinning', () => {
  it('before federating, a start under another URL simply takes the new identity', async () => {
    const dataDir = tempDir();
    const first = await startOutpost({ host: '127.0.1.40', username: 'dora', dataDir });
    await first.rpc('compose', { content: 'local only, nobody follows me' });
    await first.stop();
    const second = await startOutpost({ host: '127.0.1.41', username: 'dora', dataDir });
    const status = await second.rpc('status');
    expect(status.federation).toEqual({ enabled: true, reason: null, pinnedOrigin: null });
    expect(status.actor).toBe(`${second.publicUrl}/users/dora`);
    await second.stop();
  });

  it('after a follow, a start under another URL refuses to federate and says why', async () => {
    const dataDir = tempDir();
    const remote = await new FakeRemote({ host: '127.0.1.43', kind: 'mastodon' }).start();
    const first = await startOutpost({ host: '127.0.1.42', username: 'dora', dataDir });
    const pinned = first.publicUrl;
    remote.vars.LOCAL_ACTOR = first.actor;
    await first.rpc('follow', { handle: remote.handle });
    await eventually(() => remote.received.find((r) => r.json?.type === 'Follow'), 10_000, 'Follow at the remote');
    expect((await remote.post(`${first.publicUrl}/inbox`, remote.fixture('follow'))).status).toBe(202);
    await eventually(async () => (await first.rpc('followers')).length === 1, 10_000, 'remote follows dora');
    await first.stop();

    const moved = await startOutpost({ host: '127.0.1.44', username: 'dora', dataDir });
    const status = await moved.rpc('status');
    expect(status.federation.enabled).toBe(false);
    expect(status.federation.pinnedOrigin).toBe(pinned);
    expect(status.federation.reason).toContain(`--public-url ${pinned}`);
    // The identity stays the pinned one; nothing is built from the new URL.
    expect(status.actor).toBe(`${pinned}/users/dora`);
    const actorDoc = (await (await fetch(`${moved.publicUrl}/users/dora`, { headers: { accept: 'application/activity+json' } })).json()) as any;
    expect(actorDoc.id).toBe(`${pinned}/users/dora`);
    // The inbox answers 503 with Retry-After, and nothing is stored.
    const res = await remote.post(`${moved.publicUrl}/inbox`, remote.fixture('follow', { LOCAL_ACTOR: `${pinned}/users/dora` }));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('3600');
    expect(((await res.json()) as any).error).toContain(pinned);
    // Follow is refused with the reason; a composed note queues but is not sent.
    const follow = await moved.rpcRaw('follow', { handle: remote.handle });
    expect(follow.status).toBe(409);
    expect(follow.body.error.code).toBe('federation_paused');
    const before = remote.received.length;
    const { activityId } = await moved.rpc('compose', { content: 'waits for the right identity' });
    await new Promise((r) => setTimeout(r, 300));
    expect(remote.received.length).toBe(before);
    const progress = await moved.rpc('deliveryProgress', { activityId });
    expect(progress).toMatchObject({ total: 1, queued: 1, delivered: 0 });
    await moved.stop();
    await remote.stop();
  });
});
