// Tracking beads: an accepted dispatch becomes a local bead (`bd create … --json`) in the receiving
// team's repository, whose description points back at the dispatch. `bd` is run without a shell, in a
// process group of its own, with a time limit it cannot outlast (SIGTERM to the group, then SIGKILL, and
// the answer given up on either way), and whatever it prints is checked before it is believed.
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { Dispatch } from '../format/dispatch';
import type { Priority } from '../format/format';
import { oneLine } from '../format/text';

/** bd's priorities are 0 (highest) … 4. */
const BD_PRIORITY: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };
const BD_TIMEOUT_MS = 10_000;
/** After SIGTERM, this long before SIGKILL. */
const BD_GRACE_MS = 300;
const MAX_OUTPUT = 64 * 1024;
/** The longest bead id believed: what a checkin measures its state lines with. */
export const MAX_BEAD_ID = 100;
const BEAD_ID = new RegExp(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,${MAX_BEAD_ID - 1}}$`);

export type BeadResult = { id: string } | { error: string; absent?: boolean };

export function hasBeads(cwd: string): boolean {
  try {
    return statSync(path.join(cwd, '.beads')).isDirectory();
  } catch {
    return false;
  }
}

/** `Related: dispatch from engineering (2026-01-31, update-site)`: the protocol's back reference. */
export function beadDescription(d: Dispatch): string {
  return `Related: dispatch from ${oneLine(d.from ?? 'unknown', 64)} (${oneLine((d.created ?? '').slice(0, 10), 10) || 'unknown date'}, ${oneLine(d.slug, 80)})`;
}

export function beadArgs(d: Dispatch): string[] {
  // The title is another team's text: one line, bounded, and after `--` so it can never be read as a flag.
  const title = oneLine(d.title, 200) || d.slug;
  return ['create', '-d', beadDescription(d), '-p', String(BD_PRIORITY[d.priority]), '-t', 'task', '--json', '--', title];
}

/**
 * Runs `bd create` in `cwd`, for at most `timeoutMs` (then SIGTERM to its process group, SIGKILL after a
 * grace, and the answer given up on: a bd that hangs, ignores SIGTERM or leaves a child holding its
 * output still ends here on time). Never throws.
 */
export function createBead(d: Dispatch, cwd: string, env: NodeJS.ProcessEnv, timeoutMs = BD_TIMEOUT_MS): Promise<BeadResult> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    let settled = false;
    let timedOut = false;
    const timers: NodeJS.Timeout[] = [];
    const child = spawn('bd', beadArgs(d), { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    const kill = (signal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, signal); // the group: children bd started too
      } catch {
        child.kill(signal);
      }
    };
    const done = (r: BeadResult) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve(r);
    };
    const stop = () => {
      timedOut = true;
      kill('SIGTERM');
      timers.push(
        setTimeout(() => {
          kill('SIGKILL');
          done({ error: `bd create did not finish within ${(timeoutMs / 1000).toFixed(1)} s; stopped` });
        }, BD_GRACE_MS),
      );
    };
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.length > MAX_OUTPUT) stop();
    });
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < MAX_OUTPUT) err += c.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      done(e.code === 'ENOENT' ? { error: 'bd not found on PATH', absent: true } : { error: `bd create failed: ${e.message}` }),
    );
    const answer = (code: number | null, signal: NodeJS.Signals | null) => {
      if (timedOut) return done({ error: `bd create did not finish within ${(timeoutMs / 1000).toFixed(1)} s; stopped` });
      if (code === 0) return done(parseBead(out));
      const why = err.trim().split('\n')[0]?.slice(0, 200) || `exit ${code ?? signal}`;
      done({ error: `bd create failed: ${why}` });
    };
    child.on('close', answer);
    // bd exited but something it started still holds its output open: what it printed is its answer.
    child.on('exit', (code, signal) => timers.push(setTimeout(() => answer(code, signal), 200)));
    timers.push(setTimeout(stop, Math.max(0, timeoutMs)));
  });
}

/** `{"id": …}` (or an array holding one), as `bd create --json` prints. */
export function parseBead(stdout: string): BeadResult {
  let v: unknown;
  try {
    v = JSON.parse(stdout);
  } catch {
    return { error: 'bd create printed no JSON' };
  }
  if (Array.isArray(v)) v = v[0];
  const id = v && typeof v === 'object' ? (v as Record<string, unknown>).id : undefined;
  if (typeof id !== 'string' || !BEAD_ID.test(id)) return { error: 'bd create printed no usable bead id' };
  return { id };
}
