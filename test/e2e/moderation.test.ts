// The owner's safety tools in the window: a post's menu mutes, blocks and reports its
// author; Settings → Moderation lists them, undoes them, and exports Mastodon's CSV.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';
import { serveMediaOf } from '../support/remote/mediaFiles';
import { buildRenderer, goTo, launchBrowser, openWindow, type OpenedWindow } from './support/env';

let owner: TestOutpost;
let bob: FakeRemote;
let browser: Browser;
let win: OpenedWindow;
let postText = '';

beforeAll(async () => {
  [owner, browser] = await Promise.all([startOutpost({ host: '127.0.3.40', username: 'owner' }), launchBrowser(), buildRenderer()]);
  bob = await new FakeRemote({ host: '127.0.3.41', kind: 'mastodon', vars: { LOCAL_ACTOR: owner.actor, LOCAL_HOST: new URL(owner.actor).host } }).start();
  // bob follows the owner, the owner follows bob, and bob posts.
  expect((await bob.post(`${owner.publicUrl}/inbox`, bob.fixture('follow'))).status).toBe(202);
  await owner.rpc('follow', { handle: bob.handle });
  const follow = await eventually(() => bob.received.find((r) => r.json?.type === 'Follow'), 10_000, 'the Follow');
  await bob.post(`${owner.actor}/inbox`, bob.fixture('accept-follow', { LOCAL_FOLLOW: follow.json.id }));
  const create = bob.fixture('create-note-mention');
  // Bob's server serves the post's picture and custom emoji, as Mastodon would.
  await serveMediaOf(bob, create);
  postText = 'testing federation with Outpost';
  expect((await bob.post(`${owner.publicUrl}/inbox`, create)).status).toBe(202);
  await owner.running.instance.inboxProcessor.drain();
  win = await openWindow(browser, owner.running.adminUrl, owner.running.token);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await owner?.stop();
  await bob?.stop();
});

const bobsPost = () => win.page.locator('article.note', { hasText: postText });

describe('moderation in the window', () => {
  it("mutes from a post's menu: the post disappears, and Settings lists the mute", async () => {
    const { page } = win;
    await bobsPost().waitFor({ timeout: 10_000 });
    await bobsPost().getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: /^Mute @bob@/ }).click();
    await bobsPost().waitFor({ state: 'detached', timeout: 5000 });

    await goTo(page, 'settings');
    const section = page.getByTestId('moderation-section');
    await section.getByText(`@${bob.handle}`).waitFor({ timeout: 5000 });
    await section.getByRole('button', { name: 'Unmute' }).click();
    await goTo(page, 'home');
    await bobsPost().waitFor({ timeout: 5000 });
  });

  it('reports a post with a comment: a Flag reaches its server', async () => {
    const { page } = win;
    await bobsPost().getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: /^Report/ }).click();
    await page.getByPlaceholder('What is wrong with it? (optional)').fill('spam, sorry');
    await page.getByRole('button', { name: 'Send report' }).click();
    const flag = await eventually(() => bob.received.find((r) => r.json?.type === 'Flag'), 10_000, 'the Flag');
    expect(flag.json.content).toBe('spam, sorry');
  });

  it('blocks after asking: the Block reaches its server, follows end, and the CSV export names the account', async () => {
    const { page } = win;
    await bobsPost().getByRole('button', { name: 'More' }).click();
    await page.getByRole('menuitem', { name: /^Block @bob@/ }).click();
    await page.getByRole('dialog', { name: 'Confirm' }).getByRole('button', { name: 'Block' }).click();
    await bobsPost().waitFor({ state: 'detached', timeout: 5000 });
    await eventually(() => bob.received.find((r) => r.json?.type === 'Block'), 10_000, 'the Block');
    expect(await owner.rpc('followers')).toEqual([]);

    await goTo(page, 'settings');
    const section = page.getByTestId('moderation-section');
    const exportLink = section.getByRole('link', { name: 'Export CSV' }).first();
    expect(decodeURIComponent((await exportLink.getAttribute('href'))!.split(',')[1]!)).toBe(`${bob.handle}\n`);
    await section.getByRole('button', { name: 'Unblock' }).first().click();
    await eventually(async () => (await owner.rpc('blocks')).accounts.length === 0, 5000, 'unblocked');
    expect(win.errors).toEqual([]);
  });
});
