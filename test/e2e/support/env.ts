// What every e2e file needs: the built renderer, a browser, and bounded waits.
import type { Locator, Page } from 'playwright-core';
import { buildRenderer } from './buildRenderer';
import { launchBrowser } from './browser';

export { buildRenderer, launchBrowser };
export { openWindow, type OpenedWindow } from './browser';

/** Waits (bounded) until the locator's text satisfies `check`; returns that text. */
export async function waitForText(locator: Locator, check: (text: string) => boolean, timeoutMs = 10_000, what = 'text'): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = (await locator.first().textContent({ timeout: 1000 }).catch(() => null)) ?? '';
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last text: ${JSON.stringify(last)}`);
}

/** Opens a view through the sidebar, as a user would. */
export async function goTo(page: Page, view: 'home' | 'notifications' | 'search' | 'bookmarks' | 'people' | 'dashboard' | 'hosts' | 'settings'): Promise<void> {
  await page.locator(`nav a[data-view="${view}"]`).click();
  await page.locator(`nav a[data-view="${view}"][aria-current="page"]`).waitFor({ timeout: 5000 });
}

/** Everything in the page that could run script: inline handlers, javascript: URLs, script-ish elements. */
export async function activeContent(page: Page, scope = 'body'): Promise<string[]> {
  return page.evaluate((sel) => {
    const found: string[] = [];
    const root = document.querySelector(sel);
    if (!root) return ['scope missing'];
    for (const el of Array.from(root.querySelectorAll('*'))) {
      for (const attr of Array.from(el.attributes)) {
        if (/^on/i.test(attr.name)) found.push(`${el.localName}[${attr.name}]`);
        if (/^\s*javascript:/i.test(attr.value)) found.push(`${el.localName}[${attr.name}=${attr.value}]`);
      }
      if (['script', 'iframe', 'object', 'embed', 'frame'].includes(el.localName)) found.push(el.localName);
    }
    return found;
  }, scope);
}
