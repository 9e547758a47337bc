// Tracking beads: an accepted dispatch becomes a local bead (`bd create … --json`) in the receiving
// team's repository, whose description points back at the dispatch. `bd` is run without a shell, with
// a time limit, and whatever it prints is checked before it is believed.
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { Dispatch } from './dispatch';
import type { Priority } from './format';
import { oneLine } from './text';

/** bd's priorities are 0 (highest) … 4. */
const BD_PRIORITY: Record<Priority, number> = { urgent: 0, high: 1, normal: 2, low: 3 };
const BD_TIMEOUT_MS = 10_000;
const BEAD_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

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

/** Runs `bd create` in `cwd`; never throws. */
export function createBead(d: Dispatch, cwd: string, env: NodeJS.ProcessEnv): Promise<BeadResult> {
  return new Promise((resolve) => {
    execFile('bd', beadArgs(d), { cwd, env, timeout: BD_TIMEOUT_MS, maxBuffer: 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return resolve({ error: 'bd not found on PATH', absent: true });
        const why = String(stderr).trim().split('\n')[0]?.slice(0, 200) || err.message.split('\n')[0].slice(0, 200);
        return resolve({ error: `bd create failed: ${why}` });
      }
      resolve(parseBead(String(stdout)));
    });
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
