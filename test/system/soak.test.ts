// Randomized kill -9 soak: 4 processes sending, acknowledging, rerouting and sweeping one root, each
// killed at random instants and restarted, for a bounded time. Then one repair, and a census: every
// dispatch whose send returned is found exactly once; nothing is found twice; nothing stays hidden.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';
import { tempRoot } from '../helpers/tmp';
import { otherUser, readableByAll } from '../helpers/users';

const repo = path.join(__dirname, '..', '..');
const child = path.join(repo, 'test', 'helpers', 'soak-child.ts');
const SOAK_MS = Number(process.env.DISPATCH_SOAK_MS) || 15_000;
/** Between kills: 150–600 ms. */
const PAUSE_MS = 150;

/** Resolves when `p` has exited; at once if it already has (a child that failed at start never exits again). */
function exited(p: ChildProcess): Promise<void> {
  return p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', () => r()));
}

async function soak(ms: number, uids: (number | undefined)[]) {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['qa', 'eng', 'ops']);
  const logDir = tempRoot('soak-log-');
  const log = path.join(logDir, 'sent');
  writeFileSync(log, '', { mode: 0o666 });
  if (uids.some((u) => u !== undefined)) {
    for (const d of [
      root,
      logDir,
      ...['qa', 'eng', 'ops'].flatMap((t) => [t, ...['tmp', 'new', 'cur'].map((b) => path.join(t, b))].map((p) => path.join(root, p))),
    ])
      chmodSync(d, 0o777);
    chmodSync(log, 0o666);
  }
  const errors: string[] = [];
  let kills = 0;
  let gen = 0;
  const start = (slot: number): ChildProcess => {
    // A child as another user runs a bundle it can read: the clone itself may be closed to it.
    const entry = uids[slot] === undefined ? ['--import', 'tsx', child] : [readableByAll(child)];
    const p = spawn(process.execPath, [...entry, root, `s${slot}g${gen++}`, log], {
      cwd: uids[slot] === undefined ? repo : root,
      stdio: ['ignore', 'ignore', 'pipe'],
      uid: uids[slot],
      gid: uids[slot],
    });
    let err = '';
    p.stderr!.on('data', (c) => (err += c));
    p.on('exit', (code) => code && errors.push(err.slice(0, 500)));
    return p;
  };
  const procs = [0, 1, 2, 3].map(start);
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, PAUSE_MS + Math.random() * PAUSE_MS * 3));
    const i = Math.floor(Math.random() * procs.length);
    procs[i].kill('SIGKILL');
    await exited(procs[i]);
    kills++;
    procs[i] = start(i);
  }
  for (const p of procs) {
    p.kill('SIGKILL');
    await exited(p);
  }
  assert.deepEqual(errors, [], 'no soak process failed on its own');
  // What the killed left behind is repaired by sweep, as a person would run it later.
  await s.sweep(36, Date.now() + 11 * 60_000);
  const sent = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const found = new Map<string, string[]>();
  const hidden: string[] = [];
  for (const [a, b] of [
    ...['qa', 'eng', 'ops'].flatMap((t) => [
      [t, 'new'],
      [t, 'cur'],
    ]),
    ...['qa', 'eng', 'ops'].map((t) => ['.trash', t]),
    ...['qa', 'eng', 'ops'].flatMap((t) =>
      existsSync(path.join(root, '.archive', t)) ? readdirSync(path.join(root, '.archive', t)).map((m) => ['.archive', path.join(t, m)]) : [],
    ),
  ]) {
    const dir = path.join(root, a, b);
    if (!existsSync(dir)) continue;
    for (const n of readdirSync(dir)) {
      if (n.startsWith('.')) hidden.push(`${a}/${b}/${n}`);
      const text = readFileSync(path.join(dir, n), 'utf8');
      const m = /marker (\S+)/.exec(text);
      if (!m) {
        hidden.push(`${a}/${b}/${n} (no marker, ${text.length} bytes)`);
        continue;
      }
      found.set(m[1], [...(found.get(m[1]) ?? []), `${a}/${b}`]);
    }
  }
  const doubled = [...found].filter(([, w]) => w.length > 1);
  const lost = sent.filter((m) => !found.has(m));
  const byBox = new Map<string, number>();
  for (const w of found.values()) for (const b of w) byBox.set(b, (byBox.get(b) ?? 0) + 1);
  console.log(
    `# soak census${uids.length ? ' (two users)' : ''}: ${kills} kills, ${sent.length} sends returned, ${found.size} dispatches found (${[...byBox].map(([b, n]) => `${b} ${n}`).join(', ')}), ${doubled.length} doubled, ${lost.length} lost, ${hidden.length} hidden`,
  );
  assert.deepEqual(doubled, [], 'nothing doubled');
  assert.deepEqual(lost, [], 'nothing lost');
  assert.deepEqual(hidden, [], 'nothing hidden, no empty placeholder left');
  assert.ok(kills >= 5 && sent.length >= 20, `the soak did too little (${kills} kills, ${sent.length} sends)`);
}

test(
  `kill -9 soak of send/ack/complete/reroute/mark as new/archive/delete/sweep (${SOAK_MS / 1000} s): every body exactly once`,
  { timeout: SOAK_MS + 120_000 },
  () => soak(SOAK_MS, []),
);

test('kill -9 soak by two OS users, links refused between them (placeholder fallback): every body exactly once', { timeout: 180_000 }, async (t) => {
  const a = otherUser('soak1');
  const b = otherUser('soak2');
  if (a === undefined || b === undefined) return t.skip('needs root and useradd');
  await soak(SOAK_MS, [a, b, a, b]);
});
