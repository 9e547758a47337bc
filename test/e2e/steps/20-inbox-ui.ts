// The inbox as a person uses it: read the tree and its badges, hover, acknowledge and undo, keyboard,
// send a dispatch, get notified, reroute from the context menu, filter, delete. Runs after 10-*.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { Priority } from '../../../src/core/format/format';
import type { DispatchStore } from '../../../src/core/store';
import { step } from '../framework';
import { extensionLogs } from '../../../scripts/harness/codeServer';
import {
  activityBarItem,
  answerQuickInput,
  closeToasts,
  commandPaletteLabel,
  EMPTY_WELCOME,
  notification,
  openDispatchInbox,
  recordWelcome,
  runFromPalette,
  statusBarItem,
  waitForPreview,
} from '../ui';

/** One tree row by its exact label (the row text also holds the description). */
function row(page: Page, label: string): Locator {
  return page.locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: label }) }).first();
}

async function expand(r: Locator): Promise<void> {
  if ((await r.getAttribute('aria-expanded')) === 'false') await r.locator('.monaco-tl-twistie').click();
}

/** Expands a team's Acknowledged node (collapsed by default): the first "Acknowledged" row after the team's. */
async function expandAcknowledged(page: Page, team: string): Promise<void> {
  const rows = page.locator('.part.sidebar .monaco-list-row');
  const labels = await rows.locator('.label-name').allTextContents();
  const at = labels.indexOf('Acknowledged', labels.indexOf(team));
  if (at > 0) await expand(rows.nth(at));
}

/** The row with this label once its text (label + description) also matches `text`: waits, not a one-shot read. */
async function rowSays(page: Page, label: string, text: RegExp): Promise<void> {
  await page
    .locator('.part.sidebar .monaco-list-row', { has: page.locator('.label-name', { hasText: label }) })
    .filter({ hasText: text })
    .first()
    .waitFor({ state: 'visible' });
}

async function contextMenu(page: Page, r: Locator, item: string): Promise<void> {
  const entry = page.locator('.context-view .action-item', { hasText: item }).first();
  // A right-click while the focus is moving (an editor opening) can close the menu at once: retry.
  for (let i = 0; i < 3; i++) {
    await r.click({ button: 'right' });
    if (
      await entry.waitFor({ state: 'visible', timeout: 2000 }).then(
        () => true,
        () => false,
      )
    )
      break;
    await page.keyboard.press('Escape');
  }
  // The menu acts on keyboard focus as reliably as on a click: hover to focus the entry, then Enter.
  await entry.hover();
  await page.keyboard.press('Enter');
}

/** The step before may have failed: makes sure a dispatch with this title is in `to`/new. */
async function ensureNew(store: DispatchStore, root: string, d: { to: string; from: string; priority: Priority; title: string }, slug: string): Promise<void> {
  if (!fs.readdirSync(path.join(root, d.to, 'new')).some((f) => f.includes(slug))) await store.deliver(d);
}

/** What the Send step delivers, and later steps use. */
const VERIFY = { to: 'qa', from: 'engineering', priority: 'high' as const, title: 'Verify release 2.4' };

export default [
  step('the inbox shows teams with counts, dispatches with priority badges, and the unread badge', async ({ page, screenshot }) => {
    await openDispatchInbox(page);
    await row(page, 'Checkout returns 500').waitFor({ state: 'visible', timeout: 15_000 });
    await rowSays(page, 'engineering', /2 new · 1 urgent/);
    await rowSays(page, 'Checkout returns 500', /web_ops · \d+m ago/);
    // The priority badge is a file decoration: CSS content on our row, never on an Explorer file.
    const badge = await row(page, 'Checkout returns 500')
      .locator('.monaco-icon-label')
      .evaluate(
        (el) => (globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } }).getComputedStyle(el, '::after').content,
      );
    assert.equal(badge, '"U"');
    await activityBarItem(page)
      .locator('.badge-content', { hasText: /^\s*3\s*$/ })
      .waitFor({ state: 'visible' });
    await screenshot('e2e-ui-inbox');
  }),

  step('hovering a dispatch shows its front matter and the start of the body', async ({ page, screenshot }) => {
    await row(page, 'Checkout returns 500').hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'priority: urgent' }).first();
    await hover.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await hover.textContent()) ?? '', /Since the 14:00 deploy/);
    await screenshot('e2e-ui-tooltip');
    await page.mouse.move(900, 500);
  }),

  step('Acknowledge (inline button) moves it to Acknowledged; Undo in the status bar brings it back', async ({ page, root, screenshot }) => {
    await closeToasts(page);
    const r = row(page, 'Update site footer');
    await r.hover();
    await r.locator('.action-label[aria-label^="Acknowledge"]').click();
    // One dispatch acknowledged is a confirmation in the status bar, which the next one replaces: no toast.
    const confirmation = statusBarItem(page, 'Acknowledged “Update site footer”.');
    await confirmation.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await confirmation.textContent()) ?? '', /Undo/);
    assert.equal(await notification(page, 'Acknowledged').count(), 0, 'no toast for a routine acknowledge');
    await screenshot('e2e-ui-acknowledged');
    await confirmation.click();
    await confirmation.waitFor({ state: 'hidden', timeout: 10_000 });
    await page.waitForTimeout(300);
    const newDir = path.join(root, 'engineering', 'new');
    await waitUntil(() => fs.readdirSync(newDir).some((f) => f.includes('update-site-footer')), 'back in new/');
    await row(page, 'Update site footer').waitFor({ state: 'visible' });
    await rowSays(page, 'engineering', /2 new/);
  }),

  step('keyboard: select a row with the arrows, Ctrl+Enter acknowledges it', async ({ page, root }) => {
    await closeToasts(page);
    await runFromPalette(page, 'Dispatch Inbox: Focus on Inbox View');
    const target = row(page, 'Update site footer');
    // Walk down to the row with the arrow keys, Enter opens it (focus stays in the tree), Ctrl+Enter acknowledges.
    await page.keyboard.press('Home');
    for (let i = 0; i < 30 && !(await target.evaluate((el) => el.classList.contains('focused'))); i++) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await waitForPreview(page, 'update-site-footer', 'Update site footer');
    // The webview, once loaded, must not have taken the focus: Ctrl+Enter goes to the focused view.
    await page.waitForFunction(`!!document.activeElement?.closest('.part.sidebar')`, undefined, { timeout: 2000 });
    await page.keyboard.press('Control+Enter');
    const curDir = path.join(root, 'engineering', 'cur');
    await waitUntil(() => fs.readdirSync(curDir).some((f) => f.includes('update-site-footer')), 'moved to cur/');
  }),

  step('Send Dispatch from the palette: team, priority, title, body, Ctrl+Enter delivers', async ({ page, root, screenshot }) => {
    await closeToasts(page);
    await runFromPalette(page, commandPaletteLabel('dispatchInbox.sendDispatch'));
    await answerQuickInput(page, 'qa', { question: 'to which team?' });
    await answerQuickInput(page, 'high', { question: 'priority' });
    await answerQuickInput(page, 'Verify release 2.4', { question: 'title' });
    // No dispatchInbox.myTeams in this workbench: the sender is asked for once per dispatch.
    await answerQuickInput(page, 'engineering', { question: 'from which team?' });
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor({ state: 'visible' });
    await page.locator('.codelens-decoration', { hasText: 'Deliver to qa' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    await editor.click();
    await page.keyboard.type('Build 2.4.0-rc2 is on staging. Please run the smoke suite.');
    await screenshot('e2e-ui-compose');
    await page.keyboard.press('Control+Enter');
    await notification(page, 'Delivered “Verify release 2.4” to qa (high).').waitFor({ state: 'visible', timeout: 10_000 });
    await row(page, 'Verify release 2.4').waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(fs.readdirSync(path.join(root, 'qa', 'new')).some((f) => f.includes('_high_') && f.includes('verify-release-2-4')));
    // qa is watched (no dispatchInbox.myTeams): the arrival is announced too. It goes before the next
    // step starts: while a toast of ours is up, later arrivals wait for it.
    await notification(page, 'high dispatch for qa from engineering: “Verify release 2.4”').waitFor({ state: 'visible' });
    await closeToasts(page);
  }),

  step('an urgent dispatch from an agent pops up a notification; Open shows it', async ({ page, store, screenshot, codeServer }) => {
    await closeToasts(page);
    await store.deliver({
      to: 'engineering',
      from: 'web_ops',
      priority: 'urgent',
      title: 'Database failover in progress',
      body: 'The primary is down; writes are paused.',
    });
    const toast = notification(page, 'urgent dispatch for engineering from web_ops').last();
    await toast.waitFor({ state: 'visible', timeout: 10_000 });
    await row(page, 'Database failover in progress')
      .waitFor({ state: 'visible', timeout: 10_000 })
      .catch((e) => {
        dumpLog(codeServer.userDataDir);
        throw e;
      });
    await screenshot('e2e-ui-notification');
    await toast.locator('.monaco-button', { hasText: 'Open' }).click();
    await waitForPreview(page, 'database-failover-in-progress', 'Database failover in progress');
  }),

  step('Reroute from the context menu moves a dispatch to another team', async ({ page, root }) => {
    await closeToasts(page);
    await contextMenu(page, row(page, 'Rotate the CDN key'), 'Reroute to Another Team…');
    await answerQuickInput(page, 'qa', { question: 'Reroute' });
    await waitUntil(() => fs.readdirSync(path.join(root, 'qa', 'new')).some((f) => f.includes('rotate-the-cdn-key')), 'in qa/new');
    await notification(page, 'Rerouted “Rotate the CDN key” to qa.').waitFor({ state: 'visible' });
  }),

  step('filter by priority from the view title, then clear it', async ({ page, screenshot, store, root }) => {
    await closeToasts(page);
    await ensureNew(store, root, VERIFY, 'verify-release-2-4');
    await page.locator('.part.sidebar .actions-container .action-label[aria-label^="Filter by Priority"]:visible').click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await page
      .locator('.quick-input-widget .monaco-list-row', { hasText: 'urgent' })
      .first()
      .locator('input[type=checkbox], .monaco-checkbox, .quick-input-list-checkbox')
      .first()
      .click();
    await input.press('Enter');
    await answerQuickInput(page, '', { question: 'Filter by text' });
    await page.locator('.part.sidebar', { hasText: 'Filtered: urgent' }).waitFor({ state: 'visible' });
    await row(page, 'Verify release 2.4').waitFor({ state: 'detached' }); // a high dispatch is hidden
    await row(page, 'Checkout returns 500').waitFor({ state: 'visible' });
    await screenshot('e2e-ui-filtered');
    await page.locator('.part.sidebar .actions-container .action-label[aria-label^="Clear Filter"]:visible').click();
    await row(page, 'Verify release 2.4').waitFor({ state: 'visible' });
  }),

  step("Delete asks first; the file goes to the trash (code-server has none: the root's .trash/)", async ({ page, root, store }) => {
    await closeToasts(page);
    await ensureNew(store, root, VERIFY, 'verify-release-2-4');
    const file = () => fs.readdirSync(path.join(root, 'qa', 'new')).find((f) => f.includes('verify-release-2-4'));
    await contextMenu(page, row(page, 'Verify release 2.4'), 'Delete…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible' });
    assert.match((await dialog.textContent()) ?? '', /Delete “Verify release 2.4”\?/);
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    assert.ok(file(), 'Cancel keeps the file');
    const name = file()!;
    await contextMenu(page, row(page, 'Verify release 2.4'), 'Delete…');
    await dialog.locator('.monaco-button', { hasText: 'Move to Trash' }).click();
    await waitUntil(() => !file(), 'deleted');
    await row(page, 'Verify release 2.4').waitFor({ state: 'detached' });
    // Nothing a person deletes is lost: without an OS trash it waits in <root>/.trash/<team>/.
    await page.locator('.notifications-toasts', { hasText: 'Deleted “Verify release 2.4”' }).waitFor({ state: 'visible' });
    const own = path.join(root, '.trash', 'qa', name);
    if (fs.existsSync(own)) await page.locator('.notifications-toasts', { hasText: '.trash' }).waitFor({ state: 'visible' });
  }),

  step('the inbox at the end (README screenshot)', async ({ page, store, screenshot }) => {
    await closeToasts(page);
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+K');
    await page.keyboard.press('W'); // close all editors: a clean page for the picture
    // A wider side bar, so descriptions ("from · age") are not cut.
    const bar = await page.locator('.part.sidebar').boundingBox();
    if (bar) {
      await page.mouse.move(bar.x + bar.width + 1, 400);
      await page.mouse.down();
      await page.mouse.move(bar.x + bar.width + 150, 400, { steps: 8 });
      await page.mouse.up();
    }
    await expandAcknowledged(page, 'engineering');
    await row(page, 'Checkout returns 500').click();
    await waitForPreview(page, 'checkout-returns-500', 'Checkout returns 500');
    await store.deliver({
      to: 'qa',
      from: 'web_ops',
      priority: 'high',
      title: 'Verify the rollback of 2.3.1',
      body: 'Rolled back at 09:12; please run the smoke suite.',
    });
    await notification(page, 'high dispatch for qa from web_ops').waitFor({ state: 'visible', timeout: 10_000 });
    await page.mouse.move(1000, 300);
    await page.waitForTimeout(800);
    await screenshot('e2e-ui-readme');
  }),

  step('a missing root shows the welcome view; "Create Dispatch Folders" makes it', async ({ page, root, screenshot }) => {
    // Point the root at a folder that does not exist, in the Settings editor as a person would.
    const missing = path.join(path.dirname(root), 'not-yet');
    const setRoot = async (value: string) => {
      await runFromPalette(page, 'Preferences: Open Settings (UI)');
      await page.locator('.settings-editor').waitFor({ state: 'visible' });
      await page.keyboard.type('dispatchInbox.root');
      const input = page.locator('.settings-editor .setting-item-contents', { hasText: 'The dispatch root' }).locator('input').first();
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(value);
      await input.press('Enter');
      await page.keyboard.press('Control+K');
      await page.keyboard.press('W');
    };
    await closeToasts(page);
    await setRoot(missing);
    try {
      const welcome = page.locator('.part.sidebar .welcome-view-content', { hasText: 'does not exist yet' });
      await welcome.waitFor({ state: 'visible', timeout: 15_000 });
      await screenshot('e2e-ui-welcome');
      await welcome.locator('.monaco-button', { hasText: 'Create Dispatch Folders' }).click();
      await answerQuickInput(page, 'alpha, beta', { question: 'Create dispatch folders' });
      await row(page, 'beta').waitFor({ state: 'visible', timeout: 10_000 });
      assert.ok(fs.existsSync(path.join(missing, 'alpha', 'new')) && fs.existsSync(path.join(missing, 'beta', 'cur')));
    } finally {
      // Back on the populated root: from "loading" to the teams, never "no team inboxes" in between.
      const stop = await recordWelcome(page, EMPTY_WELCOME);
      await setRoot(root);
      await row(page, 'engineering').waitFor({ state: 'visible', timeout: 15_000 });
      assert.deepEqual(await stop(), [], 'the empty welcome showed while the populated root loaded');
    }
  }),
];

async function waitUntil(probe: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function dumpLog(dir: string): void {
  for (const f of extensionLogs(dir)) console.log(`--- ${f}\n${fs.readFileSync(f, 'utf8').split('\n').slice(-60).join('\n')}`);
}
