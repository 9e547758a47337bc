// The Dispatch Inbox view: activity bar → view → the teams of the fixture root.
import * as assert from 'node:assert/strict';
import { waitForWorkbench } from '../../../scripts/harness/browser';
import { step } from '../framework';
import { activityBarItem, commandPaletteLabel, EMPTY_WELCOME, hasContributedCommand, openDispatchInbox, recordWelcome, runFromPalette, treeRow } from '../ui';

export default [
  step(
    'the workbench loads',
    async ({ page }) => {
      await waitForWorkbench(page);
    },
    { timeoutMs: 60_000 },
  ),

  step('the activity bar has a "Dispatch Inbox" item', async ({ page }) => {
    await activityBarItem(page).waitFor({ state: 'visible', timeout: 20_000 });
  }),

  step('clicking it opens the view: from "loading" straight to the teams, never the empty welcome', async ({ page, teams, screenshot }) => {
    // Recorded in the page from before the click until the rows are there: a false "no team inboxes"
    // lasting one frame counts.
    const stop = await recordWelcome(page, EMPTY_WELCOME);
    await openDispatchInbox(page);
    for (const team of teams) await treeRow(page, team).first().waitFor({ state: 'visible', timeout: 15_000 });
    assert.deepEqual(await stop(), [], 'the empty welcome showed on a populated root');
    await screenshot('e2e-inbox-teams');
  }),

  step(
    'a team created on disk appears after "Refresh" from the palette',
    async ({ page, store }) => {
      await store.init(['design']);
      await runFromPalette(page, commandPaletteLabel('dispatchInbox.refresh'));
      await treeRow(page, 'design').first().waitFor({ state: 'visible', timeout: 10_000 });
      assert.ok(await treeRow(page, 'engineering').count(), 'engineering row disappeared');
    },
    { skip: () => (hasContributedCommand('dispatchInbox.refresh') ? undefined : 'dispatchInbox.refresh is not contributed') },
  ),
];
