// Untrusted front matter: nothing executes, nothing pollutes, nothing crashes, what was written stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import matter from 'gray-matter';
import { parseFrontMatter, readHead, HEAD_BYTES } from '../../src/core/frontmatter';
import { metaFromHead } from '../../src/core/dispatch';
import { tempRoot } from '../helpers/tmp';

const seed = `---
from: engineering
to: web_ops
priority: normal
status: pending
created: 2026-01-31
related_bead: _skills-73r
---
# Update the site

Context.
`;

test('the seed dispatch: fields as written, created stays the string 2026-01-31', () => {
  const fm = parseFrontMatter(seed);
  assert.equal(fm.kind, 'yaml');
  assert.equal(fm.data.created, '2026-01-31');
  assert.equal(fm.data.from, 'engineering');
  assert.equal(fm.data.related_bead, '_skills-73r');
  assert.deepEqual(fm.warnings, []);
  assert.match(fm.body, /^# Update the site/);
});

test('---js front matter is never evaluated', () => {
  const g = globalThis as Record<string, unknown>;
  delete g.__pwned;
  for (const lang of ['js', 'javascript', 'coffee', '__proto__', 'constructor', 'toString']) {
    const fm = parseFrontMatter(`---${lang}\n{ a: (globalThis.__pwned = 1) }\n---\nbody\n`);
    assert.equal(g.__pwned, undefined, lang);
    assert.equal(fm.kind, 'none');
    assert.ok(fm.warnings.some((w) => w.includes('not supported')), lang);
  }
});

test('YAML JS types are refused, not executed', () => {
  const fm = parseFrontMatter('---\nx: !!js/function "function(){ globalThis.__pwned2 = 1 }"\n---\nb\n');
  assert.equal((globalThis as Record<string, unknown>).__pwned2, undefined);
  assert.ok(fm.warnings.some((w) => w.startsWith('malformed front matter')));
  assert.equal(fm.body, 'b\n');
});

test('__proto__ / constructor keys cannot pollute prototypes (YAML and JSON)', () => {
  for (const text of [
    '---\n__proto__:\n  polluted: yes\nconstructor:\n  prototype:\n    polluted: yes\nok: 1\n---\n',
    '---json\n{"__proto__": {"polluted": true}, "a": {"__proto__": {"polluted": true}}, "ok": 1}\n---\n',
  ]) {
    const fm = parseFrontMatter(text);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(fm.data), null);
    assert.equal(fm.data.ok, 1);
    assert.equal(Object.prototype.hasOwnProperty.call(fm.data, '__proto__'), false);
    assert.ok(fm.warnings.some((w) => w.includes('__proto__')));
  }
});

test('AMQ ---json front matter', () => {
  const fm = parseFrontMatter('---json\n{"schema":1,"id":"m1","from":"qa","to":["engineering"],"subject":"Flaky test","created":"2026-01-31T14:30:00Z","priority":"urgent"}\n---\nBody\n');
  assert.equal(fm.kind, 'json');
  assert.deepEqual(fm.data.to, ['engineering']);
  assert.equal(fm.data.created, '2026-01-31T14:30:00Z');
  const meta = metaFromHead({ text: '---json\n{"subject":"Flaky test"}\n---\nno heading\n', size: 40, truncated: false, binary: false });
  assert.equal(meta.heading, 'Flaky test');
});

test('malformed YAML: a warning, the body kept', () => {
  const fm = parseFrontMatter('---\nfrom: [unclosed\npriority: : :\n---\n# Title\n');
  assert.equal(fm.kind, 'none');
  assert.ok(fm.warnings[0].startsWith('malformed front matter'));
  assert.match(fm.body, /# Title/);
});

test('BOM and CRLF', () => {
  const fm = parseFrontMatter('\ufeff---\r\nfrom: qa\r\ncreated: 2026-01-31\r\n---\r\n# Hi\r\n');
  assert.equal(fm.data.from, 'qa');
  assert.equal(fm.data.created, '2026-01-31');
  assert.equal(fm.body, '# Hi\n');
});

test('empty, no front matter, unclosed, non-mapping', () => {
  assert.deepEqual(parseFrontMatter('').warnings, ['empty file']);
  assert.deepEqual(parseFrontMatter('# Just text\n').warnings, ['no front matter']);
  assert.deepEqual(parseFrontMatter('---\nfrom: a\n# never closed\n').warnings, ['front matter is not closed']);
  assert.ok(parseFrontMatter('---\n- a\n- b\n---\n').warnings.includes('front matter is not a mapping; ignored'));
});

test('aliases (billion laughs) stay bounded', () => {
  let y = '---\na: &a ["x","x","x","x","x","x","x","x","x","x"]\n';
  let prev = 'a';
  for (let i = 0; i < 9; i++) {
    const n = `l${i}`;
    y += `${n}: &${n} [${Array(10).fill(`*${prev}`).join(',')}]\n`;
    prev = n;
  }
  y += '---\n';
  const t = Date.now();
  const fm = parseFrontMatter(y);
  assert.ok(Date.now() - t < 5000);
  assert.ok(JSON.stringify(fm.data).length < 50_000_000);
  assert.ok(fm.warnings.some((w) => w.includes('nested too deeply') || w.includes('longer')));
});

test('gray-matter keeps no cache of untrusted content', () => {
  for (let i = 0; i < 100; i++) parseFrontMatter(`---\nn: ${i}\n---\n`);
  assert.equal(Object.keys((matter as unknown as { cache: object }).cache).length, 0);
});

test('huge file: only a bounded prefix is read', async () => {
  const dir = tempRoot();
  const p = path.join(dir, 'huge.md');
  writeFileSync(p, '---\nfrom: qa\n---\n# Big\n' + 'x'.repeat(20 * 1024 * 1024));
  const head = await readHead(p);
  assert.equal(head.text.length, HEAD_BYTES);
  assert.equal(head.truncated, true);
  const meta = metaFromHead(head);
  assert.equal(meta.heading, 'Big');
  assert.equal(meta.data.from, 'qa');
  assert.ok(meta.warnings.some((w) => w.startsWith('large file')));
});

test('binary content is not parsed', async () => {
  const dir = tempRoot();
  const p = path.join(dir, 'bin.md');
  writeFileSync(p, Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0x00, 0xff, 0xfe, 0x00]));
  const meta = metaFromHead(await readHead(p));
  assert.deepEqual(meta.warnings, ['binary content; not parsed']);
});
