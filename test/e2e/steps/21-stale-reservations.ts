// A crashed agent's stale reservation, cleared like a person would: the hover marks it stale with the
// server's reasons, the quick pick offers Force Release…, the modal names the agent, the pattern and the
// reason, and confirming it force-releases it on the Agent Mail double: the count drops, the holder is told.
import * as assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { step } from '../framework';
import { double, item } from './20-reservations';

const CRASHED = 'CrashedAgent';
const PATTERN = 'scripts/release/**';

/**
 * The item's hover holding `text`. A person whose hover closed moves the mouse away and back: the hover
 * closes when the tooltip is redrawn (an expiry crossing a minute), so up to three tries.
 */
async function hoverShowing(page: Page, text: string): Promise<Locator> {
  for (let attempt = 1; ; attempt++) {
    await page.mouse.move(640, 300);
    await item(page).hover();
    const box = page.locator('.monaco-hover, .workbench-hover', { hasText: text }).first();
    try {
      await box.waitFor({ state: 'visible', timeout: 4000 });
      return box;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}

export default [
  step("a crashed agent's stale reservation: Force Release… from the status bar, confirmed, and the count drops", async (ctx) => {
    const { page, screenshot } = ctx;
    const dbl = double(ctx);
    const before = dbl.store.list(true).length;
    dbl.store.add([{ agent: CRASHED, path_pattern: PATTERN, reason: 'cutting the release', ttlSeconds: 40 * 60, stale: true }]);
    const count = (n: number) => item(page).filter({ hasText: new RegExp(`^\\s*${n}\\b`) });
    await count(before + 1).waitFor({ state: 'visible', timeout: 15_000 });

    const box = await hoverShowing(page, CRASHED);
    assert.match(await box.innerText(), /scripts\/release\/\*\*.*stale: agent inactive > 30 min, no recent mail activity > 15 min/);
    await page.keyboard.press('Escape');

    await item(page).click();
    const widget = page.locator('.quick-input-widget');
    const row = widget.locator('.monaco-list-row', { hasText: PATTERN });
    await row.waitFor({ state: 'visible' });
    assert.match(await row.innerText(), /stale/);
    await row.click();
    await widget.locator('.monaco-list-row', { hasText: 'Force Release…' }).first().click();

    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible' });
    const text = (await dialog.innerText()).replace(/\s+/g, ' ');
    for (const s of [`Force-release ${CRASHED}'s reservation of ${PATTERN}?`, 'agent inactive > 30 min', `tells ${CRASHED} by mail`]) {
      assert.ok(text.includes(s), `the confirmation lacks "${s}": ${text}`);
    }
    await screenshot('e2e-reservations-force-release');
    await dialog.locator('.monaco-button', { hasText: /^Force Release$/ }).click();

    await count(before).waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(!(dbl.store.list(true) as { agent: string }[]).some((r) => r.agent === CRASHED), 'still held on the server');
    assert.deepEqual(
      dbl.store.notifications.map((n) => n.to),
      [CRASHED],
      'the previous holder was notified once',
    );
  }),
];
