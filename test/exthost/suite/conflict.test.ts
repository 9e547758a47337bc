// A root a sync tool copies between machines: a conflict copy is a row marked as a conflict of its
// dispatch; Resolve Conflict compares both versions and keeps one, the other going to the root's
// trash. A root inside a Syncthing folder is said so once.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { InboxApi } from '../../../src/extension';
import { answer, dispatchNodes, inboxSuite, listen, setting, TempRoot, waitFor } from './ui-fixture';

const ORIGINAL = '2026-01-31T14-30-00Z_high_eng_update-site.md';
const COPY = '2026-01-31T14-30-00Z_high_eng_update-site.sync-conflict-20260131-143512-ABCD123.md';

suite('sync conflicts', () => {
  let api: InboxApi;
  let t: TempRoot;
  const s = inboxSuite(['qa']);
  suiteSetup(() => ({ api, t } = s));

  test('the copy is a conflict row; Compare opens both versions side by side; keeping the copy trashes the original', async () => {
    const box = path.join(t.root, 'qa', 'new');
    fs.writeFileSync(path.join(box, ORIGINAL), '---\nfrom: eng\n---\n# Update site\n\nversion A\n');
    fs.writeFileSync(path.join(box, COPY), '---\nfrom: eng\n---\n# Update site\n\nversion B\n');
    await waitFor('both rows', () => dispatchNodes(api, 'qa', 'new').length === 2);
    const copy = dispatchNodes(api, 'qa', 'new').find((n) => n.dispatch.fileName === COPY)!;
    assert.equal(api.tree.getTreeItem(copy).contextValue, 'dispatch:new:conflict');
    const other = dispatchNodes(api, 'qa', 'new').find((n) => n.dispatch.fileName === ORIGINAL)!;
    assert.equal(api.tree.getTreeItem(other).contextValue, 'dispatch:new');

    const choices: string[][] = [];
    const replies = ['compare', 'copy'];
    const restore = answer(api, {
      pickOne: <T>(_title: string, items: { value: T }[]) => {
        choices.push(items.map((i) => String(i.value)));
        return Promise.resolve(replies.shift() as T);
      },
    });
    const heard = listen(api);
    try {
      await vscode.commands.executeCommand('dispatchInbox.resolveConflict', copy);
    } finally {
      restore();
      heard.restore();
    }
    assert.deepEqual(choices, [
      ['compare', 'original', 'copy'],
      ['compare', 'original', 'copy'],
    ]);
    const diff = vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((tab) => tab.input instanceof vscode.TabInputTextDiff);
    assert.ok(diff, 'a diff editor of the two versions');
    const input = diff.input as vscode.TabInputTextDiff;
    assert.deepEqual([path.basename(input.original.fsPath), path.basename(input.modified.fsPath)], [ORIGINAL, COPY]);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.deepEqual(fs.readdirSync(box), [ORIGINAL]);
    assert.match(fs.readFileSync(path.join(box, ORIGINAL), 'utf8'), /version B/);
    assert.match(fs.readFileSync(path.join(t.root, '.trash', 'qa', ORIGINAL), 'utf8'), /version A/);
    assert.ok(
      heard.said.some((x) => x.level === 'info' && x.text.startsWith(`Kept “${ORIGINAL}”.`)),
      JSON.stringify(heard.said),
    );
    await waitFor('one row left', () => dispatchNodes(api, 'qa', 'new').length === 1);
  });

  test('a root inside a Syncthing folder: one warning that acknowledgements can come back or double', async () => {
    const synced = fs.mkdtempSync(path.join(path.dirname(t.root), 'synced-'));
    fs.mkdirSync(path.join(synced, '.stfolder'));
    const root = path.join(synced, 'root');
    fs.mkdirSync(path.join(root, 'qa', 'new'), { recursive: true });
    const heard = listen(api);
    const undo = await setting('root', root);
    try {
      await waitFor('the warning', () => heard.said.some((x) => x.text.includes('synced by Syncthing')));
      await api.session.refresh();
      await api.session.start();
      await waitFor('ready again', () => api.session.state === 'ready');
      const warnings = heard.said.filter((x) => x.text.includes('synced by Syncthing'));
      assert.equal(warnings.length, 1, 'said once');
      assert.equal(warnings[0].level, 'warn');
      assert.match(warnings[0].text, /acknowledgements can come back or double across machines.*one shared filesystem \(NFS, SMB\) or use a server$/);
    } finally {
      heard.restore();
      await undo();
    }
  });
});
