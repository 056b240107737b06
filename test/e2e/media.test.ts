// Media in the Outpost window (Chromium, the production build) against a real instance and
// fake remote servers on loopback: photo posts from Mastodon, Misskey, GoToSocial and
// Pixelfed show their pictures (alt text as `alt`), a sensitive one stays blurred until
// clicked, custom emoji render as pictures, a file the instance refused shows "Media
// unavailable" while its post stays, the composer attaches pictures with alt text and a
// sensitive switch, the user's avatar shows on an http public URL — and no request leaves
// the window for anything but the instance's admin origin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote, type MediaServerKind } from '../support/remote/fakeRemote';
import { serveMediaOf } from '../support/remote/mediaFiles';
import { jpegWithGps, png } from '../support/images';
import { buildRenderer, launchBrowser, openWindow, type OpenedWindow } from './support/env';

let alice: TestOutpost;
let browser: Browser;
let win: OpenedWindow;
const remotes: Partial<Record<MediaServerKind, FakeRemote>> = {};
const requests: string[] = [];

async function followed(kind: MediaServerKind, address: string): Promise<FakeRemote> {
  const remote = await new FakeRemote({ host: address, kind, vars: { LOCAL_ACTOR: alice.actor, LOCAL_HOST: new URL(alice.actor).host } }).start();
  await serveMediaOf(remote, remote.actor);
  await alice.rpc('follow', { handle: remote.handle });
  const follow = await eventually(() => remote.received.find((r) => r.json?.type === 'Follow'), 10_000, `Follow to ${kind}`);
  await remote.post(`${alice.publicUrl}/inbox`, { '@context': 'https://www.w3.org/ns/activitystreams', id: `${remote.origin}/accepts/1`, type: 'Accept', actor: remote.actorId, object: follow.json });
  await eventually(async () => (await alice.rpc('following')).find((f) => f.actor.uri === remote.actorId && f.state === 'accepted'), 10_000, `${kind} accepted`);
  return remote;
}

async function deliver(remote: FakeRemote, activity: any): Promise<void> {
  await serveMediaOf(remote, activity);
  expect((await remote.post(`${alice.publicUrl}/inbox`, activity)).status).toBe(202);
  await eventually(async () => (await alice.rpc('timeline', {})).entries.some((e) => e.note.uri === activity.object.id), 10_000, 'post stored');
}

const loaded = (page: Page, selector: string) =>
  page.waitForFunction((sel) => {
    const img = document.querySelector(sel) as HTMLImageElement | null;
    return !!img && img.complete && img.naturalWidth > 0;
  }, selector, { timeout: 10_000 });

beforeAll(async () => {
  [alice, browser] = await Promise.all([startOutpost({ host: '127.0.3.60', username: 'alice' }), launchBrowser(), buildRenderer()]);
  await alice.rpc('uploadAvatar', { data: (await png(96, 96, { r: 220, g: 80, b: 60 })).toString('base64'), mediaType: 'image/png' });
  const kinds: [MediaServerKind, string][] = [['mastodon', '127.0.3.61'], ['misskey', '127.0.3.62'], ['gotosocial', '127.0.3.63'], ['pixelfed', '127.0.3.64']];
  for (const [kind, address] of kinds) remotes[kind] = await followed(kind, address);
  for (const [kind] of kinds) await deliver(remotes[kind]!, remotes[kind]!.fixture('create-note-media'));
  // A post whose second picture is an HTML page sent as image/png: refused by the instance.
  const hostile = remotes.mastodon!.fixture('create-note-media');
  hostile.object.id += '-hostile';
  hostile.id += '-hostile';
  hostile.object.content = '<p>This post has a fake picture</p>';
  hostile.object.attachment[1].url = `${remotes.mastodon!.origin}/fake/page.png`;
  hostile.object.attachment[1].name = 'Not really a picture';
  await deliver(remotes.mastodon!, hostile);
  remotes.mastodon!.files.set('/fake/page.png', { status: 200, type: 'image/png', body: '<!doctype html><p>gotcha</p>' });

  win = await openWindow(browser, alice.running.adminUrl, alice.running.token);
  win.page.on('request', (r) => requests.push(r.url()));
  await win.page.reload();
  await win.page.locator('[data-testid="status-footer"]').waitFor({ timeout: 10_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([alice?.stop(), ...Object.values(remotes).map((r) => r.stop())]);
});

describe('media in the window', () => {
  it('shows the pictures of a Mastodon post, alt text as their alt, from the instance', async () => {
    const { page } = win;
    const alt = 'A lighthouse on a rocky shore under a pale morning sky';
    const img = page.locator(`article.note img[alt="${alt}"]`).first();
    await img.waitFor({ timeout: 10_000 });
    await loaded(page, `article.note img[alt="${alt}"]`);
    expect(await img.isVisible()).toBe(true);
    expect(await img.getAttribute('src')).toMatch(/^\/media\/cache\/i\//);
  });

  it('renders custom emoji as small pictures from the cache; an undeclared shortcode stays text', async () => {
    const { page } = win;
    await loaded(page, 'article.note img.emoji[alt=":blobcat:"]');
    await loaded(page, 'article.note .note-name img.emoji[alt=":pixelfed:"]');
    expect(await page.locator('article.note .note-name', { hasText: 'ボブ :blobcat:' }).count()).toBeGreaterThan(0);
  });

  it('keeps a sensitive picture blurred until it is clicked', async () => {
    const { page } = win;
    const post = page.locator('article.note', { hasText: 'ねこ' }).first();
    const media = post.locator('.attachments');
    await expect.poll(() => media.getAttribute('data-hidden'), { timeout: 10_000 }).toBe('true');
    const img = post.locator('.media-item img');
    await img.waitFor({ timeout: 10_000 });
    expect(await img.evaluate((el) => getComputedStyle(el).filter)).toMatch(/blur/);
    await post.getByRole('button', { name: /Sensitive content/ }).click();
    expect(await media.getAttribute('data-hidden')).toBe('false');
    expect(await img.evaluate((el) => getComputedStyle(el).filter)).toBe('none');
  });

  it('plays a GoToSocial video from the cache, with its alt text as its label', async () => {
    const { page } = win;
    const video = page.locator('article.note video[aria-label="A sloth climbs a branch, very slowly"]');
    await video.waitFor({ timeout: 10_000 });
    expect(await video.getAttribute('src')).toMatch(/^\/media\/cache\/av\//);
    expect(await video.getAttribute('controls')).not.toBeNull();
    // Its metadata loads (through Range requests to the instance): the player knows its length.
    await video.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const v = document.querySelector('article.note video') as HTMLVideoElement | null;
      return !!v && v.readyState >= 1 && v.duration > 0;
    }, undefined, { timeout: 10_000 });
  });

  it('shows a Pixelfed photo with its alt text', async () => {
    await loaded(win.page, 'article.note img[alt="A white lighthouse at low tide, wet sand in the foreground"]');
  });

  it('a picture the instance refused shows "Media unavailable"; the post and its other picture stay', async () => {
    const { page } = win;
    const post = page.locator('article.note', { hasText: 'This post has a fake picture' });
    await post.waitFor({ timeout: 10_000 });
    await post.scrollIntoViewIfNeeded();
    await post.locator('.media-unavailable').waitFor({ timeout: 10_000 });
    expect(await post.locator('.media-unavailable').textContent()).toContain('Media unavailable');
    expect(await post.locator('.media-unavailable').getAttribute('aria-label')).toContain('Not really a picture');
    await post.locator('img[alt^="A lighthouse"]').waitFor({ timeout: 10_000 });
  });

  it("shows the user's avatar although the public URL is plain http", async () => {
    const { page } = win;
    expect(alice.publicUrl.startsWith('http://')).toBe(true);
    await page.locator('.composer .avatar-img.loaded').waitFor({ timeout: 10_000 });
  });

  it('the composer attaches pictures with alt text and a sensitive switch, and posts them', async () => {
    const { page } = win;
    await page.getByTestId('attach-input').setInputFiles([
      { name: 'beach.jpg', mimeType: 'image/jpeg', buffer: await jpegWithGps(800, 600) },
      { name: 'square.png', mimeType: 'image/png', buffer: await png(200, 200) },
    ]);
    const tray = page.getByRole('list', { name: 'Attachments' });
    await tray.locator('li[data-status="ready"]').nth(1).waitFor({ timeout: 15_000 });
    await loaded(page, '.media-tray li:first-child img');
    expect(await tray.locator('.alt-reminder').count()).toBe(2);
    await page.getByLabel('Description of beach.jpg').fill('A sandy beach at noon');
    await page.getByLabel('Description of square.png').fill('A blue square');
    expect(await tray.locator('.alt-reminder').count()).toBe(0);
    await page.getByRole('button', { name: 'Sensitive' }).click();
    await page.getByLabel('Post text').fill('Holiday pictures');
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    const post = page.locator('article.note', { hasText: 'Holiday pictures' });
    await post.waitFor({ timeout: 10_000 });
    expect(await post.locator('.attachments').getAttribute('data-hidden')).toBe('true');
    await post.getByRole('button', { name: /Sensitive content/ }).click();
    await loaded(page, 'article.note img[alt="A sandy beach at noon"]');
    expect(await post.locator('img[alt="A blue square"]').getAttribute('src')).toMatch(/^\/media\/local\//);
    expect(await tray.count()).toBe(0);
  });

  it('no request left the window for anything but the instance', () => {
    const admin = new URL(alice.running.adminUrl).origin;
    const elsewhere = requests.filter((u) => !u.startsWith(`${admin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(requests.some((u) => u.includes('/media/cache/'))).toBe(true);
    expect(elsewhere).toEqual([]);
    expect(win.errors.filter((e) => !/Failed to load resource.*502/.test(e))).toEqual([]);
  });
});
