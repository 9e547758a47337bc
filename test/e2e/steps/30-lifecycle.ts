// The lifecycle as a person clicks it: acknowledge in the inbox, Mark Completed on the acknowledged
// row, then Verify & Archive from the Sent view. Sets `myTeams` (the sender's view needs it) and puts
// the user settings back at the end.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { step } from '../framework';
import { openDispatchInbox, runFromPalette } from '../ui';

const TITLE = 'Lifecycle check from engineering';

/** A view's pane in the side bar, by its header title. */
function pane(page: Page, title: string): Locator {
  return page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header', { hasText: new RegExp(`^\\s*${title}`, 'i') }) });
}

function rowIn(p: Locator, label: string): Locator {
  return p.locator('.monaco-list-row', { has: p.page().locator('.label-name', { hasText: label }) }).first();
}

async function waitUntil(pred: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Clicks a row's inline action until `done` (a click landing while the row re-renders is lost; every
 * action here is idempotent, so a second click after a first that worked only says "already").
 */
async function inline(r: Locator, action: string, done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 3 && !done(); i++) {
    await r.hover();
    await r.locator(`.action-label[aria-label^="${action}"]`).click();
    await waitUntil(done, what, 5000).catch(() => undefined);
  }
  await waitUntil(done, what, 1000);
}

async function expandPane(page: Page, title: string): Promise<Locator> {
  const p = pane(page, title);
  const header = p.locator('.pane-header').first();
  await header.waitFor({ state: 'visible', timeout: 15_000 });
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return p;
}

let settingsBefore: string | undefined;

/** Replaces the user settings through "Open User Settings (JSON)": typed, saved, closed. */
async function editUserSettings(page: Page, settings: Record<string, unknown>): Promise<void> {
  await runFromPalette(page, 'Preferences: Open User Settings (JSON)');
  const editor = page.locator('.editor-instance .monaco-editor textarea').first();
  await editor.waitFor({ state: 'attached', timeout: 15_000 });
  await editor.focus();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(JSON.stringify(settings, null, 2));
  await page.keyboard.press('Control+S');
  await page.waitForTimeout(300);
  await page.keyboard.press('Control+W');
}

export default [
  step(
    'Sent view: acknowledge, Mark Completed, then Verify & Archive from the Sent view',
    async ({ page, codeServer, root, store, screenshot }) => {
      const settingsFile = path.join(codeServer.userDataDir, 'User', 'settings.json');
      settingsBefore = fs.readFileSync(settingsFile, 'utf8');
      const d = await store.deliver({ to: 'qa', from: 'engineering', priority: 'normal', title: TITLE, body: 'Check the lifecycle end to end.' });

      await openDispatchInbox(page);
      const sent = await expandPane(page, 'Sent');
      // myTeams through settings.json, edited as a person would (the JSON settings editor, saved).
      const hint = sent.getByText('Set dispatchInbox.myTeams');
      const now = JSON.parse(fs.readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
      await editUserSettings(page, { ...now, 'dispatchInbox.myTeams': ['engineering'] });
      await hint.waitFor({ state: 'hidden', timeout: 15_000 });
      const pendingRow = rowIn(sent, TITLE);
      await pendingRow.waitFor({ state: 'visible', timeout: 15_000 });
      assert.match((await pendingRow.textContent()) ?? '', /qa\/new · \d+m/);

      const inbox = pane(page, 'Inbox');
      const cur = path.join(root, 'qa', 'cur', d.fileName);
      const statusIs = (st: string) => () => fs.existsSync(cur) && new RegExp(`^status: ${st}$`, 'm').test(fs.readFileSync(cur, 'utf8'));
      await inline(rowIn(inbox, TITLE), 'Acknowledge', statusIs('accepted'), 'status: accepted in qa/cur/');
      await rowIn(sent, TITLE).filter({ hasText: 'qa/acknowledged' }).waitFor({ state: 'visible', timeout: 15_000 });

      // The acknowledged row in the inbox (qa's Acknowledged node is collapsed until opened).
      const rows = inbox.locator('.monaco-list-row');
      const acknowledged = rowIn(inbox, TITLE);
      for (let i = 0; i < 4 && !(await acknowledged.isVisible()); i++) {
        // A re-render may collapse or replace the row between the read and the click: look again each time.
        const labels = await rows.locator('.label-name').allTextContents();
        const ack = rows.nth(labels.indexOf('Acknowledged', labels.indexOf('qa')));
        if ((await ack.getAttribute('aria-expanded')) === 'false') await ack.locator('.monaco-tl-twistie').click();
        await acknowledged.waitFor({ state: 'visible', timeout: 2000 }).catch(() => undefined);
      }
      await acknowledged.filter({ hasText: 'accepted' }).waitFor({ state: 'visible', timeout: 15_000 });
      await inline(acknowledged, 'Mark Completed', statusIs('completed'), 'status: completed');
      await rowIn(inbox, TITLE).filter({ hasText: 'completed' }).waitFor({ state: 'visible', timeout: 15_000 });
      await screenshot('e2e-lifecycle-completed');

      // Three views share the side bar: fold the Inbox, as a person would, so the Sent rows have room.
      const inboxHeader = inbox.locator('.pane-header').first();
      if ((await inboxHeader.getAttribute('aria-expanded')) === 'true') await inboxHeader.click();
      await inbox.locator('.pane-header[aria-expanded="false"]').first().waitFor({ state: 'visible' });
      const completedRow = rowIn(sent, TITLE);
      await sent.locator('.monaco-list-row', { hasText: 'Completed' }).first().waitFor({ state: 'visible', timeout: 15_000 });
      const month = path.join(root, '.archive', 'qa', d.created!.slice(0, 7));
      await inline(
        completedRow,
        'Verify & Archive',
        () => fs.existsSync(path.join(month, d.fileName)) && !fs.existsSync(cur),
        'the dispatch in .archive/qa/<month>/',
      );
      await rowIn(sent, TITLE).waitFor({ state: 'detached', timeout: 15_000 });
      await screenshot('e2e-lifecycle-archived');
      await inboxHeader.click();
      await inbox.locator('.pane-header[aria-expanded="true"]').first().waitFor({ state: 'visible' });
    },
    { timeoutMs: 90_000 },
  ),

  step('Sent view: the settings are put back', async ({ page }) => {
    if (settingsBefore !== undefined) await editUserSettings(page, JSON.parse(settingsBefore) as Record<string, unknown>);
  }),
];
