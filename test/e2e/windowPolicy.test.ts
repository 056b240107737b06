// The window's Content-Security-Policy reaches it however it is loaded: a <meta> in the
// built index.html (Electron loads it from file://, without headers) and the admin port's
// header (headless) are the same policy, and the page runs under it without violations.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildRenderer, launchBrowser, openWindow } from './support/env';
import { startOutpost, type TestOutpost } from '../support/outpost';
import { UI_CONTENT_SECURITY_POLICY, UI_FRAME_POLICY } from '../../src/shared/constants';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
let outpost: TestOutpost;
let browser: Browser;

beforeAll(async () => {
  await buildRenderer();
  outpost = await startOutpost({ host: '127.0.9.40', username: 'owner' });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await outpost?.stop();
});

describe('the window policy', () => {
  it('the built index.html carries the CSP as its first <meta>, before any script', () => {
    const html = readFileSync(resolve(ROOT, 'out/renderer/index.html'), 'utf8');
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    expect(meta?.[1]?.replace(/&#39;/g, "'")).toBe(UI_CONTENT_SECURITY_POLICY);
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
  });

  it('headless sends the same policy as a header, plus frame-ancestors, and the page runs without violations', async () => {
    const res = await fetch(`${outpost.running.adminUrl}/`);
    expect(res.headers.get('content-security-policy')).toBe(`${UI_CONTENT_SECURITY_POLICY}; ${UI_FRAME_POLICY}`);
    const win = await openWindow(browser, outpost.running.adminUrl, outpost.running.token);
    const blocked = await win.page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.appendChild(s);
      return (window as unknown as { __inlineRan?: boolean }).__inlineRan !== true;
    });
    expect(blocked).toBe(true);
    expect(win.errors.filter((e) => !e.includes('Content Security Policy') || !e.includes('inline'))).toEqual([]);
    await win.context.close();
  });
});
