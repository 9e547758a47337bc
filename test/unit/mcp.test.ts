// `dispatch mcp`, driven by the MCP SDK's real Client over StdioClientTransport, spawning the built
// CLI bundle as its own process: tools listed, send → a file on disk, ack, hostile input → isError,
// and the server still answering afterwards.
import { test, before, after } from 'node:test';
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { builtCli } from '../helpers/built-cli';
import { tempRoot } from '../helpers/tmp';

let client: Client;
let transport: StdioClientTransport;
// Made at the top level: a temporary folder made inside before() would be removed when that hook ends.
const root = tempRoot();
const home = tempRoot('home-');
const repo = tempRoot('repo-'); // the server's working directory, where TEAM.md is looked for
let stderr = '';

before(async () => {
  transport = new StdioClientTransport({
    command: process.execPath,
    args: [builtCli(), 'mcp'],
    env: { PATH: process.env.PATH ?? '', HOME: home, DISPATCH_ROOT: root },
    stderr: 'pipe',
    cwd: repo,
  });
  transport.stderr?.on('data', (c) => (stderr += c));
  client = new Client({ name: 'dispatch-test', version: '1.0.0' });
  await client.connect(transport); // fails if anything but JSON-RPC reached stdout before the handshake
});

after(async () => {
  await client?.close();
});

async function call(name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('');

test('lists every tool, with the CLI flags as argument names', async () => {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  assert.deepEqual(names, [
    'acknowledge_dispatch',
    'checkin',
    'complete_dispatch',
    'due_cadences',
    'list_dispatches',
    'read_dispatch',
    'reroute_dispatch',
    'send_dispatch',
  ]);
  const send = tools.find((t) => t.name === 'send_dispatch')!;
  assert.deepEqual(Object.keys(send.inputSchema.properties ?? {}).sort(), ['bead', 'body', 'from', 'priority', 'slug', 'title', 'to']);
  assert.deepEqual([...(send.inputSchema.required ?? [])].sort(), ['from', 'to']);
  assert.deepEqual(
    tools
      .filter((t) => t.annotations?.readOnlyHint)
      .map((t) => t.name)
      .sort(),
    ['list_dispatches', 'read_dispatch'],
  );
});

test('send puts the file on disk (DISPATCH_ROOT honoured); list, read, checkin and ack see it', async () => {
  const sent = await call('send_dispatch', {
    to: 'web_ops',
    from: 'engineering',
    priority: 'urgent',
    title: 'Fix login',
    bead: 'bd-7',
    body: 'Roll back the auth change.',
  });
  assert.ok(!sent.isError, text(sent));
  const d = sent.structuredContent as { id: string; path: string; team: string; priority: string; related_bead: string };
  assert.equal(d.team, 'web_ops');
  assert.equal(d.priority, 'urgent');
  assert.equal(d.related_bead, 'bd-7');
  assert.equal(path.dirname(d.path), path.join(root, 'web_ops', 'new'));
  assert.match(readFileSync(d.path, 'utf8'), /^---\nfrom: engineering\nto: web_ops\npriority: urgent\nstatus: pending\n/);

  const listed = await call('list_dispatches', { team: 'web_ops' });
  assert.deepEqual(
    (listed.structuredContent as { dispatches: { id: string }[] }).dispatches.map((x) => x.id),
    [d.id],
  );
  const read = await call('read_dispatch', { id: d.id });
  assert.match((read.structuredContent as { body: string }).body, /Roll back the auth change\./);

  const ci = await call('checkin', { team: 'web_ops' });
  assert.match(text(ci), /^# Dispatch inbox: web_ops — 1 new \(1 urgent\)/);
  const cj = ci.structuredContent as { total: number; dispatches: { id: string }[]; due_cadences: { available: boolean } };
  assert.equal(cj.total, 1);
  assert.equal(cj.dispatches[0].id, d.id);
  assert.equal(typeof cj.due_cadences.available, 'boolean');

  const ack = await call('acknowledge_dispatch', { id: d.id });
  assert.ok(!ack.isError, text(ack));
  assert.deepEqual([(ack.structuredContent as { outcome: string }).outcome, (ack.structuredContent as { status: string }).status], ['moved', 'accepted']);
  assert.deepEqual(readdirSync(path.join(root, 'web_ops', 'new')), []);
  assert.ok(existsSync(path.join(root, 'web_ops', 'cur', path.basename(d.path))));
  const again = await call('acknowledge_dispatch', { id: d.id });
  assert.equal((again.structuredContent as { outcome: string }).outcome, 'already');
  assert.match(text(again), /^already acknowledged: /);

  const done = await call('complete_dispatch', { id: d.id, note: 'rolled back' });
  assert.ok(!done.isError, text(done));
  assert.equal((done.structuredContent as { status: string }).status, 'completed');
  assert.match(
    readFileSync(path.join(root, 'web_ops', 'cur', path.basename(d.path)), 'utf8'),
    /^status: completed\ncompleted: '?\d{4}-[^\n]+\ncompletion_note: rolled back$/m,
  );
});

test('hostile or wrong input is an error result with the CLI message; the server keeps answering', async () => {
  const traversal = await call('send_dispatch', { to: '../../etc', from: 'engineering', body: 'x' });
  assert.equal(traversal.isError, true);
  assert.match(text(traversal), /^dispatch: invalid team name "\.\.\/\.\.\/etc"/);
  assert.deepEqual(readdirSync(root).sort(), ['web_ops'], 'nothing written outside the inboxes');

  const unknown = await call('read_dispatch', { id: 'no-such-dispatch' });
  assert.equal(unknown.isError, true);
  assert.match(text(unknown), /^dispatch: no dispatch "no-such-dispatch"/);

  const outside = await call('acknowledge_dispatch', { id: '/etc/passwd' });
  assert.equal(outside.isError, true);
  assert.match(text(outside), /^dispatch: \/etc\/passwd is not a dispatch in /);

  const badTeam = await call('checkin', { team: 'A/../b' });
  assert.equal(badTeam.isError, true);
  assert.match(text(badTeam), /^dispatch: invalid team name/);

  const badType = await call('send_dispatch', { to: 'qa', from: 'engineering', priority: 'critical' });
  assert.equal(badType.isError, true);

  const alive = await call('list_dispatches', {});
  assert.ok(!alive.isError, text(alive));
  assert.equal((alive.structuredContent as { dispatches: unknown[] }).dispatches.length, 1);
  assert.doesNotMatch(stderr, /Error:|at /, stderr); // no stack traces: only the one startup line
});

test('a dispatch that vanished under the server is an error result, not a crash', async () => {
  const sent = await call('send_dispatch', { to: 'qa', from: 'engineering', title: 'Soon gone' });
  const p = (sent.structuredContent as { path: string }).path;
  rmSync(p);
  const gone = await call('acknowledge_dispatch', { id: p });
  assert.equal(gone.isError, true);
  assert.match(text(gone), /^dispatch: \S+soon-gone is no longer in qa\/new\/: it was moved or deleted by someone else$/);
  assert.ok(!(await call('list_dispatches', { team: 'qa' })).isError);
});

test('stdout carries JSON-RPC only, even for refused calls and garbage input', { timeout: 60_000 }, async () => {
  const child = spawn(process.execPath, [builtCli(), '--root', tempRoot(), 'mcp'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH, HOME: tempRoot('home-') },
  });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const send = (m: object) => child.stdin.write(JSON.stringify({ jsonrpc: '2.0', ...m }) + '\n');
  send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } });
  send({ method: 'notifications/initialized' });
  child.stdin.write('this is not json\n');
  send({ id: 2, method: 'tools/call', params: { name: 'read_dispatch', arguments: { id: '../../../etc/passwd' } } });
  send({ id: 3, method: 'tools/call', params: { name: 'no_such_tool', arguments: {} } });
  send({ id: 4, method: 'tools/list' });
  const end = Date.now() + 20_000;
  while (!out.includes('"id":4') && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  child.stdin.end();
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  assert.equal(code, 0, 'the server ends cleanly when its stdin closes');
  const msgs = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(
    msgs.every((m) => m.jsonrpc === '2.0'),
    out,
  );
  const byId = new Map(msgs.map((m) => [m.id, m]));
  assert.equal(byId.get(2).result.isError, true);
  assert.match(byId.get(2).result.content[0].text, /^dispatch: .*is not a dispatch in /);
  assert.ok(byId.get(3).error || byId.get(3).result?.isError);
  assert.equal(byId.get(4).result.tools.length, 8);
});

test("due_cadences: the TEAM.md in the server's folder; send delivers and is not repeated", async () => {
  const none = await call('due_cadences', { from: 'engineering' });
  assert.equal(none.isError, true);
  assert.match(text(none), /^dispatch: no TEAM\.md: /);
  writeFileSync(
    path.join(repo, 'TEAM.md'),
    '## Cadences\n| Dispatch | To | Frequency | Last Sent |\n|---|---|---|---|\n| Dependency audit | qa | weekly | never |\n',
  );
  const due = await call('due_cadences', { from: 'engineering' });
  assert.ok(!due.isError, text(due));
  assert.deepEqual(
    (due.structuredContent as { cadences: { dispatch: string; due: boolean }[] }).cadences.map((c) => [c.dispatch, c.due]),
    [['Dependency audit', true]],
  );
  const sent = await call('due_cadences', { from: 'engineering', send: true });
  assert.deepEqual(
    (sent.structuredContent as { cadences: { result: string }[] }).cadences.map((c) => c.result),
    ['sent'],
  );
  assert.ok(readdirSync(path.join(root, 'qa', 'new')).some((n) => n.endsWith('_normal_engineering_dependency-audit.md')));
  const again = await call('due_cadences', { from: 'engineering', send: true });
  assert.deepEqual(
    (again.structuredContent as { cadences: { result: string }[] }).cadences.map((c) => c.result),
    ['not-due'],
  );
  const bad = await call('due_cadences', { from: '../x' });
  assert.equal(bad.isError, true);
  assert.match(text(bad), /^dispatch: invalid team name/);
});

test('a file name that is not UTF-8: listed, read and acknowledged by the printed id the tools give', async () => {
  const name = Buffer.from([0x66, 0xff, 0x2e, 0x6d, 0x64]); // "f\xff.md"
  mkdirSync(path.join(root, 'raw', 'new'), { recursive: true });
  writeFileSync(Buffer.concat([Buffer.from(path.join(root, 'raw', 'new') + '/'), name]), '# Raw\n\nbytes kept\n');
  const listed = await call('list_dispatches', { team: 'raw' });
  const [d] = (listed.structuredContent as { dispatches: { id: string; path: string }[] }).dispatches;
  assert.equal(d.id, 'f\\xff');
  assert.match(text(listed), /  f\\xff  /);
  const read = await call('read_dispatch', { id: d.id });
  assert.ok(!read.isError, text(read));
  assert.match((read.structuredContent as { body: string }).body, /bytes kept/);
  const ack = await call('acknowledge_dispatch', { id: d.path });
  assert.ok(!ack.isError, text(ack));
  assert.match(text(ack), /^acknowledged: .*\/raw\/cur\/f\\xff\.md/);
  assert.deepEqual(readdirSync(path.join(root, 'raw', 'cur'), { encoding: 'buffer' }), [name]);
  const again = await call('acknowledge_dispatch', { id: d.id });
  assert.equal((again.structuredContent as { outcome: string }).outcome, 'already');
});

test('issue 18: a legal send with a 9 MiB body of short lines (18 MiB as JSON) is answered, and the server keeps serving', { timeout: 120_000 }, async () => {
  mkdirSync(path.join(root, 'big', 'new'), { recursive: true });
  mkdirSync(path.join(root, 'big', 'cur'), { recursive: true });
  mkdirSync(path.join(root, 'big', 'tmp'), { recursive: true });
  const body = 'x\n'.repeat(9 * 512 * 1024); // 9 MiB; every newline escapes to two bytes
  const r = await call('send_dispatch', { to: 'big', from: 'qa', title: 'Big one', body });
  if (r.isError) assert.match(text(r), /^dispatch: .*(10 MiB|larger)/);
  else assert.equal(readFileSync(String(r.structuredContent?.path), 'utf8').length > 9 * 1024 * 1024, true);
  const after = await call('list_dispatches', { team: 'big' });
  assert.equal(after.isError, undefined, text(after));
});

test('a line over the transport limit gets its tool call answered with isError, and the next call is served', async () => {
  const { LineTransport } = await import('../../src/cli/mcp-stdio');
  const { PassThrough } = await import('node:stream');
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c) => (out += c));
  const t = new LineTransport(stdin, stdout, 1000);
  const got: unknown[] = [];
  t.onmessage = (m) => got.push(m);
  t.onerror = () => undefined;
  await t.start();
  const big = JSON.stringify({ method: 'tools/call', params: { name: 'send_dispatch', arguments: { body: 'y'.repeat(5000) } }, jsonrpc: '2.0', id: 7 });
  for (let i = 0; i < big.length; i += 700) stdin.write(big.slice(i, i + 700));
  stdin.write('\n' + JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'ping' }) + '\n');
  await new Promise((r) => setImmediate(r));
  const reply = JSON.parse(out.trim().split('\n')[0]);
  assert.equal(reply.id, 7);
  assert.equal(reply.result.isError, true);
  assert.match(reply.result.content[0].text, /^dispatch: message larger than .* not read \(a dispatch body is at most 10 MiB\)$/);
  assert.deepEqual(got, [{ jsonrpc: '2.0', id: 8, method: 'ping' }]);
});

test("VS Code's Language Model Tools (package.json) have the MCP tools' names, descriptions and schemas", async () => {
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    contributes: { languageModelTools: { name: string; modelDescription: string; inputSchema: Record<string, unknown> }[] };
  };
  const { tools } = await client.listTools();
  for (const lm of pkg.contributes.languageModelTools) {
    const mcp = tools.find((t) => t.name === lm.name);
    assert.ok(mcp, `${lm.name} is no MCP tool`);
    assert.equal(lm.modelDescription, mcp.description, lm.name);
    const { $schema: _, ...schema } = mcp.inputSchema as Record<string, unknown>;
    assert.deepEqual(lm.inputSchema, schema, lm.name);
  }
  assert.deepEqual(
    pkg.contributes.languageModelTools.map((t) => t.name),
    tools.map((t) => t.name).filter((n) => n !== 'due_cadences'),
  );
});
