// A real SMB root (Samba + two smbnetfs mounts: two machines, with their own caches), where links are
// refused and modes are made up: racing senders and movers on both mounts, killed at random, then the
// repair, and a census of the share as the server holds it. Skipped, with one line, where FUSE or the
// packages are missing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';
import type { Dispatch } from '../../src/core/format/dispatch';
import { bundled } from '../helpers/bundle';
import { Smb, smbMissing, startSmb } from '../helpers/smb';
import { listed, leftovers } from '../helpers/census';
import { run } from '../helpers/enumerate';

const missing = smbMissing();
if (missing) console.log(`# SMB suite skipped: ${missing}`);
const CHURN_MS = Number(process.env.DISPATCH_SMB_MS) || 12_000;
let smb: Smb | undefined;
let a = '';
let b = '';

before(async () => {
  if (missing) return;
  smb = await startSmb();
  a = await smb.mount();
  b = await smb.mount();
});
after(() => smb?.close());

/** Every file under `dir` (dotfiles too) whose bytes hold `marker <m>`, by marker. */
function censusOf(dir: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else {
        const m = /marker (\S+)/.exec(readFileSync(path.join(dir, r), 'utf8'))?.[1];
        if (m) found.set(m, [...(found.get(m) ?? []), r]);
      }
    }
  };
  walk('');
  return found;
}

test(
  'SMB: senders and movers racing on two mounts, killed at random, then sweep: every sent dispatch exactly once, nothing left behind',
  { skip: missing, timeout: 180_000 },
  async () => {
    const name = `census-${Date.now()}`;
    const rootA = path.join(a, name);
    const rootB = path.join(b, name);
    await new DispatchStore(rootA).init(['qa']);
    const log = path.join(mkdtempSync(path.join(os.tmpdir(), 'smb-log-')), 'sent');
    writeFileSync(log, '');
    const child = bundled(path.join(__dirname, '..', 'helpers', 'smb-child.ts'));
    const roles: [string, string][] = [
      ['send', rootA],
      ['send', rootB],
      ['move', rootA],
      ['move', rootB],
    ];
    let gen = 0;
    const errors: string[] = [];
    const start = (i: number): ChildProcess => {
      const [op, root] = roles[i];
      const p = spawn(process.execPath, [child, op, root, `s${i}g${gen++}`, log], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr!.on('data', (c) => (err += c));
      p.on('exit', (code) => code && errors.push(err.slice(0, 400)));
      return p;
    };
    const procs = roles.map((_, i) => start(i));
    let kills = 0;
    const end = Date.now() + CHURN_MS;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
      const i = Math.floor(Math.random() * procs.length);
      procs[i].kill('SIGKILL');
      await new Promise((r) => procs[i].once('exit', r));
      kills++;
      procs[i] = start(i);
    }
    for (const p of procs) {
      p.kill('SIGKILL');
      if (p.exitCode === null && p.signalCode === null) await new Promise((r) => p.once('exit', r));
    }
    assert.deepEqual(errors, [], 'no racer failed on its own');
    await new DispatchStore(rootA).sweep(36, Date.now() + 11 * 60_000);
    const sent = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    const found = censusOf(path.join(smb!.shared, name));
    const lost = sent.filter((m) => !found.has(m));
    const doubled = [...found].filter(([, at]) => at.filter((r) => r.split(path.sep)[1] !== 'tmp').length > 1);
    console.log(
      `# SMB census: ${kills} kills, ${sent.length} sends that returned, ${found.size} dispatches on the share, lost ${lost.length}, doubled ${doubled.length}`,
    );
    assert.ok(kills > 5 && sent.length > 10, `the churn did too little (${kills} kills, ${sent.length} sends)`);
    assert.deepEqual(lost, [], 'every dispatch whose send returned is on the share');
    assert.deepEqual(doubled, [], 'none twice');
    const left = leftovers(path.join(smb!.shared, name));
    if (left.length && process.env.SMB_DEBUG)
      for (const box of ['new', 'cur'])
        console.log(
          box,
          readdirSync(path.join(smb!.shared, name, 'qa', box)).filter((n) => n.startsWith('.') || left.some((l) => l.endsWith(n))),
        );
    assert.deepEqual(left, [], 'no claim, marker or empty placeholder left');
  },
);

test('SMB: what one machine acknowledged, the other acknowledges as "already", exit 0, behind its cache', { skip: missing, timeout: 120_000 }, async () => {
  const name = `verdict-${Date.now()}`;
  const s = new DispatchStore(path.join(a, name));
  await s.init(['qa']);
  const rounds = 12;
  const ds: Dispatch[] = [];
  for (let i = 0; i < rounds; i++) ds.push(await s.deliver({ to: 'qa', from: 'eng', title: `verdict ${i}`, body: `marker v${i}\n` }));
  const wrong: string[] = [];
  for (const d of ds) {
    // B looks first: its cache holds the name in new/, and "no such file" for it in cur/. Then A
    // acknowledges, then B does, within the few seconds its cache keeps those answers.
    assert.ok(existsSync(path.join(b, name, 'qa', 'new', d.fileName)));
    assert.ok(!existsSync(path.join(b, name, 'qa', 'cur', d.fileName)));
    assert.ok(!readdirSync(path.join(b, name, 'qa', 'cur')).includes(d.fileName));
    const first = await run('cli', path.join(a, name), ['ack', d.id]);
    assert.equal(first.code, 0, first.stderr);
    const second = await run('cli', path.join(b, name), ['ack', path.join(b, name, 'qa', 'new', d.fileName)]);
    if (second.code !== 0 || !/^already acknowledged: /.test(second.stdout))
      wrong.push(`${d.id}: ${second.code} ${second.stdout.trim()} ${second.stderr.trim()}`);
  }
  assert.deepEqual(wrong, []);
  for (let i = 0; i < rounds; i++) assert.equal((await listed(path.join(a, name), `marker v${i}\n`)).length, 1);
});

test(
  'SMB: two machines acknowledging the same dispatches at once: each acknowledged once, the other says "already", none "moved or deleted"',
  { skip: missing, timeout: 120_000 },
  async () => {
    const name = `race-${Date.now()}`;
    const s = new DispatchStore(path.join(a, name));
    await s.init(['qa']);
    const ds: Dispatch[] = [];
    for (let i = 0; i < 30; i++) ds.push(await s.deliver({ to: 'qa', from: 'eng', title: `race ${i}`, body: `marker r${i}\n` }));
    const [ra, rb] = await Promise.all(
      [a, b].map((m) => run('cli', path.join(m, name), ['ack', ...ds.map((d) => path.join(m, name, 'qa', 'new', d.fileName))])),
    );
    assert.equal(ra.stderr + rb.stderr, '', 'no ack failed');
    const lines = (ra.stdout + rb.stdout).split('\n').filter(Boolean);
    assert.equal(lines.filter((l) => l.startsWith('acknowledged: ')).length, 30, lines.join('\n'));
    assert.equal(lines.filter((l) => l.startsWith('already acknowledged: ')).length, 30);
    for (let i = 0; i < 30; i++) assert.equal((await listed(path.join(a, name), `marker r${i}\n`)).length, 1);
  },
);
