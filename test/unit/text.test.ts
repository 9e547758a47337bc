// src/core/format/text.ts: the one control-character pattern, stripper and truncation that the CLI, the MCP
// server and the extension share. Names and titles come from other agents: none may drive a terminal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneLine, splitLines, stripControl, truncate } from '../../src/core/format/text';
import { escapeName, unescapeName } from '../../src/core/fs/rawname';

test('stripControl removes terminal escapes, C1 and bidi controls, keeps tab, newline and text', () => {
  assert.equal(stripControl('a\u001b[31mb\u009bc\u202ed\u2066e\u061cf\tg\nh'), 'a[31mbcdef\tg\nh');
  assert.equal(stripControl('héllo — ✓'), 'héllo — ✓');
});

test('truncate cuts to at most max characters with an ellipsis, and leaves short text alone', () => {
  assert.equal(truncate('x'.repeat(10), 5), 'xxxx…');
  assert.equal(truncate('x'.repeat(5), 5), 'xxxxx');
  assert.equal(truncate('abc', 1), '…');
});

test('oneLine makes any text one bounded line: whitespace runs become one space, other controls go', () => {
  assert.equal(oneLine('a\nb\u001b[31mc\u2028d'), 'a b[31mc d');
  assert.equal(oneLine('a\rb\u000bc\fd'), 'a b c d');
  assert.equal(oneLine('  a \r\n\t b  '), 'a b');
  assert.equal(oneLine('x'.repeat(10), 5), 'xxxx…');
  assert.equal(oneLine('y'.repeat(200)).length, 120);
});

test('every line break some reader knows (NEL, U+2028, U+2029, VT, FF, CR) is one space in oneLine and a line of its own in splitLines', () => {
  assert.equal(oneLine('a\u0085b\u2028c\u2029d\ve\ff\rg'), 'a b c d e f g');
  assert.deepEqual(splitLines('a\u0085b\u2028c\u2029d\ve\ff\r\ng\rh\ni'), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
  assert.equal(stripControl('a\u2028b\u2029c'), 'abc');
  // A file name with a separator prints as one line and comes back as the same name.
  assert.equal(escapeName('x\u2028y\u2029z'), 'x\\u2028y\\u2029z');
  assert.equal(unescapeName(escapeName('x\u2028y')), 'x\u2028y');
});
