// Debian's Chromium driven by playwright-core (no browser download: the machine's /usr/bin/chromium).
import { chromium, type Browser, type Page } from 'playwright-core';
import { onCleanup } from './cleanup';
import { CHROMIUM_PATH } from './paths';

/** Without the background-networking flags Chromium keeps dialling hosts this closed network refuses. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export async function launchChromium(o: { headless?: boolean } = {}): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: o.headless ?? process.env.HEADFUL !== '1',
    args: CHROMIUM_ARGS,
    // Our cleanup handlers close it; Playwright's own would race them.
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  onCleanup('chromium', () => browser.close().catch(() => undefined));
  return browser;
}

export async function newPage(browser: Browser, o: { width?: number; height?: number } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: o.width ?? 1280, height: o.height ?? 800 } });
  return context.newPage();
}

/** Waits until the workbench has rendered its activity bar (the extension host may still be starting). */
export async function waitForWorkbench(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: timeoutMs });
}
