import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildName, humanise, isSlug, isTeamName, parseName, slugify, variantName } from '../../src/core/format/format';

test('parses the seed name', () => {
  assert.deepEqual(parseName('2026-01-31T14-30-00Z_normal_engineering_update-site.md'), {
    created: '2026-01-31T14:30:00Z',
    priority: 'normal',
    from: 'engineering',
    slug: 'update-site',
    variant: 0,
  });
});

test('a sender with "_" (web_ops) parses, the slug is after the last "_"', () => {
  const p = parseName('2026-01-31T14-30-00Z_urgent_web_ops_fix-it.3.md');
  assert.equal(p?.from, 'web_ops');
  assert.equal(p?.slug, 'fix-it');
  assert.equal(p?.variant, 3);
});

test('names that do not follow the rule are not parsed', () => {
  for (const n of ['notes.md', '2026-01-31_normal_a_b.md', '2026-01-31T14-30-00Z_normal_engineering.md', '../x.md', '2026-01-31T14-30-00Z_NORMAL_a_b.md']) {
    assert.equal(parseName(n), undefined, n);
  }
});

test('buildName round-trips through parseName, with one-second UTC timestamps', () => {
  const created = new Date('2026-01-31T14:30:00.789Z');
  const name = buildName({ created, priority: 'high', from: 'qa', slug: 'flaky-test' });
  assert.equal(name, '2026-01-31T14-30-00Z_high_qa_flaky-test.md');
  assert.equal(parseName(name)?.created, '2026-01-31T14:30:00Z');
  assert.equal(buildName({ created, priority: 'high', from: 'qa', slug: 'x', variant: 2 }), '2026-01-31T14-30-00Z_high_qa_x.2.md');
});

test('variantName keeps the seed shape', () => {
  const n = '2026-01-31T14-30-00Z_normal_engineering_update-site.md';
  assert.equal(variantName(n, 2), '2026-01-31T14-30-00Z_normal_engineering_update-site.2.md');
  assert.equal(variantName(variantName(n, 2), 3), '2026-01-31T14-30-00Z_normal_engineering_update-site.3.md');
  assert.equal(parseName(variantName(n, 7))?.slug, 'update-site');
  assert.equal(variantName('notes.md', 2), 'notes.2.md');
});

test('slugify and humanise', () => {
  assert.equal(slugify('Update the site: v2.0!'), 'update-the-site-v2-0');
  assert.equal(slugify('Café déjà vu'), 'cafe-deja-vu');
  assert.equal(slugify('사이트 업데이트'), 'dispatch');
  assert.equal(slugify('../../etc/passwd'), 'etc-passwd');
  assert.ok(slugify('a'.repeat(500)).length <= 60);
  assert.equal(humanise('update-site'), 'Update site');
});

test('team and slug validation refuse anything that could leave the root', () => {
  for (const bad of ['..', '.', '', 'a/b', 'a\\b', 'Eng', 'a b', '-', '_', 'x'.repeat(65), 'a\0b']) assert.equal(isTeamName(bad), false, bad);
  for (const ok of ['engineering', 'web_ops', 'qa-2']) assert.equal(isTeamName(ok), true, ok);
  for (const bad of ['a_b', 'a.b', '-a', 'a--b', '', 'A']) assert.equal(isSlug(bad), false, bad);
});
