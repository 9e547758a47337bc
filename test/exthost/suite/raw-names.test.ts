// A file name that is not valid UTF-8 in real VS Code: the tree shows it (with a warning icon), the
// extension acknowledges and deletes it with its bytes kept, and opening it says why the editor cannot.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { InboxApi } from '../../../src/extension';
import type { Outcome } from '../../../src/ui/inbox/actions';
import { answer, dispatchNodes, inboxSuite, listen, TempRoot, waitFor } from './ui-fixture';

const NAME = Buffer.from([0x66, 0xff, 0x2e, 0x6d, 0x64]); // "f\xff.md"

suite('names that are not UTF-8', () => {
  let api: InboxApi;
  let t: TempRoot;
  const s = inboxSuite(['engineering']);
  suiteSetup(() => ({ api, t } = s));

  const bytesIn = (box: string) => fs.readdirSync(path.join(t.root, 'engineering', box), { encoding: 'buffer' }).map((b) => b.toString('hex'));

  test('listed with a warning, opened with a clear message, acknowledged with its bytes kept', async () => {
    fs.writeFileSync(Buffer.concat([Buffer.from(path.join(t.root, 'engineering', 'new') + '/'), NAME]), '---\nfrom: qa\n---\n# Raw bytes\n');
    await waitFor('the row in the tree', () => dispatchNodes(api, 'engineering', 'new').some((n) => n.dispatch.title === 'Raw bytes'));
    const node = dispatchNodes(api, 'engineering', 'new').find((n) => n.dispatch.title === 'Raw bytes')!;
    const item = api.tree.getTreeItem(node);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'warning');
    assert.equal(item.resourceUri?.path, '/engineering/new/f\\xff.md');
    const l = listen(api);
    try {
      await vscode.commands.executeCommand('dispatchInbox.open', node.dispatch);
      await waitFor('the warning', () => l.said.length > 0);
      assert.match(l.said[0].text, /not valid UTF-8: the editor cannot open it\. Use `dispatch show "f\\xff"`/);
    } finally {
      l.restore();
    }
    const r = (await vscode.commands.executeCommand('dispatchInbox.acknowledge', node)) as Outcome;
    assert.equal(r.done.length, 1);
    assert.deepEqual(bytesIn('cur'), [NAME.toString('hex')]);
    assert.deepEqual(bytesIn('new'), []);
    await waitFor('moved in the tree', () => dispatchNodes(api, 'engineering', 'cur').some((n) => n.dispatch.title === 'Raw bytes'));
  });

  test("deleted into the root's own trash with its bytes kept (VS Code cannot reach it by a UTF-8 path)", async () => {
    const cur = dispatchNodes(api, 'engineering', 'cur').find((n) => n.dispatch.title === 'Raw bytes');
    assert.ok(cur, 'the previous test acknowledged it');
    const restore = answer(api, { confirm: async () => true });
    try {
      const r = (await vscode.commands.executeCommand('dispatchInbox.delete', cur)) as Outcome;
      assert.deepEqual({ done: r.done.length, gone: r.gone.length, failed: r.failed }, { done: 1, gone: 0, failed: [] });
    } finally {
      restore();
    }
    assert.deepEqual(bytesIn('cur'), []);
    const trash = path.join(t.root, '.trash', 'engineering');
    assert.deepEqual(
      fs.readdirSync(trash, { encoding: 'buffer' }).map((b) => b.toString('hex')),
      [NAME.toString('hex')],
    );
    await waitFor('gone from the tree', () => !dispatchNodes(api, 'engineering', 'cur').some((n) => n.dispatch.title === 'Raw bytes'));
  });
});
