// Set Up Agents from the palette, as a person: pick the host, the team and the scope, read the change in
// the dialog, write it; then the files the bundled CLI wrote, and doctor's verdict in a notification.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { waitForWorkbench } from '../../../scripts/harness/browser';
import { step } from '../framework';
import { activityBarItem, answerQuickInput, closeToasts, commandPaletteLabel, notification, runFromPalette } from '../ui';

export default [
  step(
    'Set Up Agents from the palette writes Claude Code hooks, skill and MCP server, and says they will fire',
    async ({ page, workspace, root, screenshot }) => {
      const settings = path.join(workspace, '.claude', 'settings.json');
      fs.rmSync(path.join(workspace, '.claude'), { recursive: true, force: true });
      fs.rmSync(path.join(workspace, '.mcp.json'), { force: true });
      try {
        await waitForWorkbench(page); // also when run alone (--only): the extension's contributions are in once its view is
        await activityBarItem(page).waitFor({ state: 'visible', timeout: 20_000 });
        await closeToasts(page);
        await runFromPalette(page, commandPaletteLabel('dispatchInbox.setUpAgents'));
        await answerQuickInput(page, 'Claude Code', { question: 'Set up which agent?' });
        await answerQuickInput(page, 'web_ops', { question: 'Set Up Agents' });
        await answerQuickInput(page, 'This project', { question: 'Where?' });
        const dialog = page.locator('.monaco-dialog-box');
        await dialog.waitFor({ state: 'visible' });
        assert.match(await dialog.innerText(), /would add to .*settings\.json: SessionStart hook, UserPromptSubmit hook/);
        await screenshot('e2e-set-up-agents-dialog');
        await dialog.locator('.monaco-button', { hasText: 'Write' }).click();
        await notification(page, /will fire for team web_ops/)
          .first()
          .waitFor({ state: 'visible', timeout: 20_000 });
        await screenshot('e2e-set-up-agents-verdict');
        const s = JSON.parse(fs.readFileSync(settings, 'utf8'));
        const h = s.hooks.SessionStart[0].hooks[0];
        assert.equal(h.command, '/bin/sh');
        assert.ok(
          h.args.some((a: string) => a.endsWith(path.join('dist', 'cli.js'))),
          JSON.stringify(h.args),
        );
        assert.deepEqual(h.args.slice(h.args.indexOf('--root'), h.args.indexOf('--root') + 2), ['--root', root]);
        assert.ok(fs.existsSync(path.join(workspace, '.claude', 'skills', 'dispatch', 'SKILL.md')));
        assert.ok(JSON.parse(fs.readFileSync(path.join(workspace, '.mcp.json'), 'utf8')).mcpServers.dispatch);
      } finally {
        fs.rmSync(path.join(workspace, '.claude'), { recursive: true, force: true });
        fs.rmSync(path.join(workspace, '.mcp.json'), { force: true });
      }
    },
  ),
];
