// Launches Debian's Chromium through playwright-core and opens the Outpost window of a
// headless instance (admin port, token in the URL fragment), collecting page errors.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.OUTPOST_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface OpenedWindow {
  context: BrowserContext;
  page: Page;
  /** Uncaught exceptions and console errors seen so far. */
  errors: string[];
  /** Messages of any alert/confirm/prompt the page tried to show. */
  dialogs: string[];
}

export async function openWindow(browser: Browser, adminUrl: string, token: string, opts: {
  colorScheme?: 'light' | 'dark'; width?: number; height?: number; view?: string;
} = {}): Promise<OpenedWindow> {
  const context = await browser.newContext({
    viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 },
    colorScheme: opts.colorScheme ?? 'light',
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${adminUrl}/#token=${encodeURIComponent(token)}`);
  if (opts.view) await page.evaluate((v) => { window.location.hash = `#/${v}`; }, opts.view);
  await page.locator('[data-testid="status-footer"]').waitFor({ timeout: 10_000 });
  return { context, page, errors, dialogs };
}
