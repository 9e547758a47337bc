// src/core/text.ts: the one control-character pattern, stripper and truncation that the CLI, the MCP
// server and the extension share. Names and titles come from other agents: none may drive a terminal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneLine, stripControl, truncate } from '../../src/core/text';

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
