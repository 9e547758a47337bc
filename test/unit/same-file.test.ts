// "Already" across mounts: inode numbers differ per mount, so a racer recognises the file it saw by
// size, mtime and a hash of its first bytes. Another file of the same name, size and mtime at the
// destination is not taken for it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { headHash, sameFile } from '../../src/core/move';
import { DispatchStore } from '../../src/core/store';
import { tempRoot } from '../helpers/tmp';

test('sameFile: same size and mtime but other bytes is another file; a copy with the same bytes passes', async () => {
  const dir = tempRoot();
  const a = path.join(dir, 'a.md');
  writeFileSync(a, 'status: pending\nbody A\n');
  const st = statSync(a);
  const seen = { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, head: await headHash(a) };
  const other = path.join(dir, 'b.md');
  writeFileSync(other, 'status: pending\nbody B\n');
  utimesSync(other, st.atime, st.mtime);
  assert.equal(await sameFile(other, lstatSync(other), seen), false);
  const copy = path.join(dir, 'c.md');
  writeFileSync(copy, 'status: pending\nbody A\n');
  utimesSync(copy, st.atime, st.mtime);
  assert.equal(await sameFile(copy, lstatSync(copy), seen), true, 'another mount sees this as the same file');
});

test('ack by path: the file gone and another one of its name, size and mtime in cur/ is not "already"', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  const sent = await s.deliver({ to: 'qa', from: 'eng', title: 'Mine', body: 'body A\n' });
  const d = await s.resolve(sent.path); // seen now, as a racer on another mount would
  const st = statSync(sent.path);
  const text = readFileSync(sent.path, 'utf8');
  // Meanwhile: it is taken away (kept, so that its inode is not reused), and a different dispatch of the
  // same name, size and mtime lands in cur/.
  renameSync(sent.path, path.join(root, 'taken-away.md'));
  const cur = path.join(root, 'qa', 'cur', sent.fileName);
  writeFileSync(cur + '.tmp', text.replace('body A', 'body B'));
  utimesSync(cur + '.tmp', st.atime, st.mtime);
  renameSync(cur + '.tmp', cur);
  await assert.rejects(s.acknowledge(d), /moved or deleted by someone else/);
});
