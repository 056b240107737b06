// Settings: delivery tunables with their defaults, the avatar served by the instance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/remote/fakeRemote';
import sharp from 'sharp';

// A 1×1 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

let o: TestOutpost;
let remote: FakeRemote;
beforeAll(async () => {
  o = await startOutpost({ host: '127.0.1.80', username: 'ines' });
  remote = await new FakeRemote({ host: '127.0.1.81', kind: 'mastodon', vars: { LOCAL_ACTOR: o.actor } }).start();
  expect((await remote.post(`${o.publicUrl}/inbox`, remote.fixture('follow'))).status).toBe(202);
  await eventually(async () => (await o.rpc('followers')).length === 1, 10_000, 'follower');
});
afterAll(async () => {
  await o?.stop();
  await remote?.stop();
});

describe('settings', () => {
  it('shows the delivery defaults and applies changes', async () => {
    const s = await o.rpc('settings');
    expect(s.delivery).toEqual(s.deliveryDefaults);
    expect(s.deliveryDefaults).toMatchObject({ globalConcurrency: 64, perHostConcurrency: 4, retryMaxElapsedMs: 72 * 3600_000 });
    expect(s.osNotifications).toBe(true);
    const changed = await o.rpc('updateSettings', { globalConcurrency: 8, retryMaxElapsedMs: 96 * 3600_000, osNotifications: false });
    expect(changed.delivery).toMatchObject({ globalConcurrency: 8, retryMaxElapsedMs: 96 * 3600_000 });
    expect(changed.deliveryDefaults.globalConcurrency).toBe(64);
    expect(changed.osNotifications).toBe(false);
    expect(o.running.instance.deliveryConfig.globalConcurrency).toBe(8);
  });

  it('refuses a retry horizon under 48 hours, naming the field', async () => {
    const res = await o.rpcRaw('updateSettings', { retryMaxElapsedMs: 3600_000 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('retryMaxElapsedMs');
  });

  it('stores an uploaded avatar, serves it, and announces the profile change', async () => {
    const s = await o.rpc('uploadAvatar', { data: PNG.toString('base64'), mediaType: 'image/png' });
    expect(s.avatarUrl).toMatch(new RegExp(`^${o.publicUrl}/media/avatar-[0-9a-f]{16}\\.png$`));
    const img = await fetch(s.avatarUrl!);
    expect(img.headers.get('content-type')).toBe('image/png');
    // Re-encoded on the way in (no metadata leaves with it): the same picture, not the same bytes.
    const served = await sharp(Buffer.from(await img.arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    const sent = await sharp(PNG).raw().toBuffer({ resolveWithObject: true });
    expect([served.info.width, served.info.height]).toEqual([1, 1]);
    expect(served.data.equals(sent.data)).toBe(true);
    const actor = (await (await fetch(o.actor, { headers: { accept: 'application/activity+json' } })).json()) as any;
    expect(actor.icon).toEqual({ type: 'Image', mediaType: 'image/png', url: s.avatarUrl });
    const update = await eventually(() => remote.received.find((r) => r.json?.type === 'Update' && r.json.object?.icon), 10_000, 'Update');
    expect(update.json.object.icon.url).toBe(s.avatarUrl);
  });

  it('a header image is served and named as the actor\'s image', async () => {
    const s = await o.rpc('uploadHeader', { data: PNG.toString('base64'), mediaType: 'image/png' });
    expect(s.headerUrl).toMatch(new RegExp(`^${o.publicUrl}/media/header-[0-9a-f]{16}\\.png$`));
    expect(s.headerSrc).toMatch(/^\/media\/local\/header-/);
    expect((await fetch(s.headerUrl!)).status).toBe(200);
    const actor = (await (await fetch(o.actor, { headers: { accept: 'application/activity+json' } })).json()) as any;
    expect(actor.image).toEqual({ type: 'Image', mediaType: 'image/png', url: s.headerUrl });
    const removed = await o.rpc('removeHeader');
    expect(removed.headerUrl).toBeNull();
    expect((await fetch(s.headerUrl!)).status).toBe(404);
  });

  it('refuses data that is not the declared image type, or does not decode', async () => {
    const broken = await o.rpcRaw('uploadAvatar', { data: PNG.subarray(0, 30).toString('base64'), mediaType: 'image/png' });
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toContain('could not be read');
    const res = await o.rpcRaw('uploadAvatar', { data: Buffer.from('<svg/>').toString('base64'), mediaType: 'image/png' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('not a valid PNG image');
    const notB64 = await o.rpcRaw('uploadAvatar', { data: 'not base64!', mediaType: 'image/png' });
    expect(notB64.status).toBe(400);
  });

  it('removes the avatar', async () => {
    const before = (await o.rpc('settings')).avatarUrl!;
    const s = await o.rpc('removeAvatar');
    expect(s.avatarUrl).toBeNull();
    expect((await fetch(before)).status).toBe(404);
  });
});
