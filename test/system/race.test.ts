// Several real processes on one root at once: nothing lost, nothing duplicated, nothing half-written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DispatchStore } from '../../src/core/store';
import { parseFrontMatter } from '../../src/core/format/frontmatter';
import { tempRoot } from '../helpers/tmp';

const run = promisify(execFile);
const child = path.join(__dirname, '..', 'helpers', 'race-child.ts');
const node = (args: string[]) => run(process.execPath, ['--import', 'tsx', child, ...args], { cwd: path.join(__dirname, '..', '..') });

function markers(dir: string): string[] {
  return readdirSync(dir).map((n) => /marker (\S+)/.exec(readFileSync(path.join(dir, n), 'utf8'))![1]);
}

test('6 processes sending 40 same-named dispatches each in the same second: 240 distinct files', async () => {
  const root = tempRoot();
  await new DispatchStore(root).init(['qa']);
  await Promise.all([0, 1, 2, 3, 4, 5].map((p) => node(['send', root, '40', `p${p}`])));
  const got = markers(path.join(root, 'qa', 'new')).sort();
  const want = [0, 1, 2, 3, 4, 5].flatMap((p) => Array.from({ length: 40 }, (_, i) => `p${p}-${i}`)).sort();
  assert.deepEqual(got, want);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'tmp')), []);
});

test('4 processes acknowledging the same 150 dispatches: each moved exactly once', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  for (let i = 0; i < 150; i++) await s.deliver({ to: 'qa', from: 'engineering', title: `t${i}`, body: `marker m${i}\n` });
  const at = `${tempRoot('barrier-')}:4`;
  const outs = await Promise.all(['forward', 'reverse', 'forward', 'reverse'].map((o) => node(['move', root, `ack:${o}`, at])));
  const counts = outs.map((o) => JSON.parse(o.stdout) as { seen: number; moved: number; already: number; missing: number });
  assert.equal(
    counts.reduce((n, c) => n + c.moved, 0),
    150,
  );
  for (const c of counts) assert.deepEqual([c.seen, c.moved + c.already, c.missing], [150, 150, 0], JSON.stringify(counts));
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'new')), []);
  const cur = markers(path.join(root, 'qa', 'cur')).sort();
  assert.deepEqual(cur, Array.from({ length: 150 }, (_, i) => `m${i}`).sort());
});

test('racing acknowledges around a same-named file in cur/ still leave one copy', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  const created = new Date('2026-01-31T14:30:00Z');
  for (let i = 0; i < 30; i++) {
    const d = await s.deliver({ to: 'qa', from: 'engineering', title: `t${i}`, body: `marker m${i}\n`, created });
    // A different file already holds each name in cur/ (e.g. put there by hand).
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(root, 'qa', 'cur', d.fileName), `marker other${i}\n`);
  }
  const at = `${tempRoot('barrier-')}:4`;
  await Promise.all(['forward', 'reverse', 'forward', 'reverse'].map((o) => node(['move', root, `ack:${o}`, at])));
  const cur = markers(path.join(root, 'qa', 'cur')).sort();
  const want = Array.from({ length: 30 }, (_, i) => [`m${i}`, `other${i}`])
    .flat()
    .sort();
  assert.deepEqual(cur, want);
});

test('acknowledge, delete and reroutes to two teams racing on the same dispatches: each ends in one place', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['web_ops', 'engineering']);
  for (let i = 0; i < 60; i++) await s.deliver({ to: 'qa', from: 'engineering', title: `t${i}`, body: `marker m${i}\n` });
  const at = `${tempRoot('barrier-')}:4`;
  const ops = ['ack:forward', 'trash:reverse', 'reroute-web_ops:forward', 'reroute-engineering:reverse'];
  const outs = await Promise.all(ops.map((op) => node(['move', root, op, at])));
  const counts = outs.map((o) => JSON.parse(o.stdout) as { seen: number; moved: number; already: number; missing: number });
  assert.equal(
    counts.reduce((n, c) => n + c.moved, 0),
    60,
    JSON.stringify(counts),
  );
  const places = [
    ['qa', 'new'],
    ['qa', 'cur'],
    ['.trash', 'qa'],
    ['web_ops', 'new'],
    ['engineering', 'new'],
  ];
  const all = places.flatMap(([a, b]) => markers(path.join(root, a, b))).sort();
  assert.deepEqual(all, Array.from({ length: 60 }, (_, i) => `m${i}`).sort());
  // No claim is left behind by a finished move.
  for (const [a, b] of places)
    assert.deepEqual(
      readdirSync(path.join(root, a, b)).filter((n) => n.startsWith('.')),
      [],
    );
});

test('a sender killed mid-write leaves nothing half-written in new/', async () => {
  const root = tempRoot();
  await new DispatchStore(root).init(['qa']);
  const tmpDir = path.join(root, 'qa', 'tmp');
  for (let round = 0; round < 4; round++) {
    const p = spawn(process.execPath, ['--import', 'tsx', child, 'flood', root], { cwd: path.join(__dirname, '..', '..'), stdio: 'ignore' });
    // Kill it while it is writing: wait until a tmp file exists, then a little more each round.
    const deadline = Date.now() + 30_000;
    const before = readdirSync(tmpDir).length;
    while (readdirSync(tmpDir).length <= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, round * 40));
    p.kill('SIGKILL');
    await new Promise((r) => p.once('exit', r));
  }
  assert.ok(readdirSync(tmpDir).length > 0, 'no sender was caught mid-write');
  const dir = path.join(root, 'qa', 'new');
  const s = new DispatchStore(root);
  // What readers are shown is whole; on disk, only a placeholder its marker names may be empty.
  const shown = new Set((await s.list({ box: 'new' })).map((d) => d.fileName));
  for (const n of readdirSync(dir)) {
    if (n.startsWith('.claim.')) continue;
    const text = readFileSync(path.join(dir, n), 'utf8');
    if (!text && !shown.has(n)) continue;
    assert.ok(shown.has(n), `${n} is not listed`);
    assert.ok(text.endsWith('\nEND\n'), `${n} is incomplete (${text.length} bytes)`);
    assert.equal(parseFrontMatter(text).data.to, 'qa');
  }
  // Whatever the killed writer left is in tmp/, where readers never look and sweep clears it.
  const tmp = readdirSync(path.join(root, 'qa', 'tmp'));
  assert.equal((await s.sweep(0, Date.now() + 1000)).length, tmp.length);
});
