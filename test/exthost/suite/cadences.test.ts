// Cadences in VS Code: TEAM.md in the workspace folder → the Cadences view and one notification;
// "Send" delivers the due rows and sets Last Sent; a dirty TEAM.md editor is edited, not overwritten.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { InboxApi } from '../../../src/extension';
import type { CadenceNode } from '../../../src/ui/cadences/cadences';
import { answer, filesIn, inboxSuite, listen, setting, TempRoot, tempRoot, waitFor } from './ui-fixture';

const TABLE = (rows: string) =>
  `# Engineering\r\n\r\n## Cadences\r\n\r\n| Dispatch | To | Frequency | Last Sent | Notes |\r\n|---|---|---|---|---|\r\n${rows}\r\nAfter the table.\r\n`;
const ROWS =
  '| Site health check | web_ops | weekly | never      | Check every page |\r\n| Dependency audit | qa | daily |  | |\r\n| SEO report | qa | monthly | 2999-01-01 | |\r\n| Broken | qa | fortnightly | | |\r\n';

function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

suite('cadences', () => {
  const s = inboxSuite(['engineering', 'qa', 'web_ops'], { myTeams: ['engineering'] });
  let api: InboxApi;
  let t: TempRoot;
  let file: string;
  const restorers: (() => unknown)[] = [];
  let autoSave: () => Promise<void>;
  suiteSetup(async () => {
    ({ api, t } = s);
    // code-server saves dirty editors after a second by default (files.autoSave: afterDelay), and a send
    // under load takes longer: "stays unsaved" is only testable with it off.
    autoSave = await setting('autoSave', 'off', 'files');
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(ws, 'no workspace folder');
    file = path.join(ws, 'TEAM.md');
    // No ~/.team/TEAM.md of the machine may take part.
    api.cadences.home = fs.mkdtempSync(path.join(os.tmpdir(), 'cadence-home-'));
  });
  teardown(async () => {
    while (restorers.length) await restorers.pop()!();
    // Revert TEAM.md wherever it is (the active editor may be another one by now): a dirty model left
    // open would be the next test's TEAM.md.
    for (const d of vscode.workspace.textDocuments.filter((d) => d.uri.fsPath === file && d.isDirty)) {
      await vscode.window.showTextDocument(d);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(file, { force: true });
    await api.cadences.refresh('file');
  });
  suiteTeardown(async () => {
    fs.rmSync(api.cadences.home, { recursive: true, force: true });
    await autoSave();
  });

  const rows = () => api.cadences.getChildren() as CadenceNode[];
  const labelOf = (n: CadenceNode) => {
    const l = api.cadences.getTreeItem(n).label;
    return typeof l === 'string' ? l : (l?.label ?? '');
  };

  test('TEAM.md appears → one notification "2 recurring dispatches are due"; Send delivers them and sets Last Sent', async () => {
    const said = listen(api, (x) => (/recurring dispatches are due/.test(x.text) ? 'Send' : undefined));
    restorers.push(said.restore);
    fs.writeFileSync(file, TABLE(ROWS));
    const toast = await waitFor('the cadence notification', () => said.said.find((x) => /recurring dispatch/.test(x.text)), 15_000);
    assert.equal(toast.text, '2 recurring dispatches are due');
    assert.deepEqual(toast.actions, ['Send', 'Review']);
    await waitFor(
      'both delivered',
      () => filesIn(path.join(t.root, 'web_ops', 'new')).length === 1 && filesIn(path.join(t.root, 'qa', 'new')).length === 1,
      10_000,
    );
    const web = fs.readFileSync(path.join(t.root, 'web_ops', 'new', filesIn(path.join(t.root, 'web_ops', 'new'))[0]), 'utf8');
    assert.match(web, /^cadence: site-health-check$/m);
    assert.match(web, /^from: engineering$/m);
    assert.match(web, /# Site health check\n\nCheck every page\n/);
    const d = today();
    await waitFor('Last Sent written', () => fs.readFileSync(file, 'utf8').includes(`| ${d} |`), 10_000);
    assert.equal(fs.readFileSync(file, 'utf8'), TABLE(ROWS.replace('| never      |', `| ${d} |`).replace('| daily |  |', `| daily | ${d} |`)));
    await waitFor('the report', () => said.said.find((x) => x.text.startsWith('Sent 2 recurring dispatches')));
    assert.equal(said.said.filter((x) => /are due/.test(x.text)).length, 1, 'one notification, not one per row or per save');
    // The view: nothing due any more, the bad row shown with its line.
    await waitFor('the view updated', () => api.cadences.due().length === 0 && rows().length === 4);
    const items = rows().map((n) => [labelOf(n), api.cadences.getTreeItem(n).description]);
    assert.deepEqual(items[0], ['Site health check', `→ web_ops · weekly · next ${addDays(d, 7)}`]);
    assert.deepEqual(items[3], ['line 10: not read', items[3][1]]);
    assert.match(String(items[3][1]), /unknown frequency "fortnightly"/);
  });

  test('a session start (here: another root) announces what is due there, once', async () => {
    const said = listen(api);
    restorers.push(said.restore);
    fs.writeFileSync(file, TABLE('| Standup notes | qa | weekdays | 2020-01-03 |  |\r\n'));
    const announced = () => said.said.filter((x) => x.text === '1 recurring dispatch is due').length;
    await waitFor('the notification for the file', () => announced() === 1, 15_000);
    const other = await tempRoot(api, ['qa']);
    restorers.push(() => other.restore());
    await waitFor('the notification at the start of the other root', () => announced() === 2, 15_000);
    await api.cadences.refresh('file');
    assert.equal(announced(), 2, 'the same due set is not announced again');
  });

  test('due rows are highlighted; a pending one is skipped, and says why', async () => {
    fs.writeFileSync(file, TABLE('| Nightly build | web_ops | daily | |  |\r\n| Triage | qa | daily | |  |\r\n'));
    await t.store.deliver({ to: 'web_ops', from: 'engineering', title: 'Nightly build', slug: 'nightly-build', extra: { cadence: 'nightly-build' } });
    await api.cadences.refresh('edit');
    const [site, dep] = rows();
    assert.equal(api.cadences.getTreeItem(site).contextValue, 'cadence:skipped');
    assert.match(String(api.cadences.getTreeItem(site).tooltip), /Not sent: a dispatch for this cadence is still pending in web_ops\/new\//);
    const item = api.cadences.getTreeItem(dep);
    assert.equal(item.contextValue, 'cadence:due');
    assert.deepEqual((item.label as vscode.TreeItemLabel).highlights, [[0, 'Triage'.length]]);
    assert.equal(api.cadences.view.badge?.value, 1);
  });

  test('a dirty TEAM.md editor gets the Last Sent edit (stays unsaved); the file on disk is not touched', async () => {
    const written = TABLE('| Weekly sync | qa | weekly | 2020-01-01 |  |\r\n');
    fs.writeFileSync(file, written);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    const editor = await vscode.window.showTextDocument(doc);
    // The previous test's TEAM.md may still be the open model until VS Code sees the new file on disk:
    // edit only what was written here (under load that event came late, and the note went into the old text).
    await waitFor('the editor to show the TEAM.md written here', () => doc.getText() === written);
    await editor.edit((e) => e.insert(new vscode.Position(0, 0), '<!-- my unsaved note -->\r\n'));
    assert.ok(doc.isDirty);
    const onDisk = fs.readFileSync(file);
    const said = listen(api);
    restorers.push(said.restore);
    const r = await vscode.commands.executeCommand('dispatchInbox.sendDueCadences');
    assert.ok(r, JSON.stringify(said.said));
    assert.equal(filesIn(path.join(t.root, 'qa', 'new')).filter((n) => n.includes('weekly-sync')).length, 1);
    assert.ok(doc.isDirty, 'still unsaved');
    assert.equal(doc.getText(), `<!-- my unsaved note -->\r\n${TABLE(`| Weekly sync | qa | weekly | ${today()} |  |\r\n`)}`);
    assert.equal(fs.readFileSync(file, 'utf8'), onDisk.toString('utf8'), 'the disk file is the user’s to save');
  });

  test('without myTeams the sender is asked; cancelling sends nothing', async () => {
    restorers.push(await setting('myTeams', []));
    fs.writeFileSync(file, TABLE('| Ask me | qa | daily | |  |\r\n'));
    await api.cadences.refresh('edit');
    const asked: string[] = [];
    restorers.push(answer(api, { pickTeam: async (o) => (asked.push(o.title), undefined) }));
    assert.equal(await vscode.commands.executeCommand('dispatchInbox.sendDueCadences'), undefined);
    assert.deepEqual(asked, ['Send Due Cadences: from which team?']);
    assert.equal(filesIn(path.join(t.root, 'qa', 'new')).filter((n) => n.includes('ask-me')).length, 0);
    assert.match(fs.readFileSync(file, 'utf8'), /\| Ask me \| qa \| daily \| \|/);
  });
});

function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const u = new Date(Date.UTC(y, m - 1, d + n));
  return u.toISOString().slice(0, 10);
}
