// The `dispatch` CLI: shapes, exit codes (0 ok, 1 refused, 2 usage), inert output, and the CLI as a process.
import { test } from 'node:test';
import { version } from '../../package.json';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { main } from '../../src/cli/main';
import { tempRoot } from '../helpers/tmp';
import { dispatch } from '../helpers/cli';
import { linuxOnly } from '../helpers/platform';
const CONTROLS = linuxOnly('Windows names cannot hold control characters');
const FIFO = linuxOnly('FIFOs (mkfifo) do not exist on Windows');
const SYMLINKS = linuxOnly('symbolic links: making one on Windows needs a privilege, and Wine makes Unix links Node cannot lstat as links');
const TSX = linuxOnly('spawns child processes through tsx, whose esbuild binary is Linux-only');

test('init, send (--json shape), list, summary', async () => {
  const root = tempRoot();
  assert.equal((await dispatch(['--root', root, 'init', 'engineering', 'web_ops', 'qa'])).code, 0);
  const sent = await dispatch(
    ['--root', root, 'send', '--to', 'web_ops', '--from', 'engineering', '--priority', 'urgent', '--title', 'Update site', '--bead', '_skills-73r', '--json'],
    'Body from stdin\n',
  );
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
  assert.deepEqual(
    list.map((d: { team: string }) => d.team),
    ['qa', 'web_ops'],
  );
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
  assert.equal(a1.out, `acknowledged: ${path.join(root, 'qa', 'cur', `${id}.md`)}\n`); // the real path, on Windows too
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
  for (const args of [
    [],
    ['bogus'],
    ['send', '--from', 'a'],
    ['send', '--to', 'a', '--from', 'b', '--priority', 'critical'],
    ['list', '--new', '--cur'],
    ['--root'],
    ['send', '--nope'],
  ]) {
    const r = await dispatch(args.length && args[0] === '--root' ? args : ['--root', root, ...args]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /^dispatch: /);
  }
  // The global option after the command: where it goes, not parseArgs' advice about positionals.
  for (const args of [
    ['list', '--root', root],
    ['setup', 'claude', `--root=${root}`],
    ['checkin', '--team', 'qa', '--root', root],
    ['cadences', '--root', root],
    ['reservations', '--root', root],
  ]) {
    const r = await dispatch(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /^dispatch: --root goes before the command: dispatch --root DIR <command> …\n/);
  }
  for (const args of [
    ['send', '--to', '../x', '--from', 'b', '--body', ''],
    ['reroute', 'x', '--to', 'qa'],
    ['show', '/etc/passwd'],
    ['send', '--to', 'qa', '--from', 'b', '--body-file', '/nonexistent'],
  ]) {
    const r = await dispatch(['--root', root, ...args]);
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.err.split('\n').filter(Boolean).length, 1, r.err);
    assert.match(r.err, /^dispatch: /);
  }
});

test('hostile file names cannot drive the terminal', CONTROLS, async () => {
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
  // An hour old: a file's mtime can lie a fraction of a millisecond after Date.now(), so "older than 0 h"
  // would miss a file written just now.
  const hourAgo = Date.now() / 1000 - 3600;
  utimesSync(path.join(root, 'qa', 'tmp', 'leftover'), hourAgo, hourAgo);
  const r = await dispatch(['--root', root, 'sweep', '--older-than', '0']);
  assert.equal(r.code, 0);
  assert.match(r.out, /removed .*leftover/);
  assert.equal((await dispatch(['--root', root, 'sweep', '--older-than', 'soon'])).code, 2);
});

const HOSTILE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** ESC sequences, C1 CSI, BEL and bidi overrides/isolates, in a name and a body. */
const EVIL = 'evil\u001b]0;pwned\u0007\u009b2J\u202egnp.exe\u2066x\u2069\u200f';

test('hostile file names and content reach neither stdout nor stderr: show, ack, reroute, an ambiguous id', CONTROLS, async () => {
  const root = tempRoot();
  await dispatch(['--root', root, 'init', 'qa', 'web_ops']);
  const name = `${EVIL}.md`; // not the naming rule: sender and priority come from the hostile front matter
  const body = `---\nfrom: "\\e[31mRED\\u202e"\npriority: "\\e[2Jx"\n---\n# \u001b[31mred \u202etitle\n\nbody \u009b2J \u2067text\u2069\r\n`;
  writeFileSync(path.join(root, 'qa', 'new', name), body);
  writeFileSync(path.join(root, 'qa', 'new', `${EVIL}-second.md`), body);
  const runs = {
    ambiguous: await dispatch(['--root', root, 'show', 'evil']),
    show: await dispatch(['--root', root, 'show', path.join(root, 'qa', 'new', name)]),
    ack: await dispatch(['--root', root, 'ack', path.join(root, 'qa', 'new', name)]),
    reroute: await dispatch(['--root', root, 'reroute', path.join(root, 'qa', 'cur', name), '--to', 'web_ops']),
    missing: await dispatch(['--root', root, 'ack', `${EVIL}-none`]),
    list: await dispatch(['--root', root, 'list']),
  };
  assert.equal(runs.ambiguous.code, 1);
  assert.match(runs.ambiguous.err, /^dispatch: "evil.*" matches 2 dispatches/);
  assert.equal(runs.show.code, 0, runs.show.err);
  assert.match(runs.show.out, /red title/);
  assert.equal(runs.ack.code, 0, runs.ack.err);
  assert.match(runs.ack.out, /^acknowledged: /);
  assert.equal(runs.reroute.code, 0, runs.reroute.err);
  assert.match(runs.reroute.out, /^rerouted to web_ops: /);
  assert.equal(runs.missing.code, 1);
  for (const [what, r] of Object.entries(runs)) {
    assert.doesNotMatch(r.out, HOSTILE, `${what} stdout: ${JSON.stringify(r.out)}`);
    assert.doesNotMatch(r.err, HOSTILE, `${what} stderr: ${JSON.stringify(r.err)}`);
  }
});

test('--json output is inert on a terminal yet keeps the data exactly', CONTROLS, async () => {
  const root = tempRoot();
  await dispatch(['--root', root, 'init', 'qa']);
  writeFileSync(path.join(root, 'qa', 'new', `${EVIL}.md`), '# t\n');
  const r = await dispatch(['--root', root, 'list', '--json']);
  assert.equal(r.code, 0, r.err);
  assert.doesNotMatch(r.out, HOSTILE);
  assert.equal(JSON.parse(r.out)[0].id, EVIL);
});

test('show is linear in a body of many blank lines', async () => {
  const root = tempRoot();
  await dispatch(['--root', root, 'init', 'qa']);
  writeFileSync(path.join(root, 'qa', 'new', 'blank.md'), '# t\n' + '\n'.repeat(60_000) + 'x');
  const t = performance.now();
  const r = await dispatch(['--root', root, 'show', 'blank']);
  assert.equal(r.code, 0, r.err);
  assert.ok(performance.now() - t < 1000, `${(performance.now() - t).toFixed(0)} ms`);
  assert.ok(r.out.endsWith('x\n'));
});

test('a body on stdin is read only up to 10 MiB, then refused', { timeout: 20_000 }, async () => {
  const root = tempRoot();
  let pulled = 0;
  async function* endless() {
    for (let i = 0; i < 64; i++) {
      pulled++;
      yield Buffer.alloc(1024 * 1024, 'a');
    }
  }
  const out = new PassThrough();
  const err = new PassThrough();
  let e = '';
  err.on('data', (c) => (e += c));
  const stdin = Object.assign(Readable.from(endless()), { isTTY: false });
  const code = await main(['--root', root, 'send', '--to', 'qa', '--from', 'eng'], { out, err, env: {}, stdin });
  assert.equal(code, 1);
  assert.equal(e, 'dispatch: body larger than 10 MiB\n');
  assert.ok(pulled <= 12, `${pulled} MiB read`);
});

test('--body-file is read only up to 10 MiB, then refused (an endless writer is cut off)', { timeout: 20_000, ...FIFO }, async () => {
  const root = tempRoot();
  const fifo = path.join(root, 'body.fifo');
  execFileSync('mkfifo', [fifo]);
  // Another process writes 64 MiB into the FIFO and reports how much it got rid of.
  const writer = spawn(
    process.execPath,
    [
      '-e',
      `const fs = require('fs'); const fd = fs.openSync(process.argv[1], 'w'); const b = Buffer.alloc(1 << 20, 'a'); let n = 0;
       try { for (let i = 0; i < 64; i++) { fs.writeSync(fd, b); n++; } } catch (e) { console.log(n + ' ' + e.code); process.exit(0); }
       console.log(n + ' all');`,
      fifo,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let written = '';
  writer.stdout.on('data', (c) => (written += c));
  const ended = new Promise((r) => writer.once('exit', r));
  const r = await dispatch(['--root', root, 'send', '--to', 'qa', '--from', 'eng', '--body-file', fifo]);
  await ended;
  assert.equal(r.code, 1);
  assert.equal(r.err, 'dispatch: body larger than 10 MiB\n');
  const [mib, how] = written.trim().split(' ');
  assert.equal(how, 'EPIPE', written);
  assert.ok(Number(mib) <= 12, `${mib} MiB written before the reader stopped`);
});

test('watch --interval and --root are checked before anything runs', { timeout: 10_000 }, async () => {
  const root = tempRoot();
  for (const args of [
    ['--root', root, 'watch', '--interval', 'x'],
    ['--root', root, 'watch', '--interval', '0'],
    ['--root', root, 'watch', '--interval', ''],
    ['--root', root, 'watch', '--interval', '99'],
    ['--root=', 'list'],
    ['--root', '', 'list'],
  ]) {
    const r = await dispatch(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, /^dispatch: --(interval|root) /, r.err);
  }
});

test('one bad box (a symlink loop) is a warning on that box only; ack goes on and exits 1 for the missing id', SYMLINKS, async () => {
  const root = tempRoot();
  const sent = JSON.parse((await dispatch(['--root', root, 'send', '--to', 'web_ops', '--from', 'eng', '--title', 'Hi', '--body', 'b', '--json'])).out);
  // A team whose new/ is a symlink loop: looking an id up lists every box; that one is said and skipped.
  mkdirSync(path.join(root, 'broken', 'cur'), { recursive: true });
  symlinkSync('new', path.join(root, 'broken', 'new'));
  const r = await dispatch(['--root', root, 'ack', 'some-id', sent.path]);
  assert.equal(r.code, 1);
  const errLines = r.err.split('\n').filter(Boolean);
  assert.equal(errLines.length, 2, r.err);
  assert.equal(errLines[0], 'dispatch: warning: broken/new is a symbolic link; nothing listed from it');
  assert.match(errLines[1], /^dispatch: no dispatch "some-id"/);
  assert.match(r.out, /^acknowledged: .*\/web_ops\/cur\//);
  assert.equal(readdirSync(path.join(root, 'web_ops', 'cur')).length, 1);
});

// The CLI as a process, from source: no stale dist/ can make this pass or fail.
const cli = [...process.execArgv.filter((a) => a !== '--test'), '--import', 'tsx', path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts')];

/** Resolves when `pred` holds, else rejects after `ms` with a message that says what was awaited and what was seen. */
async function waitFor(pred: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the CLI process: send, then watch prints the arrival as JSON', { timeout: 60_000, ...TSX }, async () => {
  const root = tempRoot();
  const run = promisify(execFile);
  await run(process.execPath, [...cli, '--root', root, 'init', 'qa']);
  const w = spawn(process.execPath, [...cli, '--root', root, 'watch', '--json']);
  let out = '';
  let err = '';
  w.stdout.on('data', (c) => (out += c));
  w.stderr.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((r) => w.once('exit', r));
  try {
    await waitFor(
      () => err.includes('watching '),
      20_000,
      () => `"watching …" from dispatch watch (stderr so far: ${JSON.stringify(err)})`,
    );
    const sent = await run(process.execPath, [...cli, '--root', root, 'send', '--to', 'qa', '--from', 'eng', '--title', 'Live', '--body', 'b']);
    assert.ok(sent.stdout.trim().endsWith('_normal_eng_live.md'), sent.stdout);
    await waitFor(
      () => out.includes('\n'),
      10_000,
      () => `dispatch watch to print the arrival (stdout: ${JSON.stringify(out)}, stderr: ${JSON.stringify(err)})`,
    );
  } finally {
    w.kill('SIGINT');
  }
  assert.equal(await exited, 0, err);
  const ev = JSON.parse(out.split('\n')[0]);
  assert.equal(ev.event, 'add');
  assert.equal(ev.team, 'qa');
  assert.equal(ev.slug, 'live');
});

test('--version, help COMMAND and COMMAND --help print, exit 0; an unknown one is a usage error', async () => {
  const v = await dispatch(['--version']);
  assert.deepEqual([v.code, v.out], [0, `${version}\n`]);
  for (const verb of ['ack', 'send', 'complete', 'checkin', 'setup', 'doctor', 'cadences', 'reservations', 'mcp', 'root']) {
    const a = await dispatch(['help', verb]);
    const b = await dispatch([verb, '--help']);
    assert.equal(a.code, 0, `${verb}: ${a.err}`);
    assert.match(a.out, new RegExp(`^usage: dispatch .*${verb}`), verb);
    assert.deepEqual(b, a, `${verb} --help is help ${verb}`);
  }
  const top = await dispatch(['--help']);
  assert.match(top.out, /doctor \[--json\]/);
  assert.equal((await dispatch(['help', 'frobnicate'])).code, 2);
});

test('root prints the root in use', async () => {
  const r = await dispatch(['--root', '/some/where', 'root']);
  assert.deepEqual([r.code, r.out], [0, `${path.resolve('/some/where')}\n`]);
});
