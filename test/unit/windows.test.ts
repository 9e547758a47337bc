// Rules that only Windows has, run by Node for Windows under Wine (npm run test:windows, over `Z:\…`
// roots) and on Linux too, where each asserts what holds on both. See README, "Platforms".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DispatchIndex, DispatchStore, defaultRoot, expandHome, IndexEvent } from '../../src/core/api';
import { tildify } from '../../src/ui/common/text';
import { dispatch } from '../helpers/cli';
import { tempRoot, until } from '../helpers/tmp';
import { onWindows } from '../helpers/platform';
import { FOREIGN_CUR, FOREIGN_NAMES, writeForeignRoot } from '../helpers/foreign-names';

const json = <T>(s: string) => JSON.parse(s) as T;
type D = { id: string; path: string; warnings: string[] };

test('every output names the real path: init, send, list --json, show, ack, complete, archive (Windows: one kind of separator, never doubled)', async () => {
  const root = tempRoot();
  const cli = (...a: string[]) => dispatch(['--root', root, ...a]);
  assert.equal((await cli('init', 'qa')).out, `${path.join(root, 'qa')}\n`);
  const sent = json<D>((await cli('send', '--to', 'qa', '--from', 'eng', '--title', 'Hello', '--json')).out);
  const file = path.join(root, 'qa', 'new', `${sent.id}.md`);
  assert.equal(sent.path, file);
  assert.ok(existsSync(sent.path));
  assert.equal(json<D[]>((await cli('list', '--json')).out)[0].path, file);
  assert.match((await cli('show', sent.id)).out, new RegExp(`^path: +${escapeRe(file)}$`, 'm'));
  assert.equal((await cli('ack', sent.id)).out, `acknowledged: ${path.join(root, 'qa', 'cur', `${sent.id}.md`)}\n`);
  assert.equal((await cli('complete', sent.id)).out, `completed: ${path.join(root, 'qa', 'cur', `${sent.id}.md`)}\n`);
  const archived = json<string[]>((await cli('archive', sent.id, '--json')).out);
  assert.equal(archived.length, 1);
  assert.ok(existsSync(archived[0]), archived[0]);
  assert.equal(path.dirname(path.dirname(path.dirname(archived[0]))), path.join(root, '.archive'));

  // The path `send` prints, given back, is the dispatch (Windows: not read as `\t`, `\n` escapes).
  const second = (await cli('send', '--to', 'qa', '--from', 'eng', '--title', 'Second')).out.trim();
  assert.ok(existsSync(second), second);
  const acked = await cli('ack', second);
  assert.equal(acked.code, 0, acked.err);
  assert.equal(acked.out, `acknowledged: ${path.join(root, 'qa', 'cur', path.basename(second))}\n`);
});

test('a name with bidi and C1 controls (Windows allows them) prints escaped in the name only, and the printed path is accepted back', async () => {
  const root = tempRoot();
  await dispatch(['--root', root, 'init', 'qa']);
  const name = '2026-01-31T14-30-00Z_normal_eng_x\u202egnp.exe\u0085.md';
  writeFileSync(path.join(root, 'qa', 'new', name), '# Spoof\n');
  const listed = json<D[]>((await dispatch(['--root', root, 'list', '--json'])).out)[0];
  assert.equal(listed.path, path.join(root, 'qa', 'new', name), 'JSON keeps the exact path (its escapes are JSON’s)');
  const shown = (await dispatch(['--root', root, 'show', listed.id])).out;
  const printed = /^path: +(.*)$/m.exec(shown)![1];
  assert.equal(printed, path.join(root, 'qa', 'new', '2026-01-31T14-30-00Z_normal_eng_x\\u202egnp.exe\\u0085.md'));
  const acked = await dispatch(['--root', root, 'ack', printed]);
  assert.equal(acked.code, 0, acked.err);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'cur')), [name]);
});

test('a root given with the other separator or with ~ is the same root', async () => {
  const root = tempRoot();
  const other = onWindows ? root.replaceAll('\\', '/') : root.replaceAll('/', '//');
  assert.equal(new DispatchStore(other).root, root);
  const home = os.homedir();
  assert.equal(expandHome(`~${path.sep}d`), path.join(home, 'd'));
  assert.equal(expandHome('~/d'), path.join(home, 'd'));
  assert.equal(new DispatchStore(`~${path.sep}team-x`).root, path.join(home, 'team-x'));
  assert.equal(defaultRoot({ DISPATCH_ROOT: `~${path.sep}dispatch` }), path.join(home, 'dispatch'));
  assert.equal(tildify(path.join(home, '.team', 'dispatch')), `~${path.sep}.team${path.sep}dispatch`);
  assert.equal(tildify(`${home}x`), `${home}x`, 'a sibling of the home folder is not under it');
  if (onWindows) assert.equal(new DispatchStore('Z:/a/b\\c').root, 'Z:\\a\\b\\c');
});

test('rename replaces an existing file (MoveFileEx on Windows), so no move relies on it refusing: namesakes stay', async () => {
  const root = tempRoot();
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  writeFileSync(a, 'A');
  writeFileSync(b, 'B');
  renameSync(a, b);
  assert.equal(readFileSync(b, 'utf8'), 'A', 'the platform fact: the target was replaced without a word');

  const s = new DispatchStore(root);
  await s.init(['qa', 'ops']);
  const d = await s.deliver({ to: 'qa', from: 'eng', title: 'Namesake' });
  writeFileSync(path.join(root, 'qa', 'cur', d.fileName), 'already in cur\n');
  writeFileSync(path.join(root, 'ops', 'new', d.fileName), 'already in ops\n');
  const acked = await s.acknowledge(d);
  assert.notEqual(acked.dispatch.fileName, d.fileName, 'placed under a free variant');
  assert.equal(readFileSync(path.join(root, 'qa', 'cur', d.fileName), 'utf8'), 'already in cur\n');
  const rerouted = await s.reroute(acked.dispatch, 'ops');
  assert.equal(readFileSync(path.join(root, 'ops', 'new', d.fileName), 'utf8'), 'already in ops\n');
  assert.equal(readdirSync(path.join(root, 'ops', 'new')).length, 2);
  assert.match(readFileSync(rerouted.dispatch.path, 'utf8'), /# Namesake/);
});

test('no POSIX modes on Windows: 0000 is only the read-only attribute; a read-only dispatch is still acknowledged, its status written', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['qa']);
  const p = path.join(root, 'qa', 'new', '2026-01-31T14-30-00Z_normal_eng_read-only.md');
  writeFileSync(p, '---\nfrom: eng\nstatus: pending\n---\n# Read only\n', { mode: 0o444 });
  const zero = path.join(root, 'zero');
  writeFileSync(zero, '', { mode: 0o000 });
  if (onWindows) {
    assert.equal(statSync(zero).mode & 0o777, 0o444, 'mode 0000 became read-only, readable by all');
    assert.equal(statSync(p).mode & 0o777, 0o444);
  } else assert.equal(statSync(zero).mode & 0o777, 0o000);
  const r = await s.acknowledge(path.basename(p, '.md'));
  assert.equal(r.status, 'moved');
  assert.equal(r.warnings, undefined);
  assert.match(readFileSync(r.dispatch.path, 'utf8'), /^status: accepted$/m);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'new')), []);
});

test('names Windows refuses or folds, written by a Linux sender: all listed, each moved or refused with the reason, none lost or replaced', async () => {
  const fixtures = process.env.DISPATCH_WIN_FOREIGN;
  const root = onWindows && fixtures ? path.join(fixtures, 'unit-windows') : tempRoot();
  if (!onWindows) writeForeignRoot(root);
  else assert.ok(existsSync(path.join(root, 'qa', 'new')), 'scripts/test-windows.ts makes this root with Linux calls');
  const listed = json<D[]>((await dispatch(['--root', root, 'list', '--new', '--json'])).out);
  assert.equal(listed.length, FOREIGN_NAMES.length, 'every name listed, none dropped or merged');
  const refusedHere = (n: string) => onWindows && /[<>:"|?*\\]/.test(n);
  for (const n of FOREIGN_NAMES) {
    // JSON gives a name with a backslash in its escaped form on Linux (`\\`); on Windows `\` is a separator.
    const d = listed.find((x) => x.path.endsWith(`${path.sep}${n}`) || x.path.endsWith(`${path.sep}${n.replaceAll('\\', '\\\\')}`));
    assert.ok(d, `listed: ${JSON.stringify(n)}`);
    assert.equal(
      d.warnings.some((w) => w.startsWith('name Windows cannot use')),
      refusedHere(n),
      `${JSON.stringify(n)}: ${d.warnings.join('; ')}`,
    );
    const r = await dispatch(['--root', root, 'ack', d.id]);
    if (refusedHere(n)) {
      assert.equal(r.code, 1, `${JSON.stringify(n)} refused`);
      // A backslash is a separator there: that name cannot even be given, and is refused as a path.
      assert.match(r.err, n.includes('\\') ? /^dispatch: .* is not a dispatch in / : /^dispatch: .*name Windows cannot use .*\n$/);
    } else assert.equal(r.code, 0, `${JSON.stringify(n)}: ${r.err}`);
  }
  const nw = readdirSync(path.join(root, 'qa', 'new'));
  const cur = readdirSync(path.join(root, 'qa', 'cur'));
  assert.equal(nw.length + cur.length, FOREIGN_NAMES.length + 1, `new: ${JSON.stringify(nw)} cur: ${JSON.stringify(cur)}`);
  assert.deepEqual(nw.sort(), FOREIGN_NAMES.filter(refusedHere).sort(), 'only the refused stay in new/');
  // `Case.md`, `case.md` and the acknowledged `CASE.md`: three files, none replaced (Windows finds names case-blind).
  assert.equal(readFileSync(path.join(root, 'qa', 'cur', FOREIGN_CUR), 'utf8'), 'acknowledged before\n');
  for (const n of FOREIGN_NAMES.filter((x) => !refusedHere(x))) {
    const body = cur.map((c) => readFileSync(path.join(root, 'qa', 'cur', c), 'utf8')).filter((t) => t.includes(`# ${n}\n`));
    assert.equal(body.length, 1, `${JSON.stringify(n)} once in cur/`);
  }
});

test('paths past 260 characters: send, list, show, ack, complete and the index work', async () => {
  let root = tempRoot();
  while (root.length < 200) root = path.join(root, 'a-rather-long-folder-name-for-a-dispatch-root');
  const cli = (...a: string[]) => dispatch(['--root', root, ...a]);
  assert.equal((await cli('init', 'qa')).code, 0);
  const slug = 'a-slug-long-enough-to-take-the-path-well-past-260-characters';
  const sent = json<D>((await cli('send', '--to', 'qa', '--from', 'engineering', '--slug', slug, '--title', 'Long', '--json')).out);
  assert.ok(sent.path.length > 260, `${sent.path.length} characters`);
  assert.ok(existsSync(sent.path));
  const index = new DispatchIndex(root, { loadNewMeta: false, reconcile: 0 });
  await index.start();
  assert.equal(index.count('qa', 'new'), 1);
  index.dispose();
  assert.equal(json<D[]>((await cli('list', '--json')).out)[0].path, sent.path);
  assert.match((await cli('show', sent.id)).out, /^Long\n/);
  assert.equal((await cli('ack', sent.id)).code, 0);
  assert.equal((await cli('complete', sent.id)).code, 0);
  assert.match(readFileSync(path.join(root, 'qa', 'cur', `${sent.id}.md`), 'utf8'), /^status: completed$/m);
});

test('a folder cannot be fsynced on Windows (EPERM): deliveries and a batch of acknowledges still complete', async () => {
  const root = tempRoot();
  const fd = openSync(root, 'r');
  try {
    if (onWindows) assert.throws(() => fsyncSync(fd), { code: 'EPERM' });
    else fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const s = new DispatchStore(root);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await s.deliver({ to: 'qa', from: 'eng', slug: `n${i}` })).id);
  const r = await dispatch(['--root', root, 'ack', ...ids]);
  assert.equal(r.code, 0, r.err);
  assert.equal(readdirSync(path.join(root, 'qa', 'cur')).length, 5);
});

test('fs.watch (ReadDirectoryChangesW on Windows) alone tells the index of arrivals, acknowledges and deletions', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['qa']);
  // No lost-event checks: only the OS's events can bring these.
  const index = new DispatchIndex(root, { loadNewMeta: false, reconcile: 0 });
  const events: IndexEvent[] = [];
  index.onEvent((e) => events.push(e));
  await index.start();
  await index.watching;
  const d = await s.deliver({ to: 'qa', from: 'eng', title: 'Watched' });
  await until(() => index.count('qa', 'new') === 1, 10_000, 'the arrival');
  const added = events.find((e) => e.type === 'add');
  assert.equal(added?.type === 'add' && added.dispatch.toJSON().path, d.path, '`watch --json` path');
  const acked = await s.acknowledge(d);
  await until(() => index.count('qa', 'new') === 0 && index.count('qa', 'cur') === 1, 10_000, 'the acknowledge');
  unlinkSync(acked.dispatch.path);
  await until(() => index.count('qa', 'cur') === 0, 10_000, 'the deletion');
  mkdirSync(path.join(root, 'ops', 'new'), { recursive: true });
  writeFileSync(path.join(root, 'ops', 'new', 'x.md'), '# x\n');
  await until(() => index.count('ops', 'new') === 1, 10_000, 'a new team');
  index.dispose();
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
