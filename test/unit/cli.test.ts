// The `dispatch` CLI: shapes, exit codes (0 ok, 1 refused, 2 usage), and the built binary itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { main } from '../../src/cli/main';
import { tempRoot } from '../helpers/tmp';

async function dispatch(args: string[], stdin = '') {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const input = Object.assign(Readable.from([Buffer.from(stdin)]), { isTTY: false });
  const code = await main(args, { out, err, env: {}, stdin: input });
  return { code, out: o, err: e };
}

test('init, send (--json shape), list, summary', async () => {
  const root = tempRoot();
  assert.equal((await dispatch(['--root', root, 'init', 'engineering', 'web_ops', 'qa'])).code, 0);
  const sent = await dispatch(['--root', root, 'send', '--to', 'web_ops', '--from', 'engineering', '--priority', 'urgent', '--title', 'Update site', '--bead', '_skills-73r', '--json'], 'Body from stdin\n');
  assert.equal(sent.code, 0, sent.err);
  const j = JSON.parse(sent.out);
  assert.deepEqual(Object.keys(j).slice(0, 10), ['id', 'team', 'box', 'path', 'created', 'priority', 'from', 'slug', 'title', 'warnings']);
  assert.equal(j.team, 'web_ops');
  assert.equal(j.box, 'new');
  assert.equal(j.priority, 'urgent');
  assert.equal(j.from, 'engineering');
  assert.equal(j.slug, 'update-site');
  assert.equal(j.title, 'Update site');
  assert.equal(j.related_bead, '_skills-73r');
  assert.ok(path.isAbsolute(j.path) && existsSync(j.path));
  assert.match(j.id, /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ_urgent_engineering_update-site$/);

  await dispatch(['--root', root, 'send', '--to', 'qa', '--from', 'web_ops', '--priority', 'low', '--title', 'Check', '--body', 'x']);
  const list = JSON.parse((await dispatch(['--root', root, 'list', '--json'])).out);
  assert.deepEqual(list.map((d: { team: string }) => d.team), ['qa', 'web_ops']);
  const onlyUrgent = JSON.parse((await dispatch(['--root', root, 'list', 'web_ops', '--priority', 'urgent', '--json'])).out);
  assert.equal(onlyUrgent.length, 1);
  const text = (await dispatch(['--root', root, 'list'])).out;
  assert.match(text, /^qa\/new {2}low/m);
  assert.equal((await dispatch(['--root', root, 'summary'])).out, 'dispatch: engineering 0 new · qa 1 new · web_ops 1 new (1 urgent)\n');
});

test('show, ack twice, reroute, and their exit codes', async () => {
  const root = tempRoot();
  const id = JSON.parse((await dispatch(['--root', root, 'send', '--to', 'qa', '--from', 'eng', '--title', 'Hello', '--body', 'World', '--json'])).out).id;
  const shown = await dispatch(['--root', root, 'show', id]);
  assert.match(shown.out, /^Hello\n/);
  assert.match(shown.out, /World/);
  const showJson = JSON.parse((await dispatch(['--root', root, 'show', id, '--json'])).out);
  assert.equal(showJson.front_matter.status, 'pending');
  const a1 = await dispatch(['--root', root, 'ack', id]);
  assert.equal(a1.code, 0);
  assert.match(a1.out, /^acknowledged: .*\/qa\/cur\//);
  const a2 = await dispatch(['--root', root, 'ack', id]);
  assert.equal(a2.code, 0);
  assert.match(a2.out, /^already acknowledged/);
  const missing = await dispatch(['--root', root, 'ack', 'no-such-id']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /^dispatch: no dispatch "no-such-id"/);
  const moved = await dispatch(['--root', root, 'reroute', id, '--to', 'web_ops']);
  assert.equal(moved.code, 0, moved.err);
  assert.equal(readdirSync(path.join(root, 'web_ops', 'new')).length, 1);
});

test('usage errors exit 2, refused operations exit 1, each with one dispatch: line', async () => {
  const root = tempRoot();
  for (const args of [[], ['bogus'], ['send', '--from', 'a'], ['send', '--to', 'a', '--from', 'b', '--priority', 'critical'], ['list', '--new', '--cur'], ['--root'], ['send', '--nope']]) {
    const r = await dispatch(args.length && args[0] === '--root' ? args : ['--root', root, ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /^dispatch: /);
  }
  for (const args of [['send', '--to', '../x', '--from', 'b', '--body', ''], ['reroute', 'x', '--to', 'qa'], ['show', '/etc/passwd'], ['send', '--to', 'qa', '--from', 'b', '--body-file', '/nonexistent']]) {
    const r = await dispatch(['--root', root, ...args]);
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.err.split('\n').filter(Boolean).length, 1, r.err);
    assert.match(r.err, /^dispatch: /);
  }
});

test('hostile file names cannot drive the terminal', async () => {
  const root = tempRoot();
  await dispatch(['--root', root, 'init', 'qa']);
  writeFileSync(path.join(root, 'qa', 'new', 'evil\u001b]0;pwned\u0007\u001b[2J.md'), '# \u001b[31mred\n');
  const r = await dispatch(['--root', root, 'list']);
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.out, /\u001b/);
});

test('sweep', async () => {
  const root = tempRoot();
  await dispatch(['--root', root, 'init', 'qa']);
  writeFileSync(path.join(root, 'qa', 'tmp', 'leftover'), 'x');
  const r = await dispatch(['--root', root, 'sweep', '--older-than', '0']);
  assert.equal(r.code, 0);
  assert.match(r.out, /removed .*leftover/);
  assert.equal((await dispatch(['--root', root, 'sweep', '--older-than', 'soon'])).code, 2);
});

const bin = path.join(__dirname, '..', '..', 'dist', 'cli.js');

test('the built binary: send, then watch prints the arrival as JSON', { skip: !existsSync(bin) && 'run npm run build first' }, async () => {
  const root = tempRoot();
  const run = promisify(execFile);
  await run(process.execPath, [bin, '--root', root, 'init', 'qa']);
  const w = spawn(process.execPath, [bin, '--root', root, 'watch', '--json']);
  let out = '';
  w.stdout.on('data', (c) => (out += c));
  await new Promise<void>((resolve) => w.stderr.once('data', () => resolve())); // "watching …"
  const sent = await run(process.execPath, [bin, '--root', root, 'send', '--to', 'qa', '--from', 'eng', '--title', 'Live', '--body', 'b']);
  assert.ok(sent.stdout.trim().endsWith('_normal_eng_live.md'));
  const deadline = Date.now() + 5000;
  while (!out.includes('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  w.kill('SIGINT');
  const code = await new Promise((r) => w.once('exit', r));
  assert.equal(code, 0);
  const ev = JSON.parse(out.split('\n')[0]);
  assert.equal(ev.event, 'add');
  assert.equal(ev.team, 'qa');
  assert.equal(ev.slug, 'live');
});
