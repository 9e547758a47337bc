// The agent sees what it accepted, and only that: `dispatch checkin --ack/--track` under a hook's time
// limit, with a `bd` that is slow, hangs, ignores SIGTERM or prints long ids, with non-regular files in
// new/, and killed (kill -9) at every step of an acknowledge. Real files, real processes, the built CLI.
//
// About `bd`: the beads CLI is not installable on these machines (its npm package downloads a binary at
// install time), so these tests put a small STAND-IN `bd` on PATH. It is a Node script that records the
// arguments it was called with and answers like `bd create --json` (`{"id": …}`), after a delay, ignoring
// SIGTERM, or leaving a child that holds its output open, as each test asks. It checks how we run bd
// and what we do with its answer, not bd itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { createBead } from '../../src/core/agents/beads';
import { Dispatch } from '../../src/core/format/dispatch';
import { TEXT_BUDGET } from '../../src/core/agents/checkin-text';
import { DispatchStore } from '../../src/core/store';
import { builtCli } from '../helpers/built-cli';
import { runMain } from '../helpers/run-main';
import { tempRoot } from '../helpers/tmp';

interface StandIn {
  sleepMs?: number;
  ignoreTerm?: boolean;
  idLength?: number;
  /** Starts a child that keeps bd's stdout open for a long time. */
  child?: boolean;
}

/** The stand-in `bd` (see the top of this file). */
function standInBd(b: StandIn): { path: string; calls: () => number } {
  const dir = tempRoot('standin-bd-');
  const log = path.join(dir, 'calls');
  const script = `#!${process.execPath}
const fs = require('fs');
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');
${b.ignoreTerm ? "process.on('SIGTERM', () => {});" : ''}
${b.child ? "require('child_process').spawn('sleep', ['600'], { stdio: ['ignore', 'inherit', 'inherit'] });" : ''}
const n = fs.readFileSync(${JSON.stringify(log)}, 'utf8').trim().split('\\n').length;
const id = ('b' + n + '-').padEnd(${b.idLength ?? 8}, 'x');
setTimeout(() => process.stdout.write(JSON.stringify({ id }) + '\\n'), ${b.sleepMs ?? 0});
${b.sleepMs && b.sleepMs > 100_000 ? 'setInterval(() => {}, 1000);' : ''}
`;
  writeFileSync(path.join(dir, 'bd'), script);
  chmodSync(path.join(dir, 'bd'), 0o755);
  const calls = () => {
    try {
      return readFileSync(log, 'utf8').trim().split('\n').length;
    } catch {
      return 0;
    }
  };
  return { path: dir, calls };
}

async function inbox(n: number, body = 'Body.') {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['web_ops']);
  for (let i = 0; i < n; i++) await s.deliver({ to: 'web_ops', from: 'engineering', title: `Task ${i}`, slug: `task-${i}`, body });
  return { root, s };
}

function repoWithBeads(): string {
  const repo = tempRoot('repo-');
  mkdirSync(path.join(repo, '.beads'));
  return repo;
}

/** Runs the built CLI like a host runs a hook: a JSON object on stdin, SIGKILL when `limitMs` is up. */
function hook(args: string[], env: NodeJS.ProcessEnv, cwd: string, limitMs: number) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; ms: number }>((resolve) => {
    const t0 = Date.now();
    const p = spawn(process.execPath, [builtCli(), ...args], { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.stdin.end(JSON.stringify({ session_id: 's', source: 'startup', cwd, hook_event_name: 'SessionStart' }));
    const host = setTimeout(() => p.kill('SIGKILL'), limitMs);
    p.on('exit', (code, signal) => {
      clearTimeout(host);
      resolve({ code, signal, out, ms: Date.now() - t0 });
    });
  });
}

/** The state line under each item, by title: what the reader was told became of it. */
function states(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let title: string | undefined;
  for (const l of text.split('\n')) {
    const t = /^\d+\. \[\w+\] \*\*(.*)\*\* — /.exec(l)?.[1];
    if (t) title = t;
    else if (title && /^ {3}id `/.test(l)) {
      out.set(title, l);
      title = undefined;
    }
  }
  return out;
}

/** Every dispatch in cur/ was shown acknowledged; every one shown unacknowledged is still in new/. */
async function sawWhatItAccepted(s: DispatchStore, text: string): Promise<void> {
  const shown = states(text);
  for (const d of await s.list({ box: 'cur' })) {
    await s.loadMeta([d]);
    assert.match(shown.get(d.title) ?? '(not shown)', /· acknowledged/, `${d.title} was accepted: ${text}`);
  }
  for (const d of await s.list({ box: 'new' })) {
    await s.loadMeta([d]);
    assert.doesNotMatch(shown.get(d.title) ?? '', /· acknowledged/, `${d.title} is still new`);
  }
}

test('a slow bd that ignores SIGTERM under a 10 s hook limit: the hook prints on time, and shows all it accepted', { timeout: 120_000 }, async () => {
  const { root, s } = await inbox(5);
  const bd = standInBd({ sleepMs: 3000, ignoreTerm: true });
  const env = { PATH: `${bd.path}:${process.env.PATH}`, HOME: tempRoot('home-'), XDG_STATE_HOME: tempRoot('state-') };
  // Claude Code kills a SessionStart hook at its timeout (`dispatch setup` writes 10 s).
  const r = await hook(['--root', root, 'checkin', '--team', 'web_ops', '--track', '--format', 'claude-hook'], env, repoWithBeads(), 10_000);
  assert.deepEqual([r.code, r.signal], [0, null], `exited by itself in ${r.ms} ms`);
  const ctx = JSON.parse(r.out).hookSpecificOutput.additionalContext as string;
  await sawWhatItAccepted(s, ctx);
  assert.ok((await s.list({ box: 'cur' })).length >= 1, ctx);
  assert.match(ctx, /not acknowledged: time limit reached; still in new\//);
  assert.match(ctx, /^warning: time limit reached: \d+ shown dispatch\(es\) not acknowledged, still in new\//m);
});

test('a bd that never answers, ignores SIGTERM and leaves a child holding its output: stopped on time', { timeout: 60_000 }, async () => {
  const bd = standInBd({ sleepMs: 600_000, ignoreTerm: true, child: true });
  const d = new Dispatch('/r', 'qa', 'new', '2026-01-31T14-30-00Z_normal_engineering_x.md');
  const was = process.env.PATH;
  process.env.PATH = `${bd.path}:${was}`;
  const t0 = Date.now();
  try {
    const r = await Promise.race([
      createBead(d, repoWithBeads(), process.env, 1000),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 8000).unref()),
    ]);
    assert.notEqual(r, 'hung', 'createBead returned');
    assert.deepEqual(r, { error: 'bd create did not finish within 1.0 s; stopped' });
    assert.ok(Date.now() - t0 < 4000, `${Date.now() - t0} ms`);
    assert.equal(bd.calls(), 1);
  } finally {
    process.env.PATH = was;
  }
});

test('bd ids as long as believed (100 characters): every accepted item is printed whole, within the budget', { timeout: 120_000 }, async () => {
  const { root, s } = await inbox(40, 'x'.repeat(5000));
  const bd = standInBd({ idLength: 100 });
  const here = process.cwd();
  process.chdir(repoWithBeads());
  try {
    const r = await runMain(['--root', root, 'checkin', '--team', 'web_ops', '--track'], {
      PATH: `${bd.path}:${process.env.PATH}`,
      XDG_STATE_HOME: tempRoot('state-'),
    });
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.length <= TEXT_BUDGET, `${r.out.length} characters`);
    const accepted = await s.list({ box: 'cur' });
    assert.ok(accepted.length >= 5, `${accepted.length} accepted`);
    await sawWhatItAccepted(s, r.out);
    for (const line of states(r.out).values()) assert.match(line, /· acknowledged · tracking bead b\d+-x{90,}$/);
    assert.match(r.out, new RegExp(`^… ${40 - accepted.length} more: dispatch list web_ops --new$`, 'm'));
  } finally {
    process.chdir(here);
  }
});

test('--full with a FIFO, a socket, a symlink and a folder named like a dispatch in new/: the rest is shown and accepted', async (t) => {
  const { root, s } = await inbox(3);
  const box = path.join(root, 'web_ops', 'new');
  if (spawnSync('mkfifo', [path.join(box, '2026-01-01T00-00-00Z_urgent_eve_fifo.md')]).status !== 0) return t.skip('no mkfifo');
  symlinkSync('/etc/passwd', path.join(box, '2026-01-01T00-00-01Z_urgent_eve_link.md'));
  mkdirSync(path.join(box, '2026-01-01T00-00-02Z_urgent_eve_folder.md'));
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(path.join(box, '2026-01-01T00-00-03Z_urgent_eve_sock.md'), resolve));
  try {
    for (const args of [['--full'], ['--full', '--ack'], ['--full', '--ack', '--json']]) {
      const r = await runMain(['--root', root, 'checkin', '--team', 'web_ops', ...args], { XDG_STATE_HOME: tempRoot('state-') });
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
      if (args.includes('--json')) continue;
      for (const name of ['Fifo', 'Link', 'Sock']) assert.match(r.out, new RegExp(`\\*\\*${name}\\*\\*`), `${name} listed`);
      assert.doesNotMatch(r.out, /root:x:0:0/, 'a symlink is never followed');
      if (args.includes('--ack')) {
        assert.match(r.out, /id `2026-01-01T00-00-00Z_urgent_eve_fifo` · not acknowledged: not a regular file/);
        await sawWhatItAccepted(s, r.out);
        assert.equal((await s.list({ box: 'cur' })).length, 3, 'every regular dispatch accepted');
      } else for (const k of [0, 1, 2]) assert.match(r.out, new RegExp(`\\*\\*Task ${k}\\*\\*`));
    }
    assert.deepEqual(readdirSync(box).sort(), [
      '2026-01-01T00-00-00Z_urgent_eve_fifo.md',
      '2026-01-01T00-00-01Z_urgent_eve_link.md',
      '2026-01-01T00-00-02Z_urgent_eve_folder.md',
      '2026-01-01T00-00-03Z_urgent_eve_sock.md',
    ]);
  } finally {
    server.close();
  }
});

test('kill -9 at every step of an acknowledge: what is in cur/ was printed before it was accepted', { timeout: 180_000 }, async () => {
  for (const step of ['recorded', 'claimed', 'prepared', 'placed', 'unclaimed']) {
    const { root, s } = await inbox(3);
    const r = await new Promise<{ signal: NodeJS.Signals | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [builtCli(), '--root', root, 'checkin', '--team', 'web_ops', '--ack'], {
        env: { PATH: process.env.PATH, HOME: tempRoot('home-'), XDG_STATE_HOME: tempRoot('state-'), DISPATCH_KILL_AT: step },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let out = '';
      p.stdout.on('data', (c) => (out += c));
      p.on('exit', (_code, signal) => resolve({ signal, out }));
    });
    assert.equal(r.signal, 'SIGKILL', step);
    // Killed inside its first acknowledge: whatever reached cur/ was in the output before the kill.
    for (const d of await s.list({ box: 'cur' })) {
      await s.loadMeta([d]);
      assert.match(r.out, new RegExp(`^1\\. \\[normal\\] \\*\\*${d.title}\\*\\*`, 'm'), `${step}: ${d.title} accepted, not printed:\n${r.out}`);
    }
  }
});
