// Regression tests for what a first afternoon found broken, in the window: a cancelled reply
// left its mention and content warning behind, a reply to a direct post left the composer on
// "Mentioned only", a boosted post showed twice in Home, and replies, mentions and direct
// messages all looked like "mentioned you". And the keyboard shortcuts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { buildRenderer, goTo, launchBrowser, openWindow, type OpenedWindow } from './support/env';

let alice: TestOutpost;
let bob: TestOutpost;
let browser: Browser;
let win: OpenedWindow;

beforeAll(async () => {
  [alice, bob, browser] = await Promise.all([
    startOutpost({ host: '127.0.14.1', username: 'alice' }),
    startOutpost({ host: '127.0.14.2', username: 'bob' }),
    launchBrowser(),
    buildRenderer(),
  ]);
  await Promise.all([alice.rpc('follow', { handle: bob.handle }), bob.rpc('follow', { handle: alice.handle })]);
  await eventually(async () => (await alice.rpc('following')).some((f) => f.state === 'accepted')
    && (await bob.rpc('following')).some((f) => f.state === 'accepted'), 10_000, 'follows accepted');
  win = await openWindow(browser, alice.running.adminUrl, alice.running.token);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([alice?.stop(), bob?.stop()]);
});

const card = (text: string) => win.page.locator('article.note', { hasText: text });
const composer = (page: Page) => page.getByTestId('composer');
/** Whether a post's toggle button (Like, Bookmark…) shows as pressed: 'true' or 'false'. */
const pressedOn = (post: Locator, name: RegExp) => post.getByRole('button', { name }).getAttribute('aria-pressed');

/** Bob posts `text`; it is waited for in Alice's Home. */
async function bobsPostOnHome(text: string): Promise<Locator> {
  await bob.rpc('compose', { content: text });
  await goTo(win.page, 'home');
  const post = card(text);
  await post.waitFor({ timeout: 15_000 });
  return post;
}

/**
 * The composer's fields as the user sees them. Each read has a short timeout: polled while
 * the composer resets, a field counted a moment ago may be gone by the time it is read, and
 * Playwright's default would wait 30 s for it (the retry of expect.poll takes care of it).
 */
async function composerState(page: Page) {
  const c = composer(page);
  const quick = { timeout: 1000 };
  const cw = c.getByLabel('Content warning');
  return {
    text: await c.getByLabel('Post text').inputValue(quick),
    cw: await cw.count() ? await cw.inputValue(quick).catch(() => null) : null,
    visibility: await c.getByLabel('Visibility').inputValue(quick),
    replying: await c.getByText('Replying to').count() > 0,
  };
}

describe('the composer after a reply', () => {
  it('cancelling a reply takes back its @mention, content warning and narrowed visibility', async () => {
    const { page } = win;
    await bob.rpc('compose', { content: `@${alice.handle} a secret about the nest`, visibility: 'direct', summary: 'nest spoiler' });
    await card('nest spoiler').waitFor({ timeout: 15_000 });
    await card('nest spoiler').getByRole('button', { name: 'Reply' }).click();
    expect(await composerState(page)).toEqual({ text: `@${bob.handle} `, cw: 're: nest spoiler', visibility: 'direct', replying: true });
    await composer(page).getByRole('button', { name: 'Cancel reply' }).click();
    expect(await composerState(page)).toEqual({ text: '', cw: null, visibility: 'public', replying: false });
  });

  it('after replying to a direct post, the composer is back on Public with no content warning', async () => {
    const { page } = win;
    await card('nest spoiler').getByRole('button', { name: 'Reply' }).click();
    const box = composer(page).getByLabel('Post text');
    await box.press('Control+End');
    await box.pressSequentially('my lips are sealed');
    await box.press('Control+Enter');
    await expect.poll(() => composerState(page), { timeout: 10_000 }).toEqual({ text: '', cw: null, visibility: 'public', replying: false });
    // The reply itself went out direct, and bob sees it as a direct message.
    const n = await eventually(async () => (await bob.rpc('notifications')).notifications.find((x) => x.note?.contentHtml.includes('lips are sealed')), 10_000, 'reply on bob');
    expect([n.type, n.note?.visibility]).toEqual(['direct', 'direct']);
  });
});

describe('Home', () => {
  it('shows a boosted post once: boosting a post in Home, or a followed account boosting one already there, adds no second card', async () => {
    const { page } = win;
    await bob.rpc('compose', { content: 'Boost me if you like herons' });
    await card('Boost me if you like herons').waitFor({ timeout: 15_000 });
    await card('Boost me if you like herons').getByRole('button', { name: 'Boost' }).click();
    await card('Boost me if you like herons').getByRole('button', { name: 'Undo boost' }).waitFor({ timeout: 5000 });
    const { noteId } = await alice.rpc('compose', { content: 'Herons are patient birds' });
    const onBob = await eventually(async () => (await bob.rpc('timeline', {})).entries.find((e) => e.note.contentHtml.includes('patient birds')), 10_000, 'post on bob');
    await bob.rpc('boost', { noteId: onBob.note.id });
    await eventually(async () => (await alice.rpc('timeline', {})).entries.find((e) => e.note.id === noteId && e.note.boostCount === 1), 10_000, 'boost on alice');
    await page.reload();
    await card('Herons are patient birds').waitFor({ timeout: 10_000 });
    expect(await card('Boost me if you like herons').count()).toBe(1);
    expect(await card('Herons are patient birds').count()).toBe(1);
    expect(await card('Herons are patient birds').getByText('boosted').count()).toBe(0);
  });
});

describe('notifications', () => {
  it('a reply, a mention and a direct message are three kinds, each opening its thread', async () => {
    const { page } = win;
    const { noteId } = await alice.rpc('compose', { content: 'Where do the swifts sleep?' });
    const mine = await eventually(async () => (await bob.rpc('timeline', {})).entries.find((e) => e.note.contentHtml.includes('swifts sleep')), 10_000, 'post on bob');
    await bob.rpc('compose', { content: `@${alice.handle} on the wing!`, inReplyTo: mine.note.id });
    await bob.rpc('compose', { content: `Ask @${alice.handle} about swifts` });
    await bob.rpc('compose', { content: `@${alice.handle} psst, the swift roost is by the church`, visibility: 'direct' });
    await goTo(page, 'notifications');
    const reply = page.locator('li.notification[data-type="reply"]', { hasText: 'on the wing' });
    const mention = page.locator('li.notification[data-type="mention"]', { hasText: 'Ask' });
    const direct = page.locator('li.notification[data-type="direct"]', { hasText: 'swift roost' });
    await Promise.all([reply, mention, direct].map((l) => l.waitFor({ timeout: 15_000 })));
    expect(await reply.locator('.notification-title').textContent()).toContain('replied to your post');
    expect(await mention.locator('.notification-title').textContent()).toContain('mentioned you');
    expect(await direct.locator('.notification-title').textContent()).toContain('sent you a direct message');
    const icons = await Promise.all([reply, mention, direct].map((l) => l.locator('.notification-icon path').getAttribute('d')));
    expect(new Set(icons).size).toBe(3);

    await reply.locator('.note-content').click();
    await page.locator('article.note[aria-current="true"]', { hasText: 'on the wing' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('.thread-ancestor article.note').allTextContents()).toEqual([expect.stringContaining('swifts sleep')]);
    expect(noteId).toBeTruthy();
    await page.goBack();
    await direct.locator('.note-content').click();
    await page.locator('article.note[aria-current="true"]', { hasText: 'swift roost' }).waitFor({ timeout: 10_000 });
  });
});

describe('keyboard shortcuts', () => {
  it('j/k move between posts; f, b and s act on the focused one; r replies; nothing happens while typing', async () => {
    const { page } = win;
    await goTo(page, 'home');
    await page.locator('article.note').first().waitFor();
    await page.locator('#main').focus();
    const focusedText = () => page.evaluate(() => document.activeElement?.closest('article.note')?.getAttribute('data-note-id') ?? null);
    const ids = await page.locator('article.note').evaluateAll((els) => els.map((e) => e.getAttribute('data-note-id')));
    await page.keyboard.press('j');
    expect(await focusedText()).toBe(ids[0]);
    await page.keyboard.press('j');
    expect(await focusedText()).toBe(ids[1]);
    await page.keyboard.press('k');
    expect(await focusedText()).toBe(ids[0]);

    const first = page.locator(`article.note[data-note-id="${ids[0]}"]`);
    const pressed = (name: RegExp) => pressedOn(first, name);
    const liked = await pressed(/^(Like|Unlike)$/);
    await page.keyboard.press('f');
    await expect.poll(() => pressed(/^(Like|Unlike)$/), { timeout: 5000 }).toBe(liked === 'true' ? 'false' : 'true');
    await page.keyboard.press('s');
    await expect.poll(() => pressed(/^(Bookmark|Remove bookmark)$/), { timeout: 5000 }).toBe('true');
    await page.keyboard.press('r');
    await composer(page).getByText('Replying to').waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Post text');
    // Typing j in the composer types it.
    await page.keyboard.type('jk');
    expect(await composer(page).getByLabel('Post text').inputValue()).toMatch(/jk$/);
    await composer(page).getByRole('button', { name: 'Cancel reply' }).click();
    await page.locator('#main').focus();
    const bookmarks = await alice.rpc('bookmarks', {});
    expect(bookmarks.entries.map((e) => e.note.id)).toEqual([ids[0]]);
  });

  it('b boosts the focused post; Enter opens its thread, but Enter on a button inside a post is that button\'s', async () => {
    const { page } = win;
    const post = await bobsPostOnHome('A public post for the keys');
    await post.focus();
    await page.keyboard.press('b');
    await post.getByRole('button', { name: 'Undo boost' }).waitFor({ timeout: 5000 });

    await post.getByRole('button', { name: 'Reply' }).focus();
    await page.keyboard.press('Enter');
    await composer(page).getByText('Replying to').waitFor({ timeout: 5000 });
    expect(await page.evaluate(() => window.location.hash)).not.toMatch(/^#\/thread\//);
    await composer(page).getByRole('button', { name: 'Cancel reply' }).click();

    await post.focus();
    await page.keyboard.press('Enter');
    await page.locator('article.note[aria-current="true"]', { hasText: 'A public post for the keys' }).waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => window.location.hash)).toMatch(/^#\/thread\//);
  });

  it('n focuses a new post, / opens search with its box focused, ? lists the shortcuts', async () => {
    const { page } = win;
    await goTo(page, 'notifications');
    await page.locator('#main').focus();
    await page.keyboard.press('n');
    await page.locator('nav a[data-view="home"][aria-current="page"]').waitFor({ timeout: 5000 });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')), { timeout: 5000 }).toBe('Post text');
    await page.keyboard.press('Escape');
    await page.keyboard.press('/');
    await page.locator('nav a[data-view="search"][aria-current="page"]').waitFor({ timeout: 5000 });
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type), { timeout: 5000 }).toBe('search');
    await page.keyboard.press('Escape');
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.waitFor({ timeout: 5000 });
    expect(await help.getByTestId('shortcuts-help').textContent()).toContain('Next post');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached', timeout: 5000 });
    expect(win.errors).toEqual([]);
  });
});

describe('a refresh under way while the user acts on a post', () => {
  it('does not undo a like or a bookmark made after it began, and the next refresh agrees', async () => {
    const { page } = win;
    const post = await bobsPostOnHome('A post liked while Home refreshes');
    const likedAndBookmarked = async () => [await pressedOn(post, /^(Like|Unlike)$/), await pressedOn(post, /^(Bookmark|Remove bookmark)$/)];
    expect(await likedAndBookmarked()).toEqual(['false', 'false']);

    // Home's refresh gets its answer from the instance at once, but the window sees it only
    // after the like and the bookmark have been made and answered.
    let answered!: () => void;
    const gotAnswer = new Promise<void>((resolve) => { answered = resolve; });
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    await page.route('**/rpc/timeline', async (route) => {
      const response = await route.fetch();
      answered();
      await held;
      await route.fulfill({ response });
    });
    try {
      await goTo(page, 'notifications');
      await goTo(page, 'home');
      await gotAnswer;
      await post.focus();
      const actions = Promise.all(['like', 'bookmark'].map((m) => page.waitForResponse((r) => r.url().endsWith(`/rpc/${m}`))));
      await page.keyboard.press('f');
      await page.keyboard.press('s');
      expect((await actions).map((r) => r.status())).toEqual([200, 200]);
      const applied = page.waitForEvent('requestfinished', (r) => r.url().endsWith('/rpc/timeline'));
      release();
      await applied;
    } finally {
      release();
      await page.unroute('**/rpc/timeline');
    }
    // Two frames: React has rendered whatever the stale answer did.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await likedAndBookmarked()).toEqual(['true', 'true']);

    // A refresh begun after them shows the instance's state, which is the same.
    await goTo(page, 'notifications');
    const refreshed = page.waitForEvent('requestfinished', (r) => r.url().endsWith('/rpc/timeline'));
    await goTo(page, 'home');
    await refreshed;
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await likedAndBookmarked()).toEqual(['true', 'true']);
    expect(win.errors).toEqual([]);
  });
});
