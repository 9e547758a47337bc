// The agent surfaces inside VS Code: the Language Model Tools reached through vscode.lm.tools and
// vscode.lm.invokeTool, Set Up Agents writing through the bundled CLI (and showing doctor's verdict),
// and Install 'dispatch' Command in PATH.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { suite, suiteSetup, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { InboxApi } from '../../../src/extension';
import { answer, deliver, inboxSuite, listen, TempRoot, waitFor } from './ui-fixture';

const TOOLS = ['checkin', 'list_dispatches', 'read_dispatch', 'send_dispatch', 'acknowledge_dispatch', 'complete_dispatch', 'reroute_dispatch'];

async function invoke(name: string, input: object): Promise<string> {
  const r = await vscode.lm.invokeTool(name, { input, toolInvocationToken: undefined });
  return r.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

suite('agents', () => {
  const s = inboxSuite(['web_ops', 'qa'], { myTeams: ['web_ops'] });
  let api: InboxApi;
  let t: TempRoot;
  suiteSetup(() => ({ api, t } = s));
  const restorers: (() => unknown)[] = [];
  teardown(async () => {
    while (restorers.length) await restorers.pop()!();
  });

  test('the seven tools are registered under the MCP names, with their schemas', () => {
    const ours = vscode.lm.tools.filter((x) => TOOLS.includes(x.name));
    assert.deepEqual(ours.map((x) => x.name).sort(), [...TOOLS].sort());
    const send = ours.find((x) => x.name === 'send_dispatch')!;
    assert.deepEqual((send.inputSchema as { required: string[] }).required, ['to', 'from']);
    assert.ok(ours.every((x) => x.tags.includes('dispatch')));
  });

  test('each tool, invoked: check-in, list, read, send, acknowledge, complete, reroute', async () => {
    await deliver(api, t, { to: 'web_ops', from: 'qa', priority: 'urgent', title: 'Rotate the keys', body: 'A key leaked.' });
    const c = await invoke('checkin', { team: 'web_ops' });
    assert.match(c, /Rotate the keys/);
    const list = await invoke('list_dispatches', { team: 'web_ops' });
    const id = /\s(\S+_urgent_qa_rotate-the-keys)/.exec(list)?.[1];
    assert.ok(id, list);
    assert.match(await invoke('read_dispatch', { id }), /A key leaked\./);
    const sent = await invoke('send_dispatch', { to: 'qa', from: 'web_ops', title: 'Check the release', body: 'Please.' });
    assert.match(sent, /^sent: .*\/qa\/new\//);
    // What a tool changes reaches the tree through the index, like any other change.
    await waitFor('the sent dispatch in the tree', () => api.session.index?.count('qa', 'new') === 1);
    assert.match(await invoke('acknowledge_dispatch', { id }), /^acknowledged: .*\/web_ops\/cur\//);
    assert.match(await invoke('complete_dispatch', { id, note: 'rotated' }), /^completed: /);
    const other = (await invoke('list_dispatches', { team: 'qa' })).split('\n')[0].split(/\s+/)[4];
    assert.match(await invoke('reroute_dispatch', { id: other, to: 'web_ops' }), /^rerouted to web_ops: /);
    await assert.rejects(invoke('read_dispatch', { id: 'no-such-dispatch' }), /dispatch: /);
  });

  test('Set Up Agents: host, team, scope, the change shown, written by the bundled CLI, then doctor’s verdict', async () => {
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const asked: string[] = [];
    const { said, restore } = listen(api);
    restorers.push(restore);
    let shown = '';
    const answers = [(x: unknown[]) => x.find((i) => (i as { value: string }).value === 'gemini'), (x: unknown[]) => x[0]];
    restorers.push(
      answer(api, {
        pickOne: async (title: string, items: unknown[]) => (asked.push(title), (answers.shift()!(items) as { value: unknown }).value) as never,
        pickTeam: async () => (asked.push('team'), 'web_ops'),
        confirm: async (_m: string, detail: string) => ((shown = detail), true),
      }),
    );
    const settings = path.join(folder, '.gemini', 'settings.json');
    restorers.push(() => fs.rmSync(path.join(folder, '.gemini'), { recursive: true, force: true }));
    const lines = await vscode.commands.executeCommand<string[]>('dispatchInbox.setUpAgents');
    assert.deepEqual(asked, ['Set up which agent?', 'team', 'Where?']);
    assert.match(shown, /would add to .*settings\.json: SessionStart hook, BeforeAgent hook, MCP server/);
    const written = JSON.parse(fs.readFileSync(settings, 'utf8'));
    const cmd = written.hooks.SessionStart[0].hooks[0].command as string;
    assert.ok(cmd.includes(path.join(api.agents.cli)), cmd);
    assert.ok(cmd.includes(`--root ${t.root}`), cmd);
    assert.match(lines[0], /^Gemini CLI: will fire for team web_ops in /);
    assert.ok(said.some((x) => x.text.includes('will fire for team web_ops')));
  });

  test("Install 'dispatch' Command in PATH: a script that runs the bundled CLI; never over someone else's", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'home-'));
    const bin = path.join(home, '.local', 'bin');
    const { said, restore } = listen(api);
    restorers.push(restore);
    const file = await api.agents.installCli({ HOME: home, PATH: `${bin}:/usr/bin:/bin` });
    assert.equal(file, path.join(bin, 'dispatch'));
    assert.ok(fs.statSync(file!).mode & 0o100);
    const { execFileSync } = await import('node:child_process');
    assert.equal(execFileSync(file!, ['--root', t.root, 'root'], { encoding: 'utf8' }), `${t.root}\n`);
    fs.writeFileSync(file!, '#!/bin/sh\necho mine\n');
    assert.equal(await api.agents.installCli({ HOME: home, PATH: `${bin}:/usr/bin:/bin` }), undefined);
    assert.equal(fs.readFileSync(file!, 'utf8'), '#!/bin/sh\necho mine\n');
    assert.match(said[said.length - 1].text, /not installed by Dispatch Inbox: left as it is/);
  });
});
