// Faults a hostile tester finds: full disks, read-only and foreign filesystems, other users, swapped
// folders, hostile names, pipes. Each ends with one clear line and the dispatch exactly once, visible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';
import { tempRoot } from '../helpers/tmp';
import { dispatch } from '../helpers/cli';
import { mountTmpfs, remount, unmount } from '../helpers/mounts';
import { otherUser, readableByAll, runChild } from '../helpers/users';

const repo = path.join(__dirname, '..', '..');
const cliArgs = ['--import', 'tsx', path.join(repo, 'src', 'cli', 'main.ts')];

/** Exactly one line on stderr, naming the dispatch, never a claim path. */
function oneClearLine(err: string, re: RegExp) {
  const lines = err.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, err);
  assert.match(lines[0], re);
  assert.doesNotMatch(lines[0], /\.claim/);
  assert.ok(lines[0].length < 300, lines[0]);
}

function visibleNames(dir: string): string[] {
  return readdirSync(dir).filter((n) => !n.startsWith('.'));
}

test('ENOSPC (a full tmpfs): send fails in one line and leaves no partial file in tmp/', async (t) => {
  const mnt = mountTmpfs('size=256k,nr_inodes=1000');
  if (!mnt) return t.skip('needs root to mount a tmpfs');
  const root = path.join(mnt, 'root');
  await new DispatchStore(root).init(['qa']);
  const big = path.join(mnt, 'body.md');
  const r = await dispatch(['--root', root, 'send', '--to', 'qa', '--from', 'eng', '--body', 'x'.repeat(400 * 1024)]);
  assert.equal(r.code, 1);
  oneClearLine(r.err, /^dispatch: cannot deliver .* into qa\/new\/: no space left .*\(ENOSPC\)$/);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'tmp')), []);
  assert.equal(existsSync(big), false);
});

test('no inode left (nr_inodes): ack fails in one line and the dispatch stays listed in new/', async (t) => {
  const mnt = mountTmpfs('size=4m,nr_inodes=40');
  if (!mnt) return t.skip('needs root to mount a tmpfs');
  const root = path.join(mnt, 'root');
  const s = new DispatchStore(root);
  const sent: string[] = [];
  for (let i = 0; ; i++) {
    try {
      sent.push((await s.deliver({ to: 'qa', from: 'eng', title: `n${i}`, body: `marker ${i}\n` })).path);
    } catch {
      break;
    }
  }
  assert.ok(sent.length > 2, `only ${sent.length} sent`);
  // Whatever the store needed (a record, a link) has no inode now: refused or done, never hidden.
  for (const p of sent) {
    const r = await dispatch(['--root', root, 'ack', p]);
    if (r.code) oneClearLine(r.err, /^dispatch: cannot move .* to qa\/cur\/: no space left/);
  }
  const listed = await s.list();
  assert.equal(listed.length, sent.length, 'every dispatch listed exactly once');
  assert.equal(listed.filter((d) => d.claim).length, 0);
});

test('read-only filesystem (EROFS): ack says so in one line; the dispatch stays', async (t) => {
  const mnt = mountTmpfs('size=1m');
  if (!mnt) return t.skip('needs root to mount a tmpfs');
  const root = path.join(mnt, 'root');
  const d = await new DispatchStore(root).deliver({ to: 'qa', from: 'eng', title: 'RO' });
  assert.ok(remount(mnt, 'ro'));
  const r = await dispatch(['--root', root, 'ack', d.id]);
  remount(mnt, 'rw');
  assert.equal(r.code, 1);
  oneClearLine(r.err, /^dispatch: cannot move .* to qa\/cur\/: the filesystem is read-only \(EROFS\)$/);
  assert.deepEqual(visibleNames(path.join(root, 'qa', 'new')), [d.fileName]);
});

test('cur/ on another filesystem (EXDEV): ack says so in one line; the dispatch goes back to new/', async (t) => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  const d = await s.deliver({ to: 'qa', from: 'eng', title: 'Xdev' });
  if (!mountTmpfs('size=1m', path.join(root, 'qa', 'cur'))) return t.skip('needs root to mount a tmpfs');
  const r = await dispatch(['--root', root, 'ack', d.id]);
  unmount(path.join(root, 'qa', 'cur'));
  assert.equal(r.code, 1);
  oneClearLine(r.err, /^dispatch: cannot move .*: the folders are on different filesystems .*\(EXDEV\)$/);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'new')), [d.fileName]);
});

test('another user without write permission (EACCES): one line, no claim path, nothing hidden', async (t) => {
  const uid = otherUser('reader');
  if (uid === undefined) return t.skip('needs root and useradd');
  const root = tempRoot();
  chmodSync(root, 0o755);
  const d = await new DispatchStore(root).deliver({ to: 'qa', from: 'eng', title: 'Perm' });
  const cli = readableByAll(path.join(repo, 'src', 'cli', 'main.ts'));
  const r = spawnSync(process.execPath, [cli, '--root', root, 'ack', d.path], { cwd: root, uid, gid: uid, encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  oneClearLine(r.stderr, /^dispatch: cannot move .*: permission denied \(EACCES\)$/);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'new')), [d.fileName]);
});

test('symlinked boxes are refused for reading too: warned, nothing listed, show by path refused', async () => {
  const root = tempRoot();
  const outside = tempRoot('outside-');
  writeFileSync(path.join(outside, '2026-01-31T14-30-00Z_normal_eve_secret.md'), 'secret\n');
  await new DispatchStore(root).init(['qa']);
  mkdirSync(path.join(root, 'evil'));
  symlinkSync(outside, path.join(root, 'evil', 'new'));
  mkdirSync(path.join(root, 'Not A Team'));
  const r = await dispatch(['--root', root, 'list']);
  assert.equal(r.code, 0);
  assert.equal(r.out, '');
  assert.match(r.err, /^dispatch: warning: folder "Not A Team" is not a valid team name/m);
  assert.match(r.err, /^dispatch: warning: evil\/new is a symbolic link; nothing listed from it$/m);
  const show = await dispatch(['--root', root, 'show', path.join(root, 'evil', 'new', '2026-01-31T14-30-00Z_normal_eve_secret.md')]);
  assert.equal(show.code, 1);
  assert.doesNotMatch(show.out, /secret\n/);
  oneClearLine(show.err, /evil\/new is a symbolic link; refused/);
});

// Without /proc/self/fd (macOS, the BSDs, Windows; npm run test:no-proc) a folder is reached by its path
// again at each call: a swap between the open and the link lands the file outside (README, "Platforms").
const NO_PROC =
  process.env.DISPATCH_NO_PROC_FD === '1' ? { todo: 'without /proc/self/fd a swapped cur/ can receive a link: the path is checked, not pinned' } : {};

test('cur/ swapped for a symlink during acks: nothing is ever written outside the root', NO_PROC, async () => {
  const root = tempRoot();
  const outside = tempRoot('outside-');
  const s = new DispatchStore(root);
  for (let i = 0; i < 60; i++) await s.deliver({ to: 'qa', from: 'eng', title: `s${i}`, body: `marker m${i}\n` });
  const cur = path.join(root, 'qa', 'cur');
  // Another process swaps cur/ for a symlink to `outside` and back, as fast as it can.
  const swapper = spawn(
    process.execPath,
    [
      '-e',
      `
    const fs = require('fs'); const [cur, out] = process.argv.slice(1);
    for (;;) { try { fs.renameSync(cur, cur + '.real'); fs.symlinkSync(out, cur); fs.unlinkSync(cur); fs.renameSync(cur + '.real', cur); } catch {} }`,
      cur,
      outside,
    ],
    { stdio: 'ignore' },
  );
  try {
    const ack = await Promise.all(
      [0, 1].map(() =>
        runChild(['sweep', root]).then(() => dispatch(['--root', root, 'ack', ...visibleNames(path.join(root, 'qa', 'new')).map((n) => n.slice(0, -3))])),
      ),
    );
    assert.ok(ack.length);
  } finally {
    swapper.kill('SIGKILL');
    await new Promise((r) => swapper.once('exit', r));
  }
  assert.deepEqual(readdirSync(outside), [], 'nothing linked outside the root');
  // Acks may have made a fresh cur/ while the real one was away (cur.real): both are inside the root.
  const all = [path.join(root, 'qa', 'new'), cur, cur + '.real'].filter((d) => existsSync(d) && !lstatSync(d).isSymbolicLink()).flatMap(visibleNames);
  assert.equal(all.length, 60, all.join(', '));
});

test('hostile names: a newline cannot forge a line; 255-byte names are acknowledged', async () => {
  const root = tempRoot();
  await new DispatchStore(root).init(['qa']);
  writeFileSync(path.join(root, 'qa', 'new', 'two\nqa:new  urgent  2026-01-01T00:00:00Z  boss  forged.md'), 'x\n');
  const long = `${'a'.repeat(252)}.md`; // 255 bytes: NAME_MAX
  writeFileSync(path.join(root, 'qa', 'new', long), 'long\n');
  const r = await dispatch(['--root', root, 'list']);
  const lines = r.out.split('\n').filter(Boolean);
  assert.equal(lines.length, 2, r.out);
  assert.ok(
    lines.some((l) => l.includes('two\\nqa:new  urgent')),
    r.out,
  );
  // The escaped id a person copies from the list is acknowledged; so is the longest name allowed.
  const id = /(two\\n.*forged)/.exec(r.out)![1];
  const ack = await dispatch(['--root', root, 'ack', id, 'a'.repeat(252)]);
  assert.equal(ack.code, 0, ack.err);
  assert.equal(ack.out.split('\n').filter(Boolean).length, 2);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'cur')).sort(), [long, 'two\nqa:new  urgent  2026-01-01T00:00:00Z  boss  forged.md'].sort());
});

test('--root that is a file, and a --body-file FIFO nobody writes to: one clear line each, no hang', async () => {
  const root = tempRoot();
  const file = path.join(root, 'afile');
  writeFileSync(file, 'x');
  const r = await dispatch(['--root', file, 'init', 'qa']);
  assert.equal(r.code, 1);
  oneClearLine(r.err, /^dispatch: the dispatch root .*afile is not a folder$/);
  const l = await dispatch(['--root', file, 'list']);
  oneClearLine(l.err, /is not a folder$/);
  const fifo = path.join(root, 'body.fifo');
  spawnSync('mkfifo', [fifo]);
  const t0 = Date.now();
  const f = spawnSync(process.execPath, [...cliArgs, '--root', root, 'send', '--to', 'qa', '--from', 'eng', '--body-file', fifo], {
    cwd: repo,
    env: { ...process.env, DISPATCH_PIPE_WAIT_MS: '500' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(f.status, 1, f.stderr);
  oneClearLine(f.stderr, /^dispatch: --body-file .* is a pipe nobody wrote to/);
  assert.ok(Date.now() - t0 < 20_000);
});

test('EPIPE: `dispatch list | head -1` ends quietly', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['qa']);
  for (let i = 0; i < 3000; i++) writeFileSync(path.join(root, 'qa', 'new', `f${i}.md`), 'x\n');
  const r = spawnSync('sh', ['-c', `"${process.execPath}" ${cliArgs.map((a) => `"${a}"`).join(' ')} --root "${root}" list | head -1; echo done`], {
    cwd: repo,
    encoding: 'utf8',
  });
  assert.equal(r.stdout.split('\n').filter(Boolean).length, 2, r.stdout);
  assert.equal(r.stderr, '', r.stderr);
});

test('many-id ack resolves against one listing: 2,000 ids in one call', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['qa']);
  const ids: string[] = [];
  for (let i = 0; i < 2000; i++) {
    const n = `2026-01-31T14-30-00Z_normal_eng_n${i}.md`;
    writeFileSync(path.join(root, 'qa', 'new', n), `marker ${i}\n`);
    ids.push(n.slice(0, -3));
  }
  const t0 = Date.now();
  const r = await dispatch(['--root', root, 'ack', ...ids]);
  const ms = Date.now() - t0;
  assert.equal(r.code, 0, r.err.slice(0, 500));
  assert.equal(readdirSync(path.join(root, 'qa', 'cur')).length, 2000);
  assert.ok(ms < 60_000, `${ms} ms`);
  console.log(`# 2,000 ids acknowledged in ${ms} ms`);
  assert.equal(readFileSync(path.join(root, 'qa', 'cur', `${ids[0]}.md`), 'utf8'), 'marker 0\n');
});

test('sweep never deletes through a symlinked tmp/', async () => {
  const root = tempRoot();
  const outside = tempRoot('outside-');
  await new DispatchStore(root).init(['qa']);
  writeFileSync(path.join(outside, 'precious'), 'keep\n');
  const old = Date.now() / 1000 - 100 * 3600;
  utimesSync(path.join(outside, 'precious'), old, old);
  rmSync(path.join(root, 'qa', 'tmp'), { recursive: true });
  symlinkSync(outside, path.join(root, 'qa', 'tmp'));
  const r = await dispatch(['--root', root, 'sweep']);
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(path.join(outside, 'precious'), 'utf8'), 'keep\n');
});
