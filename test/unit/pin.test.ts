// The path without /proc/self/fd (macOS, the BSDs, Windows), taken here by DISPATCH_NO_PROC_FD=1: a pinned
// folder is reached by its path, and verify() is what tells that the path no longer leads to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { tempRoot } from '../helpers/tmp';

test('without /proc/self/fd: a box is reached by its path; verify() tells it swapped for a symlink, and listing it is refused', async () => {
  process.env.DISPATCH_NO_PROC_FD = '1'; // read when pin.ts loads: nothing in this file has loaded it yet
  const { pinBox } = await import('../../src/core/fs/pin');
  const { DispatchStore } = await import('../../src/core/store');
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.deliver({ to: 'qa', from: 'eng', title: 'Pinned' });
  const box = path.join(root, 'qa', 'new');
  const dir = await pinBox(root, 'qa', 'new');
  try {
    assert.equal(dir.path, box, 'the path, not /proc/self/fd/N');
    assert.equal(await dir.verify(), true);
    renameSync(box, `${box}.real`);
    mkdirSync(path.join(root, 'elsewhere'));
    symlinkSync(path.join(root, 'elsewhere'), box);
    assert.equal(await dir.verify(), false, 'the path leads elsewhere now');
  } finally {
    await dir.close();
  }
  const l = await s.scan({ teams: ['qa'] });
  assert.deepEqual(l.dispatches, []);
  assert.deepEqual(l.warnings, ['qa/new is a symbolic link; nothing listed from it']);
});
