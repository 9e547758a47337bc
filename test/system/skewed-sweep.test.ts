// A machine whose clock runs ahead takes every move in flight for one a killed process abandoned, and
// repairs it while its mover is still at work. Whoever renames the claim first decides (move/move.ts),
// so movers and such repairs racing still leave each dispatch exactly once, whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { readdirSync } from 'node:fs';
import { DispatchStore } from '../../src/core/store';
import { bundled } from '../helpers/bundle';
import { tempRoot, until } from '../helpers/tmp';
import { listed, leftovers, onDisk } from '../helpers/census';

const repo = path.join(__dirname, '..', '..');
const SKEW_MS = Number(process.env.DISPATCH_SKEW_MS) || 8000;

test('moves racing repairs that take them for abandoned ones (a clock 11 minutes ahead): each dispatch once, whole', { timeout: 180_000 }, async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  const N = 40;
  for (let i = 0; i < N; i++) await s.deliver({ to: 'qa', from: 'eng', title: `skew ${i}`, body: `marker k${i}\n` });
  const churn = bundled(path.join(repo, 'test', 'helpers', 'lifecycle-child.ts'));
  const sweeps = bundled(path.join(repo, 'test', 'helpers', 'store-child.ts'));
  const procs: ChildProcess[] = [
    spawn(process.execPath, [churn, 'churn', root], { stdio: 'ignore' }),
    spawn(process.execPath, [churn, 'churn', root], { stdio: 'ignore' }),
    spawn(process.execPath, [sweeps, 'sweeps', root], { stdio: 'ignore' }),
  ];
  try {
    // A soak: the movers and the repair meet as often as they do in this time.
    await until(() => readdirSync(path.join(root, 'qa', 'cur')).length > 0, 60_000, 'the movers at work');
    await new Promise((r) => setTimeout(r, SKEW_MS));
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : Promise.resolve())));
  }
  await s.sweep(36, Date.now() + 11 * 60_000);
  const wrong: string[] = [];
  for (let i = 0; i < N; i++) {
    const shown = await listed(root, `marker k${i}\n`);
    const held = onDisk(root, `marker k${i}\n`);
    if (shown.length !== 1 || held.length !== 1) wrong.push(`k${i}: listed ${shown.join(', ') || 'nowhere'}; on disk ${held.join(', ') || 'nowhere'}`);
  }
  assert.deepEqual(wrong, []);
  assert.deepEqual(leftovers(root), []);
});
