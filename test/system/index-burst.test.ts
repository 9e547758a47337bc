// The live index under bursts that overflow inotify, and with claims left by killed moves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchIndex } from '../../src/core/live/live-index';
import { DispatchStore } from '../../src/core/store';
import { tempRoot, until } from '../helpers/tmp';
import { runChild } from '../helpers/users';

/** `procs` processes each renaming `per` files from tmp/ into new/ as fast as they can. */
export function renameBurst(root: string, procs: number, per: number): Promise<void> {
  const script = `
    const fs = require('fs'), path = require('path');
    const [root, tag, n] = process.argv.slice(1);
    const tmp = path.join(root, 'qa', 'tmp'), box = path.join(root, 'qa', 'new');
    for (let i = 0; i < +n; i++) { const f = tag + '-' + i + '.md'; fs.writeFileSync(path.join(tmp, f), 'x'); }
    for (let i = 0; i < +n; i++) { const f = tag + '-' + i + '.md'; fs.renameSync(path.join(tmp, f), path.join(box, f)); }`;
  return Promise.all(
    Array.from(
      { length: procs },
      (_, p) =>
        new Promise<void>((resolve, reject) => {
          const c = spawn(process.execPath, ['-e', script, root, `p${p}`, String(per)], { stdio: 'ignore' });
          c.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`burst writer exited ${code}`))));
        }),
    ),
  ).then(() => undefined);
}

test('a burst of 20,000 renames from 4 processes: the index ends knowing every file', { timeout: 120_000 }, async () => {
  const root = tempRoot();
  await new DispatchStore(root).init(['qa']);
  const index = new DispatchIndex(root, { loadNewMeta: false, reconcile: 1000 });
  let adds = 0;
  index.onEvent((e) => e.type === 'add' && adds++);
  await index.start();
  await index.watching;
  const t0 = Date.now();
  await renameBurst(root, 4, 5000);
  const written = Date.now() - t0;
  await until(() => index.count('qa', 'new') === 20_000, 60_000, `20,000 indexed (have ${index.count('qa', 'new')})`);
  console.log(`# 20,000 renames in ${written} ms; indexed after ${Date.now() - t0} ms; add events ${adds}; listings for lost events ${index.recovered}`);
  assert.equal(adds, 20_000, 'each arrival announced once');
  index.dispose();
});

test('a claim left by a killed move is shown in its box as being moved, then as the file once repaired', { timeout: 60_000 }, async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  const d = await s.deliver({ to: 'qa', from: 'eng', title: 'Held' });
  const index = new DispatchIndex(root, { loadNewMeta: false });
  await index.start();
  await index.watching;
  assert.equal((await runChild(['ack', root, d.path], 'claimed')).signal, 'SIGKILL');
  await until(() => !!index.get('qa', 'new', d.fileName)?.claim, 10_000, 'the claim shown as being moved');
  assert.match(index.get('qa', 'new', d.fileName)!.warnings.join(), /being moved/);
  assert.equal(index.count(), 1);
  await s.sweep(36, Date.now() + 11 * 60_000);
  await until(() => index.get('qa', 'new', d.fileName)?.claim === undefined && !!index.get('qa', 'new', d.fileName), 10_000, 'the restored file');
  assert.equal(index.count(), 1);
  index.dispose();
});

test("polling mode sees a killed move's claim too", { timeout: 60_000 }, async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  const d = await s.deliver({ to: 'qa', from: 'eng', title: 'Polled' });
  const index = new DispatchIndex(root, { loadNewMeta: false, poll: true, interval: 200 });
  await index.start();
  assert.equal((await runChild(['ack', root, d.path], 'claimed')).signal, 'SIGKILL');
  await until(() => !!index.get('qa', 'new', d.fileName)?.claim, 10_000, 'the claim shown');
  assert.equal(path.basename(index.get('qa', 'new', d.fileName)!.path), d.fileName);
  index.dispose();
});

for (const poll of [false, true]) {
  test(
    `a move killed between its placeholder and its rename: the index${poll ? ' (polling)' : ''} shows the dispatch once, where it was, never the placeholder`,
    { timeout: 60_000 },
    async () => {
      const root = tempRoot();
      const s = new DispatchStore(root);
      const d = await s.deliver({ to: 'qa', from: 'eng', title: 'Half placed' });
      const index = new DispatchIndex(root, { loadNewMeta: false, poll, interval: 200 });
      await index.start();
      await index.watching;
      assert.equal((await runChild(['ack', root, d.path], 'placeholder')).signal, 'SIGKILL');
      await until(() => !!index.get('qa', 'new', d.fileName)?.claim, 10_000, 'the claim shown as being moved');
      // The empty placeholder in cur/ is there on disk, and its marker beside it.
      assert.ok(readdirSync(path.join(root, 'qa', 'cur')).includes(d.fileName));
      assert.equal(index.get('qa', 'cur', d.fileName), undefined, 'the placeholder is not a dispatch');
      assert.equal(index.count(), 1);
      await s.sweep(36, Date.now() + 11 * 60_000);
      await until(() => index.get('qa', 'new', d.fileName)?.claim === undefined && !!index.get('qa', 'new', d.fileName), 10_000, 'the restored file');
      assert.equal(index.count(), 1);
      assert.deepEqual(readdirSync(path.join(root, 'qa', 'cur')), []);
      index.dispose();
    },
  );
}
