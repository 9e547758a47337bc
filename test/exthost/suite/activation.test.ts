import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { suite, test } from 'mocha';
import * as vscode from 'vscode';
import { activateExtension, EXTENSION_ID, fixtureRoot } from '../helpers';

suite('activation', () => {
  test('the extension is present', () => {
    assert.ok(vscode.extensions.getExtension(EXTENSION_ID), `${EXTENSION_ID} not found`);
  });

  test('it activates', async () => {
    const ext = await activateExtension();
    assert.equal(ext.isActive, true);
  });

  test('it registers dispatchInbox.refresh', async () => {
    await activateExtension();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('dispatchInbox.refresh'), 'dispatchInbox.refresh is not registered');
    await vscode.commands.executeCommand('dispatchInbox.refresh');
  });

  test('the fixture root reaches the extension host', () => {
    const root = fixtureRoot();
    assert.equal(vscode.workspace.getConfiguration('dispatchInbox').get('root'), root);
    for (const team of ['engineering', 'web_ops', 'qa']) assert.ok(fs.existsSync(`${root}/${team}/new`), `${team}/new missing`);
  });
});
