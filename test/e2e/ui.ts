// Helpers that drive the workbench like a person: locators by what is on screen, not by internals.
import type { Locator, Page } from 'playwright-core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../scripts/harness/paths';

export const CONTAINER_TITLE = 'Dispatch Inbox';

export function activityBarItem(page: Page, title = CONTAINER_TITLE): Locator {
  return page.locator(`.part.activitybar li.action-item:has(a[aria-label^="${title}"])`);
}

/** Opens the Dispatch Inbox view container (clicking its activity-bar item unless it is already open). */
export async function openDispatchInbox(page: Page): Promise<Locator> {
  const item = activityBarItem(page);
  await item.waitFor({ state: 'visible' });
  if ((await item.getAttribute('aria-selected')) !== 'true' && !(await item.evaluate((el) => el.classList.contains('checked')))) {
    await item.click();
  }
  const sidebar = page.locator('.part.sidebar');
  await sidebar.locator('.composite.title', { hasText: new RegExp(CONTAINER_TITLE, 'i') }).waitFor({ state: 'visible' });
  return sidebar;
}

/** Rows of the tree views in the side bar (each a `.monaco-list-row`, its text is the label + description). */
export function treeRows(page: Page): Locator {
  return page.locator('.part.sidebar .monaco-list-row');
}

export function treeRow(page: Page, label: string | RegExp): Locator {
  return treeRows(page).filter({ hasText: label });
}

/** `Category: Title` of a contributed command, read from package.json, as the palette shows it. */
export function commandPaletteLabel(command: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
    contributes?: { commands?: { command: string; title: string; category?: string }[] };
  };
  const c = pkg.contributes?.commands?.find((x) => x.command === command);
  if (!c) throw new Error(`package.json contributes no command ${command}`);
  // Titles may be `%key%` strings localised through package.nls.json, as the palette shows them.
  const nlsFile = path.join(REPO_ROOT, 'package.nls.json');
  const nls = (fs.existsSync(nlsFile) ? JSON.parse(fs.readFileSync(nlsFile, 'utf8')) : {}) as Record<string, string>;
  const t = (s: string) => s.replace(/^%(.+)%$/, (m, k: string) => nls[k] ?? m);
  return c.category ? `${t(c.category)}: ${t(c.title)}` : t(c.title);
}

export function hasContributedCommand(command: string): boolean {
  try {
    commandPaletteLabel(command);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command through the palette (F1, type its label, Enter), as a person would. */
export async function runFromPalette(page: Page, label: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible' });
  await input.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

export function statusBarItem(page: Page, text: string | RegExp): Locator {
  return page.locator('.part.statusbar .statusbar-item', { hasText: text });
}

export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notification-toast', { hasText: text });
}
