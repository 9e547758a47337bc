// The fault classes of moves that met each other (issue 18), each at the one instant that broke it, with
// real processes killed (SIGKILL) at named steps and the repair run as it runs 11 minutes later:
// a repair that doubled or never came, reads outside the root, a FIFO that hung, modes reset.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';
import { tempRoot } from '../helpers/tmp';
import { runChild } from '../helpers/users';
import { dispatch } from '../helpers/cli';
import { listed, onDisk } from '../helpers/census';

const later = () => Date.now() + 11 * 60_000;

async function setup(marker: string, box: 'new' | 'cur' = 'new') {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['qa', 'web']);
  let d = await s.deliver({ to: 'qa', from: 'eng', title: marker, body: `${marker}\n` });
  if (box === 'cur') d = (await s.acknowledge(d)).dispatch;
  return { root, s, d };
}

/** Exactly once as listed and on disk, after the repair. */
async function once(root: string, marker: string): Promise<string> {
  const shown = await listed(root, marker);
  const held = onDisk(root, marker);
  assert.equal(shown.length, 1, `listed: ${shown.join(', ')}`);
  assert.deepEqual(held, shown, 'on disk exactly where it is listed, no hidden copy');
  return shown[0];
}

for (const [second, arg] of [
  ['complete', undefined],
  ['reroute', 'web'],
] as const) {
  test(`an ack killed once placed, then a ${second} of the placed copy killed after its claim: after sweep, one copy`, async () => {
    const { root, s, d } = await setup(`marker-then-${second}`);
    assert.equal((await runChild(['ack', root, d.path], 'placed')).signal, 'SIGKILL');
    const placed = path.join(root, 'qa', 'cur', d.fileName);
    assert.equal((await runChild([second, root, placed, ...(arg ? [arg] : [])], 'claimed')).signal, 'SIGKILL');
    await s.sweep(36, later());
    await once(root, `marker-then-${second}`);
  });
}

test('an ack killed once placed, then the placed copy archived: after sweep it is only in the archive', async () => {
  const { root, s, d } = await setup('marker-then-archive');
  assert.equal((await runChild(['ack', root, d.path], 'placed')).signal, 'SIGKILL');
  const r = await runChild(['archive', root, path.join(root, 'qa', 'cur', d.fileName)]);
  assert.equal(r.code, 0, r.stderr);
  await s.sweep(36, later());
  assert.match(await once(root, 'marker-then-archive'), /^\.archive\/qa\/\d{4}-\d{2}\//);
});

test('an archive killed after its claim is repaired by sweep (put back in cur/), as archive says it will be', async () => {
  const { root, s, d } = await setup('marker-archive-killed', 'cur');
  assert.equal((await runChild(['archive', root, d.path], 'claimed')).signal, 'SIGKILL');
  await s.sweep(36, later());
  assert.equal(await once(root, 'marker-archive-killed'), `qa/cur/${d.fileName}`);
});

test('complete of a dispatch with a second hard link (a cp -al backup): completed, the backup keeps the old bytes', async () => {
  const { root, d } = await setup('marker-hardlink', 'cur');
  const backup = path.join(tempRoot('backup-'), 'backup.md');
  linkSync(d.path, backup);
  const before = readFileSync(backup, 'utf8');
  const r = await dispatch(['--root', root, 'complete', d.path]);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '', 'no warning: nothing was interrupted');
  assert.match(readFileSync(d.path, 'utf8'), /^status: completed$/m);
  assert.equal(readFileSync(backup, 'utf8'), before);
});

test('a dispatch that is a symlink to a file outside the root: ack moves the link, never what it points at', async () => {
  const root = tempRoot();
  await new DispatchStore(root).init(['qa']);
  const outside = path.join(tempRoot('outside-'), 'secret.md');
  writeFileSync(outside, '---\nstatus: pending\n---\nsecret-outside\n');
  const name = '2026-01-31T14-30-00Z_normal_eve_link.md';
  symlinkSync(outside, path.join(root, 'qa', 'new', name));
  for (const r of [await dispatch(['--root', root, 'ack', name.slice(0, -3)]), await dispatch(['--root', root, 'complete', name.slice(0, -3)])])
    assert.equal(r.code, 0, r.err);
  assert.ok(lstatSync(path.join(root, 'qa', 'cur', name)).isSymbolicLink(), 'still a link');
  assert.deepEqual(onDisk(root, 'secret-outside'), [], "nothing of the outside file's bytes in the root");
  assert.equal(readFileSync(outside, 'utf8'), '---\nstatus: pending\n---\nsecret-outside\n');
});

test('a FIFO named like a dispatch: ack and complete end at once, never wait for a writer', async () => {
  const root = tempRoot();
  await new DispatchStore(root).init(['qa']);
  const name = '2026-01-31T14-30-00Z_normal_eve_pipe.md';
  execFileSync('mkfifo', [path.join(root, 'qa', 'new', name)]);
  const cli = path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts');
  for (const verb of ['ack', 'complete']) {
    const p = spawn(process.execPath, ['--import', 'tsx', cli, '--root', root, verb, name.slice(0, -3)], { stdio: 'ignore' });
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => p.once('exit', (c, s) => r([c, s])));
    clearTimeout(timer);
    assert.equal(signal, null, `${verb} hung on the FIFO`);
    assert.equal(code, 0);
  }
  assert.ok(lstatSync(path.join(root, 'qa', 'cur', name)).isFIFO());
});

test('a rewrite keeps the mode: a private 600 dispatch stays 600, a shared 664 stays 664 with its group', async () => {
  const { root, d } = await setup('marker-mode');
  chmodSync(d.path, 0o600);
  assert.equal((await dispatch(['--root', root, 'ack', d.path])).code, 0);
  const cur = path.join(root, 'qa', 'cur', d.fileName);
  assert.equal(lstatSync(cur).mode & 0o7777, 0o600);
  chmodSync(cur, 0o664);
  const gid = lstatSync(cur).gid;
  assert.equal((await dispatch(['--root', root, 'complete', cur])).code, 0);
  assert.deepEqual([lstatSync(cur).mode & 0o7777, lstatSync(cur).gid], [0o664, gid]);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'cur')), [d.fileName]);
});

test('a move into a folder under the trash or archive that is a symlink is refused; nothing is written outside', async () => {
  const { root, s, d } = await setup('marker-archive-link', 'cur');
  const outside = tempRoot('outside-');
  mkdirSync(path.join(root, '.archive'));
  symlinkSync(outside, path.join(root, '.archive', 'qa'));
  await assert.rejects(s.archive(d), /symbolic link/);
  assert.deepEqual(readdirSync(outside), []);
  await once(root, 'marker-archive-link');
});
