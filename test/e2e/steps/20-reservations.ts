// The Agent Mail reservations status-bar item, seen and used like a person would: the count from the
// loopback Agent Mail the driver started (ctx.shared.agentMail), the hover, the warning when the open
// file is held by another agent, releasing my own from the quick pick, and the quiet offline state.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import type { AgentMailDouble } from '../../agentmail-double/server';
import type { DoubleReservationInput } from '../../agentmail-double/store';
import { step, type E2EContext } from '../framework';
import { notification, runFromPalette, statusBarItem } from '../ui';

/** Who the extension is, in Agent Mail (BEADS_AGENT_NAME of the code-server the driver starts). */
export const E2E_AGENT = 'e2e-agent';

export const E2E_RESERVATIONS: DoubleReservationInput[] = [
  { agent: 'GreenCastle', path_pattern: 'src/core/**', reason: 'refactoring the index', ttlSeconds: 45 * 60 },
  { agent: 'BlueLake', path_pattern: 'README.md', exclusive: false, reason: 'docs pass', ttlSeconds: 10 * 60 },
  { agent: E2E_AGENT, path_pattern: 'docs/*.md', reason: 'writing the guide', ttlSeconds: 2 * 60 * 60 },
];

export function double(ctx: E2EContext): AgentMailDouble {
  const d = ctx.shared.agentMail as AgentMailDouble | undefined;
  assert.ok(d, 'the E2E driver did not start the Agent Mail double');
  return d;
}

/** The reservations item: its accessible name always mentions Agent Mail. */
export function item(page: Page): Locator {
  return page.locator('.part.statusbar .statusbar-item[aria-label*="Agent Mail"]');
}

export async function hover(page: Page, text: string | RegExp): Promise<Locator> {
  await page.mouse.move(640, 300);
  await item(page).hover();
  const box = page.locator('.monaco-hover, .workbench-hover', { hasText: text }).first();
  await box.waitFor({ state: 'visible', timeout: 10_000 });
  return box;
}

async function quickOpen(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page
    .locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(name) })
    .first()
    .waitFor({ state: 'visible' });
  await input.press('Enter');
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
}

export default [
  step('the status bar shows the reservations from Agent Mail', async ({ page }) => {
    await item(page)
      .filter({ hasText: /^\s*3\s*$/ })
      .waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await item(page).getAttribute('aria-label'), '3 Agent Mail reservations');
  }),

  step('hovering it lists who holds what, mine apart', async ({ page, screenshot }) => {
    const box = await hover(page, 'GreenCastle');
    const text = await box.innerText();
    for (const s of [
      'Yours (1, as e2e-agent)',
      'docs/*.md',
      'writing the guide',
      "Others' (2)",
      'src/core/**',
      'exclusive',
      'README.md',
      'shared',
      'expires in',
    ]) {
      assert.ok(text.includes(s), `the hover lacks "${s}":\n${text}`);
    }
    await screenshot('e2e-reservations-hover');
    await page.keyboard.press('Escape');
  }),

  step('the item warns when the open file is held exclusively by another agent', async (ctx) => {
    const { page, workspace, screenshot } = ctx;
    const file = path.join(workspace, 'src', 'core', 'index.ts');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'export const answer = 42;\n');
    await quickOpen(page, 'src/core/index.ts');
    const warned = item(page).filter({ hasText: 'held by GreenCastle' });
    await warned.waitFor({ state: 'visible', timeout: 10_000 });
    assert.ok(await warned.evaluate((el) => el.classList.contains('warning-kind')), 'the item does not use the warning background');
    const bg = await warned.evaluate(
      (el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor,
    );
    assert.notEqual(bg, 'rgba(0, 0, 0, 0)', 'the warning background is transparent');
    // For a clean picture (docs/reservations.png): no toasts left by earlier steps, no startup spinner.
    await runFromPalette(page, 'Notifications: Clear All Notifications');
    await statusBarItem(page, 'Activating Extensions')
      .waitFor({ state: 'hidden', timeout: 10_000 })
      .catch(() => undefined);
    await hover(page, 'is held exclusively by');
    await screenshot('e2e-reservations-held');
    await page.keyboard.press('Escape');
  }),

  step('clicking it lists the reservations; releasing mine updates the server and the count', async (ctx) => {
    const { page } = ctx;
    await item(page).click();
    const widget = page.locator('.quick-input-widget');
    const mine = widget.locator('.monaco-list-row', { hasText: 'docs/*.md' });
    await mine.waitFor({ state: 'visible' });
    assert.ok(await widget.locator('.monaco-list-row', { hasText: 'src/core/**' }).count(), 'others are listed too');
    await mine.click();
    await widget.locator('.monaco-list-row', { hasText: 'Release' }).first().click();
    await item(page)
      .filter({ hasText: /^\s*2\s*·\s*held by GreenCastle\s*$/ })
      .waitFor({ state: 'visible', timeout: 10_000 });
    const left = double(ctx).store.list(true) as { agent: string }[];
    assert.deepEqual(left.map((r) => r.agent).sort(), ['BlueLake', 'GreenCastle']);
  }),

  step(
    'offline: a quiet "Agent Mail offline", no notification; back when the server is',
    async (ctx) => {
      const { page } = ctx;
      const dbl = double(ctx);
      await dbl.setMode('down');
      await item(page).filter({ hasText: 'Agent Mail offline' }).waitFor({ state: 'visible', timeout: 15_000 });
      await page.waitForTimeout(2500);
      assert.equal(await notification(page, /Agent Mail/i).count(), 0, 'a notification about Agent Mail appeared');
      await ctx.screenshot('e2e-reservations-offline');
      await dbl.setMode('normal');
      // Backoff after a few failures at a 1 s interval is at most a few seconds.
      await item(page)
        .filter({ hasText: /^\s*2\b/ })
        .waitFor({ state: 'visible', timeout: 20_000 });
    },
    { timeoutMs: 45_000 },
  ),
];
