// The lifecycle in a real VS Code: acknowledge → accepted, Mark Completed, the Sent view by status,
// Verify & Archive, and stale dispatches on the team node and in Sent.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { InboxApi } from '../../../src/extension';
import type { SentNode } from '../../../src/ui/sent/sent';
import { deliver, filesIn, inboxSuite, minutesAgo, nodeTitled, setting, TempRoot, waitFor } from './ui-fixture';

suite('lifecycle', () => {
  let api: InboxApi;
  let t: TempRoot;
  const s = inboxSuite(['engineering', 'web_ops'], { myTeams: ['engineering'], staleAfterDays: 3 });
  suiteSetup(() => ({ api, t } = s));

  const text = (v: string | vscode.TreeItemLabel | boolean | undefined) => (typeof v === 'string' ? v : typeof v === 'object' ? v.label : '');
  const sentRows = (status: 'pending' | 'accepted' | 'completed') =>
    (api.sent.getChildren(api.sent.statusNode(status)) as SentNode[]).flatMap((n) => (n.kind === 'sent' ? [n] : []));
  const sentTitled = (status: 'pending' | 'accepted' | 'completed', title: string) =>
    sentRows(status).find((n) => n.kind === 'sent' && n.dispatch.title === title);
  const statusIn = (p: string) => /^status: (\w+)/m.exec(fs.readFileSync(p, 'utf8'))?.[1];

  test('acknowledge writes accepted; the row and the Sent view say so; Mark Completed; Verify & Archive', async () => {
    await deliver(api, t, { to: 'web_ops', from: 'engineering', priority: 'normal', title: 'Update the site', created: minutesAgo(30) });
    const pending = await waitFor('pending in Sent', () => sentTitled('pending', 'Update the site'));
    assert.match(String(api.sent.getTreeItem(pending).description), /^web_ops\/new · 30m$/);

    await vscode.commands.executeCommand('dispatchInbox.acknowledge', nodeTitled(api, 'web_ops', 'new', 'Update the site'));
    const file = path.join(t.root, 'web_ops', 'cur', pending.kind === 'sent' ? pending.dispatch.fileName : '');
    assert.equal(statusIn(file), 'accepted');
    const accepted = await waitFor('accepted in Sent', () => sentTitled('accepted', 'Update the site'));
    assert.match(String(api.sent.getTreeItem(accepted).description), /^web_ops\/acknowledged · 30m$/);
    await waitFor('accepted on the inbox row', () =>
      / · accepted$/.test(String(api.tree.getTreeItem(nodeTitled(api, 'web_ops', 'cur', 'Update the site')).description)),
    );

    await vscode.commands.executeCommand('dispatchInbox.markCompleted', nodeTitled(api, 'web_ops', 'cur', 'Update the site'));
    assert.equal(statusIn(file), 'completed');
    assert.match(fs.readFileSync(file, 'utf8'), /^completed: '\d{4}-/m);
    const completed = await waitFor('completed in Sent', () => sentTitled('completed', 'Update the site'));
    const item = api.sent.getTreeItem(completed);
    assert.equal(item.contextValue, 'sent:completed');
    await waitFor('completed on the inbox row', () =>
      / · completed$/.test(String(api.tree.getTreeItem(nodeTitled(api, 'web_ops', 'cur', 'Update the site')).description)),
    );

    await vscode.commands.executeCommand('dispatchInbox.verifyArchive', completed);
    const archived = path.join(t.root, '.archive', 'web_ops');
    await waitFor('in the archive', () => fs.existsSync(archived) && fs.readdirSync(archived).some((m) => filesIn(path.join(archived, m)).length === 1));
    await waitFor('gone from Sent and the inbox', () => !sentTitled('completed', 'Update the site') && !api.session.index?.list('web_ops', 'cur').length);
    assert.equal(api.tree.getChildren().length, 2, 'the archive is not a team');
  });

  test('a dispatch older than staleAfterDays in new/: "1 unread 5d" on the team node, flagged in Sent', async () => {
    await deliver(api, t, { to: 'web_ops', from: 'engineering', priority: 'low', title: 'Old news', created: minutesAgo(5 * 24 * 60 + 5) });
    const team = await waitFor('stale on the team node', () => {
      const d = api.tree.getTreeItem(api.tree.teamNode('web_ops')).description;
      return typeof d === 'string' && d.includes('1 unread 5d') ? api.tree.getTreeItem(api.tree.teamNode('web_ops')) : undefined;
    });
    assert.match(String(team.tooltip), /has not run a session since/);
    const row = await waitFor('stale in Sent', () => sentTitled('pending', 'Old news'));
    assert.match(String(api.sent.getTreeItem(row).description), / · stale$/);
    assert.match(String(api.sent.getTreeItem(api.sent.statusNode('pending')).description), /· 1 stale$/);
    assert.equal(text(api.sent.getTreeItem(api.sent.statusNode('pending')).label), 'Pending');
  });

  test('Verify & Archive refuses nothing it should not: a pending dispatch is not archived', async () => {
    const row = await waitFor('the old one', () => sentTitled('pending', 'Old news'));
    await vscode.commands.executeCommand('dispatchInbox.verifyArchive', row);
    assert.ok(filesIn(path.join(t.root, 'web_ops', 'new')).length >= 1);
  });

  test('a sender whose clock runs 30 days ahead: its dispatch is stale by when it landed here, not by its created:', async () => {
    await deliver(api, t, { to: 'engineering', from: 'web_ops', priority: 'normal', title: 'From the future', created: new Date(Date.now() + 30 * 864e5) });
    const file = path.join(t.root, 'engineering', 'new', filesIn(path.join(t.root, 'engineering', 'new'))[0]);
    // Stale after ~1.7 s: wait until this machine's clock says it has waited that long, then ask.
    const landed = fs.lstatSync(file).ctimeMs;
    await waitFor('2.5 s since it landed', () => Date.now() - landed > 2500 || undefined, 10_000);
    const restore = await setting('staleAfterDays', 0.00002);
    try {
      await waitFor(
        'stale on the engineering node',
        () => {
          const d = api.tree.getTreeItem(api.tree.teamNode('engineering')).description;
          return typeof d === 'string' && d.includes('1 unread') ? d : undefined;
        },
        15_000,
      );
    } finally {
      await restore();
    }
  });
});
