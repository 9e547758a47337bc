// Send Dispatch: the prompts, the in-memory draft editor, deliver with one action; cancelling writes nothing.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { InboxApi } from '../../../src/extension';
import type { Dispatch } from '../../../src/core/api';
import { answer, filesIn, inboxSuite, listen, TempRoot, waitFor } from './ui-fixture';

suite('send dispatch', () => {
  const s = inboxSuite(['engineering', 'qa'], { myTeams: ['engineering'] });
  let api: InboxApi;
  let t: TempRoot;
  suiteSetup(() => ({ api, t } = s));
  const restorers: (() => unknown)[] = [];
  teardown(async () => {
    while (restorers.length) await restorers.pop()!();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** Everything under the root except empty folders: what a cancelled send must leave unchanged. */
  const snapshot = () =>
    ['engineering', 'qa', 'newteam'].flatMap((team) =>
      ['tmp', 'new', 'cur'].flatMap((b) => filesIn(path.join(t.root, team, b)).map((f) => `${team}/${b}/${f}`)),
    );

  function answers(to: string | undefined, priority: 'urgent' | 'high' | 'normal' | 'low' | undefined, title: string | undefined) {
    const asked: string[] = [];
    restorers.push(
      answer(api, {
        pickTeam: async (o) => (asked.push(`team: ${o.teams.map((x) => x.name).join(',')}`), to),
        pickPriority: async () => (asked.push('priority'), priority),
        input: async () => (asked.push('title'), title),
      }),
    );
    return asked;
  }

  test('pick team, priority, title; write the body; deliver with one action', async () => {
    const said = listen(api);
    restorers.push(said.restore);
    const asked = answers('qa', 'high', 'Check build 2.4');
    const uri = (await vscode.commands.executeCommand('dispatchInbox.sendDispatch')) as vscode.Uri;
    assert.deepEqual(asked, ['team: engineering,qa', 'priority', 'title']);
    assert.equal(uri.scheme, 'dispatch-draft');
    const editor = vscode.window.activeTextEditor!;
    assert.equal(editor.document.uri.toString(), uri.toString());
    assert.equal(editor.document.languageId, 'markdown');
    assert.deepEqual(filesIn(path.join(t.root, 'qa', 'new')), [], 'nothing delivered before Deliver');
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'Please run the smoke suite on **2.4**.\n'));

    const d = (await vscode.commands.executeCommand('dispatchInbox.deliverDraft')) as Dispatch;
    assert.equal(d.team, 'qa');
    assert.equal(d.priority, 'high');
    assert.equal(d.from, 'engineering');
    const text = fs.readFileSync(d.path, 'utf8');
    assert.match(text, /^---\n/);
    assert.match(text, /priority: high/);
    assert.match(text, /# Check build 2.4\n\nPlease run the smoke suite on \*\*2.4\*\*\./);
    await waitFor(
      'the draft tab closed',
      () =>
        !vscode.window.tabGroups.all.some((g) => g.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.scheme === 'dispatch-draft')),
    );
    await waitFor('in the tree', () => api.session.index?.get('qa', 'new', d.fileName));
    assert.ok(said.said.some((s) => s.text === 'Delivered “Check build 2.4” to qa (high).'));
  });

  test('from a team node: the recipient is that team', async () => {
    const asked = answers(undefined, 'low', 'From the node');
    const uri = (await vscode.commands.executeCommand('dispatchInbox.sendDispatch', api.tree.teamNode('qa'))) as vscode.Uri;
    assert.deepEqual(asked, ['priority', 'title']);
    const d = (await vscode.commands.executeCommand('dispatchInbox.deliverDraft', uri)) as Dispatch;
    assert.equal(d.team, 'qa');
    assert.equal(d.priority, 'low');
  });

  test('Deliver twice at once (Ctrl+Enter, then the CodeLens) delivers one dispatch', async () => {
    const said = listen(api);
    restorers.push(said.restore);
    answers('qa', 'low', 'Only once');
    const uri = (await vscode.commands.executeCommand('dispatchInbox.sendDispatch')) as vscode.Uri;
    const results = await Promise.all([
      vscode.commands.executeCommand('dispatchInbox.deliverDraft', uri),
      vscode.commands.executeCommand('dispatchInbox.deliverDraft', uri),
    ]);
    assert.equal(results.filter(Boolean).length, 1);
    assert.deepEqual(filesIn(path.join(t.root, 'qa', 'new')).filter((f) => f.includes('only-once')).length, 1);
    assert.deepEqual(
      said.said.filter((x) => x.level === 'warn'),
      [],
      'the second press is not an error',
    );
  });

  test('a delivery that fails keeps the draft, so it can be delivered again', async () => {
    const said = listen(api);
    restorers.push(said.restore);
    answers('qa', 'normal', 'Second try');
    const uri = (await vscode.commands.executeCommand('dispatchInbox.sendDispatch')) as vscode.Uri;
    const store = api.session.store;
    store.deliver = async () => {
      throw new Error('disk full');
    };
    try {
      assert.equal(await vscode.commands.executeCommand('dispatchInbox.deliverDraft', uri), undefined);
    } finally {
      Reflect.deleteProperty(store, 'deliver');
    }
    assert.ok(said.said.some((x) => x.text === 'Not delivered: disk full'));
    const d = (await vscode.commands.executeCommand('dispatchInbox.deliverDraft', uri)) as Dispatch;
    assert.equal(d.title, 'Second try');
  });

  test("changing the draft's language mode keeps the draft", async () => {
    answers('qa', 'normal', 'Plain words');
    const uri = (await vscode.commands.executeCommand('dispatchInbox.sendDispatch')) as vscode.Uri;
    const doc = vscode.window.activeTextEditor!.document;
    assert.equal(doc.languageId, 'markdown');
    await vscode.languages.setTextDocumentLanguage(doc, 'plaintext');
    const d = (await vscode.commands.executeCommand('dispatchInbox.deliverDraft', uri)) as Dispatch | undefined;
    assert.equal(d?.title, 'Plain words');
  });

  for (const [step, to, priority, title] of [
    ['the team', undefined, 'normal', 'x'],
    ['the priority', 'newteam', undefined, 'x'],
    ['the title', 'newteam', 'normal', undefined],
  ] as const) {
    test(`cancelling at ${step} writes nothing`, async () => {
      const before = snapshot();
      answers(to, priority, title);
      assert.equal(await vscode.commands.executeCommand('dispatchInbox.sendDispatch'), undefined);
      assert.deepEqual(snapshot(), before);
      assert.ok(!fs.existsSync(path.join(t.root, 'newteam')), 'no folder for the new team');
    });
  }

  test('discarding the draft writes nothing', async () => {
    const before = snapshot();
    answers('newteam', 'urgent', 'Never sent');
    const uri = (await vscode.commands.executeCommand('dispatchInbox.sendDispatch')) as vscode.Uri;
    await vscode.window.activeTextEditor!.edit((e) => e.insert(new vscode.Position(0, 0), 'draft text'));
    await vscode.commands.executeCommand('dispatchInbox.discardDraft', uri);
    assert.deepEqual(snapshot(), before);
    assert.ok(!fs.existsSync(path.join(t.root, 'newteam')));
    assert.ok(
      !vscode.window.tabGroups.all.some((g) => g.tabs.some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === uri.toString())),
    );
  });

  test('a new team typed at the picker is created on delivery', async () => {
    answers('newteam', 'normal', 'Welcome');
    await vscode.commands.executeCommand('dispatchInbox.sendDispatch');
    const d = (await vscode.commands.executeCommand('dispatchInbox.deliverDraft')) as Dispatch;
    assert.equal(d.team, 'newteam');
    await waitFor('the new team in the tree', () => api.tree.getChildren().some((n) => n.kind === 'team' && n.team === 'newteam'));
  });
});
