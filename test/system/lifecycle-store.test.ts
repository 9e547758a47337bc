// Status through moves, on the real filesystem and with real processes: one copy, whole bytes, always.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { DispatchStore, ARCHIVE } from '../../src/core/store';
import { claimPart } from '../../src/core/move';
import { parseFrontMatter } from '../../src/core/format/frontmatter';
import { tempRoot } from '../helpers/tmp';
import { seed } from '../helpers/seed';
import { linuxOnly } from '../helpers/platform';
const TSX = linuxOnly('spawns child processes through tsx, whose esbuild binary is Linux-only');

const run = promisify(execFile);
const child = path.join(__dirname, '..', 'helpers', 'lifecycle-child.ts');
const cwd = path.join(__dirname, '..', '..');
const node = (args: string[]) => run(process.execPath, ['--import', 'tsx', child, ...args], { cwd });

const NAME = '2026-01-31T14-30-00Z_normal_engineering_update-site.md';

async function seeded(text = seed) {
  const s = new DispatchStore(tempRoot());
  await s.init(['web_ops', 'engineering']);
  const p = path.join(s.root, 'web_ops', 'new', NAME);
  writeFileSync(p, text);
  return { s, p, cur: path.join(s.root, 'web_ops', 'cur', NAME) };
}

test('acknowledge writes accepted, mark as new pending, complete completed; every other byte stays', async () => {
  const { s, p, cur } = await seeded();
  const a = await s.acknowledge(p);
  assert.equal(a.status, 'moved');
  assert.equal(readFileSync(cur, 'utf8'), seed.replace('pending', 'accepted'));
  await s.unacknowledge(cur);
  assert.equal(readFileSync(p, 'utf8'), seed);
  const c = await s.complete(p, 'done', new Date('2026-02-02T10:00:00Z'));
  assert.equal(c.dispatch.box, 'cur');
  assert.equal(readFileSync(cur, 'utf8'), seed.replace('status: pending\n', "status: completed\ncompleted: '2026-02-02T10:00:00Z'\ncompletion_note: done\n"));
  assert.equal((await s.complete(cur)).status, 'already');
  assert.deepEqual(readdirSync(path.join(s.root, 'web_ops', 'cur')), [NAME]); // no claim, no journal left
});

test('complete of an acknowledged dispatch rewrites it in cur/ under its own name', async () => {
  const { s, p, cur } = await seeded();
  await s.acknowledge(p);
  const r = await s.complete(cur);
  assert.equal(r.dispatch.path, cur);
  assert.equal(parseFrontMatter(readFileSync(cur, 'utf8')).data.status, 'completed');
});

test('JSON, no or malformed front matter: moved untouched, with a warning', async () => {
  for (const text of ['---json\n{"from":"engineering","status":"pending"}\n---\nbody\n', 'just a body\n', '---\nfrom: [x\n---\nbody\n']) {
    const { s, p, cur } = await seeded(text);
    const r = await s.acknowledge(p);
    assert.equal(r.status, 'moved');
    assert.equal(readFileSync(cur, 'utf8'), text);
    assert.match(r.warnings?.[0] ?? '', /^status not written: /);
  }
});

test('archive: only from cur/, into .archive/<team>/<YYYY-MM>/, never over a namesake, listed apart', async () => {
  const { s, p, cur } = await seeded();
  await assert.rejects(s.archive(p), /still in web_ops\/new/);
  await s.complete(p);
  const month = path.join(s.root, ARCHIVE, 'web_ops', '2026-01');
  const first = await s.archive(cur);
  assert.equal(first, path.join(month, NAME));
  writeFileSync(p, seed);
  await s.complete(p);
  const second = await s.archive(cur);
  assert.notEqual(second, first);
  assert.equal(readdirSync(month).length, 2);
  assert.equal((await s.list()).length, 0);
  assert.deepEqual(
    (await s.listArchived()).map((a) => a.month),
    ['2026-01', '2026-01'],
  );
  assert.deepEqual(await s.teams(), ['engineering', 'web_ops']);
});

function markers(root: string, places: string[][]): string[] {
  return places.flatMap(([a, b]) => {
    const dir = path.join(root, a, b);
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((n) => !n.startsWith('.'))
          .map((n) => /marker (\S+)/.exec(readFileSync(path.join(dir, n), 'utf8'))?.[1] ?? `broken:${n}`)
      : [];
  });
}

test('complete, acknowledge, reroute and delete racing in 4 processes: each dispatch once, body whole', TSX, async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['web_ops']);
  for (let i = 0; i < 60; i++) await s.deliver({ to: 'qa', from: 'engineering', title: `t${i}`, body: `marker m${i}\n${'x'.repeat(2000)}\nEND\n` });
  const at = `${tempRoot('barrier-')}:4`;
  const outs = await Promise.all(['complete:forward', 'ack:reverse', 'reroute-web_ops:forward', 'trash:reverse'].map((op) => node(['race', root, op, at])));
  const counts = outs.map((o) => JSON.parse(o.stdout) as { moved: number; already: number; missing: number });
  assert.ok(counts.reduce((n, c) => n + c.moved, 0) >= 60, JSON.stringify(counts));
  const places = [
    ['qa', 'new'],
    ['qa', 'cur'],
    ['.trash', 'qa'],
    ['web_ops', 'new'],
  ];
  assert.deepEqual(markers(root, places).sort(), Array.from({ length: 60 }, (_, i) => `m${i}`).sort());
  for (const [a, b] of places) {
    for (const n of readdirSync(path.join(root, a, b))) {
      assert.ok(!n.startsWith('.'), `left behind: ${a}/${b}/${n}`);
      assert.ok(readFileSync(path.join(root, a, b, n), 'utf8').endsWith('\nEND\n'), `${n} cut short`);
    }
  }
});

test('4 processes completing and acknowledging the same dispatches by path: none reported missing', TSX, async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  for (let i = 0; i < 60; i++) await s.deliver({ to: 'qa', from: 'engineering', title: `t${i}`, body: `marker m${i}\n` });
  const at = `${tempRoot('barrier-')}:4`;
  const outs = await Promise.all(['complete:forward', 'ack:reverse', 'complete:reverse', 'ack:forward'].map((op) => node(['race', root, op, at])));
  for (const o of outs) assert.equal((JSON.parse(o.stdout) as { missing: number }).missing, 0, outs.map((x) => x.stdout).join(' '));
  assert.deepEqual(markers(root, [['qa', 'cur']]).sort(), Array.from({ length: 60 }, (_, i) => `m${i}`).sort());
  // Whoever completed last left it completed; whatever order, it is accepted or completed, never pending.
  for (const n of readdirSync(path.join(root, 'qa', 'cur')))
    assert.match(String(parseFrontMatter(readFileSync(path.join(root, 'qa', 'cur', n), 'utf8')).data.status), /^(accepted|completed)$/);
});

test('kill -9 during status changes, again and again: after sweep, each dispatch once, old or new content, whole', TSX, async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  const N = 20;
  // Large bodies keep each rewrite long enough for kills to land inside it.
  for (let i = 0; i < N; i++) await s.deliver({ to: 'qa', from: 'engineering', title: `t${i}`, body: `marker m${i}\n${'y'.repeat(400_000)}\nEND\n` });
  let leftovers = 0;
  for (let round = 0; round < 12; round++) {
    const p = spawn(process.execPath, ['--import', 'tsx', child, 'churn', root], { cwd, stdio: 'ignore' });
    // Wait until it is moving things (a claim appears), then a little longer each round.
    const deadline = Date.now() + 30_000;
    const claimed = () => ['new', 'cur'].some((b) => readdirSync(path.join(root, 'qa', b)).some((n) => n.startsWith('.')));
    while (!claimed() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    await new Promise((r) => setTimeout(r, (round % 4) * 7));
    p.kill('SIGKILL');
    await new Promise((r) => p.once('exit', r));
    leftovers += ['new', 'cur'].reduce((n, b) => n + readdirSync(path.join(root, 'qa', b)).filter((x) => x.startsWith('.')).length, 0);
    await s.sweep(36, Date.now() + 11 * 60_000);
  }
  assert.ok(leftovers > 0, 'no mover was ever killed mid-move');
  const places = [
    ['qa', 'new'],
    ['qa', 'cur'],
  ];
  assert.deepEqual(markers(root, places).sort(), Array.from({ length: N }, (_, i) => `m${i}`).sort());
  for (const [a, b] of places) {
    for (const n of readdirSync(path.join(root, a, b))) {
      // No claim of a dispatch may stay hidden; a claim record's own temporary (`.tmp`) is not a dispatch.
      assert.ok(!n.startsWith('.') || claimPart(n)?.part === 'tmp', `left behind after sweep: ${n}`);
      const text = readFileSync(path.join(root, a, b, n), 'utf8');
      assert.ok(text.endsWith('\nEND\n'), `${n} cut short (${text.length} bytes)`);
      assert.match(String(parseFrontMatter(text).data.status), /^(pending|accepted|completed)$/);
    }
  }
});
