// Cadences under faults, on the real filesystem: a sender killed (kill -9, a real child process) between
// its marker and its delivery, or between delivery and recording it; markers left by another host; a
// symlinked `.cadences/`; a full disk (tmpfs with a size limit, as root); TEAM.md's mode and group.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { localDate } from '../../src/core/cadences/table';
import { sendDueCadences } from '../../src/core/cadences/send';
import { DispatchStore } from '../../src/core/store';
import { mountTmpfs } from '../helpers/mounts';
import { runMain } from '../helpers/run-main';
import { tempRoot } from '../helpers/tmp';
import { testGroup } from '../helpers/users';

const repo = path.join(__dirname, '..', '..');
const TABLE = '# Team\n\n## Cadences\n| Dispatch | To | Frequency | Last Sent |\n|---|---|---|---|\n| Site health check | web_ops | weekly | never |\n';

function setup(dir = tempRoot('cadence-fault-'), root = path.join(dir, 'root')) {
  const file = path.join(dir, 'TEAM.md');
  writeFileSync(file, TABLE);
  return { dir, file, store: new DispatchStore(root) };
}

const send = (store: DispatchStore, file: string) => sendDueCadences(store, file, { from: 'engineering', today: localDate() });

/** Every dispatch for the row, wherever it is now. */
async function copies(store: DispatchStore): Promise<string[]> {
  return (await store.list({ teams: ['web_ops'] })).map((d) => `${d.box}/${d.fileName}`);
}

/** `dispatch cadences --send` in a child process that SIGKILLs itself at `at` (DISPATCH_KILL_AT). */
function killedSender(root: string, file: string, at: string): Promise<NodeJS.Signals | null> {
  const barrier = tempRoot('cadence-barrier-');
  const child = path.join(repo, 'test', 'helpers', 'cadence-child.ts');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, root, file, `${barrier}:1`], {
      cwd: repo,
      env: { ...process.env, DISPATCH_KILL_AT: at },
      stdio: 'ignore',
    });
    p.on('error', reject);
    p.on('exit', (_code, signal) => resolve(signal));
  });
}

test('kill -9 between the marker and the delivery: the next run takes over at once and sends exactly once', { timeout: 120_000 }, async () => {
  const { file, store } = setup();
  assert.equal(await killedSender(store.root, file, 'cadence-claimed'), 'SIGKILL');
  assert.deepEqual(await copies(store), [], 'killed before it delivered');
  assert.equal(readFileSync(file, 'utf8'), TABLE);
  const r = await send(store, file);
  assert.deepEqual(
    r.cadences.map((c) => c.result),
    ['sent'],
    JSON.stringify(r.cadences),
  );
  assert.equal((await copies(store)).length, 1);
  assert.match(readFileSync(file, 'utf8'), new RegExp(`\\| ${localDate()} \\|`));
  const again = await send(store, file);
  assert.deepEqual(
    again.cadences.map((c) => c.result),
    ['not-due'],
  );
  assert.equal((await copies(store)).length, 1);
  assert.deepEqual(
    readdirSync(path.join(store.root, '.cadences')).filter((n) => n.startsWith('.')),
    [],
    'no temporaries left',
  );
});

test('kill -9 after the delivery, before it was recorded, then acknowledged at once: never sent twice', { timeout: 120_000 }, async () => {
  const { file, store } = setup();
  assert.equal(await killedSender(store.root, file, 'cadence-delivered'), 'SIGKILL');
  const [first] = await store.list({ teams: ['web_ops'], box: 'new' });
  assert.ok(first, 'delivered before the kill');
  await store.acknowledge(first); // no longer pending: only the marker can tell it was sent
  const r = await send(store, file);
  assert.deepEqual(
    r.cadences.map((c) => c.result),
    ['skipped'],
  );
  assert.match(r.cadences[0].skip_reason!, /already sent today: .*site-health-check \(by a run that was interrupted\)/);
  assert.deepEqual(await copies(store), [`cur/${first.fileName}`]);
  assert.equal(readFileSync(file, 'utf8'), TABLE.replace('| never |', `| ${localDate()} |`), 'its Last Sent written now');
  assert.equal((await send(store, file)).cadences[0].result, 'not-due');
});

test('kill -9 while Last Sent is written: the next run writes it, and leaves no lock or temporary beside TEAM.md', { timeout: 120_000 }, async () => {
  const { dir, file, store } = setup();
  assert.equal(await killedSender(store.root, file, 'cadence-last-sent'), 'SIGKILL');
  assert.equal(readFileSync(file, 'utf8'), TABLE, 'killed before the rename');
  assert.ok(readdirSync(dir).length > 2, 'the killed writer left its lock and temporary');
  const r = await send(store, file);
  assert.deepEqual([r.cadences[0].result, r.last_sent.updated], ['skipped', 1]);
  assert.equal(readFileSync(file, 'utf8'), TABLE.replace('| never |', `| ${localDate()} |`));
  assert.deepEqual(readdirSync(dir).sort(), ['TEAM.md', 'root']);
  assert.equal((await copies(store)).length, 1);
});

test('a marker left by a writer that is gone: taken over (a dead pid here at once, another host after 10 minutes)', async () => {
  const { file, store } = setup();
  const markers = path.join(store.root, '.cadences');
  mkdirSync(markers, { recursive: true });
  const name = `${localDate()}.engineering.web_ops.site-health-check`;
  // As a sender killed after its marker leaves it: its pid, no dispatch. (A pid that no longer runs.)
  const dead = await new Promise<number>((resolve) => {
    const p = spawn(process.execPath, ['-e', '0']);
    p.on('exit', () => resolve(p.pid!));
  });
  writeFileSync(path.join(markers, name), JSON.stringify({ pid: dead, host: os.hostname(), created: new Date().toISOString() }) + '\n');
  assert.equal((await send(store, file)).cadences[0].result, 'sent', 'taken over at once');
  assert.equal((await copies(store)).length, 1);

  const other = setup();
  const m2 = path.join(other.store.root, '.cadences');
  mkdirSync(m2, { recursive: true });
  writeFileSync(path.join(m2, name), JSON.stringify({ pid: 1, host: 'another-machine', created: new Date().toISOString() }) + '\n');
  const busy = await send(other.store, other.file);
  assert.deepEqual([busy.cadences[0].result, busy.cadences[0].skip_reason], ['skipped', 'being sent by another process right now']);
  const old = (Date.now() - 11 * 60_000) / 1000;
  utimesSync(path.join(m2, name), old, old);
  assert.equal((await send(other.store, other.file)).cadences[0].result, 'sent', 'taken over after 10 minutes');
  assert.equal((await copies(other.store)).length, 1);
});

test('a symlinked .cadences/ is refused, and nothing outside the root is read or deleted', async () => {
  const { dir, file, store } = setup();
  const outside = path.join(dir, 'outside');
  mkdirSync(outside);
  for (const n of ['2020-01-01.precious', '2020-01-01.engineering.web_ops.x', `${localDate()}.engineering.web_ops.site-health-check`])
    writeFileSync(path.join(outside, n), '{"dispatch":"/etc/passwd"}');
  mkdirSync(store.root, { recursive: true });
  symlinkSync(outside, path.join(store.root, '.cadences'));
  const r = await runMain(['--root', store.root, 'cadences', '--send', '--from', 'engineering', '--file', file], {});
  assert.equal(r.code, 1);
  assert.match(
    r.out,
    /^FAILED +Site health check .*\/root\/\.cadences is a symbolic link; refused: cadence markers live only in a real folder under the root\)$/m,
  );
  // Listing the rows does not read it either, and still works.
  const list = await runMain(['--root', store.root, 'cadences', '--from', 'engineering', '--file', file], {});
  assert.equal(list.code, 0, list.err);
  assert.match(list.out, /^due +Site health check/m);
  assert.deepEqual(readdirSync(outside).sort(), [
    '2020-01-01.engineering.web_ops.x',
    '2020-01-01.precious',
    `${localDate()}.engineering.web_ops.site-health-check`,
  ]);
  assert.deepEqual(await copies(store), []);
  assert.equal(readFileSync(file, 'utf8'), TABLE);
});

test('TEAM.md keeps its mode (600, 664 under umask 022) and its group; only the Last Sent cell changes', async () => {
  const group = testGroup('cad');
  for (const mode of [0o600, 0o664]) {
    const { file, store } = setup();
    chmodSync(file, mode);
    if (group) chownSync(file, 0, group.gid);
    const before = statSync(file);
    const umask = process.umask(0o022);
    try {
      assert.equal((await send(store, file)).last_sent.updated, 1);
    } finally {
      process.umask(umask);
    }
    const after = statSync(file);
    assert.equal((after.mode & 0o7777).toString(8), mode.toString(8));
    assert.deepEqual([after.uid, after.gid], [before.uid, before.gid]);
    assert.equal(readFileSync(file, 'utf8'), TABLE.replace('| never |', `| ${localDate()} |`));
    assert.deepEqual(readdirSync(path.dirname(file)).sort(), ['TEAM.md', 'root']);
  }
});

test('a full disk: nothing left behind (no empty marker, lock or temporary), one clear line', async (t) => {
  const full = mountTmpfs('size=64k,nr_inodes=400');
  if (!full) return t.skip('needs root to mount a tmpfs');
  // The root on a full filesystem: nothing can be claimed, nothing is sent.
  const { file, store } = setup(tempRoot('cadence-full-'), path.join(full, 'root'));
  await store.init(['web_ops', 'engineering']);
  fill(full);
  const r = await runMain(['--root', store.root, 'cadences', '--send', '--from', 'engineering', '--file', file], {});
  assert.equal(r.code, 1);
  const failed = r.out.split('\n').filter((l) => l.startsWith('FAILED'));
  assert.equal(failed.length, 1, r.out);
  assert.match(failed[0], /no space left on the filesystem \(blocks or inodes\) \(ENOSPC\)\)$/);
  assert.doesNotMatch(r.out + r.err, /ENOSPC: no space left on device/, "never Node's raw message");
  assert.equal(existsSync(path.join(store.root, '.cadences')), false, 'no marker folder, no empty marker');
  assert.deepEqual(await copies(store), []);
  assert.equal(readFileSync(file, 'utf8'), TABLE);

  // TEAM.md on a full filesystem, the root elsewhere: sent, and Last Sent not written, said once.
  const full2 = mountTmpfs('size=64k,nr_inodes=400');
  assert.ok(full2);
  const team = setup(full2, path.join(tempRoot('cadence-root-'), 'root'));
  fill(full2);
  const r2 = await runMain(['--root', team.store.root, 'cadences', '--send', '--from', 'engineering', '--file', team.file], {});
  assert.equal(r2.code, 1);
  assert.match(r2.out, /^sent +Site health check/m);
  assert.match(r2.err, /^dispatch: Last Sent not updated: cannot write .*TEAM\.md(\.lock)?: no space left on the filesystem \(blocks or inodes\) \(ENOSPC\)$/m);
  assert.equal(r2.err.trim().split('\n').length, 1, r2.err);
  assert.equal(readFileSync(team.file, 'utf8'), TABLE);
  assert.deepEqual(readdirSync(full2).sort(), ['TEAM.md', 'filler'], 'no lock, no temporary beside TEAM.md');
});

/** Fills a filesystem's blocks (its inodes stay free: creating an empty file still succeeds). */
function fill(dir: string): void {
  const chunk = Buffer.alloc(4096, 1);
  const p = path.join(dir, 'filler');
  for (;;) {
    try {
      writeFileSync(p, chunk, { flag: 'a' });
    } catch {
      return;
    }
  }
}
