// People in the window, two real instances on loopback: a profile with its posts before
// following, the follow whose state is the same everywhere (card, profile, list), unfollow
// with a confirmation, Home backfilled, the own profile edited and seen on the other
// instance; and the rough edges: errors in the user's language, right-to-left text,
// delivery bars that survive a reload, the layout at 1024 and 720 px, the theme switch,
// and no desktop-only switch in a browser.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { buildRenderer, goTo, launchBrowser, openWindow, waitForText, type OpenedWindow } from './support/env';

let alice: TestOutpost;
let bob: TestOutpost;
let browser: Browser;
let win: OpenedWindow;
/** SHOTS_DIR=/some/dir keeps screenshots of what the test saw, for people to look at. */
const SHOTS = process.env.SHOTS_DIR;
const shot = async (page: Page, name: string) => {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
};

const ARABIC = 'مرحبا بالعالم، هذه تجربة';

beforeAll(async () => {
  [alice, bob, browser] = await Promise.all([
    startOutpost({ host: '127.0.9.11', username: 'alice' }),
    startOutpost({ host: '127.0.9.12', username: 'bob' }),
    launchBrowser(),
    buildRenderer(),
  ]);
  await bob.rpc('updateSettings', {
    displayName: 'Bob Builder', summary: 'I build things',
    fields: [{ name: 'Pronouns', value: 'he/him' }, { name: 'Site', value: 'https://bob.example/' }],
  });
  await bob.rpc('compose', { content: 'Bob’s first post' });
  await bob.rpc('compose', { content: `Hello in two scripts\n\n${ARABIC}` });
  await bob.rpc('compose', { content: 'Bob’s newest post' });
  win = await openWindow(browser, alice.running.adminUrl, alice.running.token);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([alice?.stop(), bob?.stop()]);
});

describe('profiles in the window', () => {
  it('says what went wrong in words, with the raw error in a details element', async () => {
    const { page } = win;
    await goTo(page, 'people');
    const box = page.getByPlaceholder('@someone@example.social');
    await box.fill(`@nobody@${new URL(bob.publicUrl).host}`);
    await page.getByRole('button', { name: 'Look up' }).click();
    const err = page.locator('.follow-card .inline-error');
    await waitForText(err, (t) => t.startsWith('No such account'), 10_000, 'no such account');
    expect(await err.locator('details code').textContent()).toContain('does not exist');

    await box.fill('@someone@127.0.0.1:1');
    await page.getByRole('button', { name: 'Look up' }).click();
    await waitForText(err, (t) => t.startsWith('Connection refused — the server is down'), 10_000, 'refused');
    expect(await err.locator('details code').textContent()).toContain('ECONNREFUSED');
    // The browser logs the two failed RPCs (404, 422): expected here, and only here.
    expect(win.errors.splice(0).every((e) => /status of (404|422)/.test(e))).toBe(true);
  });

  it('opens a profile with its posts before following', async () => {
    const { page } = win;
    await page.getByPlaceholder('@someone@example.social').fill(`@${bob.handle}`);
    await page.getByRole('button', { name: 'Look up' }).click();
    const card = page.getByTestId('lookup-result');
    await card.waitFor({ timeout: 10_000 });
    await card.getByRole('link', { name: 'Bob Builder' }).click();

    const view = page.getByTestId('profile-view');
    await view.waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => window.location.hash)).toBe(`#/profile/${encodeURIComponent(bob.handle)}`);
    await waitForText(view.locator('.profile-title'), (t) => t === 'Bob Builder', 5000, 'name');
    expect(await view.locator('.profile-bio').textContent()).toContain('I build things');
    expect(await view.getByTestId('profile-fields').textContent()).toContain('he/him');
    await waitForText(view.getByTestId('profile-counts'), (t) => t.includes('3 posts') && t.includes('0 followers'), 5000, 'counts');
    const posts = view.locator('.profile-post');
    expect(await posts.count()).toBe(3);
    expect(await posts.first().textContent()).toContain('Bob’s newest post');
    await shot(page, 'profile-before-follow');
  });

  it('writes right-to-left paragraphs right to left, each in its own direction', async () => {
    const { page } = win;
    const post = page.locator('.profile-post', { hasText: 'Hello in two scripts' });
    const paragraphs = post.locator('.note-content p');
    expect(await paragraphs.count()).toBe(2);
    expect(await paragraphs.nth(0).evaluate((el) => [el.getAttribute('dir'), getComputedStyle(el).direction])).toEqual(['auto', 'ltr']);
    expect(await paragraphs.nth(1).evaluate((el) => [el.getAttribute('dir'), getComputedStyle(el).direction])).toEqual(['auto', 'rtl']);
    expect(await post.locator('.note-name').getAttribute('dir')).toBe('auto');
  });

  it('follows: the same state on the profile, the lookup card and the list; Home is backfilled', async () => {
    const { page } = win;
    const view = page.getByTestId('profile-view');
    await view.getByTestId('follow-button').click();
    await waitForText(view.getByTestId('unfollow-button'), (t) => t === 'Unfollow', 10_000, 'following on the profile');
    await waitForText(page.locator('.toast'), (t) => t.includes(`Following @${bob.handle}`), 5000, 'toast');

    await goTo(page, 'people');
    await waitForText(page.locator(`li.person[data-handle="${bob.handle}"] .badge`), (t) => t === 'Accepted', 10_000, 'list');
    await page.getByPlaceholder('@someone@example.social').fill(`@${bob.handle}`);
    await page.getByRole('button', { name: 'Look up' }).click();
    await waitForText(page.getByTestId('lookup-result').locator('.badge'), (t) => t === 'Following', 10_000, 'card');

    await goTo(page, 'home');
    await page.locator('article.note', { hasText: 'Bob’s first post' }).waitFor({ timeout: 10_000 });
    await page.locator('article.note', { hasText: 'Bob’s newest post' }).waitFor({ timeout: 10_000 });
  });

  it('unfollows only after a confirmation', async () => {
    const { page } = win;
    await page.evaluate((h) => { window.location.hash = `#/profile/${encodeURIComponent(h)}`; }, bob.handle);
    const view = page.getByTestId('profile-view');
    await view.getByTestId('unfollow-button').click();
    const dialog = page.getByRole('alertdialog', { name: `Unfollow @${bob.handle}?` });
    await dialog.waitFor({ timeout: 5000 });
    await shot(page, 'profile-unfollow-dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached', timeout: 5000 });
    expect((await alice.rpc('following')).map((f) => f.actor.uri)).toEqual([bob.actor]);

    await view.getByTestId('unfollow-button').click();
    await dialog.getByRole('button', { name: 'Unfollow' }).click();
    await waitForText(view.getByTestId('follow-button'), (t) => t === 'Follow', 10_000, 'follow again');
    expect(await alice.rpc('following')).toEqual([]);
    // The unfollow reached bob before the next follow does.
    await eventually(async () => (await bob.rpc('followers')).length === 0, 10_000, 'unfollow on bob');
  });

  it('the follow card shows the follow as the store has it (it said "Pending" while the list said "Accepted")', async () => {
    const { page } = win;
    await goTo(page, 'people');
    await page.getByPlaceholder('@someone@example.social').fill(`@${bob.handle}`);
    await page.getByRole('button', { name: 'Look up' }).click();
    const card = page.getByTestId('lookup-result');
    await card.getByRole('button', { name: 'Confirm follow' }).click();
    // Bob's server accepts at once: the card follows the answer without another look-up.
    await waitForText(card.locator('.badge'), (t) => t === 'Following', 10_000, 'card follows the store');
    await waitForText(page.locator(`li.person[data-handle="${bob.handle}"] .badge`), (t) => t === 'Accepted', 10_000, 'list');
    const toasts = await page.locator('.toast').allTextContents();
    expect(toasts.some((t) => t.includes('Follow request sent'))).toBe(false); // bob does not approve by hand
  });

  it('edits the own profile (name, bio, fields), and the other instance shows it', async () => {
    const { page } = win;
    await page.getByTestId('me-link').click();
    const view = page.getByTestId('profile-view');
    await waitForText(view.locator('.profile-handle'), (t) => t.includes(`@${alice.handle}`), 10_000, 'own profile');
    await view.getByTestId('edit-profile').click();
    const editor = page.getByTestId('profile-editor');
    await editor.getByLabel('Display name').fill('Alice Liddell');
    await editor.getByLabel('Bio').fill('Down the rabbit hole');
    await editor.getByRole('button', { name: 'Add a field' }).click();
    await editor.getByLabel('Field 1 label').fill('Website');
    await editor.getByRole('button', { name: 'Save profile' }).isDisabled().then((d) => expect(d).toBe(true)); // a label without a value
    await editor.getByLabel('Field 1 value').fill('https://alice.example/');
    await editor.getByRole('button', { name: 'Save profile' }).click();
    await waitForText(view.locator('.profile-title'), (t) => t === 'Alice Liddell', 10_000, 'saved name');
    expect(await view.getByTestId('profile-fields').textContent()).toContain('alice.example');
    await shot(page, 'own-profile');

    await eventually(async () => {
      const seen = await bob.rpc('profile', { handle: alice.handle });
      return seen.actor.name === 'Alice Liddell' && seen.actor.summaryHtml.includes('rabbit hole') && seen.fields[0]?.name === 'Website';
    }, 15_000, 'the profile update on bob');
  });

  it('shows the delivery of own posts after a reload, and lists what was sent', async () => {
    const { page } = win;
    await bob.rpc('follow', { handle: alice.handle });
    await eventually(async () => (await alice.rpc('followers')).some((f) => f.state === 'accepted'), 10_000, 'bob follows alice');
    const { noteId } = await alice.rpc('compose', { content: 'Posted from a script, not this window' });
    await page.reload();
    await page.locator('[data-testid="status-footer"]').waitFor({ timeout: 10_000 });
    await goTo(page, 'home');
    const post = page.locator(`article.note[data-note-id="${noteId}"]`);
    await post.locator('[data-testid="delivery-bar"][data-percent="100"]').waitFor({ timeout: 15_000 });
    expect(await post.getByTestId('delivery-bar').textContent()).toContain('Delivered to 1 of 1 inbox');

    await goTo(page, 'dashboard');
    const sent = page.getByTestId('sent-activities');
    await waitForText(sent, (t) => t.includes('Profile update') && t.includes('Posted from a script'), 10_000, 'sent list');
    // The profile update went out while nobody followed alice; the post reached bob.
    expect(await sent.locator('.sent-row[data-type="Update"]').first().textContent()).toContain('Nobody to deliver to');
    await sent.locator('.sent-row[data-type="Create"] [data-testid="delivery-bar"][data-percent="100"]').first().click();
    const panel = page.getByRole('dialog', { name: 'Delivery of this post' });
    await panel.waitFor({ timeout: 5000 });
    await waitForText(panel.getByTestId('delivery-inboxes'), (t) => t.includes(new URL(bob.publicUrl).host), 5000, 'per-host row');
    await shot(page, 'sent-panel');
    await page.keyboard.press('Escape');
  });

  it('keeps the hosts table’s actions and the sidebar’s pills in view at 1024 and 720 px', async () => {
    await alice.rpc('tunnelStart', { host: 'http://127.0.0.1:1' }); // never connects: a warning pill
    for (const width of [1024, 720]) {
      const w = await openWindow(browser, alice.running.adminUrl, alice.running.token, { width, height: 700, view: 'hosts' });
      try {
        const { page } = w;
        const row = page.locator('tr[data-host]').first();
        await row.waitFor({ timeout: 10_000 });
        for (const name of ['Retry now', 'Suspend']) {
          const box = (await row.getByRole('button', { name }).boundingBox())!;
          expect(box.x + box.width, `${name} at ${width}`).toBeLessThanOrEqual(width);
          expect(box.x).toBeGreaterThanOrEqual(0);
        }
        const wrap = page.locator('.table-wrap').first();
        expect(await wrap.evaluate((el) => el.scrollWidth - el.clientWidth), `no horizontal scroll at ${width}`).toBeLessThanOrEqual(1);
        const pill = page.getByTestId('tunnel-footer');
        await waitForText(pill, (t) => /connect/i.test(t), 10_000, 'tunnel pill');
        const sidebar = (await page.locator('nav.sidebar').boundingBox())!;
        const p = (await pill.boundingBox())!;
        expect(p.x).toBeGreaterThanOrEqual(sidebar.x);
        expect(p.x + p.width, `pill inside the sidebar at ${width}`).toBeLessThanOrEqual(sidebar.x + sidebar.width);
        await shot(page, `hosts-${width}`);
        expect(w.errors).toEqual([]);
      } finally {
        await w.context.close();
      }
    }
    await alice.rpc('tunnelStop');
  });

  it('switches the theme by hand, remembers it, and applies it before the app runs', async () => {
    const { page } = win;
    await goTo(page, 'settings');
    expect(await page.getByRole('switch', { name: 'Desktop notifications' }).count()).toBe(0); // browser: no desktop notifications
    const theme = page.getByTestId('theme-switch');
    await theme.getByRole('button', { name: 'Dark' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(20, 22, 25)');
    await shot(page, 'settings-dark');

    // Reloaded with the app's script held back: the boot script alone has set the theme.
    await page.route('**/assets/index-*.js', (route) => route.abort());
    await page.reload();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.unroute('**/assets/index-*.js');
    await page.reload();
    await page.locator('[data-testid="status-footer"]').waitFor({ timeout: 10_000 });
    await goTo(page, 'settings');
    await page.getByTestId('theme-switch').getByRole('button', { name: 'System' }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light'); // the context is light
  });

  it('raised no errors in the page', () => {
    // The aborted script of the theme check is the one expected failure.
    expect(win.errors.filter((e) => !/ERR_FAILED|net::/.test(e))).toEqual([]);
  });
});
