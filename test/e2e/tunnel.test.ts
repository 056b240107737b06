// Settings → Tunnel in a real browser against a real headless instance and a loopback
// localtunnel server: start goes online under the server's URL, which is not the
// instance's identity, so the identity problem shows (here and in the sidebar); stop
// returns to off and the problem goes away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startOutpost, type TestOutpost } from '../support/outpost';
import { LocalTunnelServer } from '../support/localtunnelServer';
import { buildRenderer, goTo, launchBrowser, openWindow, waitForText, type OpenedWindow } from './support/env';

let tunnelServer: LocalTunnelServer;
let uma: TestOutpost;
let browser: Browser;
let win: OpenedWindow;

beforeAll(async () => {
  [tunnelServer, uma, browser] = await Promise.all([
    new LocalTunnelServer({ ip: '127.0.4.90' }).start(),
    startOutpost({ host: '127.0.4.91', username: 'uma' }),
    launchBrowser(),
    buildRenderer(),
  ]);
  win = await openWindow(browser, uma.running.adminUrl, uma.running.token);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await uma?.stop();
  await tunnelServer?.close();
});

describe('Settings → Tunnel', () => {
  it('starts a tunnel, shows its URL and the identity problem, and stops it', async () => {
    const { page } = win;
    const footer = page.getByTestId('tunnel-footer');
    await waitForText(footer, (t) => t === 'Tunnel offline', 5000, 'tunnel offline in the footer');

    await goTo(page, 'settings');
    const section = page.getByTestId('tunnel-section');
    await section.waitFor({ timeout: 5000 });
    const state = section.getByTestId('tunnel-state');
    await waitForText(state, (t) => t.includes('Off'), 5000, 'tunnel off');
    const server = section.getByLabel('Tunnel server');
    expect(await server.inputValue()).toBe('https://localtunnel.me');
    expect(await section.textContent()).toContain('remote servers are not affected');

    await server.fill(tunnelServer.controlUrl);
    await section.getByRole('button', { name: 'Start', exact: true }).click();

    await section.locator('[data-testid="tunnel-state"][data-state="online"]').waitFor({ timeout: 10_000 });
    const url = section.getByTestId('tunnel-url');
    await expect.poll(() => url.inputValue(), { timeout: 5000 }).toBe(tunnelServer.publicUrl);
    expect(tunnelServer.registrations.length).toBe(1);

    // The fixture's URL is not the instance's identity: federation pauses, and the window says so.
    const banner = section.getByTestId('tunnel-identity-problem');
    await banner.waitFor({ timeout: 5000 });
    const problem = (await uma.rpc('tunnelStatus')).identityProblem;
    expect(problem).toMatchObject({ pinned: uma.publicUrl, got: tunnelServer.publicUrl });
    expect(await banner.textContent()).toContain(problem!.message);
    await waitForText(footer, (t) => t === 'Tunnel problem', 5000, 'tunnel problem in the footer');
    await page.getByTestId('federation-banner').waitFor({ timeout: 5000 });
    await section.getByRole('button', { name: 'Retry for my subdomain' }).or(section.getByRole('button', { name: 'Reconnect now' })).waitFor({ timeout: 2000 });

    await section.getByRole('button', { name: 'Stop', exact: true }).click();
    await section.locator('[data-testid="tunnel-state"][data-state="off"]').waitFor({ timeout: 5000 });
    await banner.waitFor({ state: 'detached', timeout: 5000 });
    expect(await url.count()).toBe(0);
    await waitForText(footer, (t) => t === 'Tunnel offline', 5000, 'tunnel offline again in the footer');
    await page.getByTestId('federation-banner').waitFor({ state: 'detached', timeout: 5000 });
    expect((await uma.rpc('tunnelStatus')).state.status).toBe('off');
    // The server field keeps what was used, ready for the next start.
    expect(await server.inputValue()).toBe(tunnelServer.controlUrl);

    expect(win.errors).toEqual([]);
    expect(win.dialogs).toEqual([]);
  }, 20_000);
});
