// Conversations in the window, between two real instances on loopback: a thread three
// replies deep opened from a notification (its parents fetched on the way), deep links that
// survive reload, a post found by its URL and replied to, an edit seen as "edited" on the
// other instance, and a poll voted on in one window while the other's results move.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';
import { buildRenderer, goTo, launchBrowser, openWindow, waitForText, type OpenedWindow } from './support/env';

let alice: TestOutpost;
let bob: TestOutpost;
let sam: FakeRemote;
let browser: Browser;
let win: OpenedWindow;
let bobWin: OpenedWindow;

beforeAll(async () => {
  [alice, bob, browser] = await Promise.all([
    startOutpost({ host: '127.0.13.1', username: 'alice' }),
    startOutpost({ host: '127.0.13.2', username: 'bob' }),
    launchBrowser(),
    buildRenderer(),
  ]);
  sam = await new FakeRemote({ host: '127.0.13.3', kind: 'mastodon', vars: {} }).start();
  await bob.rpc('updateSettings', { displayName: 'Bob Builder' });
  bob.running.instance.conversationConfig.polls.resultsDelayMs = 300;
  [win, bobWin] = await Promise.all([
    openWindow(browser, alice.running.adminUrl, alice.running.token),
    openWindow(browser, bob.running.adminUrl, bob.running.token),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([alice?.stop(), bob?.stop(), sam?.stop()]);
});

const post = (w: OpenedWindow, text: string) => w.page.locator('article.note', { hasText: text });

describe('threads', () => {
  it('opens a thread three replies deep from a notification, fetching its parents; Back returns; the link survives reload', async () => {
    const { page } = win;
    const root = await bob.rpc('compose', { content: 'Root: which bird is this?' });
    const r1 = await bob.rpc('compose', { content: 'Reply one: a wagtail?', inReplyTo: root.noteId });
    const r2 = await bob.rpc('compose', { content: 'Reply two: no, a pipit', inReplyTo: r1.noteId });
    await bob.rpc('compose', { content: `@${alice.handle} reply three: settle it for us`, inReplyTo: r2.noteId });

    await goTo(page, 'notifications');
    const item = page.locator('li.notification[data-type="mention"]', { hasText: 'settle it for us' });
    await item.waitFor({ timeout: 15_000 });
    await item.locator('.note-content').click();

    const focused = page.locator('article.note[aria-current="true"]');
    await focused.waitFor({ timeout: 15_000 });
    expect(await focused.textContent()).toContain('settle it for us');
    const ancestors = page.locator('.thread-ancestor article.note');
    await expect.poll(() => ancestors.count(), { timeout: 10_000 }).toBe(3);
    expect(await ancestors.allTextContents()).toEqual([
      expect.stringContaining('Root: which bird'), expect.stringContaining('Reply one'), expect.stringContaining('Reply two'),
    ]);
    expect(await page.locator('.thread-gap').count()).toBe(0);
    const hash = await page.evaluate(() => window.location.hash);
    expect(hash).toMatch(/^#\/thread\//);

    await page.reload();
    await page.locator('article.note[aria-current="true"]', { hasText: 'settle it for us' }).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => window.location.hash)).toBe(hash);

    // "Replying to" links up the thread: to reply two's own thread.
    await page.locator('article.note[aria-current="true"]').getByRole('link', { name: /Replying to/ }).click();
    await page.locator('article.note[aria-current="true"]', { hasText: 'Reply two' }).waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Back' }).click();
    await page.locator('article.note[aria-current="true"]', { hasText: 'settle it for us' }).waitFor({ timeout: 10_000 });
  });

  it('replies from the thread with the composer in reply mode; the reply shows under the post and reaches bob', async () => {
    const { page } = win;
    const focused = page.locator('article.note[aria-current="true"]');
    await focused.getByRole('button', { name: 'Reply' }).click();
    const composer = page.getByTestId('composer');
    await composer.getByText('Replying to').waitFor({ timeout: 5000 });
    const box = composer.getByLabel('Post text');
    expect(await box.inputValue()).toBe(`@${bob.handle} `);
    await box.press('Control+End');
    await box.pressSequentially('it is a meadow pipit');
    await box.press('Control+Enter');
    await page.locator('.thread-reply article.note', { hasText: 'it is a meadow pipit' }).waitFor({ timeout: 10_000 });
    await eventually(async () => (await bob.rpc('notifications')).notifications.find((n) => n.type === 'reply' && n.note?.contentHtml.includes('meadow pipit')), 10_000, 'reply on bob');
  });
});

describe('search', () => {
  it('resolves a post URL, then replies to it', async () => {
    const { page } = win;
    const { noteId } = await bob.rpc('compose', { content: 'A post alice has never seen' });
    const url = `${bob.publicUrl}/notes/${noteId}`;
    await goTo(page, 'search');
    await page.getByRole('searchbox').fill(url);
    await page.getByRole('searchbox').press('Enter');
    const result = page.getByTestId('search-results').locator('article.note', { hasText: 'never seen' });
    await result.waitFor({ timeout: 15_000 });
    await result.getByRole('button', { name: 'Reply' }).click();
    // The reply is written in the post's thread.
    await page.locator('article.note[aria-current="true"]', { hasText: 'never seen' }).waitFor({ timeout: 10_000 });
    const box = page.getByTestId('composer').getByLabel('Post text');
    await box.press('Control+End');
    await box.pressSequentially('now I have');
    await page.getByTestId('composer').getByRole('button', { name: 'Reply', exact: true }).click();
    await eventually(async () => (await bob.rpc('notifications')).notifications.find((n) => n.type === 'reply' && n.note?.contentHtml.includes('now I have')), 10_000, 'reply on bob');
  });

  it('finds accounts by handle and posts by words, grouped; hashtags open their timeline', async () => {
    const { page } = win;
    await alice.rpc('compose', { content: 'Dawn chorus recording #birdsong' });
    await goTo(page, 'search');
    await page.getByRole('searchbox').fill(`@${bob.handle}`);
    await page.getByRole('searchbox').press('Enter');
    await page.getByTestId('search-results').getByText('Bob Builder').waitFor({ timeout: 10_000 });
    await page.getByRole('searchbox').fill('chorus');
    await page.getByRole('searchbox').press('Enter');
    await post(win, 'Dawn chorus recording').waitFor({ timeout: 10_000 });
    await post(win, 'Dawn chorus recording').getByRole('link', { name: '#birdsong' }).click();
    await page.getByRole('heading', { name: '#birdsong' }).waitFor({ timeout: 5000 });
    await post(win, 'Dawn chorus recording').waitFor({ timeout: 5000 });
    // Hostile input is just words.
    await goTo(page, 'search');
    await page.getByRole('searchbox').fill('"NEAR( body: *');
    await page.getByRole('searchbox').press('Enter');
    await page.getByText('Nothing found for').waitFor({ timeout: 5000 });
  });
});

describe('edits', () => {
  it('edits a post in the window; the other instance shows it as edited, with its history', async () => {
    const { page } = win;
    await bob.rpc('follow', { handle: alice.handle });
    await eventually(async () => (await bob.rpc('following')).some((f) => f.state === 'accepted'), 10_000, 'bob follows alice');
    await alice.rpc('compose', { content: 'Spotted a kestrel by the canal' });
    await goTo(page, 'home');
    const mine = post(win, 'Spotted a kestrel');
    await mine.waitFor({ timeout: 10_000 });
    await post(bobWin, 'Spotted a kestrel').waitFor({ timeout: 15_000 });

    // While it is edited the card shows the editor, not the text: hold on to the card by its id.
    const card = page.locator(`article.note[data-note-id="${await mine.getAttribute('data-note-id')}"]`);
    await card.getByRole('button', { name: 'Edit' }).click();
    const editor = card.getByRole('form', { name: 'Edit post' });
    const text = editor.getByLabel('Post text');
    expect(await text.inputValue()).toBe('Spotted a kestrel by the canal');
    await text.fill('Spotted a hobby by the canal (not a kestrel)');
    await editor.getByRole('button', { name: 'Save' }).click();
    await post(win, 'Spotted a hobby').getByRole('button', { name: /^edited/ }).waitFor({ timeout: 5000 });

    const onBob = post(bobWin, 'Spotted a hobby');
    await onBob.waitFor({ timeout: 15_000 });
    await onBob.getByRole('button', { name: /^edited/ }).click();
    const history = bobWin.page.getByRole('dialog', { name: 'Edit history' });
    await history.getByText('Original').waitFor({ timeout: 5000 });
    expect(await history.textContent()).toContain('Spotted a kestrel by the canal');
    await bobWin.page.keyboard.press('Escape');
  });
});

describe('polls', () => {
  it('bob asks in his window; alice votes in hers; bob sees the vote, and the results travel back to alice', async () => {
    const { page } = win;
    await alice.rpc('follow', { handle: bob.handle });
    await eventually(async () => (await alice.rpc('following')).some((f) => f.actor.uri === bob.actor && f.state === 'accepted'), 10_000, 'alice follows bob');

    const bp = bobWin.page;
    await goTo(bp, 'home');
    await bp.getByLabel('Post text').fill('Tea or coffee this morning?');
    await bp.getByRole('button', { name: 'Add a poll' }).click();
    await bp.getByRole('textbox', { name: 'Option 1' }).fill('Tea');
    await bp.getByRole('textbox', { name: 'Option 2' }).fill('Coffee');
    await bp.getByLabel('Post text').press('Control+Enter');
    const bobsPoll = post(bobWin, 'Tea or coffee this morning').getByTestId('poll');
    await bobsPoll.waitFor({ timeout: 10_000 });
    expect(await bobsPoll.textContent()).toContain('0 people');

    await goTo(page, 'home');
    const poll = post(win, 'Tea or coffee this morning').getByTestId('poll');
    await poll.waitFor({ timeout: 15_000 });
    await poll.getByLabel('Coffee').check();
    await poll.getByRole('button', { name: 'Vote' }).click();
    await waitForText(poll, (t) => t.includes('your vote') && t.includes('100%'), 5000, 'results after voting');

    await waitForText(bobsPoll, (t) => t.includes('1 person'), 15_000, 'the vote counted on bob');
    // A second voter reaches bob; his Update brings both votes to alice.
    const thread = await bob.rpc('timeline', {});
    const pollNote = thread.entries.find((e) => e.note.poll)!.note;
    const vote = sam.fixture('create-vote', { LOCAL_NOTE: pollNote.uri, OPTION: 'Tea' });
    vote.to = bob.actor;
    vote.object.to = bob.actor;
    expect((await sam.post(`${bob.publicUrl}/inbox`, vote)).status).toBe(202);
    await waitForText(bobsPoll, (t) => t.includes('2 people') && t.includes('50%'), 15_000, 'two votes on bob');
    await waitForText(poll, (t) => t.includes('2 people') && t.includes('50%'), 15_000, 'the results on alice');
  });

  it('raised no errors in either window', () => {
    expect(win.errors).toEqual([]);
    expect(bobWin.errors).toEqual([]);
  });
});
