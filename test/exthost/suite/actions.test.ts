// Acknowledge (single, multi, all, races, undo), mark as new, reroute, delete to the trash.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { setup, suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { InboxApi } from '../../../src/extension';
import type { Outcome } from '../../../src/ui/inbox/actions';
import { answer, deliver, dispatchNodes, filesIn, inboxSuite, listen, minutesAgo, nodeTitled, Said, TempRoot, waitFor } from './ui-fixture';

suite('actions', () => {
  let api: InboxApi;
  let t: TempRoot;
  let said: Said[];
  let replies: Record<string, string> = {};
  const restorers: (() => void)[] = [];
  let n = 0;

  const s = inboxSuite(['engineering', 'qa']);
  suiteSetup(() => ({ api, t } = s));

  setup(() => {
    replies = {};
    const l = listen(api, (s) => Object.entries(replies).find(([k]) => s.text.includes(k))?.[1]);
    said = l.said;
    restorers.push(l.restore);
  });
  teardown(() => {
    while (restorers.length) restorers.pop()!();
  });

  /** A fresh dispatch in engineering/new with a unique title. */
  async function fresh(title = `Task ${++n}`, to = 'engineering') {
    await deliver(api, t, { to, from: 'qa', priority: 'normal', title, created: minutesAgo(n) });
    return nodeTitled(api, to, 'new', title);
  }
  const inBox = (team: string, box: string) => filesIn(path.join(t.root, team, box));

  const confirmation = () => String(api.confirmation.item.text);

  test('acknowledge one: new/ → cur/, the tree follows, and the status bar offers Undo (no toast)', async () => {
    const node = await fresh('Ack me');
    const r = (await vscode.commands.executeCommand('dispatchInbox.acknowledge', node)) as Outcome;
    assert.equal(r.done.length, 1);
    assert.ok(inBox('engineering', 'cur').includes(node.dispatch.fileName));
    await waitFor('moved in the tree', () => nodeTitledSafe('engineering', 'cur', 'Ack me'));
    assert.equal(confirmation(), '$(check) Acknowledged “Ack me”. $(discard) Undo');
    assert.equal(api.confirmation.item.command && (api.confirmation.item.command as vscode.Command).command, 'dispatchInbox.undoLast');
    assert.deepEqual(said, []);
  });

  test('Undo moves it back to New', async () => {
    const node = await fresh('Undo me');
    await vscode.commands.executeCommand('dispatchInbox.acknowledge', node);
    await vscode.commands.executeCommand('dispatchInbox.undoLast');
    await waitFor(
      'back in new/',
      () => inBox('engineering', 'new').includes(node.dispatch.fileName) && !inBox('engineering', 'cur').includes(node.dispatch.fileName),
    );
    await waitFor('back in the tree', () => nodeTitledSafe('engineering', 'new', 'Undo me'));
    assert.equal(confirmation(), '$(check) Moved “Undo me” back to New.');
  });

  test('acknowledging row after row replaces the confirmation instead of stacking toasts', async () => {
    const rows = [await fresh('Row 1'), await fresh('Row 2'), await fresh('Row 3')];
    for (const node of rows) await vscode.commands.executeCommand('dispatchInbox.acknowledge', node);
    assert.deepEqual(said, [], 'no toasts');
    assert.match(confirmation(), /Acknowledged “Row 3”/);
    await vscode.commands.executeCommand('dispatchInbox.undoLast');
    await waitFor('Row 3 back in new/', () => inBox('engineering', 'new').includes(rows[2].dispatch.fileName));
    for (const node of rows.slice(0, 2)) assert.ok(inBox('engineering', 'cur').includes(node.dispatch.fileName), 'only the last one is undone');
  });

  test('titles from files cannot put links or icons into messages', async () => {
    const title = 'Done [click](command:workbench.action.quit) $(alert)';
    await t.store.deliver({ to: 'engineering', from: 'qa', priority: 'normal', title });
    const node = await waitFor('the heading read', () => nodeTitledSafe('engineering', 'new', title));
    const active = /\]\(|\$\(/;
    restorers.push(answer(api, { pickTeam: async () => 'qa' }));
    await vscode.commands.executeCommand('dispatchInbox.reroute', node);
    const rerouted = said.find((s) => s.text.startsWith('Rerouted'));
    assert.ok(rerouted && rerouted.text.includes('click'), JSON.stringify(said));
    assert.doesNotMatch(rerouted.text, active, rerouted.text);
    const moved = await waitFor('in qa/new', () => nodeTitledSafe('qa', 'new', title));
    let asked = '';
    restorers.push(answer(api, { confirm: async (message) => ((asked = message), true) }));
    await vscode.commands.executeCommand('dispatchInbox.delete', moved);
    assert.doesNotMatch(asked, active, asked);
    const deleted = said.find((s) => s.text.startsWith('Deleted'));
    assert.ok(deleted);
    assert.doesNotMatch(deleted.text, active, deleted.text);
    assert.ok(!fs.existsSync(moved.dispatch.path));
  });

  test('acknowledge a multi-selection', async () => {
    const a = await fresh();
    const b = await fresh();
    const c = await fresh();
    const r = (await vscode.commands.executeCommand('dispatchInbox.acknowledge', a, [a, b, c])) as Outcome;
    assert.equal(r.done.length, 3);
    for (const x of [a, b, c]) assert.ok(inBox('engineering', 'cur').includes(x.dispatch.fileName));
    assert.ok(said.some((s) => s.text === 'Acknowledged 3 dispatches.'));
  });

  test("acknowledge all on a team's New node", async () => {
    await fresh('One', 'qa');
    await fresh('Two', 'qa');
    const r = (await vscode.commands.executeCommand('dispatchInbox.acknowledgeAll', api.tree.boxNode('qa', 'new'))) as Outcome;
    assert.equal(r.done.length, 2);
    assert.deepEqual(inBox('qa', 'new'), []);
    await waitFor('qa New is empty', () => dispatchNodes(api, 'qa', 'new').length === 0);
  });

  test('race: acknowledged by another window first → a plain message, no error', async () => {
    const node = await fresh('Raced');
    await t.store.acknowledge(node.dispatch.path); // another window, before this one noticed
    const r = (await vscode.commands.executeCommand('dispatchInbox.acknowledge', node)) as Outcome;
    assert.equal(r.already.length, 1);
    assert.equal(r.failed.length, 0);
    const s = said.at(-1)!;
    assert.equal(s.level, 'info');
    assert.match(s.text, /already acknowledged \(another window or agent got there first\)/);
  });

  test('race: deleted by an agent first → a warning that says so, no error', async () => {
    const node = await fresh('Vanished');
    fs.unlinkSync(node.dispatch.path);
    const r = (await vscode.commands.executeCommand('dispatchInbox.acknowledge', node)) as Outcome;
    assert.equal(r.gone.length, 1);
    const s = said.at(-1)!;
    assert.equal(s.level, 'warn');
    assert.match(s.text, /no longer there: it was moved or deleted by someone else/);
  });

  test('race: two acknowledges at once end with one move', async () => {
    const node = await fresh('Twice');
    const [r1, r2] = (await Promise.all([
      vscode.commands.executeCommand('dispatchInbox.acknowledge', node),
      vscode.commands.executeCommand('dispatchInbox.acknowledge', node),
    ])) as Outcome[];
    assert.equal(r1.done.length + r2.done.length, 1);
    assert.equal(r1.already.length + r2.already.length + r1.gone.length + r2.gone.length, 1);
    assert.equal(r1.failed.length + r2.failed.length, 0);
    assert.deepEqual(
      inBox('engineering', 'cur').filter((f) => f === node.dispatch.fileName),
      [node.dispatch.fileName],
    );
  });

  test('mark as new', async () => {
    const node = await fresh('Again');
    await vscode.commands.executeCommand('dispatchInbox.acknowledge', node);
    const acked = await waitFor('in Acknowledged', () => nodeTitledSafe('engineering', 'cur', 'Again'));
    const r = (await vscode.commands.executeCommand('dispatchInbox.markAsNew', acked)) as Outcome;
    assert.equal(r.done.length, 1);
    assert.ok(inBox('engineering', 'new').includes(node.dispatch.fileName));
    assert.equal(confirmation(), '$(check) Marked “Again” as new. $(discard) Undo');
  });

  test('reroute to another team (picked), bytes untouched', async () => {
    const node = await fresh('Wrong team');
    const before = fs.readFileSync(node.dispatch.path, 'utf8');
    let offered: string[] = [];
    restorers.push(
      answer(api, {
        pickTeam: async (o) => {
          offered = o.teams.map((x) => x.name);
          return 'qa';
        },
      }),
    );
    const r = (await vscode.commands.executeCommand('dispatchInbox.reroute', node)) as Outcome;
    assert.deepEqual(offered, ['qa'], 'the current team is not offered');
    assert.equal(r.done.length, 1);
    assert.equal(fs.readFileSync(path.join(t.root, 'qa', 'new', node.dispatch.fileName), 'utf8'), before);
    await waitFor('in qa/new in the tree', () => nodeTitledSafe('qa', 'new', 'Wrong team'));
    assert.ok(said.some((s) => s.text === 'Rerouted “Wrong team” to qa.'));
  });

  test('reroute cancelled writes nothing', async () => {
    const node = await fresh('Stay');
    restorers.push(answer(api, { pickTeam: async () => undefined }));
    assert.equal(await vscode.commands.executeCommand('dispatchInbox.reroute', node), undefined);
    assert.ok(fs.existsSync(node.dispatch.path));
  });

  test('delete: nothing happens without confirmation', async () => {
    const node = await fresh('Keep me');
    restorers.push(answer(api, { confirm: async () => false }));
    assert.equal(await vscode.commands.executeCommand('dispatchInbox.delete', node), undefined);
    assert.ok(fs.existsSync(node.dispatch.path));
  });

  test("delete goes to the trash (the OS one, else the root's .trash/), after one confirmation", async () => {
    const node = await fresh('Delete me');
    const asked: string[] = [];
    restorers.push(
      answer(api, {
        confirm: async (message, _detail, action) => {
          asked.push(`${message} [${action}]`);
          return true;
        },
      }),
    );
    const r = (await vscode.commands.executeCommand('dispatchInbox.delete', node)) as Outcome;
    assert.equal(r.done.length, 1);
    assert.ok(!fs.existsSync(node.dispatch.path));
    assert.deepEqual(asked, ['Delete “Delete me”? [Move to Trash]']);
    // code-server's file service has no trash: the file must then be in the root's own trash, whole.
    const own = path.join(node.dispatch.root, '.trash', node.dispatch.team, node.dispatch.fileName);
    console.log(`[exthost]     (${fs.existsSync(own) ? "no OS trash: kept in the root's .trash/" : 'OS trash'})`);
    if (fs.existsSync(own)) assert.match(fs.readFileSync(own, 'utf8'), /# Delete me/);
    await waitFor('gone from the tree', () => !nodeTitledSafe('engineering', 'new', 'Delete me'));
  });

  function nodeTitledSafe(team: string, box: 'new' | 'cur', title: string) {
    return dispatchNodes(api, team, box).find((x) => x.dispatch.title === title);
  }
});
