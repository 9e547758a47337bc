// Moves killed (SIGKILL, real processes) at every step, repaired by sweep: exactly one copy, visible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';
import { tempRoot } from '../helpers/tmp';
import { otherUser, runChild } from '../helpers/users';

/** Every file under the root holding `marker`, dotfiles included (a hidden copy counts as a copy). */
function census(root: string, marker: string): { visible: string[]; hidden: string[] } {
  const visible: string[] = [];
  const hidden: string[] = [];
  for (const team of readdirSync(root)) {
    for (const box of ['new', 'cur']) {
      let names: string[] = [];
      try {
        names = readdirSync(path.join(root, team, box));
      } catch {
        continue;
      }
      for (const n of names) {
        const text = readFileSync(path.join(root, team, box, n), 'utf8');
        if (!text.includes(marker)) continue;
        (n.startsWith('.') ? hidden : visible).push(`${team}/${box}/${n}`);
      }
    }
  }
  return { visible, hidden };
}

const STEPS = ['recorded', 'claimed', 'prepared', 'placed', 'unclaimed'];

for (const op of ['ack', 'rewrite', 'inplace']) {
  test(`${op} killed at each step: listed exactly once before and after sweep, one copy on disk`, async () => {
    const root = tempRoot();
    const s = new DispatchStore(root);
    for (const step of STEPS) {
      const marker = `marker-${op}-${step}`;
      const d = await s.deliver({ to: 'qa', from: 'engineering', title: `${op} ${step}`, body: `${marker}\n` });
      const r = await runChild([op, root, d.path], step);
      assert.equal(r.signal, 'SIGKILL', `${op} was not killed at ${step}: ${r.stderr}`);
      const listed = (await s.list()).filter((x) => x.slug === d.slug);
      assert.equal(listed.length, 1, `${op} killed at ${step}: listed ${listed.length} times`);
      await s.sweep(36, Date.now() + 11 * 60_000);
      const c = census(root, marker);
      assert.deepEqual(c.hidden, [], `${op} at ${step}: claim files left after sweep`);
      assert.equal(c.visible.length, 1, `${op} at ${step}: ${JSON.stringify(c.visible)}`);
      const text = readFileSync(path.join(root, c.visible[0]), 'utf8');
      assert.match(text, /^status: (pending|accepted)$/m, 'old content or new, never a mix');
      assert.equal((await s.list()).filter((x) => x.slug === d.slug).length, 1);
    }
  });
}

test('a rewrite places a new file with the new bytes; the old one is gone', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  const d = await s.deliver({ to: 'qa', from: 'engineering', title: 'Rewrite', body: 'marker-rw\n' });
  const r = await runChild(['rewrite', root, d.path]);
  assert.equal(r.code, 0, r.stderr);
  const placed = JSON.parse(r.stdout) as { status: string; path: string };
  assert.equal(placed.status, 'moved');
  assert.match(readFileSync(placed.path, 'utf8'), /^status: accepted$/m);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'new')), []);
  assert.deepEqual(census(root, 'marker-rw').visible, [`qa/cur/${d.fileName}`]);
});

test('four sweeps at once restore each stranded claim exactly once', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  for (let i = 0; i < 6; i++) {
    const d = await s.deliver({ to: 'qa', from: 'engineering', title: `stranded ${i}`, body: `marker-s${i}\n` });
    assert.equal((await runChild(['ack', root, d.path], 'claimed')).signal, 'SIGKILL');
  }
  assert.equal(readdirSync(path.join(root, 'qa', 'new')).filter((n) => !n.startsWith('.')).length, 0);
  const sweeps = await Promise.all([0, 1, 2, 3].map(() => runChild(['sweep', root])));
  for (const r of sweeps) assert.equal(r.code, 0, r.stderr);
  for (let i = 0; i < 6; i++) assert.deepEqual(census(root, `marker-s${i}`), { visible: [census(root, `marker-s${i}`).visible[0]], hidden: [] });
  assert.equal(readdirSync(path.join(root, 'qa', 'new')).length, 6, readdirSync(path.join(root, 'qa', 'new')).join(', '));
});

test('a dispatch whose original name is taken again is restored under a free variant, never over it', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  const d = await s.deliver({ to: 'qa', from: 'engineering', title: 'Taken', body: 'marker-taken\n' });
  assert.equal((await runChild(['ack', root, d.path], 'claimed')).signal, 'SIGKILL');
  writeFileSync(d.path, 'someone else\n');
  await s.sweep(36, Date.now() + 11 * 60_000);
  assert.equal(readFileSync(d.path, 'utf8'), 'someone else\n');
  assert.equal(census(root, 'marker-taken').visible.length, 1);
});

test('shared root, protected_hardlinks: another user acknowledges by placeholder + rename; killed at each step, one copy', async (t) => {
  const uid = otherUser('mover');
  const protectedLinks = readFileSync('/proc/sys/fs/protected_hardlinks', 'utf8').trim() === '1';
  if (uid === undefined || !protectedLinks) return t.skip('needs root, useradd and fs.protected_hardlinks=1');
  const root = tempRoot();
  chmodSync(root, 0o777);
  const s = new DispatchStore(root);
  await s.init(['qa']);
  for (const box of ['tmp', 'new', 'cur']) chmodSync(path.join(root, 'qa', box), 0o777);
  chmodSync(path.join(root, 'qa'), 0o777);
  // A file of root's that the other user may not link (EPERM), as on a root shared by several users.
  const ok = await s.deliver({ to: 'qa', from: 'engineering', title: 'Shared', body: 'marker-shared\n' });
  const r = await runChild(['ack', root, ok.path], undefined, uid);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(census(root, 'marker-shared'), { visible: [`qa/cur/${ok.fileName}`], hidden: [] });
  for (const step of ['recorded', 'claimed', 'placeholder', 'placed']) {
    const marker = `marker-shared-${step}`;
    const d = await s.deliver({ to: 'qa', from: 'engineering', title: `shared ${step}`, body: `${marker}\n` });
    // Already `accepted`, so the acknowledge has no status to write: the same inode moves (link refused → placeholder).
    writeFileSync(d.path, readFileSync(d.path, 'utf8').replace('status: pending', 'status: accepted'));
    const k = await runChild(['ack', root, d.path], step, uid);
    assert.equal(k.signal, 'SIGKILL', `not killed at ${step}: ${k.stderr}`);
    await s.sweep(36, Date.now() + 11 * 60_000);
    const c = census(root, marker);
    assert.deepEqual(c.hidden, [], step);
    assert.equal(c.visible.length, 1, `${step}: ${JSON.stringify(c.visible)}`);
    // No empty placeholder is left where the dispatch was going.
    for (const n of readdirSync(path.join(root, 'qa', 'cur')))
      assert.notEqual(readFileSync(path.join(root, 'qa', 'cur', n)).length, 0, `empty ${n} after ${step}`);
  }
});

test('store.transition: acknowledge with new bytes, and a rewrite in place, each leave one file', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  const d = await s.deliver({ to: 'qa', from: 'engineering', title: 'Lifecycle', body: 'marker-life\n' });
  const accept = (b: Buffer) => Buffer.from(b.toString('utf8').replace(/^status: .*$/m, 'status: accepted'));
  const r = await s.transition(d, 'qa', 'cur', accept);
  assert.equal(r.status, 'moved');
  assert.match(readFileSync(r.dispatch.path, 'utf8'), /^status: accepted$/m);
  const done = await s.transition(r.dispatch, 'qa', 'cur', (b) => Buffer.from(b.toString('utf8').replace(/^status: .*$/m, 'status: completed')));
  assert.equal(done.dispatch.path, r.dispatch.path, 'in place: same name, same box');
  assert.match(readFileSync(done.dispatch.path, 'utf8'), /^status: completed$/m);
  assert.deepEqual(census(root, 'marker-life'), { visible: [`qa/cur/${d.fileName}`], hidden: [] });
});

test('a just-created empty placeholder reads as arriving, not as a broken dispatch', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['qa']);
  writeFileSync(path.join(root, 'qa', 'new', '2026-01-31T14-30-00Z_normal_eng_x.md'), '');
  const [d] = await s.list();
  await s.loadMeta([d]);
  assert.deepEqual(d.warnings, ['arriving (an empty placeholder a move fills in a moment)']);
});

test('a mover killed after its link, whose placed file others moved on since: sweep removes the claim, never restores it', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['eng']);
  const d = await s.deliver({ to: 'qa', from: 'engineering', title: 'Moved on', body: 'marker-on\n' });
  assert.equal((await runChild(['reroute', root, d.path, 'eng'], 'placed')).signal, 'SIGKILL');
  // The rerouted file is acknowledged there: the killed mover's claim still shares its inode.
  const there = (await s.list({ teams: ['eng'] })).find((x) => x.fileName === d.fileName)!;
  await s.acknowledge(there);
  await s.sweep(36, Date.now() + 11 * 60_000);
  assert.deepEqual(census(root, 'marker-on'), { visible: [`eng/cur/${d.fileName}`], hidden: [] });
});

test('a record update killed between write and rename leaves a .claim.*.tmp; sweep clears it, alone or beside its claim', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  const d = await s.deliver({ to: 'qa', from: 'engineering', title: 'Half record', body: 'marker-half\n' });
  assert.equal((await runChild(['ack', root, d.path], 'claimed')).signal, 'SIGKILL');
  const box = path.join(root, 'qa', 'new');
  const claim = readdirSync(box).find((n) => /^\.claim\.[^.]+$/.test(n));
  assert.ok(claim, readdirSync(box).join(', '));
  writeFileSync(path.join(box, `${claim}.tmp`), '{"v":1');
  writeFileSync(path.join(box, '.claim.zzzz-1-0123abcd.tmp'), '{"v":1');
  await s.sweep(36, Date.now() + 11 * 60_000);
  assert.deepEqual(
    readdirSync(box).filter((n) => n.startsWith('.')),
    [],
  );
  assert.equal(census(root, 'marker-half').visible.length, 1);
});
