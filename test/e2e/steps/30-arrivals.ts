// Arrivals and the team picker under a fast hand: typing ahead of the picker's redraw sends to the team
// typed, and several urgent arrivals in a row leave one toast of ours on screen, never a stack.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { step } from '../framework';
import { answerQuickInput, closeToasts, commandPaletteLabel, notification, openDispatchInbox, runFromPalette } from '../ui';

/** Our arrival toasts: one dispatch ("urgent dispatch for …") or several ("N dispatches arrived for …"). */
const ARRIVAL = /dispatch for engineering from|dispatches arrived for/;

/**
 * Records, in the page, the most arrival toasts ever on screen at once (a MutationObserver sees every
 * state, however short). The returned function stops and returns that maximum.
 */
async function recordMaxToasts(page: Page): Promise<() => Promise<number>> {
  await page.evaluate(`(() => {
    const re = ${ARRIVAL.toString()};
    const r = { max: 0 };
    const check = () => {
      const n = [...document.querySelectorAll('.notification-toast')].filter((t) => re.test(t.textContent || '') && t.getClientRects().length).length;
      r.max = Math.max(r.max, n);
    };
    r.obs = new MutationObserver(check);
    r.obs.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    check();
    window.__maxToasts = r;
  })()`);
  return async () => (await page.evaluate(`(() => { window.__maxToasts.obs.disconnect(); return window.__maxToasts.max; })()`)) as number;
}

export default [
  step('typing fast at the team picker ("q", a pause, then "a" and Enter at once) sends to qa', async ({ page, root, signal }) => {
    await closeToasts(page);
    await openDispatchInbox(page);
    await runFromPalette(page, commandPaletteLabel('dispatchInbox.sendDispatch'));
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'to which team?' }).waitFor({ state: 'visible' });
    await page.keyboard.type('q');
    await page.waitForTimeout(300); // the person's pause: the picker redraws for "q"
    await page.keyboard.type('a');
    await page.keyboard.press('Enter'); // at once, before the redraw for "qa"
    await answerQuickInput(page, 'low', { question: 'priority' });
    await answerQuickInput(page, 'Typed ahead of the picker', { question: 'title' });
    await answerQuickInput(page, 'engineering', { question: 'from which team?' });
    await page.locator('.codelens-decoration', { hasText: 'Deliver to qa' }).first().waitFor({ state: 'visible' });
    await page.locator('.editor-instance .monaco-editor').first().click();
    await page.keyboard.press('Control+Enter');
    await notification(page, 'Delivered “Typed ahead of the picker” to qa').waitFor({ state: 'visible' });
    const where = fs
      .readdirSync(root)
      .filter(
        (t) => fs.existsSync(path.join(root, t, 'new')) && fs.readdirSync(path.join(root, t, 'new')).some((f) => f.includes('typed-ahead-of-the-picker')),
      );
    assert.deepEqual(where, ['qa'], `delivered to ${where.join(', ')}`);
    signal.throwIfAborted();
  }),

  step('several urgent arrivals in a row leave exactly one toast; the rest are counted in the next', async ({ page, store }) => {
    await closeToasts(page);
    await page.keyboard.press('Control+K');
    await page.keyboard.press('W'); // no draft or preview holding the focus
    await notification(page, ARRIVAL).first().waitFor({ state: 'detached' });
    const stop = await recordMaxToasts(page);
    for (let i = 1; i <= 4; i++) {
      await store.deliver({ to: 'engineering', from: 'web_ops', priority: 'urgent', title: `Pager storm ${i}` });
      await page.waitForTimeout(1500); // an agent's pace, not a wait for a state: the arrivals are the test
    }
    const first = notification(page, 'urgent dispatch for engineering from web_ops: “Pager storm 1”');
    await first.waitFor({ state: 'visible' });
    assert.equal(await stop(), 1, 'more than one arrival toast was on screen at once');
    // Closing it lets the ones that waited through, as one toast that counts them.
    const again = await recordMaxToasts(page);
    await first.hover();
    await first.locator('.codicon-notifications-clear').click();
    await notification(page, '3 dispatches arrived for engineering (3 urgent).').waitFor({ state: 'visible' });
    assert.equal(await again(), 1, 'more than one arrival toast was on screen at once');
  }),
];
