// src/ui/inbox/order.ts (and core/format/age.ts) in plain Node: it imports no VS Code, so the tree's ordering, paging, filtering and
// counting are tested here on real Dispatch objects (built from file names, as the index builds them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dispatch } from '../../src/core/api';
import type { Priority } from '../../src/core/format/format';
import { age } from '../../src/core/format/age';
import { compareAcknowledged, compareNew, countByPriority, firstN } from '../../src/ui/inbox/order';
import { isFiltering, matches, NO_FILTER } from '../../src/ui/common/filter';

const d = (fileName: string, box: 'new' | 'cur' = 'new', team = 'qa'): Dispatch => new Dispatch('/root', team, box, fileName);
const names = (ds: Dispatch[]): string[] => ds.map((x) => x.fileName);

test('new: most pressing first, then oldest first, then by file name', () => {
  const ds = [
    d('2026-01-02T00-00-00Z_normal_qa_b.md'),
    d('2026-01-03T00-00-00Z_urgent_qa_late-fire.md'),
    d('2026-01-01T00-00-00Z_low_qa_old-chore.md'),
    d('2026-01-02T00-00-00Z_normal_qa_a.md'),
    d('2026-01-01T00-00-00Z_urgent_qa_early-fire.md'),
    d('2026-01-05T00-00-00Z_high_qa_h.md'),
  ];
  assert.deepEqual(names(ds.sort(compareNew)), [
    '2026-01-01T00-00-00Z_urgent_qa_early-fire.md',
    '2026-01-03T00-00-00Z_urgent_qa_late-fire.md',
    '2026-01-05T00-00-00Z_high_qa_h.md',
    '2026-01-02T00-00-00Z_normal_qa_a.md',
    '2026-01-02T00-00-00Z_normal_qa_b.md',
    '2026-01-01T00-00-00Z_low_qa_old-chore.md',
  ]);
});

test('a name outside the rule counts as normal priority in the new order', () => {
  const ds = [d('2026-01-01T00-00-00Z_low_qa_x.md'), d('notes.md'), d('2026-01-01T00-00-00Z_high_qa_y.md')];
  assert.deepEqual(names(ds.sort(compareNew)), ['2026-01-01T00-00-00Z_high_qa_y.md', 'notes.md', '2026-01-01T00-00-00Z_low_qa_x.md']);
});

test('acknowledged: newest first whatever the priority, ties by file name descending', () => {
  const ds = [
    d('2026-01-01T00-00-00Z_urgent_qa_old.md', 'cur'),
    d('2026-03-01T00-00-00Z_low_qa_newest.md', 'cur'),
    d('2026-02-01T00-00-00Z_high_qa_a.md', 'cur'),
    d('2026-02-01T00-00-00Z_high_qa_b.md', 'cur'),
  ];
  assert.deepEqual(names(ds.sort(compareAcknowledged)), [
    '2026-03-01T00-00-00Z_low_qa_newest.md',
    '2026-02-01T00-00-00Z_high_qa_b.md',
    '2026-02-01T00-00-00Z_high_qa_a.md',
    '2026-01-01T00-00-00Z_urgent_qa_old.md',
  ]);
});

/** A small deterministic generator, so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('firstN equals a full stable sort cut to the limit, on both the sort path and the partial-selection path', () => {
  interface Row {
    key: number;
    id: number;
  }
  const byKey = (a: Row, b: Row): number => a.key - b.key;
  for (const [seed, count, limit] of [
    [1, 10, 50], // fewer items than the limit
    [2, 100, 25], // ≤ 4 × limit: sorts the whole array
    [3, 1000, 20], // > 4 × limit: keeps only the top
    [4, 5000, 1],
    [5, 301, 75],
  ]) {
    const next = rng(seed);
    // Few distinct keys, so many ties: the order among equals must be the input order, as with sort.
    const rows: Row[] = Array.from({ length: count }, (_, id) => ({ key: Math.floor(next() * 30), id }));
    const expected = [...rows].sort(byKey).slice(0, limit);
    const got = firstN([...rows], limit, byKey);
    assert.deepEqual(got, expected, `seed ${seed}: ${count} items, limit ${limit}`);
  }
});

test('firstN pages a 20k box of real dispatches in the tree order', () => {
  const pr: Priority[] = ['urgent', 'high', 'normal', 'low'];
  const next = rng(42);
  const ds: Dispatch[] = [];
  for (let i = 0; i < 20_000; i++) {
    const day = String(1 + Math.floor(next() * 28)).padStart(2, '0');
    const hour = String(Math.floor(next() * 24)).padStart(2, '0');
    ds.push(d(`2026-02-${day}T${hour}-00-00Z_${pr[Math.floor(next() * 4)]}_qa_item-${i}.md`));
  }
  const expected = names([...ds].sort(compareNew).slice(0, 50));
  assert.deepEqual(names(firstN([...ds], 50, compareNew)), expected);
  assert.ok(expected.slice(0, 5).every((n) => n.includes('_urgent_')));
});

test('the filter: priorities and case-insensitive text in title, sender, team or file name', () => {
  const x = d('2026-01-01T00-00-00Z_high_web_ops_deploy-the-site.md', 'new', 'engineering');
  assert.equal(isFiltering(NO_FILTER), false);
  assert.equal(matches(x, NO_FILTER), true);
  assert.equal(isFiltering({ priorities: ['urgent'], text: '' }), true);
  assert.equal(isFiltering({ priorities: [], text: 'x' }), true);
  assert.equal(matches(x, { priorities: ['urgent'], text: '' }), false);
  assert.equal(matches(x, { priorities: ['urgent', 'high'], text: '' }), true);
  assert.equal(matches(x, { priorities: [], text: 'DEPLOY the' }), true, 'title (humanised slug)');
  assert.equal(matches(x, { priorities: [], text: 'WEB_OPS' }), true, 'sender');
  assert.equal(matches(x, { priorities: [], text: 'engin' }), true, 'team');
  assert.equal(matches(x, { priorities: [], text: '-00z_high' }), true, 'file name');
  assert.equal(matches(x, { priorities: [], text: 'qa' }), false);
  assert.equal(matches(x, { priorities: ['low'], text: 'deploy' }), false, 'both must hold');
});

test('countByPriority counts every priority, unknown ones as normal', () => {
  const c = countByPriority([
    d('2026-01-01T00-00-00Z_urgent_qa_a.md'),
    d('2026-01-01T00-00-00Z_urgent_qa_b.md'),
    d('2026-01-01T00-00-00Z_low_qa_c.md'),
    d('odd-name.md'),
  ]);
  assert.deepEqual(c, { total: 4, byPriority: { urgent: 2, high: 0, normal: 1, low: 1 } });
  assert.deepEqual(countByPriority([]), { total: 0, byPriority: { urgent: 0, high: 0, normal: 0, low: 0 } });
});

test('age: the largest whole unit, undefined when unknown or unparsable', () => {
  const now = Date.parse('2026-06-15T12:00:00Z');
  const ago = (ms: number) => age(new Date(now - ms).toISOString(), now);
  const MIN = 60_000;
  assert.deepEqual(ago(59_999), [0, 'now']);
  assert.deepEqual(ago(MIN), [1, 'm']);
  assert.deepEqual(ago(59 * MIN), [59, 'm']);
  assert.deepEqual(ago(60 * MIN), [1, 'h']);
  assert.deepEqual(ago(24 * 60 * MIN - 1), [23, 'h']);
  assert.deepEqual(ago(24 * 60 * MIN), [1, 'd']);
  assert.deepEqual(ago(7 * 24 * 60 * MIN), [1, 'w']);
  assert.deepEqual(ago(364 * 24 * 60 * MIN), [52, 'w']);
  assert.deepEqual(ago(365 * 24 * 60 * MIN), [1, 'y']);
  assert.deepEqual(age(new Date(now + 5 * MIN).toISOString(), now), [0, 'now'], 'a clock skewed into the future reads as now');
  assert.equal(age(undefined, now), undefined);
  assert.equal(age('', now), undefined);
  assert.equal(age('not a date', now), undefined);
});
