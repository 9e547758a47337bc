// Test hooks that prove crash safety by enumeration (as ALICE and CrashMonkey do for filesystems): every
// call that changes the filesystem goes through `mutating()` (rawfs.ts), so a test can stop a verb after
// each one, or make a network filesystem's lost reply happen at each link and rename.
//   DISPATCH_FAULT=kill:N       SIGKILL this process right after its Nth file-changing call;
//   DISPATCH_FAULT=lose:N       carry out the Nth link or rename, then report it failed as NFS does when the
//                               reply was lost and the resent call ran again (link → EEXIST, rename → ENOENT);
//   DISPATCH_FAULT_LOG=FILE     append `N kind path` per call: how many points a verb has, and what each is;
//   DISPATCH_KILL_AT=STEP       SIGKILL at a named step of a move (killPoint).
// Unset, as in every real run, a call costs two property reads.
import { appendFileSync } from 'node:fs';

export type Mutation = 'create' | 'write' | 'rename' | 'link' | 'unlink' | 'mkdir' | 'rmdir' | 'chmod' | 'chown' | 'truncate' | 'symlink' | 'utimes';

interface Plan {
  kill?: number;
  lose?: number;
}

let planned: { spec: string; plan: Plan } | undefined;
let calls = 0;
let replies = 0;

function plan(): Plan | undefined {
  const spec = process.env.DISPATCH_FAULT;
  if (!spec && !process.env.DISPATCH_FAULT_LOG) return undefined;
  if (planned?.spec === (spec ?? '')) return planned.plan;
  const m = /^(kill|lose):(\d+)$/.exec(spec ?? '');
  const p: Plan = { kill: m?.[1] === 'kill' ? Number(m[2]) : undefined, lose: m?.[1] === 'lose' ? Number(m[2]) : undefined };
  planned = { spec: spec ?? '', plan: p };
  return p;
}

/** Runs one file-changing call `f` under the test plan (see the top of this file). */
export async function mutating<T>(kind: Mutation, p: unknown, f: () => Promise<T>): Promise<T> {
  const at = begin(kind, p);
  if (!at) return f();
  let r: T;
  try {
    r = await f();
  } finally {
    at.done();
  }
  at.reply();
  return r;
}

/** `mutating` for the synchronous calls of code that writes whole small files (settings, skills). */
export function mutatingSync<T>(kind: Mutation, p: unknown, f: () => T): T {
  const at = begin(kind, p);
  if (!at) return f();
  let r: T;
  try {
    r = f();
  } finally {
    at.done();
  }
  at.reply();
  return r;
}

/** One call under a plan: counted and logged; `done` kills after it when planned, `reply` loses its answer. */
function begin(kind: Mutation, p: unknown): { done(): void; reply(): void } | undefined {
  const pl = plan();
  if (!pl) return undefined;
  const n = ++calls;
  const log = process.env.DISPATCH_FAULT_LOG;
  if (log) appendFileSync(log, `${n} ${kind} ${String(p)}\n`);
  return {
    done: () => {
      if (pl.kill === n) die();
    },
    reply: () => {
      if ((kind === 'link' || kind === 'rename') && pl.lose !== undefined && ++replies === pl.lose) throw errno(kind === 'link' ? 'EEXIST' : 'ENOENT', kind, p);
    },
  };
}

/** SIGKILL at a named step (`DISPATCH_KILL_AT=<step>`), for tests that aim at one instant. */
export function killPoint(step: string): void {
  if (process.env.DISPATCH_KILL_AT === step) die();
}

function die(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

function errno(code: string, kind: string, p: unknown): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${kind} '${String(p)}' (lost reply, injected)`), { code });
}
