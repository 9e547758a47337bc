// The lifecycle as a person clicks it: acknowledge in the inbox, Mark Completed on the acknowledged
// row, then Verify & Archive from the Sent view. Sets `myTeams` (the sender's view needs it) and puts
// the user settings back at the end.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { step } from '../framework';
import { openDispatchInbox } from '../ui';

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

async function inline(r: Locator, action: string): Promise<void> {
  await r.hover();
  await r.locator(`.action-label[aria-label^="${action}"]`).click();
}

async function expandPane(page: Page, title: string): Promise<Locator> {
  const p = pane(page, title);
  const header = p.locator('.pane-header').first();
  await header.waitFor({ state: 'visible', timeout: 15_000 });
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return p;
}

let settingsBefore: string | undefined;

export default [
  step('Sent view: acknowledge, Mark Completed, then Verify & Archive from the Sent view', async ({ page, codeServer, root, store, screenshot }) => {
    const settingsFile = path.join(codeServer.userDataDir, 'User', 'settings.json');
    settingsBefore = fs.readFileSync(settingsFile, 'utf8');
    fs.writeFileSync(settingsFile, JSON.stringify({ ...JSON.parse(settingsBefore), 'dispatchInbox.myTeams': ['engineering'] }, null, 2));
    const d = await store.deliver({ to: 'qa', from: 'engineering', priority: 'normal', title: TITLE, body: 'Check the lifecycle end to end.' });

    await openDispatchInbox(page);
    const sent = await expandPane(page, 'Sent');
    const pendingRow = rowIn(sent, TITLE);
    await pendingRow.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match((await pendingRow.textContent()) ?? '', /qa\/new · \d+m/);

    const inbox = pane(page, 'Inbox');
    await inline(rowIn(inbox, TITLE), 'Acknowledge');
    const cur = path.join(root, 'qa', 'cur', d.fileName);
    await waitUntil(() => fs.existsSync(cur) && /^status: accepted$/m.test(fs.readFileSync(cur, 'utf8')), 'status: accepted in qa/cur/');
    await rowIn(sent, TITLE).filter({ hasText: 'qa/acknowledged' }).waitFor({ state: 'visible', timeout: 15_000 });

    // The acknowledged row in the inbox (qa's Acknowledged node is collapsed until opened).
    const rows = inbox.locator('.monaco-list-row');
    const labels = await rows.locator('.label-name').allTextContents();
    const ack = rows.nth(labels.indexOf('Acknowledged', labels.indexOf('qa')));
    if ((await ack.getAttribute('aria-expanded')) === 'false') await ack.locator('.monaco-tl-twistie').click();
    const acknowledged = rowIn(inbox, TITLE);
    await acknowledged.filter({ hasText: 'accepted' }).waitFor({ state: 'visible', timeout: 15_000 });
    await inline(acknowledged, 'Mark Completed');
    await waitUntil(() => fs.existsSync(cur) && /^status: completed$/m.test(fs.readFileSync(cur, 'utf8')), 'status: completed');
    await rowIn(inbox, TITLE).filter({ hasText: 'completed' }).waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot('e2e-lifecycle-completed');

    const completedRow = rowIn(sent, TITLE);
    await sent.locator('.monaco-list-row', { hasText: 'Completed' }).first().waitFor({ state: 'visible', timeout: 15_000 });
    await inline(completedRow, 'Verify & Archive');
    const month = path.join(root, '.archive', 'qa', d.created!.slice(0, 7));
    await waitUntil(() => fs.existsSync(path.join(month, d.fileName)) && !fs.existsSync(cur), 'the dispatch in .archive/qa/<month>/');
    await rowIn(sent, TITLE).waitFor({ state: 'detached', timeout: 15_000 });
    await screenshot('e2e-lifecycle-archived');
  }, { timeoutMs: 90_000 }),

  step('Sent view: the settings are put back', async ({ codeServer }) => {
    if (settingsBefore !== undefined) fs.writeFileSync(path.join(codeServer.userDataDir, 'User', 'settings.json'), settingsBefore);
  }),
];
