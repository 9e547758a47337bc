// Cadences on the real filesystem: finding TEAM.md, byte-exact Last Sent updates, dedup against
// pending dispatches, `dispatch cadences` (list, --send, --dry-run, --json), and real processes racing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { localDate } from '../../src/core/cadences/table';
import { findTeamFile, updateLastSent } from '../../src/core/cadences/file';
import { checkCadences, sendDueCadences } from '../../src/core/cadences/send';
import { parseFrontMatter } from '../../src/core/format/frontmatter';
import { DispatchStore } from '../../src/core/store';
import { runMain } from '../helpers/run-main';
import { tempRoot } from '../helpers/tmp';
import { SEED_TABLE } from '../helpers/seed-table';
import { linuxOnly } from '../helpers/platform';
const SYMLINKS = linuxOnly('symbolic links: making one on Windows needs a privilege, and Wine makes Unix links Node cannot lstat as links');
const TSX = linuxOnly('spawns child processes through tsx, whose esbuild binary is Linux-only');

const TODAY = '2026-02-10';

function setup(table = SEED_TABLE) {
  const dir = tempRoot('cadence-');
  const file = path.join(dir, 'TEAM.md');
  writeFileSync(file, table);
  return { dir, file, store: new DispatchStore(path.join(dir, 'root')) };
}

function newFiles(store: DispatchStore, team: string): string[] {
  try {
    return readdirSync(path.join(store.root, team, 'new')).filter((n) => !n.startsWith('.'));
  } catch {
    return [];
  }
}

async function dispatch(args: string[], cwd?: string) {
  const here = process.cwd();
  if (cwd) process.chdir(cwd);
  try {
    return await runMain(args, { HOME: cwd ?? here }, Object.assign(Readable.from([]), { isTTY: true }));
  } finally {
    process.chdir(here);
  }
}

test('TEAM.md lookup: --file, else .team/TEAM.md, then TEAM.md in the folder, then ~/.team/TEAM.md', async () => {
  const dir = tempRoot('cadence-find-');
  const home = path.join(dir, 'home');
  const cwd = path.join(dir, 'repo');
  mkdirSync(path.join(home, '.team'), { recursive: true });
  mkdirSync(path.join(cwd, '.team'), { recursive: true });
  assert.equal(await findTeamFile(cwd, home), undefined);
  writeFileSync(path.join(home, '.team', 'TEAM.md'), '');
  assert.equal(await findTeamFile(cwd, home), path.join(home, '.team', 'TEAM.md'));
  writeFileSync(path.join(cwd, 'TEAM.md'), '');
  assert.equal(await findTeamFile(cwd, home), path.join(cwd, 'TEAM.md'));
  writeFileSync(path.join(cwd, '.team', 'TEAM.md'), '');
  assert.equal(await findTeamFile(cwd, home), path.join(cwd, '.team', 'TEAM.md'));
  assert.equal(await findTeamFile([path.join(dir, 'none'), cwd], home), path.join(cwd, '.team', 'TEAM.md'), 'workspace folders in order');
  writeFileSync(path.join(dir, 'other.md'), '');
  assert.equal(await findTeamFile(cwd, home, '../other.md'), path.join(dir, 'other.md'));
  await assert.rejects(findTeamFile(cwd, home, 'missing.md'), /no such file/);
});

test('Last Sent updates change only the cell: CRLF, BOM, invalid UTF-8, other tables and text stay byte for byte', async () => {
  const dir = tempRoot('cadence-bytes-');
  const file = path.join(dir, 'TEAM.md');
  const parts = [
    Buffer.from(
      '\ufeff# Team Größe\r\n\r\n| Dispatch | To | Frequency | Last Sent |\r\n|---|---|---|---|\r\n| Other table | qa | weekly | 2026-01-01 |\r\n\r\n',
    ),
    Buffer.from([0xff, 0xfe, 0x80, 0x0d, 0x0a]), // not UTF-8 at all
    Buffer.from('## Cadences\r\n| To | Last Sent   | Dispatch | Frequency | Notes |\r\n|----|-------------|----------|-----------|-------|\r\n'),
    Buffer.from('| qa | 2026-01-28  | Dependency audit | weekly | ünïcode \\| pipe |\r\n'),
    Buffer.from('| web_ops | never       | Site health check | weekly | |\r\n'),
    Buffer.from('| qa || Tight | daily | |\r\n'),
    Buffer.from('| qa | 2026-02-09 | Not due | weekly | |\r\n'),
    Buffer.from('\r\nThe end, no final newline'),
  ];
  const before = Buffer.concat(parts);
  writeFileSync(file, before);
  const r = await updateLastSent(
    file,
    [
      { slug: 'dependency-audit', to: 'qa' },
      { slug: 'site-health-check', to: 'web_ops' },
      { slug: 'tight', to: 'qa' },
      { slug: 'gone', to: 'qa' },
    ],
    '2026-12-01',
  );
  assert.equal(r.updated.length, 3);
  assert.deepEqual(r.missing, [{ slug: 'gone', to: 'qa' }]);
  const after = readFileSync(file);
  const want = Buffer.concat([
    parts[0],
    parts[1],
    parts[2],
    Buffer.from('| qa | 2026-12-01  | Dependency audit | weekly | ünïcode \\| pipe |\r\n'),
    Buffer.from('| web_ops | 2026-12-01  | Site health check | weekly | |\r\n'),
    Buffer.from('| qa |2026-12-01| Tight | daily | |\r\n'),
    parts[6],
    parts[7],
  ]);
  assert.ok(after.equals(want), `got:\n${after.toString('latin1')}`);
  // Nothing left beside it: no temp file, no lock.
  assert.deepEqual(readdirSync(dir), ['TEAM.md']);
});

test('a symlinked TEAM.md is written through: the link stays a link', SYMLINKS, async () => {
  const { dir, file } = setup();
  const link = path.join(dir, 'LINK.md');
  symlinkSync(file, link);
  await updateLastSent(link, [{ slug: 'seo-report', to: 'engineering' }], '2026-12-01');
  assert.match(readFileSync(file, 'utf8'), /\| SEO report \| engineering \| monthly \| 2026-12-01 \|/);
  assert.equal(readFileSync(link, 'utf8'), readFileSync(file, 'utf8'));
  assert.ok(readdirSync(dir).includes('LINK.md'));
});

test('concurrent updates of different rows in one file: none is lost', async () => {
  const { file } = setup();
  await Promise.all([
    updateLastSent(file, [{ slug: 'site-health-check', to: 'web_ops' }], '2026-03-01'),
    updateLastSent(file, [{ slug: 'dependency-audit', to: 'qa' }], '2026-03-02'),
    updateLastSent(file, [{ slug: 'seo-report', to: 'engineering' }], '2026-03-03'),
  ]);
  const text = readFileSync(file, 'utf8');
  assert.equal(text, SEED_TABLE.replace('2026-01-31', '2026-03-01').replace('2026-01-28', '2026-03-02').replace('2026-01-15', '2026-03-03'));
});

test('check: due, next and skip_reason per row; a pending dispatch for the cadence makes it skip', async () => {
  const { file, store } = setup();
  // A pending dispatch for "Site health check" from engineering (as a previous --send wrote it).
  await store.deliver({ to: 'web_ops', from: 'engineering', title: 'Site health check', slug: 'site-health-check', extra: { cadence: 'site-health-check' } });
  const c = await checkCadences(store, file, 'engineering', TODAY);
  assert.deepEqual(
    c.cadences.map((r) => [r.dispatch, r.due, r.next, r.skip_reason !== null]),
    [
      ['Site health check', true, '2026-02-07', true],
      ['Dependency audit', true, '2026-02-04', false],
      ['SEO report', false, '2026-02-15', false],
    ],
  );
  assert.match(c.cadences[0].skip_reason!, /still pending in web_ops\/new\/: .*_normal_engineering_site-health-check/);
  assert.equal(c.cadences[0].pending, newFiles(store, 'web_ops')[0].replace(/\.md$/, ''));
});

test('dedup counts only a pending dispatch of the same cadence, from the same team, still in new/', async () => {
  const { file, store } = setup();
  const base = { to: 'qa', title: 'Dependency audit', slug: 'dependency-audit' };
  await store.deliver({ ...base, from: 'web_ops', extra: { cadence: 'dependency-audit' } }); // another team's
  await store.deliver({ ...base, from: 'engineering' }); // sent by hand: no cadence field
  const acked = await store.deliver({ ...base, from: 'engineering', extra: { cadence: 'dependency-audit' } });
  await store.acknowledge(acked);
  const accepted = await store.deliver({ ...base, from: 'engineering', extra: { cadence: 'dependency-audit' } });
  writeFileSync(accepted.path, readFileSync(accepted.path, 'utf8').replace('status: pending', 'status: accepted'));
  const row = async () => (await checkCadences(store, file, 'engineering', TODAY)).cadences[1];
  assert.equal((await row()).skip_reason, null);
  // No status at all counts as pending, and a file named by hand is read too.
  writeFileSync(path.join(store.root, 'qa', 'new', 'by-hand.md'), '---\nfrom: engineering\ncadence: dependency-audit\n---\nx\n');
  assert.match((await row()).skip_reason ?? '', /still pending in qa\/new\/: by-hand/);
});

test('send: due rows delivered with cadence front matter, Notes as body, Priority; Last Sent set; a second send sends nothing', async () => {
  const { file, store } = setup(
    SEED_TABLE.replace(
      '| Dispatch | To | Frequency | Last Sent |\n|----------|----|-----------|-----------|',
      '| Dispatch | To | Frequency | Last Sent | Priority | Notes |\n|---|---|---|---|---|---|',
    ).replace('| web_ops | weekly | 2026-01-31 |', '| web_ops | weekly | 2026-01-31 | high | Check **every** page |'),
  );
  const r = await sendDueCadences(store, file, { from: 'engineering', today: TODAY });
  assert.deepEqual(
    r.cadences.map((c) => c.result),
    ['sent', 'sent', 'not-due'],
  );
  assert.deepEqual(r.last_sent, { updated: 2, missing: 0, error: null });
  const [web] = newFiles(store, 'web_ops');
  assert.match(web, /_high_engineering_site-health-check\.md$/);
  const fm = parseFrontMatter(readFileSync(path.join(store.root, 'web_ops', 'new', web), 'utf8'));
  assert.equal(fm.data.cadence, 'site-health-check');
  assert.equal(fm.data.status, 'pending');
  assert.equal(fm.data.from, 'engineering');
  assert.equal(fm.body, '# Site health check\n\nCheck **every** page\n');
  assert.match(readFileSync(path.join(store.root, 'qa', 'new', newFiles(store, 'qa')[0]), 'utf8'), /# Dependency audit\n\nRecurring dispatch \(weekly\)\.\n$/);
  const text = readFileSync(file, 'utf8');
  assert.match(text, /\| Site health check \| web_ops \| weekly \| 2026-02-10 \| high \|/);
  assert.match(text, /\| Dependency audit \| qa \| weekly \| 2026-02-10 \|/);
  assert.match(text, /\| SEO report \| engineering \| monthly \| 2026-01-15 \|/);

  const again = await sendDueCadences(store, file, { from: 'engineering', today: TODAY });
  assert.deepEqual(
    again.cadences.map((c) => c.result),
    ['not-due', 'not-due', 'not-due'],
  );
  assert.equal(newFiles(store, 'web_ops').length + newFiles(store, 'qa').length, 2);
});

test('the marker: when Last Sent could not be written, a second send the same day sends nothing and writes it', async () => {
  const { file, store } = setup();
  const failing = async () => {
    throw new Error('disk full');
  };
  const r = await sendDueCadences(store, file, { from: 'engineering', today: TODAY, writeLastSent: failing });
  assert.equal(r.last_sent.error, 'disk full');
  assert.deepEqual(
    r.cadences.map((c) => c.result),
    ['sent', 'sent', 'not-due'],
  );
  // The recipients acknowledge them at once: the pending check no longer stops a resend, the marker does.
  for (const d of await store.list({ box: 'new' })) await store.acknowledge(d);
  const again = await sendDueCadences(store, file, { from: 'engineering', today: TODAY });
  assert.deepEqual(
    again.cadences.map((c) => c.result),
    ['skipped', 'skipped', 'not-due'],
  );
  assert.match(again.cadences[0].skip_reason!, /already sent today/);
  assert.equal((await store.list({ box: 'new' })).length, 0);
  // The marker says they went today: the Last Sent the first run could not write is written now.
  assert.equal(again.last_sent.updated, 2);
  assert.equal((readFileSync(file, 'utf8').match(new RegExp(`\\| ${TODAY} \\|`, 'g')) ?? []).length, 2);
  const next = await sendDueCadences(store, file, { from: 'engineering', today: '2026-02-11' });
  assert.deepEqual(
    next.cadences.map((c) => c.result),
    ['not-due', 'not-due', 'not-due'],
  );
});

test('dispatch cadences: list, --json shape, --dry-run writes nothing, --send, exit codes', async () => {
  const { dir, file, store } = setup(SEED_TABLE + '| Broken | qa | fortnightly | |\n');
  const root = store.root;
  const list = await dispatch(['--root', root, 'cadences', '--today', TODAY], dir);
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /^due {4}Site health check → web_ops · weekly · last 2026-01-31 · next 2026-02-07$/m);
  assert.match(list.out, /^- {6}SEO report → engineering · monthly · last 2026-01-15 · next 2026-02-15$/m);
  assert.match(list.out, /^2 due/m);
  assert.match(list.err, /TEAM\.md:7: unknown frequency "fortnightly".*; skipped/);

  const j = JSON.parse((await dispatch(['--root', root, 'cadences', '--file', file, '--from', 'engineering', '--today', TODAY, '--json'])).out);
  assert.deepEqual(Object.keys(j), ['file', 'today', 'from', 'found', 'cadences', 'bad_rows']);
  assert.deepEqual(Object.keys(j.cadences[0]), [
    'line',
    'dispatch',
    'cadence',
    'to',
    'frequency',
    'priority',
    'last_sent',
    'next',
    'due',
    'skip_reason',
    'pending',
  ]);
  assert.deepEqual(j.bad_rows, [{ line: 7, reason: j.bad_rows[0].reason }]);

  const before = readFileSync(file);
  const dry = await dispatch(['--root', root, 'cadences', '--file', file, '--from', 'engineering', '--today', TODAY, '--send', '--dry-run']);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /^would send Site health check/m);
  assert.match(dry.out, /2 would be sent \(dry run\)/);
  assert.ok(readFileSync(file).equals(before));
  assert.equal(newFiles(store, 'web_ops').length, 0);

  const sent = await dispatch(['--root', root, 'cadences', '--file', file, '--from', 'engineering', '--today', TODAY, '--send']);
  assert.equal(sent.code, 0, sent.err);
  assert.match(sent.out, /^sent {3}Site health check → web_ops .* → .*web_ops[\\/]new[\\/][^\\/]*site-health-check\.md$/m); // one separator, Windows too
  assert.match(sent.out, /2 sent, 0 skipped, Last Sent set to 2026-02-10 in 2 row\(s\)/);
  const second = await dispatch(['--root', root, 'cadences', '--file', file, '--from', 'engineering', '--today', TODAY, '--send', '--json']);
  assert.deepEqual(
    JSON.parse(second.out).cadences.map((c: { result: string }) => c.result),
    ['not-due', 'not-due', 'not-due'],
  );

  assert.equal((await dispatch(['--root', root, 'cadences', '--send'], dir)).code, 2, '--send needs --from');
  assert.equal((await dispatch(['--root', root, 'cadences', '--dry-run', '--from', 'x'], dir)).code, 2);
  assert.equal((await dispatch(['--root', root, 'cadences', '--today', '2026-02-30'], dir)).code, 2);
  assert.equal((await dispatch(['--root', root, 'cadences', '--bogus'], dir)).code, 2);
  assert.equal((await dispatch(['--root', root, 'cadences', '--send', '--from', 'Bad Team', '--file', file])).code, 1);
  const none = await dispatch(['--root', root, 'cadences'], tempRoot('cadence-empty-'));
  assert.equal(none.code, 1);
  assert.match(none.err, /^dispatch: no TEAM\.md: looked for/);
  assert.equal(localDate().length, 10);
});

test('6 real processes running --send at once: each due row is sent exactly once, every Last Sent written', TSX, async () => {
  const rows = Array.from({ length: 8 }, (_, i) => `| Task ${i} | ${i % 2 ? 'qa' : 'web_ops'} | daily | |`).join('\n');
  const { file, store } = setup(`# Team\n\n## Cadences\n\n| Dispatch | To | Frequency | Last Sent |\n|---|---|---|---|\n${rows}\n\nAfter.\n`);
  const barrier = tempRoot('cadence-barrier-');
  const child = path.join(__dirname, '..', 'helpers', 'cadence-child.ts');
  const run = promisify(execFile);
  const outs = await Promise.all(
    Array.from({ length: 6 }, () =>
      run(process.execPath, ['--import', 'tsx', child, store.root, file, `${barrier}:6`], { cwd: path.join(__dirname, '..', '..') }),
    ),
  );
  const results = outs.map((o) => JSON.parse(o.stdout) as { cadences: { dispatch: string; result: string }[] });
  const sentBy = new Map<string, number>();
  for (const r of results) for (const c of r.cadences) if (c.result === 'sent') sentBy.set(c.dispatch, (sentBy.get(c.dispatch) ?? 0) + 1);
  assert.deepEqual([...sentBy.values()], Array(8).fill(1), JSON.stringify([...sentBy]));
  assert.equal(newFiles(store, 'qa').length + newFiles(store, 'web_ops').length, 8);
  const today = localDate();
  const text = readFileSync(file, 'utf8');
  for (let i = 0; i < 8; i++) assert.ok(text.includes(`| Task ${i} | ${i % 2 ? 'qa' : 'web_ops'} | daily | ${today} |`), text);
  assert.ok(text.endsWith('\n\nAfter.\n'));
  assert.deepEqual(
    readdirSync(path.dirname(file)).filter((n) => n !== 'root'),
    ['TEAM.md'],
  );
});
