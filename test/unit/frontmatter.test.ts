// Untrusted front matter: nothing executes, nothing pollutes, nothing crashes, what was written stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import matter from 'gray-matter';
import { parseFrontMatter, readHead, HEAD_BYTES } from '../../src/core/format/frontmatter';
import { Dispatch, metaFromHead } from '../../src/core/format/dispatch';
import { seed } from '../helpers/seed';
import { tempRoot } from '../helpers/tmp';
import { linuxOnly } from '../helpers/platform';
const FIFO = linuxOnly('FIFOs (mkfifo) do not exist on Windows');
const SYMLINKS = linuxOnly('symbolic links: making one on Windows needs a privilege, and Wine makes Unix links Node cannot lstat as links');

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
    assert.ok(
      fm.warnings.some((w) => w.includes('not supported')),
      lang,
    );
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
  const fm = parseFrontMatter(
    '---json\n{"schema":1,"id":"m1","from":"qa","to":["engineering"],"subject":"Flaky test","created":"2026-01-31T14:30:00Z","priority":"urgent"}\n---\nBody\n',
  );
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

/** An alias chain `levels` deep, each level a list of `width` references to the one below. */
function aliasChain(width: number, levels: number): string {
  let y = `---\na: &a [${Array(width).fill('"x"').join(',')}]\n`;
  let prev = 'a';
  for (let i = 0; i < levels; i++) {
    const n = `l${i}`;
    y += `${n}: &${n} [${Array(width).fill(`*${prev}`).join(',')}]\n`;
    prev = n;
  }
  return y + '---\n# t\n';
}

/** How many values (scalars, lists, mappings) a sanitised value holds. */
function countValues(v: unknown): number {
  if (v === null || typeof v !== 'object') return 1;
  return 1 + Object.values(v as object).reduce((n: number, x) => n + countValues(x), 0);
}

test('aliases (billion laughs): ~1.5 KB of YAML stays fast and small', () => {
  // Width 50, 5 levels: 50^6 ≈ 1.6e10 values if every alias were copied (the review saw 15 s and
  // 2 GB at width 40).
  const y = aliasChain(50, 5);
  assert.ok(y.length < 2000, `${y.length} bytes`);
  const t = performance.now();
  const fm = parseFrontMatter(y);
  const ms = performance.now() - t;
  assert.ok(ms < 1000, `${ms.toFixed(0)} ms`);
  assert.ok(countValues(fm.data) <= 10_001, `${countValues(fm.data)} values`);
  assert.ok(JSON.stringify(fm.data).length < 1_000_000);
  assert.ok(
    fm.warnings.some((w) => w.includes('alias')),
    fm.warnings.join('; '),
  );
  // What the file says once is kept as it is.
  assert.deepEqual(fm.data.a, Array(50).fill('x'));
  assert.equal(fm.kind, 'yaml');
});

test('an alias to itself (a cycle) is copied once', () => {
  const fm = parseFrontMatter('---\na: &a [1, *a]\nb: ok\n---\n');
  assert.deepEqual(fm.data.a, [1, null]);
  assert.equal(fm.data.b, 'ok');
});

test('a front matter of more than 10,000 values is cut, with one warning', () => {
  // No alias at all: 60 keys of 200-item lists (~30 KB) is 12,000 values.
  const y = '---\n' + Array.from({ length: 60 }, (_, i) => `k${i}: [${Array(200).fill('1').join(',')}]\n`).join('') + '---\n';
  const fm = parseFrontMatter(y);
  assert.ok(countValues(fm.data) <= 10_001, `${countValues(fm.data)} values`);
  assert.deepEqual(fm.warnings, ['front matter too large; truncated']);
  assert.deepEqual(fm.data.k0, Array(200).fill(1));
});

test('aliases of one long string cannot multiply text either', () => {
  const refs = Array(200).fill('*s').join(',');
  const y = `---\ns: &s "${'x'.repeat(4000)}"\nl1: [${refs}]\nl2: [${refs}]\nl3: [${refs}]\n---\n`;
  const fm = parseFrontMatter(y);
  assert.ok(JSON.stringify(fm.data).length < 1.1 * 1024 * 1024, `${JSON.stringify(fm.data).length} chars`);
  assert.ok(fm.warnings.includes('front matter too large; truncated'), fm.warnings.join('; '));
});

test('hostile lines cost linear time: headings, fences, language, YAML, JSON (60k characters)', () => {
  const N = 60_000;
  const inputs: Record<string, string> = {
    'heading then spaces': '# a' + ' '.repeat(N) + 'b\n',
    'heading then tabs and hashes': '# a' + ' \t#'.repeat(N / 3) + 'b\n',
    'heading of hashes': '# ' + '#'.repeat(N) + 'x\n',
    'many heading-like lines': '####### x\n'.repeat(N / 10),
    'newlines after a heading line': '# t' + '\n'.repeat(N) + 'x',
    'opening fence then spaces': '---' + ' '.repeat(N) + 'x',
    'closing fence then spaces': '---\na: 1\n---' + ' '.repeat(N) + 'x',
    'many almost-closing fences': '---\n' + '---\t \t'.repeat(N / 7),
    'carriage returns': '---\n' + '\r'.repeat(N) + 'x',
    'long language': '---' + 'y'.repeat(N) + '\n',
    'YAML spaces': '---\na:' + ' '.repeat(N) + 'b: c\n---\n',
    'YAML flow nesting': '---\na: ' + '['.repeat(N) + '\n---\n',
    'YAML escapes': '---\na: "' + '\\"'.repeat(N / 2) + '\n---\n',
    'JSON nesting': '---json\n' + '['.repeat(N) + '\n---\n',
  };
  for (const [what, text] of Object.entries(inputs)) {
    const t = performance.now();
    const meta = metaFromHead({ text, size: text.length, truncated: false, binary: false });
    const ms = performance.now() - t;
    assert.ok(ms < 300, `${what}: ${ms.toFixed(0)} ms`);
    assert.ok(Array.isArray(meta.warnings), what);
  }
  // File names go through the naming rule's regex (names are short on disk, but nothing relies on it).
  for (const name of [
    '2026-01-31T14-30-00Z_normal_' + 'a_'.repeat(N / 2) + '!',
    '2026-01-31T14-30-00Z_normal_a_' + 'a-'.repeat(N / 2) + '!',
    '2026-01-31T14-30-00Z_normal_' + '_a-a'.repeat(N / 4) + '.md!',
    '2026-01-31T14-30-00Z_' + '-'.repeat(N) + '.md',
  ]) {
    const t = performance.now();
    new Dispatch('/r', 'qa', 'new', name).toJSON();
    assert.ok(performance.now() - t < 300, `${name.slice(0, 40)}…: ${(performance.now() - t).toFixed(0)} ms`);
  }
});

test('headings: closing hashes, indentation, empty headings, long lines', () => {
  const h = (body: string) => metaFromHead({ text: body, size: body.length, truncated: false, binary: false }).heading;
  assert.equal(h('## Title ##\n'), 'Title');
  assert.equal(h('# Title #####   \n'), 'Title');
  assert.equal(h('# C#\n'), 'C#');
  assert.equal(h('   ### Three spaces\n'), 'Three spaces');
  assert.equal(h('    # code, not a heading\n# Real\n'), 'Real');
  assert.equal(h('#NoSpace\n# Real\n'), 'Real');
  assert.equal(h('# \n#\n## ##\n# Second\n'), 'Second');
  assert.equal(h('text\n\n# Later\n'), 'Later');
  assert.equal(h('# ' + 'w'.repeat(1000) + '\n'), 'w'.repeat(200));
  assert.equal(h('no heading\n'), undefined);
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

test('readHead: a FIFO is refused at once, never waited on', { timeout: 5000, ...FIFO }, async () => {
  const dir = tempRoot();
  const fifo = path.join(dir, 'swapped-in.md');
  execFileSync('mkfifo', [fifo]);
  try {
    await assert.rejects(readHead(fifo), (e: NodeJS.ErrnoException) => e.code === 'EFTYPE');
  } finally {
    // Had the open blocked waiting for a writer, this releases it so the test process can end.
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: nobody is reading it, as it should be.
    }
  }
});

test('readHead: a symbolic link is not followed', SYMLINKS, async () => {
  const dir = tempRoot();
  writeFileSync(path.join(dir, 'secret'), '---\nfrom: secret\n---\n# Secret\n');
  symlinkSync(path.join(dir, 'secret'), path.join(dir, 'link.md'));
  await assert.rejects(readHead(path.join(dir, 'link.md')), (e: NodeJS.ErrnoException) => e.code === 'ELOOP');
});

test('readHead and metaFromHead carry mtime and inode, so a same-size edit is told apart', async () => {
  const dir = tempRoot();
  const p = path.join(dir, 'a.md');
  writeFileSync(p, '---\npriority: normal\n---\n');
  utimesSync(p, 1_700_000_000, 1_700_000_000);
  const st = statSync(p);
  const head = await readHead(p);
  assert.equal(head.mtimeMs, st.mtimeMs);
  assert.equal(head.ino, st.ino);
  const meta = metaFromHead(head);
  assert.equal(meta.mtimeMs, st.mtimeMs);
  assert.equal(meta.ino, st.ino);
  assert.equal(meta.size, st.size);
});
