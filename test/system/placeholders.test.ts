// The empty placeholder a placement renames onto, left behind by a process killed between making it and
// the rename: today's are named by a marker beside them (never listed, removed by `sweep` once stale, on
// every filesystem); those of the earlier protocol are told by their mode 0000 where modes exist. Never a
// file with content, never an empty file someone wrote. (Real kills: crash-enum.test.ts, sshfs.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore, readMeta } from '../../src/core/store';
import { reserve } from '../../src/core/move/place';
import { dispatch } from '../helpers/cli';
import { tempRoot } from '../helpers/tmp';
import { windowsTodo } from '../helpers/platform';
const MODES = windowsTodo(
  "the earlier protocol's placeholders are told only by mode 0000, which Windows lacks (a read-only attribute); today's have markers (the test below)",
);

test('a placeholder its marker names, left by a killed placement: never listed, a path to it refused, removed by sweep (no modes needed)', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['qa']);
  const name = '2026-01-31T14-30-00Z_normal_eng_left.md';
  // What a sender killed between its placeholder and its rename leaves: a marker, an empty placeholder.
  const tmp = path.join(root, 'qa', 'tmp');
  writeFileSync(path.join(tmp, 'body'), 'x'.repeat(40));
  await reserve(tmp, 'body', path.join(root, 'qa', 'new'), name, { size: 40, from: path.join('..', 'tmp') });
  assert.ok(readdirSync(path.join(root, 'qa', 'new')).includes(name));
  assert.deepEqual(await s.list(), [], 'not a dispatch');
  const shown = await dispatch(['--root', root, 'show', path.join(root, 'qa', 'new', name)]);
  assert.equal(shown.code, 1);
  assert.match(shown.err, /placeholder/);
  assert.deepEqual(await s.sweep(36), [], 'not stale yet');
  assert.deepEqual(await s.sweep(36, Date.now() + 11 * 60_000), [path.join(root, 'qa', 'new', name)]);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'new')), []);
});

/** What the earlier protocol made: an exclusive, empty file with the placeholder's mode. */
function placeholder(p: string): void {
  closeSync(openSync(p, 'wx', 0o000));
}

test("sweep removes only stale empty placeholders; a person's empty file and any content stay", MODES, async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['qa']);
  const nw = path.join(root, 'qa', 'new');
  const cur = path.join(root, 'qa', 'cur');
  placeholder(path.join(nw, '2026-01-31T14-30-00Z_normal_eng_left.md'));
  placeholder(path.join(cur, '2026-01-31T14-30-00Z_normal_eng_left-too.md'));
  writeFileSync(path.join(nw, 'empty-by-hand.md'), '');
  writeFileSync(path.join(nw, 'private.md'), 'content\n', { mode: 0o000 });

  // Fresh: a placement in flight.
  assert.deepEqual((await readMeta(path.join(nw, '2026-01-31T14-30-00Z_normal_eng_left.md')))?.warnings, [
    'arriving (an empty placeholder a move fills in a moment)',
  ]);
  assert.deepEqual(await s.sweep(36), [], 'not stale yet: nothing removed');

  const later = Date.now() + 11 * 60_000;
  const removed = await s.sweep(36, later);
  assert.deepEqual(removed.map((p) => path.relative(root, p)).sort(), [
    'qa/cur/2026-01-31T14-30-00Z_normal_eng_left-too.md',
    'qa/new/2026-01-31T14-30-00Z_normal_eng_left.md',
  ]);
  assert.deepEqual(readdirSync(nw).sort(), ['empty-by-hand.md', 'private.md']);
  assert.deepEqual(readdirSync(cur), []);
});

test('an old placeholder is listed with a warning that says what it is; sweep says it removed it', MODES, async () => {
  const root = tempRoot();
  await new DispatchStore(root).init(['qa']);
  const p = path.join(root, 'qa', 'new', '2026-01-31T14-30-00Z_normal_eng_left.md');
  placeholder(p);
  const old = { ...(await readMeta(p))! };
  assert.ok(old.warnings[0].startsWith('arriving'));
  // Past the few seconds a placement takes, it is said to be what it is (by its age: waited for, here).
  const left = 'empty placeholder left by an interrupted move, not a dispatch (dispatch sweep removes it)';
  const end = Date.now() + 10_000;
  while (!(await readMeta(p))?.warnings.includes(left)) {
    assert.ok(Date.now() < end, 'still "arriving" after 10 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  const l = await dispatch(['--root', root, 'list', '--json']);
  assert.deepEqual((JSON.parse(l.out) as { warnings: string[] }[])[0].warnings, [left]);
  const r = await dispatch(['--root', root, 'sweep', '--older-than', '0']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, '', 'not stale yet');
});
