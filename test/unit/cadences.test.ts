// Cadences, the pure part: the TEAM.md table, frequencies and dates, the one-cell edit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEED_TABLE } from '../helpers/seed-table';
import { addDays, addMonths, isDue, lastSentCellText, localDate, nextDue, parseCadences, parseFrequency } from '../../src/core/cadences/table';

test("the seed's table, verbatim", () => {
  const t = parseCadences(`# Engineering\n\nSome prose.\n\n${SEED_TABLE}\n## Other\n`);
  assert.equal(t.found, true);
  assert.deepEqual(t.bad, []);
  assert.deepEqual(
    t.rows.map((r) => [r.line, r.dispatch, r.slug, r.to, r.frequency, r.lastSent, r.priority, r.notes]),
    [
      [8, 'Site health check', 'site-health-check', 'web_ops', 'weekly', '2026-01-31', 'normal', ''],
      [9, 'Dependency audit', 'dependency-audit', 'qa', 'weekly', '2026-01-28', 'normal', ''],
      [10, 'SEO report', 'seo-report', 'engineering', 'monthly', '2026-01-15', 'normal', ''],
    ],
  );
});

test('columns by header name in any order, extra columns, Notes and Priority, any heading level and case', () => {
  const text = [
    '#### CADENCES',
    '',
    'Checked by the lead at session start.',
    '',
    '| Frequency | **Last Sent** | Owner | To | Priority | Dispatch | Notes |',
    '| :-- | :-: | --- | --- | --- | --- | --- |',
    '| every 2 weeks | never | ana | `qa` | high | Load test | Run k6 \\| report p99 |',
    '| Daily |  | bo | web_ops |  | Backups |  |',
    'no pipe: still a row (GFM ends a table at a blank line)',
    '| quarterly | 2026-01-01 | x | qa | low | Still in the table | |',
    '',
    '| quarterly | 2026-01-01 | x | qa | low | After the table | |',
  ].join('\n');
  const t = parseCadences(text);
  assert.deepEqual(t.bad, [{ line: 9, reason: 'the row has no Last Sent cell' }]);
  assert.deepEqual(
    t.rows.map((r) => [r.line, r.dispatch, r.to, r.freq, r.lastSent, r.priority, r.notes]),
    [
      [7, 'Load test', 'qa', { kind: 'days', n: 14 }, null, 'high', 'Run k6 | report p99'],
      [8, 'Backups', 'web_ops', { kind: 'days', n: 1 }, null, 'normal', ''],
      [10, 'Still in the table', 'qa', { kind: 'months', n: 3 }, '2026-01-01', 'low', ''],
    ],
  );
});

test('rows without outer pipes, setext headings, several sections; other tables and code fences are ignored', () => {
  const text = [
    'Cadences',
    '--------',
    'Dispatch | To | Frequency | Last Sent',
    '--- | --- | --- | ---',
    'A | qa | weekly | 2026-01-01',
    '',
    '## Elsewhere',
    '| Dispatch | To | Frequency | Last Sent |',
    '|---|---|---|---|',
    '| Not a cadence | qa | weekly | |',
    '',
    '## Cadences (example)',
    '| Dispatch | To | Frequency | Last Sent |',
    '|---|---|---|---|',
    '| Not one either | qa | weekly | |',
    '## cadences',
    '```',
    '## Cadences',
    '| Dispatch | To | Frequency | Last Sent |',
    '|---|---|---|---|',
    '| In a fence | qa | weekly | |',
    '```',
    '### Weekly',
    '| Dispatch | To | Frequency | Last Sent |',
    '|---|---|---|---|',
    '| B | web_ops | weekly | |',
  ].join('\n');
  const t = parseCadences(text);
  assert.deepEqual(t.bad, []);
  assert.deepEqual(
    t.rows.map((r) => [r.line, r.dispatch]),
    [
      [5, 'A'],
      [26, 'B'],
    ],
  );
});

test('bad rows are reported with their line and skipped; the rest works', () => {
  const text = [
    '## Cadences', // 1
    '| Dispatch | To | Frequency | Last Sent | Priority |', // 2
    '|---|---|---|---|---|', // 3
    '| Good | qa | weekly | 2026-01-31 | |', // 4
    '| Odd | qa | fortnightly | 2026-01-31 | |', // 5
    '| Bad team | Web Ops | weekly | | |', // 6
    '| Bad date | qa | weekly | 31/01/2026 | |', // 7
    '| No such day | qa | weekly | 2026-02-30 | |', // 8
    '|  | qa | weekly | | |', // 9
    '| Loud | qa | weekly | | shouting |', // 10
    '| Good | qa | daily | | |', // 11: same cadence as line 4
    '| Short | qa |', // 12: no Last Sent cell
    '| every 0 days | qa | every 0 days | | |', // 13
    '', // 14
    '## Cadences', // 15
    '| Dispatch | To | When |', // 16
    '|---|---|---|', // 17
    '| x | qa | weekly |', // 18
  ].join('\n');
  const t = parseCadences(text);
  assert.deepEqual(
    t.rows.map((r) => r.line),
    [4],
  );
  assert.deepEqual(
    t.bad.map((b) => b.line),
    [5, 6, 7, 8, 9, 10, 11, 12, 13, 16],
  );
  const reason = (line: number) => t.bad.find((b) => b.line === line)!.reason;
  assert.match(reason(5), /unknown frequency "fortnightly"/);
  assert.match(reason(6), /invalid team "Web Ops"/);
  assert.match(reason(7), /unparseable Last Sent "31\/01\/2026"/);
  assert.match(reason(8), /unparseable Last Sent "2026-02-30"/);
  assert.match(reason(9), /empty Dispatch/);
  assert.match(reason(10), /invalid priority "shouting"/);
  assert.match(reason(11), /same cadence as line 4/);
  assert.match(reason(12), /no Last Sent cell/);
  assert.match(reason(16), /without the columns Frequency, Last Sent/);
});

test('no Cadences heading: nothing found, nothing bad; hostile text does not throw', () => {
  assert.deepEqual(parseCadences('# Team\n| a | b |\n|---|---|\n'), { found: false, rows: [], bad: [] });
  assert.equal(parseCadences('').found, false);
  const hostile =
    '## Cadences\n' + '|'.repeat(10_000) + '\n' + '| Dispatch | To | Frequency | Last Sent |\n|-|-|-|-|\n' + '|\\'.repeat(5000) + '\n\u0000\u001b[31m|\n';
  const t0 = performance.now();
  const t = parseCadences(hostile);
  assert.ok(performance.now() - t0 < 1000);
  assert.equal(t.rows.length, 0);
  // Long runs of blanks that do not end the line (quadratic for `/[ \t]+$/`), in a heading and a cell.
  const blanks = ' '.repeat(1_000_000);
  const t1 = performance.now();
  const big = parseCadences(
    `#${blanks}x\n## Cadences${blanks}#${blanks}\n| Dispatch | To | Frequency | Last Sent |\n|-|-|-|-|\n| A | qa | daily |${blanks}2026-01-01${blanks}|\n`,
  );
  assert.equal(big.rows.length, 1);
  assert.equal(lastSentCellText(`${blanks}2026-01-01${blanks}x`.slice(0, -1), '2026-12-01').length, 2_000_010);
  assert.ok(performance.now() - t1 < 2000, `${performance.now() - t1} ms`);
});

test('frequencies: the named ones and every N days / weeks / months', () => {
  assert.deepEqual(parseFrequency('daily'), { kind: 'days', n: 1 });
  assert.deepEqual(parseFrequency(' Weekdays '), { kind: 'weekdays' });
  assert.deepEqual(parseFrequency('weekly'), { kind: 'days', n: 7 });
  assert.deepEqual(parseFrequency('biweekly'), { kind: 'days', n: 14 });
  assert.deepEqual(parseFrequency('monthly'), { kind: 'months', n: 1 });
  assert.deepEqual(parseFrequency('quarterly'), { kind: 'months', n: 3 });
  assert.deepEqual(parseFrequency('every 3 days'), { kind: 'days', n: 3 });
  assert.deepEqual(parseFrequency('Every  1 day'), { kind: 'days', n: 1 });
  assert.deepEqual(parseFrequency('every 2 weeks'), { kind: 'days', n: 14 });
  assert.deepEqual(parseFrequency('every week'), { kind: 'days', n: 7 });
  assert.deepEqual(parseFrequency('every 6 months'), { kind: 'months', n: 6 });
  for (const bad of ['', 'fortnightly', 'every 0 days', 'every -1 days', 'every 2.5 days', 'every 99999 days', 'weekly please', 'every n days']) {
    assert.equal(parseFrequency(bad), undefined, bad);
  }
});

test('next due for every frequency', () => {
  const f = (s: string) => parseFrequency(s)!;
  assert.equal(nextDue(f('daily'), '2026-01-31', '2026-02-10'), '2026-02-01');
  assert.equal(nextDue(f('weekly'), '2026-01-31', '2026-02-10'), '2026-02-07');
  assert.equal(nextDue(f('biweekly'), '2026-12-25', '2026-12-25'), '2027-01-08');
  assert.equal(nextDue(f('every 10 days'), '2026-02-25', '2026-02-25'), '2026-03-07');
  assert.equal(nextDue(f('every 3 weeks'), '2026-01-01', '2026-01-01'), '2026-01-22');
  assert.equal(nextDue(f('monthly'), '2026-01-15', '2026-01-15'), '2026-02-15');
  assert.equal(nextDue(f('quarterly'), '2026-11-30', '2026-11-30'), '2027-02-28');
  // weekdays: the next Monday–Friday after Last Sent (2026-01-30 is a Friday).
  assert.equal(nextDue(f('weekdays'), '2026-01-29', '2026-01-29'), '2026-01-30');
  assert.equal(nextDue(f('weekdays'), '2026-01-30', '2026-01-30'), '2026-02-02');
  assert.equal(nextDue(f('weekdays'), '2026-01-31', '2026-01-31'), '2026-02-02');
  // Never sent: due today; for weekdays, today if it is one, else the Monday after.
  assert.equal(nextDue(f('monthly'), null, '2026-01-31'), '2026-01-31');
  assert.equal(nextDue(f('weekdays'), null, '2026-01-31'), '2026-02-02');
  assert.equal(nextDue(f('weekdays'), null, '2026-02-03'), '2026-02-03');
});

test('monthly is the same day next month, clamped to the month end, leap years included', () => {
  assert.equal(addMonths('2026-01-31', 1), '2026-02-28');
  assert.equal(addMonths('2028-01-31', 1), '2028-02-29');
  assert.equal(addMonths('2028-01-29', 1), '2028-02-29');
  assert.equal(addMonths('2100-01-31', 1), '2100-02-28'); // not a leap year
  assert.equal(addMonths('2000-01-31', 1), '2000-02-29'); // a leap year
  assert.equal(addMonths('2026-03-31', 1), '2026-04-30');
  assert.equal(addMonths('2026-12-15', 1), '2027-01-15');
  assert.equal(addMonths('2026-08-31', 3), '2026-11-30');
  assert.equal(addMonths('2026-11-30', 3), '2027-02-28');
  assert.equal(addMonths('2027-11-30', 3), '2028-02-29');
  assert.equal(addDays('2028-02-28', 1), '2028-02-29');
  assert.equal(addDays('2026-02-28', 1), '2026-03-01');
  assert.equal(addDays('2026-12-31', 1), '2027-01-01');
  assert.equal(addDays('2026-03-29', 1), '2026-03-30'); // a DST change day in Europe is one day still
});

test('due when today ≥ Last Sent + frequency (local dates)', () => {
  const weekly = parseFrequency('weekly')!;
  assert.equal(isDue(weekly, '2026-01-31', '2026-02-06'), false);
  assert.equal(isDue(weekly, '2026-01-31', '2026-02-07'), true);
  assert.equal(isDue(weekly, '2026-01-31', '2026-03-01'), true);
  assert.equal(isDue(weekly, null, '2026-02-01'), true);
  assert.equal(isDue(weekly, '2026-02-07', '2026-02-07'), false, 'sent today: not due again today');
  assert.equal(isDue(parseFrequency('weekdays')!, null, '2026-01-31'), false, 'never sent, on a Saturday');
  assert.equal(localDate(new Date(2026, 1, 3, 23, 59)), '2026-02-03');
  assert.equal(localDate(new Date(2026, 1, 4, 0, 1)), '2026-02-04');
});

test('ATX headings: closing hashes are not the title, "#5" is not a heading', () => {
  assert.equal(parseCadences('## Cadences ##\n').found, true);
  assert.equal(parseCadences('## Cadences#\n').found, false);
  assert.equal(parseCadences('#Cadences\n').found, false);
  assert.equal(parseCadences('   ### cadences   \n').found, true);
  assert.equal(parseCadences('    ## Cadences\n').found, false, 'indented code');
});

test('the Last Sent cell: only its words change, the column stays aligned where it can', () => {
  assert.equal(lastSentCellText(' 2026-01-31 ', '2026-12-01'), ' 2026-12-01 ');
  assert.equal(lastSentCellText('  2026-01-31   ', '2026-12-01'), '  2026-12-01   ');
  assert.equal(lastSentCellText(' never      ', '2026-12-01'), ' 2026-12-01 ');
  assert.equal(lastSentCellText(' never            ', '2026-12-01'), ' 2026-12-01       ');
  assert.equal(lastSentCellText(' never ', '2026-12-01'), ' 2026-12-01 ');
  assert.equal(lastSentCellText(' never', '2026-12-01'), ' 2026-12-01');
  assert.equal(lastSentCellText('never', '2026-12-01'), '2026-12-01');
  assert.equal(lastSentCellText('', '2026-12-01'), '2026-12-01');
  assert.equal(lastSentCellText(' ', '2026-12-01'), ' 2026-12-01 ');
  assert.equal(lastSentCellText('              ', '2026-12-01'), ' 2026-12-01   ');
  assert.equal(lastSentCellText('\t2026-01-31\t', '2026-12-01'), '\t2026-12-01\t');
});

test('only tables Markdown renders count: not in an HTML comment, an indented or fenced code block, a list or a quote', () => {
  const row = (name: string) => `| ${name} | qa | daily | |`;
  const head = '| Dispatch | To | Frequency | Last Sent |\n|---|---|---|---|';
  const text = [
    '## Cadences',
    '<!-- an old table, kept for reference',
    head,
    row('In a comment'),
    '-->',
    '',
    '    ' + head.replace('\n', '\n    '),
    '    ' + row('Indented code'),
    '',
    '~~~',
    head,
    row('In a tilde fence'),
    '~~~',
    '',
    '- ' + head.replace('\n', '\n  '),
    '  ' + row('In a list'),
    '',
    '> ' + head.replace('\n', '\n> '),
    '> ' + row('In a quote'),
    '',
    head,
    row('Rendered'),
  ].join('\n');
  const t = parseCadences(text);
  assert.deepEqual(
    t.rows.map((r) => r.dispatch),
    ['Rendered'],
  );
  assert.deepEqual(t.bad, []);
  // A heading inside a comment does not open a section either.
  assert.equal(parseCadences(`<!--\n## Cadences\n${head}\n${row('x')}\n-->\n`).found, false);
  // CRLF and a lone CR: the lines (and so the offsets of the Last Sent cell) are the file's.
  const crlf = parseCadences(`## Cadences\r\nnote\rstill line 2\r\n\r\n${head.replace('\n', '\r\n')}\r\n${row('Windows')}\r\n`);
  assert.deepEqual(
    crlf.rows.map((r) => [r.line, r.dispatch]),
    [[6, 'Windows']],
  );
});
