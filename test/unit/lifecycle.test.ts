// The status line editor: only the lines it must change, byte for byte; everything else refused, not guessed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { editFrontMatter, statusEdits, MAX_FRONT_MATTER } from '../../src/core/lifecycle/lifecycle';
import { parseFrontMatter } from '../../src/core/format/frontmatter';
import { tempRoot } from '../helpers/tmp';
import { seed } from '../helpers/seed';

const NOW = new Date('2026-02-03T09:15:00.123Z');

/** Round trip through a real file, as the move does. */
function edit(text: string | Buffer, status: 'pending' | 'accepted' | 'completed', note?: string) {
  const p = path.join(tempRoot(), 'd.md');
  writeFileSync(p, text);
  return editFrontMatter(readFileSync(p), statusEdits(status, NOW, note));
}

function ok(r: ReturnType<typeof editFrontMatter>): string {
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.bytes.toString('utf8');
}

test("the seed's example: only the status line changes", () => {
  const out = ok(edit(seed, 'accepted'));
  assert.equal(out, seed.replace('status: pending', 'status: accepted'));
});

test('completed adds completed: after status, then a note, and nothing else changes', () => {
  const out = ok(edit(seed, 'completed', 'shipped in\n#412'));
  assert.equal(out, seed.replace('status: pending\n', "status: completed\ncompleted: '2026-02-03T09:15:00Z'\ncompletion_note: 'shipped in #412'\n"));
  assert.equal(parseFrontMatter(out).data.completed, '2026-02-03T09:15:00Z');
  // Completing again only moves the time; the note line is replaced, not repeated.
  const again = editFrontMatter(Buffer.from(out), statusEdits('completed', new Date('2026-02-04T00:00:00Z'), 'done'));
  assert.equal(ok(again), out.replace('2026-02-03T09:15:00Z', '2026-02-04T00:00:00Z').replace("'shipped in #412'", "'done'")); // its quoting is kept
});

test('already in that status: unchanged, the same bytes', () => {
  const r = edit(seed, 'pending');
  assert.ok(r.ok && !r.changed);
  assert.equal(r.ok && r.bytes.toString(), seed);
});

test('CRLF and a BOM are kept; an added line uses CRLF too', () => {
  const crlf = '\ufeff' + seed.replace(/\n/g, '\r\n');
  assert.equal(ok(edit(crlf, 'accepted')), crlf.replace('status: pending', 'status: accepted'));
  const noStatus = crlf.replace('status: pending\r\n', '');
  assert.equal(ok(edit(noStatus, 'accepted')), crlf.replace('status: pending', 'status: accepted'));
});

test('comments, quoting, odd spacing and the order of keys stay as written', () => {
  const text = [
    '---',
    '# written by hand',
    "from: 'engineering'   # the sender",
    'to: [web_ops, qa]',
    'status:    "pending"  # lifecycle',
    'labels:',
    '  - a   # nested comment',
    'created: 2026-01-31',
    '---',
    'body: not front matter',
    'status: pending',
    '',
  ].join('\n');
  const out = ok(edit(text, 'accepted'));
  assert.equal(out, text.replace('status:    "pending"  # lifecycle', 'status:    "accepted"  # lifecycle'));
  const single = text.replace('"pending"', "'pending'");
  assert.equal(
    ok(edit(single, 'completed')),
    single.replace("status:    'pending'  # lifecycle", "status:    'completed'  # lifecycle\ncompleted: '2026-02-03T09:15:00Z'"),
  );
});

test('a YAML front matter without status gets one after priority (or to, from, else at the end)', () => {
  const text = seed.replace('status: pending\n', '');
  assert.equal(ok(edit(text, 'accepted')), seed.replace('pending', 'accepted'));
  const nested = '---\nfrom: a\nto:\n  - web_ops\n  - qa\ncreated: x\n---\nbody\n';
  assert.equal(ok(edit(nested, 'accepted')), '---\nfrom: a\nto:\n  - web_ops\n  - qa\nstatus: accepted\ncreated: x\n---\nbody\n');
  assert.equal(ok(edit('---\ntitle: x\n---\nbody\n', 'accepted')), '---\ntitle: x\nstatus: accepted\n---\nbody\n');
  assert.equal(ok(edit('---\n---\nbody\n', 'accepted')), '---\nstatus: accepted\n---\nbody\n');
});

test('not rewritten, with a reason: JSON, none, malformed, unclosed, oversized, binary, duplicate or multi-line status', () => {
  const cases: [string | Buffer, RegExp][] = [
    ['---json\n{"from":"a","status":"pending"}\n---\nbody\n', /JSON/],
    ['# just markdown\n', /no front matter/],
    ['', /no front matter/],
    ['---\nfrom: [unclosed\n---\nbody\n', /malformed/],
    ['---\nfrom: a\nbody without end\n', /not closed/],
    [`---\nfrom: a\npad: ${'x'.repeat(MAX_FRONT_MATTER)}\n---\nbody\n`, /too large/],
    [Buffer.from('---\nfrom: a\0\n---\n'), /binary/],
    ['---\nstatus: pending\nstatus: accepted\n---\n', /more than once/],
    ['---\nstatus: |\n  pending\n---\n', /multi-line/],
    ['---\nstatus:\n  - pending\n---\n', /multi-line/],
    ['---coffee\nx = 1\n---\n', /language/],
    ['---\n- a\n- b\n---\n', /malformed/],
  ];
  for (const [text, why] of cases) {
    const r = edit(text, 'accepted');
    assert.equal(r.ok, false, String(text).slice(0, 40));
    assert.match(!r.ok ? r.reason : '', why);
  }
});

test('a status that was an alias is set on its own line; the anchored key keeps its value', () => {
  const out = ok(edit('---\nbase: &s pending\nstatus: *s\n---\n', 'accepted'));
  assert.equal(out, '---\nbase: &s pending\nstatus: accepted\n---\n');
  assert.equal(parseFrontMatter(out).data.base, 'pending');
});

test('the body after the front matter is never touched, even when it holds a status: line or invalid UTF-8', () => {
  const body = Buffer.concat([Buffer.from('# Title\nstatus: pending\n'), Buffer.from([0xff, 0xfe, 0x0a])]);
  const text = Buffer.concat([Buffer.from('---\nfrom: a\nstatus: pending\n---\n'), body]);
  const r = edit(text, 'accepted');
  assert.ok(r.ok);
  assert.deepEqual(r.bytes.subarray(r.bytes.length - body.length), body);
  assert.equal(r.bytes.length, text.length + 1);
});
