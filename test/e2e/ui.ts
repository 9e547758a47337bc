// Helpers that drive the workbench like a person: locators by what is on screen, not by internals.
import type { Locator, Page } from 'playwright-core';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../../scripts/harness/paths';

export const CONTAINER_TITLE = 'Dispatch Inbox';
/** The start of the welcome text of a root without team inboxes (package.nls.json welcome.empty). */
export const EMPTY_WELCOME = 'No team inboxes under this root yet';

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

/** What the quick input on screen asks, in the page: null when none is shown. */
const QUESTION = `(() => {
  const w = document.querySelector('.quick-input-widget');
  if (!w || w.style.display === 'none' || !w.getClientRects().length) return null;
  const input = w.querySelector('.quick-input-box input');
  const title = w.querySelector('.quick-input-title')?.textContent ?? '';
  return { question: title + '\\u0000' + (input?.getAttribute('placeholder') ?? '') + '\\u0000' + (input?.getAttribute('aria-label') ?? ''), value: input?.value ?? '' };
})()`;

interface Question {
  question: string;
  value: string;
}

/** Waits until the quick input on screen is not `was` any more: hidden, or another question (lasting states, not the ~20 ms it is hidden between two). */
async function questionGone(page: Page, was: Question): Promise<void> {
  // String expressions: Playwright evaluates them over CDP, so the workbench's CSP does not apply.
  await page.waitForFunction(
    `(() => { const now = ${QUESTION}; const was = ${JSON.stringify(was)}; return !now || now.question !== was.question || now.value !== was.value; })()`,
    undefined,
    { polling: 50 },
  );
}

/**
 * Records, in the page, what the quick input asked and where the focus went from now on: a question that
 * never shows up then says whether it was shown and closed (focus taken away) or never asked.
 */
const TRACE_INPUT = `(() => {
  const t0 = performance.now();
  const log = (window.__inputTrace = []);
  const add = (what) => log.length < 200 && log.push(Math.round(performance.now() - t0) + ' ms ' + what);
  const describe = (e) => e ? e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\\s+/).slice(0, 3).join('.') : '') + (e.closest('.part') ? ' in ' + e.closest('.part').className.split(' ').slice(0, 2).join('.') : '') : 'none';
  // One trace at a time: the previous palette's listener and timer go.
  window.__inputTraceStop?.();
  const onFocus = (e) => add('focus ' + describe(e.target));
  document.addEventListener('focusin', onFocus, true);
  let last = null;
  const timer = setInterval(() => {
    const now = JSON.stringify(${QUESTION});
    if (now !== last) add('quick input ' + (last = now));
  }, 50);
  window.__inputTraceStop = () => { clearInterval(timer); document.removeEventListener('focusin', onFocus, true); };
  setTimeout(window.__inputTraceStop, 60000);
})()`;

/** Runs a command through the palette (F1, type its label, Enter), as a person would, and waits until the palette has gone. */
export async function runFromPalette(page: Page, label: string): Promise<void> {
  await page.evaluate(TRACE_INPUT);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${label}`);
  // Enter runs the focused row: under load the list can still show what matched before the last keystroke.
  const row = page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: label }).first();
  await row.waitFor({ state: 'visible' });
  const was = (await page.evaluate(QUESTION)) as Question;
  await input.press('Enter');
  await questionGone(page, was);
}

/**
 * Answers the quick input on screen: waits for the question (`question`: text of its title or
 * placeholder, to tell it from the previous one), types `text`, waits until a pick list has the
 * typed item focused, presses Enter and waits until that question has gone.
 */
export async function answerQuickInput(page: Page, text: string, o: { question?: string } = {}): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page
    .waitForFunction(`(() => { const now = ${QUESTION}; return !!now && now.question.includes(${JSON.stringify(o.question ?? '')}); })()`, undefined, {
      polling: 50,
    })
    .catch(async (e: Error) => {
      const trace = (await page.evaluate('window.__inputTrace ?? []').catch(() => [])) as string[];
      throw new Error(`no question "${o.question ?? ''}": ${e.message}\nsince the palette opened:\n  ${trace.slice(-40).join('\n  ')}`);
    });
  await input.fill(text);
  const list = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  if (text && (await list.count())) await list.filter({ hasText: text }).and(page.locator('.focused')).first().waitFor({ state: 'visible' });
  const was = (await page.evaluate(QUESTION)) as Question;
  await input.press('Enter');
  await questionGone(page, was);
}

/**
 * Waits until a dispatch is open in the Markdown preview: its tab (named by the file) and, in the
 * webview (two nested frames), its title rendered as the heading.
 */
export async function waitForPreview(page: Page, slug: string, title: string): Promise<void> {
  await page.locator('.tab', { hasText: slug }).first().waitFor({ state: 'visible', timeout: 10_000 });
  await page.frameLocator('iframe.webview').frameLocator('iframe').locator('h1', { hasText: title }).first().waitFor({ timeout: 10_000 });
}

export function statusBarItem(page: Page, text: string | RegExp): Locator {
  return page.locator('.part.statusbar .statusbar-item', { hasText: text });
}

export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notification-toast', { hasText: text });
}

/**
 * Starts recording, in the page, every moment the side bar shows a welcome text matching `text`
 * (a MutationObserver: it sees a state that lasts a single frame). The returned function stops the
 * recording and says what was seen.
 */
export async function recordWelcome(page: Page, text: string): Promise<() => Promise<string[]>> {
  const key = `__welcome${Math.random().toString(36).slice(2)}`;
  await page.evaluate(`(() => {
    const seen = [];
    const check = () => {
      for (const el of document.querySelectorAll('.part.sidebar .welcome-view-content')) {
        const t = el.textContent || '';
        if (t.includes(${JSON.stringify(text)}) && el.getClientRects().length && !seen.includes(t)) seen.push(t);
      }
    };
    const obs = new MutationObserver(check);
    obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    check();
    window[${JSON.stringify(key)}] = { seen, stop: () => obs.disconnect() };
  })()`);
  return async () => (await page.evaluate(`(() => { const r = window[${JSON.stringify(key)}]; r.stop(); return r.seen; })()`)) as string[];
}

/** Closes the toasts on screen (hovering first: a toast fading out is never hoverable). */
export async function closeToasts(page: Page): Promise<void> {
  for (const t of await page.locator('.notification-toast').all()) {
    await t.hover({ timeout: 1000 }).catch(() => undefined);
    await t
      .locator('.codicon-notifications-clear')
      .click({ timeout: 1000 })
      .catch(() => undefined);
  }
}
