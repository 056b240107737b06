// The Outpost window in a real browser against real headless instances on loopback:
// composing with live delivery progress, following by handle with live arrival of posts,
// and hostile remote HTML rendered inert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';
import { activeContent, buildRenderer, goTo, launchBrowser, openWindow, waitForText, type OpenedWindow } from './support/env';

let alice: TestOutpost;
let bob: TestOutpost;
let mallory: FakeRemote | undefined;
let browser: Browser;
let win: OpenedWindow;

beforeAll(async () => {
  [alice, bob, browser] = await Promise.all([
    startOutpost({ host: '127.0.3.1', username: 'alice' }),
    startOutpost({ host: '127.0.3.2', username: 'bob' }),
    launchBrowser(),
    buildRenderer(),
  ]);
  // Before alice first sees bob (she caches his profile then).
  await bob.rpc('updateSettings', { displayName: 'Bob Builder', summary: 'I build things' });
  win = await openWindow(browser, alice.running.adminUrl, alice.running.token);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([alice?.stop(), bob?.stop(), mallory?.stop()]);
});

describe('the Outpost window', () => {
  it('shows who is signed in and the queue in the sidebar', async () => {
    await waitForText(win.page.getByTestId('status-footer'), (t) => t.includes(`@${alice.handle}`), 5000, 'handle in the footer');
    await waitForText(win.page.getByTestId('queue-depth'), (t) => /^\d+$/.test(t), 5000, 'queue depth');
  });

  it('composes a post whose delivery progress reaches 100 % live, with a per-host breakdown', async () => {
    await bob.rpc('follow', { handle: alice.handle });
    await eventually(async () => (await alice.rpc('followers')).some((f) => f.state === 'accepted'), 10_000, 'bob follows alice');

    const { page } = win;
    const text = `Hello fediverse, this is a test post ${Date.now()}`;
    const box = page.getByLabel('Post text');
    await box.fill(text);
    await waitForText(page.locator('.char-count'), (t) => Number(t) === 500 - text.length, 2000, 'character count');
    await box.press('Control+Enter');

    const post = page.locator('article.note', { hasText: text });
    await post.waitFor({ timeout: 10_000 });
    await expect.poll(() => box.inputValue(), { timeout: 5000 }).toBe('');
    const bar = post.getByTestId('delivery-bar');
    await post.locator('[data-testid="delivery-bar"][data-percent="100"]').waitFor({ timeout: 15_000 });
    expect(await bar.textContent()).toContain('Delivered to 1 of 1 inbox');

    await bar.click();
    const panel = page.getByRole('dialog', { name: 'Delivery of this post' });
    await panel.waitFor({ timeout: 5000 });
    const row = panel.getByTestId('delivery-inboxes').locator('tbody tr');
    await waitForText(row, (t) => t.includes(new URL(bob.publicUrl).host) && t.includes('Delivered'), 5000, 'per-host row');
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'detached', timeout: 5000 });

    // The post really went out.
    await eventually(async () => (await bob.rpc('timeline', {})).entries.some((e) => e.note.contentHtml.includes('this is a test post')), 10_000, 'post on bob');
  });

  it('follows by handle after showing the profile, and the followed account’s post arrives live', async () => {
    const { page } = win;
    await goTo(page, 'people');
    await page.getByPlaceholder('@someone@example.social').fill(`@${bob.handle}`);
    await page.getByRole('button', { name: 'Look up' }).click();
    const card = page.getByTestId('lookup-result');
    await card.waitFor({ timeout: 10_000 });
    const cardText = await card.textContent();
    expect(cardText).toContain('Bob Builder');
    expect(cardText).toContain(`@${bob.handle}`);
    expect(cardText).toContain('I build things');
    await card.getByRole('button', { name: 'Confirm follow' }).click();

    const row = page.locator(`li.person[data-handle="${bob.handle}"]`);
    await row.waitFor({ timeout: 10_000 });
    await waitForText(row.locator('.badge'), (t) => t === 'Accepted', 10_000, 'follow accepted');

    await goTo(page, 'home');
    await page.evaluate(() => { (window as unknown as { __sameDocument: number }).__sameDocument = 42; });
    const text = `Live from bob ${Date.now()}`;
    await bob.rpc('compose', { content: text });
    const arrived = page.locator('article.note', { hasText: text });
    await arrived.waitFor({ timeout: 15_000 });
    expect(await arrived.textContent()).toContain('Bob Builder');
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: number }).__sameDocument)).toBe(42);
  });

  it('loads older posts on scroll, and holds new ones behind a pill while the reader is scrolled down', async () => {
    const { page } = win;
    for (let i = 1; i <= 24; i++) await bob.rpc('compose', { content: `Filler post number ${i}` });
    await page.locator('article.note', { hasText: 'Filler post number 24' }).waitFor({ timeout: 15_000 });
    const main = page.locator('#main');
    // Scroll to the end: the next page loads (26+ posts in all, 20 a page).
    await expect.poll(async () => {
      await main.evaluate((el) => el.scrollTo(0, el.scrollHeight));
      return page.locator('article.note').count();
    }, { timeout: 10_000 }).toBeGreaterThanOrEqual(26);
    await page.getByText('You have reached the beginning.').waitFor({ timeout: 5000 });

    await main.evaluate((el) => el.scrollTo(0, el.scrollHeight / 2));
    const scrolled = await main.evaluate((el) => el.scrollTop);
    expect(scrolled).toBeGreaterThan(500);
    await bob.rpc('compose', { content: 'Breaking news from bob' });
    const pill = page.locator('.new-posts-pill');
    await pill.waitFor({ timeout: 15_000 });
    expect(await pill.textContent()).toContain('1 new post');
    expect(await page.locator('article.note', { hasText: 'Breaking news from bob' }).count()).toBe(0);
    expect(await main.evaluate((el) => el.scrollTop)).toBe(scrolled); // nothing moved

    await pill.click();
    await page.locator('article.note', { hasText: 'Breaking news from bob' }).waitFor({ timeout: 5000 });
    await expect.poll(() => main.evaluate((el) => el.scrollTop), { timeout: 5000 }).toBeLessThan(10);
    await pill.waitFor({ state: 'detached', timeout: 5000 });
  });

  it('renders a hostile note inert (server-sanitized, and sanitized again in the window)', async () => {
    const { page } = win;
    mallory = await new FakeRemote({
      host: '127.0.3.5', kind: 'mastodon',
      vars: { LOCAL_ACTOR: alice.actor, LOCAL_HOST: new URL(alice.actor).host, LOCAL_FOLLOWERS: `${alice.actor}/followers` },
    }).start();
    // The fixture's payloads, pointed at a flag the test can read.
    const activity = JSON.parse(JSON.stringify(mallory.fixture('create-note-malicious')).replaceAll('alert(1)', 'window.__pwned=1'));
    const res = await mallory.post(`${alice.publicUrl}/inbox`, activity);
    expect(res.status).toBe(202);

    await goTo(page, 'notifications');
    const mention = page.locator('li.notification[data-type="mention"]', { hasText: 'look at this' });
    await mention.waitFor({ timeout: 10_000 });
    await mention.getByText('hover').hover();
    expect(await activeContent(page)).toEqual([]);
    expect(await page.locator('.note-content [style]').count()).toBe(0);
    // A click on the post's text runs nothing of the payload: it opens the post's thread.
    await mention.getByText('click anywhere').click();
    await page.locator('article.note[aria-current="true"]', { hasText: 'look at this' }).waitFor({ timeout: 10_000 });
    expect(await activeContent(page)).toEqual([]);

    // Now bypass the server's sanitizer: the window must still render the raw HTML inert.
    const errorsBefore = win.errors.length;
    const raw = '<p>raw payload</p><script>window.__pwned=2</script><img src=x onerror="window.__pwned=3">'
      + '<a href="javascript:window.__pwned=4">js link</a><svg onload="window.__pwned=5"><circle r="1"/></svg>'
      + '<iframe srcdoc="<script>parent.__pwned=6</script>"></iframe><a href="https://ok.example/" onclick="window.__pwned=7">ok link</a>'
      + '<p style="position:fixed;inset:0" onmouseover="window.__pwned=8">hover raw</p><form action="https://evil.example"><button>go</button></form>';
    await page.route('**/rpc/notifications', async (route) => {
      const response = await route.fetch();
      const body = await response.json();
      for (const n of body.notifications) if (n.note) n.note.contentHtml = raw;
      await route.fulfill({ response, json: body });
    });
    await goTo(page, 'home');
    await goTo(page, 'notifications');
    const injected = page.locator('li.notification[data-type="mention"]', { hasText: 'raw payload' });
    await injected.waitFor({ timeout: 10_000 });
    await injected.getByText('hover raw').hover();
    const ok = injected.getByRole('link', { name: 'ok link' });
    expect(await ok.getAttribute('href')).toBe('https://ok.example/');
    expect(await ok.getAttribute('target')).toBe('_blank');
    expect(await ok.getAttribute('rel')).toContain('noopener');
    expect(await activeContent(page)).toEqual([]);
    expect(await injected.locator('.note-content img, .note-content svg, .note-content form, .note-content [style]').count()).toBe(0);
    // The javascript: link is plain text: a click on it is a click on the post (its thread opens).
    await injected.getByText('js link').click();
    await page.locator('article.note[aria-current="true"]').waitFor({ timeout: 10_000 });
    await page.unroute('**/rpc/notifications');

    await page.waitForTimeout(300);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    expect(win.dialogs).toEqual([]);
    // Chromium reports a CSP violation for every inline handler attribute as soon as markup is
    // parsed, even into an inert DOMParser document whose handlers can never run: those
    // reports (and only those) are expected from the raw payload.
    const reports = win.errors.splice(errorsBefore);
    expect(reports.filter((e) => !/Executing inline event handler violates the following Content Security Policy/.test(e))).toEqual([]);
  });

  it('raised no errors in the page', () => {
    expect(win.errors).toEqual([]);
  });
});
