import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DispatchError, DispatchStore, defaultRoot } from '../../src/core/store';
import { parseFrontMatter } from '../../src/core/format/frontmatter';
import { Dispatch } from '../../src/core/format/dispatch';
import { tempRoot } from '../helpers/tmp';
import { linuxOnly } from '../helpers/platform';
const SYMLINKS = linuxOnly('symbolic links: making one on Windows needs a privilege, and Wine makes Unix links Node cannot lstat as links');

function store(): DispatchStore {
  return new DispatchStore(tempRoot());
}

async function rejectsWith(p: Promise<unknown>, code: string, re?: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DispatchError, String(e));
    assert.equal(e.code, code);
    if (re) assert.match(e.message, re);
    return true;
  });
}

test('root: DISPATCH_ROOT, else ~/.team/dispatch', () => {
  assert.equal(defaultRoot({ DISPATCH_ROOT: '/x/y' }), path.resolve('/x/y')); // Z:\x\y under Wine
  assert.equal(defaultRoot({}), path.join(os.homedir(), '.team', 'dispatch'));
});

test('init creates tmp/new/cur and is idempotent', async () => {
  const s = store();
  await s.init(['engineering', 'web_ops']);
  await s.init(['engineering']);
  for (const b of ['tmp', 'new', 'cur']) assert.ok(existsSync(path.join(s.root, 'web_ops', b)));
  assert.deepEqual(await s.teams(), ['engineering', 'web_ops']);
});

test('deliver writes the seed shape into new/ and leaves nothing in tmp/', async () => {
  const s = store();
  const created = new Date('2026-01-31T14:30:00Z');
  const d = await s.deliver({ to: 'web_ops', from: 'engineering', title: 'Update site', body: 'Please.\n', bead: '_skills-73r', created });
  assert.equal(d.fileName, '2026-01-31T14-30-00Z_normal_engineering_update-site.md');
  assert.equal(d.box, 'new');
  assert.deepEqual(readdirSync(path.join(s.root, 'web_ops', 'tmp')), []);
  const text = readFileSync(d.path, 'utf8');
  const fm = parseFrontMatter(text);
  assert.equal(fm.data.from, 'engineering');
  assert.equal(fm.data.to, 'web_ops');
  assert.equal(fm.data.priority, 'normal');
  assert.equal(fm.data.status, 'pending');
  assert.equal(fm.data.created, '2026-01-31T14:30:00Z');
  assert.equal(fm.data.related_bead, '_skills-73r');
  assert.equal(fm.body, '# Update site\n\nPlease.\n');
  assert.equal(d.title, 'Update site');
});

test('two dispatches with the same name in the same second: the second gets a variant, nothing replaced', async () => {
  const s = store();
  const created = new Date('2026-01-31T14:30:00Z');
  const a = await s.deliver({ to: 'qa', from: 'engineering', title: 'Same', body: 'first', created });
  const b = await s.deliver({ to: 'qa', from: 'engineering', title: 'Same', body: 'second', created });
  const c = await s.deliver({ to: 'qa', from: 'engineering', title: 'Same', body: 'third', created });
  assert.equal(b.fileName, '2026-01-31T14-30-00Z_normal_engineering_same.2.md');
  assert.equal(c.fileName, '2026-01-31T14-30-00Z_normal_engineering_same.3.md');
  assert.match(readFileSync(a.path, 'utf8'), /first/);
  assert.match(readFileSync(b.path, 'utf8'), /second/);
});

test('a name already acknowledged is not reused by a new delivery', async () => {
  const s = store();
  const created = new Date('2026-01-31T14:30:00Z');
  const a = await s.deliver({ to: 'qa', from: 'engineering', title: 'Same', created });
  await s.acknowledge(a);
  const b = await s.deliver({ to: 'qa', from: 'engineering', title: 'Same', created });
  assert.notEqual(b.fileName, a.fileName);
});

test('hostile names and values are refused before touching the disk', async () => {
  const s = store();
  await rejectsWith(s.deliver({ to: '../escape', from: 'qa' }), 'invalid', /invalid team name/);
  await rejectsWith(s.deliver({ to: 'qa', from: '../../x' }), 'invalid');
  await rejectsWith(s.deliver({ to: 'qa', from: 'a', slug: '../../etc/passwd' }), 'invalid', /invalid slug/);
  await rejectsWith(s.deliver({ to: 'qa', from: 'a', slug: 'a_b' }), 'invalid');
  await rejectsWith(s.deliver({ to: 'qa', from: 'a', priority: 'critical' as never }), 'invalid', /invalid priority/);
  await rejectsWith(s.reroute('x', '../../tmp'), 'invalid');
  await rejectsWith(s.resolve('/etc/passwd'), 'invalid', /not a dispatch/);
  await rejectsWith(s.resolve(path.join(s.root, 'qa', 'tmp', 'x.md')), 'invalid');
  assert.equal(existsSync(path.join(path.dirname(s.root), 'escape')), false);
  assert.deepEqual(await s.teams(), []);
});

test('title newlines cannot inject front matter', async () => {
  const s = store();
  const d = await s.deliver({ to: 'qa', from: 'a', title: 'Hi\n---\npriority: urgent', bead: 'x\npriority: urgent' });
  const fm = parseFrontMatter(readFileSync(d.path, 'utf8'));
  assert.equal(fm.data.priority, 'normal');
});

test('acknowledge moves new → cur; a second acknowledge says "already"', async () => {
  const s = store();
  const d = await s.deliver({ to: 'qa', from: 'a', title: 'T' });
  const r1 = await s.acknowledge(d.id);
  assert.equal(r1.status, 'moved');
  assert.equal(r1.dispatch.box, 'cur');
  assert.ok(existsSync(r1.dispatch.path));
  assert.equal(existsSync(d.path), false);
  const r2 = await s.acknowledge(d); // stale object, still pointing at new/
  assert.equal(r2.status, 'already');
  const r3 = await s.acknowledge(d.id);
  assert.equal(r3.status, 'already');
});

test('acknowledge of a file deleted by someone else: a clear not-found', async () => {
  const s = store();
  const d = await s.deliver({ to: 'qa', from: 'a', title: 'T' });
  const { unlinkSync } = await import('node:fs');
  unlinkSync(d.path);
  await rejectsWith(s.acknowledge(d), 'not-found', /moved or deleted by someone else/);
});

test('acknowledge never replaces a different file of the same name in cur/', async () => {
  const s = store();
  const d = await s.deliver({ to: 'qa', from: 'a', title: 'T' });
  writeFileSync(path.join(s.root, 'qa', 'cur', d.fileName), 'someone else\n');
  const r = await s.acknowledge(d);
  assert.equal(r.status, 'moved');
  assert.notEqual(r.dispatch.fileName, d.fileName);
  assert.equal(readFileSync(path.join(s.root, 'qa', 'cur', d.fileName), 'utf8'), 'someone else\n');
  assert.match(readFileSync(r.dispatch.path, 'utf8'), /# T/);
});

test('unacknowledge (mark as new) and reroute', async () => {
  const s = store();
  const d = await s.deliver({ to: 'qa', from: 'a', title: 'T' });
  const acked = (await s.acknowledge(d)).dispatch;
  const back = await s.unacknowledge(acked);
  assert.equal(back.dispatch.box, 'new');
  assert.ok(existsSync(back.dispatch.path));
  const before = readFileSync(back.dispatch.path);
  const moved = await s.reroute(back.dispatch, 'web_ops');
  assert.equal(moved.dispatch.team, 'web_ops');
  assert.equal(moved.dispatch.box, 'new');
  assert.deepEqual(readFileSync(moved.dispatch.path), before);
  assert.equal((await s.reroute(moved.dispatch, 'web_ops')).status, 'already');
});

test('resolve: exact id, unique prefix, ambiguity, path', async () => {
  const s = store();
  const a = await s.deliver({ to: 'qa', from: 'a', title: 'Alpha', created: new Date('2026-01-31T14:30:00Z') });
  await s.deliver({ to: 'qa', from: 'a', title: 'Beta', created: new Date('2026-01-31T14:30:00Z') });
  assert.equal((await s.resolve(a.id)).path, a.path);
  assert.equal((await s.resolve(a.fileName)).path, a.path);
  assert.equal((await s.resolve(a.path)).path, a.path);
  await rejectsWith(s.resolve('2026-01-31T14-30-00Z'), 'ambiguous', /matches 2/);
  await rejectsWith(s.resolve('nope'), 'not-found');
});

test('list: teams, boxes, filters, dotfiles and folders skipped', async () => {
  const s = store();
  await s.deliver({ to: 'qa', from: 'eng', priority: 'urgent', title: 'U' });
  const l = await s.deliver({ to: 'qa', from: 'ops', priority: 'low', title: 'L' });
  await s.acknowledge(l);
  writeFileSync(path.join(s.root, 'qa', 'new', '.hidden.md'), 'x');
  mkdirSync(path.join(s.root, 'qa', 'new', 'subdir'));
  writeFileSync(path.join(s.root, 'qa', 'new', 'loose-note.md'), '---\nfrom: web_ops\npriority: high\n---\n# Loose\n');
  assert.equal((await s.list()).length, 3);
  assert.equal((await s.list({ box: 'cur' })).length, 1);
  assert.deepEqual(
    (await s.list({ priority: 'urgent' })).map((d) => d.title),
    ['U'],
  );
  const high = await s.list({ priority: 'high' });
  assert.deepEqual(
    high.map((d) => d.title),
    ['Loose'],
  );
  assert.ok(high[0].warnings.some((w) => w.includes('does not follow')));
  assert.deepEqual((await s.list({ from: 'web_ops' })).length, 1);
});

test('symbolic links in an inbox are listed but never followed', SYMLINKS, async () => {
  const s = store();
  await s.init(['qa']);
  const secret = path.join(s.root, 'secret.txt');
  writeFileSync(secret, 'do not read');
  symlinkSync(secret, path.join(s.root, 'qa', 'new', 'link.md'));
  const [d] = await s.list();
  await s.loadMeta([d]);
  assert.deepEqual(d.meta?.warnings, ['symbolic link; not followed']);
  await rejectsWith(s.read(d), 'invalid', /not a regular file/);
});

test('sweep removes only tmp files older than the limit', async () => {
  const s = store();
  await s.init(['qa']);
  const old = path.join(s.root, 'qa', 'tmp', 'old');
  const young = path.join(s.root, 'qa', 'tmp', 'young');
  writeFileSync(old, 'x');
  writeFileSync(young, 'x');
  const t = (Date.now() - 40 * 3600_000) / 1000;
  utimesSync(old, t, t);
  const d = await s.deliver({ to: 'qa', from: 'a', title: 'keep' });
  assert.deepEqual(await s.sweep(), [old]);
  assert.ok(existsSync(young));
  assert.ok(existsSync(d.path));
});

test('trash moves into <root>/.trash/<team>/ without replacing, and is never listed as a team', async () => {
  const s = store();
  const created = new Date('2026-01-31T14:30:00Z');
  const a = await s.deliver({ to: 'qa', from: 'a', title: 'Same', body: 'first', created });
  const first = await s.trash(a);
  assert.equal(first, path.join(s.root, '.trash', 'qa', a.fileName));
  const b = await s.deliver({ to: 'qa', from: 'a', title: 'Same', body: 'second', created });
  await s.acknowledge(b);
  const second = await s.trash((await s.list())[0]);
  assert.notEqual(second, first);
  assert.match(readFileSync(first, 'utf8'), /first/);
  assert.match(readFileSync(second, 'utf8'), /second/);
  assert.deepEqual(await s.teams(), ['qa']);
  assert.equal((await s.list()).length, 0);
  assert.equal(await s.trash(a), first); // already there: trashing twice loses nothing
  await rejectsWith(s.trash(new Dispatch(s.root, 'qa', 'new', 'never.md')), 'not-found');
});

test('team or box folders that are symbolic links are refused: nothing is written outside the root', SYMLINKS, async () => {
  const s = store();
  await s.init(['qa']);
  const outside = tempRoot('outside-');
  const d = await s.deliver({ to: 'qa', from: 'a', title: 'authorized_keys' });
  const { rmSync } = await import('node:fs');
  rmSync(path.join(s.root, 'qa', 'cur'), { recursive: true });
  symlinkSync(outside, path.join(s.root, 'qa', 'cur'));
  await rejectsWith(s.acknowledge(d), 'invalid', /symbolic link; refused/);
  symlinkSync(outside, path.join(s.root, 'evil'));
  await rejectsWith(s.deliver({ to: 'evil', from: 'a', title: 'x' }), 'invalid', /symbolic link/);
  await rejectsWith(s.reroute(d, 'evil'), 'invalid', /symbolic link/);
  assert.deepEqual(readdirSync(outside), []);
  assert.ok(existsSync(d.path));
});

test('"already" only for the very file: a dispatch deleted by someone else is not "already acknowledged" because a namesake sits in cur/', async () => {
  const s = store();
  const d = await s.deliver({ to: 'qa', from: 'a', title: 'T' });
  const viaPath = await s.resolve(d.path);
  writeFileSync(path.join(s.root, 'qa', 'cur', d.fileName), 'an unrelated file\n');
  const { unlinkSync } = await import('node:fs');
  unlinkSync(d.path);
  await rejectsWith(s.acknowledge(viaPath), 'not-found', /moved or deleted by someone else/);
});

test('a move killed after its claim is put back by sweep, under its own name', async () => {
  const s = store();
  const d = await s.deliver({ to: 'qa', from: 'a', title: 'Claimed' });
  const { renameSync } = await import('node:fs');
  const claim = path.join(s.root, 'qa', 'new', `.claim.1.2.abcd.${d.fileName}`);
  renameSync(d.path, claim); // what a killed acknowledge leaves behind
  const listed = await s.list();
  assert.deepEqual(
    listed.map((x) => [x.fileName, x.claim]),
    [[d.fileName, path.basename(claim)]],
    'a claim is listed where it was, as being moved',
  );
  await s.sweep(36, Date.now() + 11 * 60_000);
  assert.ok(existsSync(d.path));
  assert.equal(existsSync(claim), false);
});
