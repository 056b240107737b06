// The delivery side of the window against a real headless instance: a dead follower's host
// backs off with a ticking countdown and "Retry now" makes a new attempt; the dashboard's
// uPlot charts render the deliveries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { eventually, startOutpost, type TestOutpost } from '../support/outpost';
import { FakeRemote } from '../support/fakeRemote';
import { buildRenderer, goTo, launchBrowser, openWindow, waitForText, type OpenedWindow } from './support/env';

let alice: TestOutpost;
let live: FakeRemote;
let dead: FakeRemote;
let asker: FakeRemote | undefined;
let browser: Browser;
let win: OpenedWindow;
/** The remote URLs behind media paths the instance answered 502 for (it could not fetch them). */
const unavailable: string[] = [];

async function followFrom(remote: FakeRemote): Promise<void> {
  const res = await remote.post(`${alice.actor}/inbox`, remote.fixture('follow'));
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  [alice, browser] = await Promise.all([startOutpost({ host: '127.0.3.1', username: 'alice' }), launchBrowser(), buildRenderer()]);
  const vars = { LOCAL_ACTOR: alice.actor, LOCAL_HOST: new URL(alice.actor).host, LOCAL_FOLLOWERS: `${alice.actor}/followers` };
  [live, dead] = await Promise.all([
    new FakeRemote({ host: '127.0.3.3', kind: 'mastodon', vars }).start(),
    new FakeRemote({ host: '127.0.3.4', kind: 'pleroma', vars }).start(),
  ]);
  await alice.rpc('updateSettings', { retryInitialDelayMs: 1000 });
  await Promise.all([followFrom(live), followFrom(dead)]);
  await eventually(async () => (await alice.rpc('followers')).filter((f) => f.state === 'accepted').length === 2, 10_000, 'two followers');

  // One post reaches both; then the dead one's server goes away and five more fail there.
  const first = await alice.rpc('compose', { content: 'first post, for everyone' });
  await eventually(async () => (await alice.rpc('deliveryProgress', { activityId: first.activityId })).delivered === 2, 10_000, 'first post delivered');
  await dead.stop();
  for (let i = 1; i <= 5; i++) await alice.rpc('compose', { content: `post ${i} while ${dead.host} is down` });
  await eventually(async () => (await alice.rpc('hosts')).find((h) => h.host === dead.host && h.state === 'backing_off'), 20_000, 'dead host backing off');

  win = await openWindow(browser, alice.running.adminUrl, alice.running.token);
  win.page.on('response', (r) => {
    const m = /\/media\/cache\/(?:i|av)\/[A-Za-z0-9_-]+\/([A-Za-z0-9_-]+)$/.exec(new URL(r.url()).pathname);
    if (r.status() === 502 && m) unavailable.push(Buffer.from(m[1]!, 'base64url').toString('utf8'));
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([alice?.stop(), live?.stop(), asker?.stop()]);
});

describe('delivery in the window', () => {
  it('shows the dead host backing off with a ticking countdown, and Retry now makes a new attempt', async () => {
    const { page } = win;
    await goTo(page, 'hosts');
    const row = page.locator(`tr[data-host="${dead.host}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator('.badge').first().textContent()).toBe('Backing off');
    expect(await page.locator(`tr[data-host="${live.host}"] .badge`).first().textContent()).toBe('Healthy');

    const countdown = row.getByTestId('countdown');
    const t1 = await countdown.textContent();
    expect(t1).toMatch(/^in \d+:\d{2}(:\d{2})?$/);
    await waitForText(countdown, (t) => t !== t1, 3000, 'countdown to tick');

    const failures = Number(await row.getByTestId('host-failures').textContent());
    expect(failures).toBeGreaterThanOrEqual(5);
    const attempts = row.getByTestId('host-attempts');
    const attemptsBefore = Number(await attempts.textContent());
    expect(attemptsBefore).toBe((await alice.rpc('host', { host: dead.host })).attempts);
    await row.getByRole('button', { name: 'Retry now' }).click();
    await waitForText(attempts, (t) => Number(t) > attemptsBefore, 10_000, 'the attempt count to grow');
    // The retry failed too: the host backs off again, from a fresh countdown.
    await waitForText(row.locator('.badge').first(), (t) => t === 'Backing off', 10_000, 'backing off again');
    const after = (await alice.rpc('host', { host: dead.host })).attempts;
    expect(after).toBeGreaterThan(attemptsBefore);

    // The drawer: recent attempts with their error class, and the availability strip.
    await row.locator('td').nth(1).click();
    const drawer = page.getByRole('dialog', { name: dead.host });
    await drawer.waitFor({ timeout: 5000 });
    await drawer.getByTestId('host-attempts-table').waitFor({ timeout: 5000 });
    expect(await drawer.getByTestId('host-attempts-table').locator('tbody tr').count()).toBeGreaterThanOrEqual(failures);
    expect(await drawer.getByTestId('host-attempts-table').textContent()).toContain('Refused');
    expect(await drawer.locator('.day-strip li').count()).toBe(14);
    expect(await drawer.locator('.day-strip li.day-none').count()).toBeLessThan(14);
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached', timeout: 5000 });
  });

  it('draws the dashboard charts from the delivery metrics', async () => {
    const { page } = win;
    await goTo(page, 'dashboard');
    const cards = ['chart-queue', 'chart-rate', 'chart-failures', 'chart-latency'];
    for (const id of cards) await page.getByTestId(id).locator('.uplot canvas').waitFor({ timeout: 10_000 });
    for (const id of cards) {
      const box = await page.getByTestId(id).locator('.uplot canvas').boundingBox();
      expect(box, id).not.toBeNull();
      expect(box!.width, id).toBeGreaterThan(200);
      expect(box!.height, id).toBeGreaterThan(100);
    }
    // Data, not just axes: the range totals count the attempts and neither chart says it is empty.
    await waitForText(page.locator('.range-summary'), (t) => /[1-9]\d* attempts/.test(t), 5000, 'attempts in the range');
    expect(await page.locator('.chart-empty').count()).toBe(0);
    expect(Number(await page.getByTestId('tile-delivered').locator('.tile-num').textContent())).toBeGreaterThanOrEqual(2);
    expect(Number(await page.getByTestId('tile-backoff').locator('.tile-num').textContent())).toBe(1);

    // The charts follow their container's width.
    const before = (await page.getByTestId('chart-queue').locator('.uplot canvas').boundingBox())!.width;
    await page.setViewportSize({ width: 1000, height: 800 });
    await expect.poll(async () => (await page.getByTestId('chart-queue').locator('.uplot canvas').boundingBox())!.width, { timeout: 5000 }).not.toBe(before);
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows delivery settings in human units, and follow requests wait for approval once switched on', async () => {
    const { page } = win;
    await goTo(page, 'settings');
    const firstRetry = page.getByLabel('First retry after', { exact: true });
    await firstRetry.waitFor({ timeout: 5000 });
    expect(await firstRetry.inputValue()).toBe('1');
    expect(await page.getByLabel('First retry after unit').inputValue()).toBe('s');
    expect(await page.locator('.delivery-field', { hasText: 'First retry after' }).locator('.field-default').textContent()).toBe('Default: 30 s');

    // Avatar: chosen, uploaded at once (re-encoded by the instance), shown from it, removed.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
    await page.getByLabel('Choose avatar').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('button', { name: 'Remove avatar' }).waitFor({ timeout: 5000 });
    await page.locator('.avatar-editor img.avatar-img.loaded').waitFor({ timeout: 5000 });
    expect((await alice.rpc('settings')).avatarUrl).toMatch(/^http/);
    await page.getByRole('button', { name: 'Remove avatar' }).click();
    await page.getByRole('button', { name: 'Remove avatar' }).waitFor({ state: 'detached', timeout: 5000 });
    expect((await alice.rpc('settings')).avatarUrl).toBeNull();

    const approval = page.getByRole('switch', { name: 'Approve new followers' });
    expect(await approval.getAttribute('aria-checked')).toBe('false');
    await approval.click();
    await expect.poll(() => approval.getAttribute('aria-checked'), { timeout: 5000 }).toBe('true');
    expect((await alice.rpc('settings')).manuallyApprovesFollowers).toBe(true);

    await goTo(page, 'notifications');
    asker = await new FakeRemote({
      host: '127.0.3.8', kind: 'gotosocial',
      vars: { LOCAL_ACTOR: alice.actor, LOCAL_HOST: new URL(alice.actor).host, LOCAL_FOLLOWERS: `${alice.actor}/followers` },
    }).start();
    await followFrom(asker);
    const request = page.locator('li.notification[data-type="follow_request"]');
    await request.waitFor({ timeout: 10_000 });
    await request.getByRole('button', { name: 'Approve' }).click();
    await waitForText(request.locator('.badge'), (t) => t === 'Approved', 10_000, 'request approved');
    expect((await alice.rpc('followers')).find((f) => f.actor.uri === asker!.actorId)?.state).toBe('accepted');
  });

  it('raised no errors in the page; only the stopped host\'s avatar could not be had', () => {
    // The dead host cannot serve its actor's avatar any more: the instance answers 502, the
    // window shows initials, and Chromium logs the failed load — nothing else may fail.
    for (const url of unavailable) expect(new URL(url).host).toBe(dead.host);
    const failedLoads = win.errors.filter((e) => /Failed to load resource.*502/.test(e));
    expect(failedLoads.length).toBeLessThanOrEqual(unavailable.length);
    expect(win.errors.filter((e) => !failedLoads.includes(e))).toEqual([]);
  });
});
