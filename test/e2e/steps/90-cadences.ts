// Cadences as a lead meets them: a TEAM.md with due recurring dispatches lands in the workspace, one
// notification says so, "Send" (and the sending team, asked because myTeams is not set) delivers
// them, Last Sent becomes today, and the Cadences view shows the rows. Runs last (it adds dispatches).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { step } from '../framework';
import { notification, openDispatchInbox } from '../ui';

const TEAM_MD = [
  '# Engineering',
  '',
  '## Cadences',
  '',
  '| Dispatch | To | Frequency | Last Sent | Notes |',
  '|----------|----|-----------|-----------|-------|',
  '| Site health check | web_ops | weekly | 2026-01-31 | Every page answers 200 |',
  '| Dependency audit | qa | weekly | never | |',
  '| Yearly review | qa | every 52 weeks | 2999-01-01 | |',
  '',
].join('\n');

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function cadenceFiles(dir: string, slug: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith(`_${slug}.md`)) : [];
}

async function until(what: string, probe: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function pickTeam(page: Page, team: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await page.locator('.quick-input-widget', { hasText: 'from which team?' }).waitFor({ state: 'visible' });
  await input.fill(team);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: team }).first().waitFor({ state: 'visible' });
  await input.press('Enter');
}

export default [
  step(
    'cadences: a TEAM.md with due ones in the workspace: one notification; Send delivers them and sets Last Sent',
    async ({ page, root, workspace, screenshot }) => {
      const file = path.join(workspace, 'TEAM.md');
      fs.writeFileSync(file, TEAM_MD);
      const toast = notification(page, '2 recurring dispatches are due').last();
      await toast.waitFor({ state: 'visible', timeout: 20_000 });
      await screenshot('e2e-cadences-notification');
      await toast.locator('.monaco-button', { hasText: 'Send' }).click();
      await pickTeam(page, 'engineering');
      await until(
        'both cadences delivered',
        () =>
          cadenceFiles(path.join(root, 'web_ops', 'new'), 'site-health-check').length === 1 &&
          cadenceFiles(path.join(root, 'qa', 'new'), 'dependency-audit').length === 1,
      );
      const sent = fs.readFileSync(path.join(root, 'web_ops', 'new', cadenceFiles(path.join(root, 'web_ops', 'new'), 'site-health-check')[0]), 'utf8');
      assert.match(sent, /^cadence: site-health-check$/m);
      assert.match(sent, /^from: engineering$/m);
      assert.match(sent, /Every page answers 200/);
      const d = today();
      await until('Last Sent written', () => fs.readFileSync(file, 'utf8') === TEAM_MD.replace('| 2026-01-31 |', `| ${d} |`).replace('| never |', `| ${d} |`));
      await notification(page, 'Sent 2 recurring dispatches').waitFor({ state: 'visible', timeout: 10_000 });
      assert.equal(cadenceFiles(path.join(root, 'qa', 'new'), 'yearly-review').length, 0, 'what is not due is not sent');
    },
    { timeoutMs: 60_000 },
  ),

  step('cadences: the view lists the rows, none due any more', async ({ page, screenshot }) => {
    const sidebar = await openDispatchInbox(page);
    const pane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: /Cadences/i }) });
    await pane.waitFor({ state: 'visible', timeout: 10_000 });
    const header = pane.locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    // Sent today, so next week: the row says when, not "due".
    await pane
      .locator('.monaco-list-row', { hasText: /Site health check→ web_ops · weekly · next \d{4}-\d\d-\d\d/ })
      .waitFor({ state: 'visible', timeout: 10_000 });
    await pane.locator('.monaco-list-row', { hasText: /Dependency audit→ qa · weekly · next / }).waitFor({ state: 'visible' });
    assert.equal(await pane.locator('.monaco-list-row', { hasText: '· due' }).count(), 0);
    await pane.locator('.monaco-list-row', { hasText: 'Yearly review' }).waitFor({ state: 'visible' });
    await screenshot('e2e-cadences-view');
  }),

  step('cadences: a second Send the same day sends nothing', async ({ page, root }) => {
    const before = fs.readdirSync(path.join(root, 'qa', 'new')).length + fs.readdirSync(path.join(root, 'web_ops', 'new')).length;
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>Dispatch: Send Due Cadences');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Send Due Cadences' }).first().waitFor({ state: 'visible' });
    await input.press('Enter');
    await notification(page, 'No recurring dispatch is due.').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(fs.readdirSync(path.join(root, 'qa', 'new')).length + fs.readdirSync(path.join(root, 'web_ops', 'new')).length, before);
  }),
];
