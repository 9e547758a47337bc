// The Inbox tree: teams, New/Acknowledged order, paging, badges, descriptions, tooltips, filter.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { InboxApi } from '../../../src/extension';
import { EXTENSION_ID } from '../helpers';
import { boxLabels, children, deliver, inboxSuite, label, minutesAgo, nodeTitled, setting, TempRoot, waitFor } from './ui-fixture';

suite('inbox tree', () => {
  const s = inboxSuite(['engineering', 'qa', 'web_ops'], { myTeams: ['engineering'], acknowledgedLimit: 5 });
  let api: InboxApi;
  let t: TempRoot;

  suiteSetup(async () => {
    ({ api, t } = s);
    const send = (priority: 'urgent' | 'high' | 'normal' | 'low', title: string, m: number, to = 'engineering', from = 'qa') =>
      deliver(api, t, { to, from, priority, title, body: `${title}.`, created: minutesAgo(m) });
    await send('normal', 'Normal old', 300);
    await send('low', 'Low newest', 1);
    await send('urgent', 'Urgent new', 2);
    await send('normal', 'Normal new', 10);
    await send('urgent', 'Urgent old', 120);
    await send('high', 'High', 60, 'engineering', 'web_ops');
    for (let i = 0; i < 12; i++) {
      const d = await t.store.deliver({
        to: 'qa',
        from: 'engineering',
        priority: 'normal',
        title: `Done ${String(i).padStart(2, '0')}`,
        created: minutesAgo(1000 - i),
      });
      await t.store.acknowledge(d);
    }
    await waitFor('12 acknowledged in qa', () => api.session.index?.count('qa', 'cur') === 12);
  });

  test('one node per team, my team first, with "N new · K urgent"', () => {
    const teams = children(api);
    assert.deepEqual(
      teams.map((n) => label(api, n)),
      ['engineering', 'qa', 'web_ops'],
    );
    const eng = api.tree.getTreeItem(teams[0]);
    assert.equal(eng.description, '6 new · 2 urgent · 1 high');
    assert.equal(eng.contextValue, 'team:mine');
    assert.equal(api.tree.getTreeItem(teams[1]).description, '0 new');
    assert.deepEqual(
      children(api, teams[0]).map((n) => label(api, n)),
      ['New', 'Acknowledged'],
    );
  });

  test('New: urgent → low, then oldest first', () => {
    assert.deepEqual(boxLabels(api, 'engineering', 'new'), ['Urgent old', 'Urgent new', 'High', 'Normal old', 'Normal new', 'Low newest']);
  });

  test('Acknowledged: newest first, a page at a time with "Show more"', () => {
    const first = boxLabels(api, 'qa', 'cur');
    assert.deepEqual(first, ['Done 11', 'Done 10', 'Done 09', 'Done 08', 'Done 07', 'Show 5 more…']);
    const more = children(api, api.tree.boxNode('qa', 'cur')).at(-1)!;
    assert.equal(api.tree.getTreeItem(more).description, '5 of 12 shown');
    api.tree.showMore('qa', 'cur');
    assert.deepEqual(boxLabels(api, 'qa', 'cur').slice(5), ['Done 06', 'Done 05', 'Done 04', 'Done 03', 'Done 02', 'Show 2 more…']);
  });

  test('a dispatch row: title, "from · age", priority icon, our own URI scheme', () => {
    const n = nodeTitled(api, 'engineering', 'new', 'High');
    const item = api.tree.getTreeItem(n);
    assert.equal(item.description, 'web_ops · 1h ago');
    assert.equal(item.contextValue, 'dispatch:new');
    assert.ok(item.iconPath instanceof vscode.ThemeIcon);
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'mail');
    assert.equal(((item.iconPath as vscode.ThemeIcon).color as vscode.ThemeColor).id, 'dispatchInbox.priority.high');
    assert.equal(item.resourceUri?.scheme, 'dispatch-inbox');
    assert.equal(item.command?.command, 'dispatchInbox.open');
  });

  test('priority badges decorate our URIs only, never file: URIs', async () => {
    const badge = (title: string) => {
      const item = api.tree.getTreeItem(nodeTitled(api, 'engineering', 'new', title));
      return api.decorations.provideFileDecoration(item.resourceUri!);
    };
    assert.equal(badge('Urgent old')?.badge, 'U');
    assert.equal((badge('Urgent old')?.color as vscode.ThemeColor).id, 'dispatchInbox.priority.urgent');
    assert.equal(badge('High')?.badge, 'H');
    assert.equal(badge('Normal new')?.badge, 'N');
    assert.equal(badge('Low newest')?.badge, 'L');
    const d = nodeTitled(api, 'engineering', 'new', 'High').dispatch;
    assert.equal(api.decorations.provideFileDecoration(vscode.Uri.file(d.path)), undefined);
  });

  test('the activity-bar badge counts new dispatches of my teams', async () => {
    await waitFor('badge 6', () => api.view.view.badge?.value === 6);
    const undoMine = await setting('myTeams', ['qa']);
    try {
      await waitFor('no badge for qa (nothing new)', () => api.view.view.badge === undefined);
    } finally {
      await undoMine();
    }
    await waitFor('badge 6 again', () => api.view.view.badge?.value === 6);
  });

  test('the tooltip shows front matter and the start of the body, read on hover', async () => {
    const n = nodeTitled(api, 'engineering', 'new', 'High');
    const item = await api.tree.resolveTreeItem(api.tree.getTreeItem(n), n);
    const md = (item.tooltip as vscode.MarkdownString).value;
    assert.match(md, /priority: high/);
    assert.match(md, /from: web_ops/);
    assert.match(md, /High\./);
  });

  test('a malformed file is shown with a warning', async () => {
    fs.writeFileSync(path.join(t.root, 'qa', 'new', 'notes.txt'), '---\npriority: [oops\n---\nhello\n');
    const n = await waitFor('notes.txt in qa/new', () =>
      children(api, api.tree.boxNode('qa', 'new')).find((x) => x.kind === 'dispatch' && x.dispatch.fileName === 'notes.txt'),
    );
    const item = await api.tree.resolveTreeItem(api.tree.getTreeItem(n), n);
    assert.ok(String((item.tooltip as vscode.MarkdownString).value).includes('follow'), 'the tooltip names the problem');
    await waitFor('a warning icon', () => (api.tree.getTreeItem(n).iconPath as vscode.ThemeIcon).id === 'warning');
  });

  test('filter by priority and text', async () => {
    api.session.setFilter({ priorities: ['urgent'], text: '' });
    assert.deepEqual(boxLabels(api, 'engineering', 'new'), ['Urgent old', 'Urgent new']);
    assert.equal(api.tree.getTreeItem(api.tree.boxNode('engineering', 'new')).description, '2 of 6');
    api.session.setFilter({ priorities: [], text: 'web_ops' });
    assert.deepEqual(boxLabels(api, 'engineering', 'new'), ['High']);
    await vscode.commands.executeCommand('dispatchInbox.clearFilter');
    assert.equal(boxLabels(api, 'engineering', 'new').length, 6);
  });

  test('the teams setting limits which teams are shown', async () => {
    const u = await setting('teams', ['qa']);
    try {
      await waitFor(
        'only qa',
        () =>
          children(api)
            .map((n) => label(api, n))
            .join() === 'qa',
      );
    } finally {
      await u();
    }
    await waitFor('all teams again', () => children(api).length === 3);
  });

  test('manifest: tree keys stay out of the find box; Send and Filter are in the palette only when the inbox is ready', () => {
    const contributes = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON.contributes as {
      keybindings: { command: string; when: string }[];
      menus: { commandPalette: { command: string; when: string }[] };
    };
    const treeKeys = contributes.keybindings.filter((k) => k.when.includes('focusedView == dispatchInbox.inbox'));
    assert.deepEqual(treeKeys.map((k) => k.command).sort(), ['dispatchInbox.acknowledge', 'dispatchInbox.delete', 'dispatchInbox.markAsNew']);
    for (const k of treeKeys) assert.match(k.when, /&& !inputFocus\b/, k.command);
    for (const command of ['dispatchInbox.sendDispatch', 'dispatchInbox.filter']) {
      assert.equal(contributes.menus.commandPalette.find((m) => m.command === command)?.when, 'dispatchInbox.state == ready', command);
    }
  });
});
