// The Dispatch Inbox view: activity bar → view → the teams of the fixture root.
import * as assert from 'node:assert/strict';
import { waitForWorkbench } from '../../../scripts/harness/browser';
import { step } from '../framework';
import { activityBarItem, commandPaletteLabel, hasContributedCommand, openDispatchInbox, runFromPalette, treeRow } from '../ui';

export default [
  step('the workbench loads', async ({ page }) => {
    await waitForWorkbench(page);
  }, { timeoutMs: 60_000 }),

  step('the activity bar has a "Dispatch Inbox" item', async ({ page }) => {
    await activityBarItem(page).waitFor({ state: 'visible', timeout: 20_000 });
  }),

  step('clicking it opens the Dispatch Inbox view', async ({ page }) => {
    await openDispatchInbox(page);
  }),

  step('the tree shows the teams', async ({ page, teams, screenshot }) => {
    for (const team of teams) await treeRow(page, team).first().waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot('e2e-inbox-teams');
  }),

  step('a team created on disk appears after "Refresh" from the palette', async ({ page, store }) => {
    await store.init(['design']);
    await runFromPalette(page, commandPaletteLabel('dispatchInbox.refresh'));
    await treeRow(page, 'design').first().waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(await treeRow(page, 'engineering').count(), 'engineering row disappeared');
  }, { skip: () => (hasContributedCommand('dispatchInbox.refresh') ? undefined : 'dispatchInbox.refresh is not contributed') }),
];
