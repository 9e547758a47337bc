// File names that are not valid UTF-8 (any bytes but "/" and NUL are a name on Linux): listed in one
// line with `\xNN` escapes, shown, acknowledged, rerouted and completed by that printed form, the
// file's name bytes kept exactly by every move; seen by the live index; accepted by the MCP tools.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';
import { DispatchIndex, IndexEvent } from '../../src/core/live/live-index';
import { escapeName, fromFsName, toFsPath, unescapeName } from '../../src/core/fs/rawname';
import { dispatch } from '../helpers/cli';
import { tempRoot, until } from '../helpers/tmp';
import { runChild } from '../helpers/users';

/** The names in a folder, as bytes (hex), dotfiles included: what the filesystem really holds. */
function bytesIn(dir: string): string[] {
  return readdirSync(dir, { encoding: 'buffer' })
    .map((b) => b.toString('hex'))
    .sort();
}

const F_FF = Buffer.from([0x66, 0xff, 0x2e, 0x6d, 0x64]); // "f\xff.md"

/** Writes a file whose name is exactly `name` (bytes) into `dir`. */
function writeRaw(dir: string, name: Buffer, text: string): void {
  writeFileSync(Buffer.concat([Buffer.from(dir + '/'), name]), text);
}

async function rootWithRaw(): Promise<string> {
  const root = tempRoot();
  await new DispatchStore(root).init(['qa', 'ops']);
  writeRaw(path.join(root, 'qa', 'new'), F_FF, '---\nfrom: eng\npriority: high\n---\n# Raw bytes\n\nthe body\n');
  return root;
}

test('the escape form is one-to-one: every name maps to one printable line and back', () => {
  const names = [
    Buffer.from('plain.md'),
    F_FF,
    Buffer.from([0xc3, 0x28]), // an invalid two-byte sequence
    Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate (invalid in UTF-8)
    Buffer.from([0xc0, 0xaf]), // an overlong "/"
    Buffer.from('f\\xff.md'), // a literal backslash-x: must not read as the byte
    Buffer.from('tab\there\nnew\u0085c1\u202erlo\u{1f600}.md'),
    Buffer.from([0xf0, 0x9f, 0x98, 0x80, 0xff, 0x80]), // valid emoji then raw bytes
    Buffer.from('\uFFFD.md'), // a real U+FFFD, written as its own bytes
  ];
  const printed = new Set<string>();
  for (const b of names) {
    const s = fromFsName(b);
    const p = escapeName(s);
    assert.ok(!/[\u0000-\u001f\u007f-\u009f\u202e]/.test(p) && !p.includes('\n'), `one inert line: ${p}`);
    assert.ok(!/[\uD800-\uDFFF]/u.test(p), `no lone surrogate printed: ${p}`);
    assert.equal(unescapeName(p), s, p);
    const back = toFsPath(s);
    assert.ok(Buffer.from(back).equals(b), `${b.toString('hex')} → ${Buffer.from(back).toString('hex')}`);
    printed.add(p);
  }
  assert.equal(printed.size, names.length, 'no two names print the same');
  assert.equal(escapeName(fromFsName(F_FF)), 'f\\xff.md');
  assert.equal(escapeName('f\\xff.md'), 'f\\\\xff.md');
});

test('CLI: list prints it escaped in one line; show, ack (id and path), a second ack, --json', async () => {
  const root = await rootWithRaw();
  const l = await dispatch(['--root', root, 'list']);
  assert.equal(l.code, 0, l.err);
  const lines = l.out.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, l.out);
  assert.match(lines[0], /^qa\/new  normal  \?  \?  f\\xff  \[\d warnings\]$/);

  const s = await dispatch(['--root', root, 'show', 'f\\xff']);
  assert.equal(s.code, 0, s.err);
  assert.match(s.out, /^# Raw bytes\n\nthe body$/m);
  assert.match(s.out, /^path: {5}.*\/qa\/new\/f\\xff\.md$/m);
  assert.match(s.out, /not valid UTF-8/);

  const js = await dispatch(['--root', root, 'list', '--json']);
  const [j] = JSON.parse(js.out) as { id: string; path: string }[];
  assert.equal(j.id, 'f\\xff');
  assert.equal(j.path, path.join(root, 'qa', 'new', 'f\\xff.md'));
  // What --json says is what a command takes back: the path form here.
  const a = await dispatch(['--root', root, 'ack', j.path, '--json']);
  assert.equal(a.code, 0, a.err);
  const moved = JSON.parse(a.out) as { outcome: string; id: string; path: string };
  assert.equal(moved.outcome, 'moved');
  assert.equal(moved.path, path.join(root, 'qa', 'cur', 'f\\xff.md'));
  assert.deepEqual(bytesIn(path.join(root, 'qa', 'cur')), [F_FF.toString('hex')], 'the same bytes, nothing else (no claim left)');
  assert.deepEqual(bytesIn(path.join(root, 'qa', 'new')), []);
  assert.match(readFileSync(Buffer.concat([Buffer.from(path.join(root, 'qa', 'cur') + '/'), F_FF])).toString(), /status: accepted[\s\S]*the body/);

  const again = await dispatch(['--root', root, 'ack', 'f\\xff']);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, /^already acknowledged: .*\/qa\/cur\/f\\xff\.md$/m);
  const byPath = await dispatch(['--root', root, 'ack', path.join(root, 'qa', 'new', 'f\\xff.md')]);
  assert.equal(byPath.code, 0, byPath.err);
  assert.match(byPath.out, /^already acknowledged: /);

  const c = await dispatch(['--root', root, 'complete', 'f\\xff', '--note', 'done']);
  assert.equal(c.code, 0, c.err);
  assert.match(c.out, /^completed: .*\/qa\/cur\/f\\xff\.md$/m);
  assert.deepEqual(bytesIn(path.join(root, 'qa', 'cur')), [F_FF.toString('hex')]);
  const c2 = await dispatch(['--root', root, 'complete', 'f\\xff']);
  assert.match(c2.out, /^already completed: /);

  // The sender's verify: archived by the same form, its bytes kept; JSON says the escaped form.
  const ar = await dispatch(['--root', root, 'archive', 'f\\xff', '--json']);
  assert.equal(ar.code, 0, ar.err);
  const [archived] = JSON.parse(ar.out) as string[];
  assert.match(archived, /\/\.archive\/qa\/\d{4}-\d{2}\/f\\xff\.md$/);
  const la = await dispatch(['--root', root, 'list', '--archived', '--json']);
  assert.deepEqual(
    (JSON.parse(la.out) as { fileName: string }[]).map((x) => x.fileName),
    ['f\\xff.md'],
  );
  const month = readdirSync(path.join(root, '.archive', 'qa'))[0];
  assert.deepEqual(bytesIn(path.join(root, '.archive', 'qa', month)), [F_FF.toString('hex')]);
});

test('CLI: reroute keeps the bytes; a literal backslash name and a raw one are told apart', async () => {
  const root = await rootWithRaw();
  writeFileSync(path.join(root, 'qa', 'new', 'f\\xff.md'), '# the literal one\n');
  const l = await dispatch(['--root', root, 'list']);
  assert.match(l.out, /  f\\xff  /);
  assert.match(l.out, /  f\\\\xff  /);
  const r = await dispatch(['--root', root, 'reroute', 'f\\xff', '--to', 'ops']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^rerouted to ops: .*\/ops\/new\/f\\xff\.md$/m);
  assert.deepEqual(bytesIn(path.join(root, 'ops', 'new')), [F_FF.toString('hex')]);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'new')), ['f\\xff.md'], 'the literal one stayed');
  const s = await dispatch(['--root', root, 'show', 'f\\\\xff']);
  assert.match(s.out, /^# the literal one$/m);
  const a = await dispatch(['--root', root, 'ack', 'f\\\\xff']);
  assert.equal(a.code, 0, a.err);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'cur')), ['f\\xff.md']);
  assert.deepEqual(bytesIn(path.join(root, 'ops', 'new')), [F_FF.toString('hex')], 'the raw one untouched');
  // The JSON id of each twin, passed back, picks that very file.
  const j = JSON.parse((await dispatch(['--root', root, 'list', '--json'])).out) as { id: string; path: string }[];
  const lit = j.find((d) => d.path.endsWith('/qa/cur/f\\\\xff.md'));
  assert.ok(lit, JSON.stringify(j));
  assert.equal(lit.id, 'f\\\\xff');
  const back = await dispatch(['--root', root, 'show', lit.id]);
  assert.match(back.out, /^# the literal one$/m);
  // Typed as it is, a name with a backslash still works when no file has the name its escapes stand for.
  writeFileSync(path.join(root, 'qa', 'new', 'a\\nb.md'), '# literal backslash-n\n');
  const b = await dispatch(['--root', root, 'ack', 'a\\nb']);
  assert.equal(b.code, 0, b.err);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'cur')).sort(), ['a\\nb.md', 'f\\xff.md']);
});

test('the live index reports an arrival with raw bytes and its removal', async () => {
  const root = await rootWithRaw();
  const index = new DispatchIndex(root, { loadNewMeta: true });
  const events: IndexEvent[] = [];
  index.onEvent((e) => events.push(e));
  try {
    await index.start();
    const first = index.list().find((d) => d.team === 'qa');
    assert.ok(first, 'listed at start');
    assert.equal(escapeName(first.fileName), 'f\\xff.md');
    const other = Buffer.from([0x67, 0xfe, 0x0a, 0x2e, 0x6d, 0x64]); // "g\xfe\n.md"
    writeRaw(path.join(root, 'qa', 'new'), other, '# second\n');
    await until(() => events.some((e) => e.type === 'add' && escapeName(e.dispatch.fileName) === 'g\\xfe\\n.md'), 5000, 'add event');
    const store = new DispatchStore(root);
    const added = index.list().find((d) => escapeName(d.fileName) === 'g\\xfe\\n.md')!;
    await store.acknowledge(added); // the Dispatch object from the index, as the extension hands it over
    await until(
      () => events.some((e) => e.type === 'add' && e.dispatch.box === 'cur' && escapeName(e.dispatch.fileName) === 'g\\xfe\\n.md'),
      5000,
      'moved to cur',
    );
    assert.deepEqual(bytesIn(path.join(root, 'qa', 'cur')), [other.toString('hex')]);
  } finally {
    index.dispose();
  }
});

test('kill -9 mid-acknowledge of such a name: sweep puts it back under its exact bytes, once', async () => {
  const root = await rootWithRaw();
  const escaped = path.join(root, 'qa', 'new', 'f\\xff.md'); // argv cannot carry the raw byte: the printed form
  for (const step of ['claimed', 'prepared']) {
    const r = await runChild(['ack', root, escaped], step);
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    assert.ok(
      bytesIn(path.join(root, 'qa', 'new')).some((h) => h.startsWith(Buffer.from('.claim.').toString('hex'))),
      'a claim is left',
    );
    const l = await dispatch(['--root', root, 'list']);
    assert.match(l.out, /^qa\/new .* f\\xff  \[\d warnings\]$/m, 'a claim is never invisible');
    const sw = await runChild(['sweep', root]);
    assert.equal(sw.code, 0, sw.stderr);
    assert.deepEqual(bytesIn(path.join(root, 'qa', 'new')), [F_FF.toString('hex')], `${step}: back under its bytes, nothing else`);
    assert.deepEqual(bytesIn(path.join(root, 'qa', 'cur')), []);
  }
});

test('a name of 255 bytes (NAME_MAX) ending in raw bytes: listed, acknowledged with a status rewrite, marked new, rerouted — its bytes kept', async () => {
  const root = await rootWithRaw();
  const long = Buffer.concat([Buffer.from('a'.repeat(249)), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('.md')]);
  assert.equal(long.length, 255);
  writeRaw(path.join(root, 'qa', 'new'), long, '---\nfrom: eng\npriority: low\n---\n# Longest raw\n');
  const listed = JSON.parse((await dispatch(['--root', root, 'list', '--json'])).out) as { id: string; title: string }[];
  const id = listed.find((d) => d.title === 'Longest raw')?.id;
  assert.equal(id, `${'a'.repeat(249)}\\xff\\xfe\\x80`);
  const ack = await dispatch(['--root', root, 'ack', id]);
  assert.equal(ack.code, 0, ack.err);
  assert.ok(bytesIn(path.join(root, 'qa', 'cur')).includes(long.toString('hex')));
  assert.match(readFileSync(Buffer.concat([Buffer.from(path.join(root, 'qa', 'cur') + '/'), long]), 'utf8'), /^status: accepted$/m);
  const store = new DispatchStore(root);
  const [d] = (await store.list({ box: 'cur' })).filter((x) => x.fileName.length > 200);
  assert.equal((await store.unacknowledge(d)).status, 'moved');
  const r = await dispatch(['--root', root, 'reroute', id, '--to', 'ops']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(bytesIn(path.join(root, 'ops', 'new')), [long.toString('hex')]);
  assert.ok(!bytesIn(path.join(root, 'qa', 'new')).includes(long.toString('hex')));
  assert.deepEqual(
    bytesIn(path.join(root, 'qa', 'cur')).filter((h) => h.startsWith('2e')),
    [],
    'no claim left behind',
  );
});
