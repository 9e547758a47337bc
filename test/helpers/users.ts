// Child processes for fault tests: the claim child (killed at a chosen step), and real OS users.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const repo = path.join(__dirname, '..', '..');
const child = path.join(repo, 'test', 'helpers', 'claim-child.ts');

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the claim child; `killAt` makes it SIGKILL itself at that step; `uid` runs it as another user. */
export function runChild(args: string[], killAt?: string, uid?: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, DISPATCH_KILL_AT: killAt ?? '' };
    const entry = uid === undefined ? ['--import', 'tsx', child] : [readableByAll(child)];
    const p = spawn(process.execPath, [...entry, ...args], { cwd: uid === undefined ? repo : os.tmpdir(), env, uid, gid: uid });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('error', reject);
    p.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const bundles = new Map<string, string>();

/**
 * `entry` (a .ts file of the repo) as one bundled .js file that any user can read and run, whatever
 * the clone's path: another user cannot load tsx or the sources from a clone under a 0700 `mktemp -d`
 * folder or a 0750 home. Built once per test process into a 0755 temp folder, removed at exit.
 */
export function readableByAll(entry: string): string {
  let out = bundles.get(entry);
  if (out) return out;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dispatch-for-users-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  out = path.join(dir, `${path.basename(entry, '.ts')}.js`);
  buildSync({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
  chmodSync(out, 0o644);
  bundles.set(entry, out);
  return out;
}

/** Every folder from `/` down to `dir` lets others through (o+x). */
function reachableByAll(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (!(statSync(d).mode & 0o001)) return false;
    if (d === path.dirname(d)) return true;
  }
}

const PREFIX = 'dispatch-t-';
/** Ours: `dispatch-t-<pid>-<label>`, so parallel runs never share (or delete) each other's users. */
const OURS = /^dispatch-t-(\d+)-[a-z0-9]+$/;
const made: { users: string[]; groups: string[] } = { users: [], groups: [] };
let swept = false;

/**
 * A real second OS user (we run as root in CI) for this test process, removed when the process exits,
 * whether its tests passed or failed; undefined where users cannot be made, or could not reach the
 * temp folder (where the test roots and `readableByAll` bundles are). `group`: its primary group
 * (from `testGroup`), else the default.
 */
export function otherUser(label: string, group?: string): number | undefined {
  if (process.getuid?.() !== 0 || !reachableByAll(os.tmpdir())) return undefined;
  prepare();
  const name = `${PREFIX}${process.pid}-${label}`;
  const r = spawnSync('useradd', ['-M', ...(group ? ['-g', group] : ['-N']), '-s', '/usr/sbin/nologin', name], { stdio: 'ignore' });
  if (r.status === 0) made.users.push(name);
  const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  return id.status === 0 ? Number(id.stdout.trim()) : undefined;
}

/** A fresh OS group for this test process, removed with its users at exit; undefined where it cannot be made. */
export function testGroup(label: string): { name: string; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  prepare();
  const name = `${PREFIX}${process.pid}-${label}`;
  if (spawnSync('groupadd', [name], { stdio: 'ignore' }).status === 0) made.groups.push(name);
  const gid = Number(spawnSync('getent', ['group', name], { encoding: 'utf8' }).stdout.split(':')[2]);
  return Number.isFinite(gid) ? { name, gid } : undefined;
}

/** Users and groups a killed test process (SIGKILL, no exit handler) left, and this process's own at its exit. */
function prepare(): void {
  if (swept) return;
  swept = true;
  process.once('exit', () => remove(made.users, made.groups));
  remove(leftovers('passwd'), leftovers('group'));
}

/** `dispatch-t-*` entries whose test process is gone (older fixed names: when no process runs as them). */
function leftovers(db: 'passwd' | 'group'): string[] {
  const rows = spawnSync('getent', [db], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.split(':'));
  return rows
    .filter(([name, , id]) => {
      if (!name?.startsWith(PREFIX)) return false;
      const pid = OURS.exec(name)?.[1];
      if (pid) return !alive(Number(pid));
      return db === 'group' || spawnSync('pgrep', ['-u', id]).status === 1; // 1: no process matched
    })
    .map(([name]) => name);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function remove(users: string[], groups: string[]): void {
  for (const u of users) spawnSync('userdel', [u], { stdio: 'ignore' });
  for (const g of groups) spawnSync('groupdel', [g], { stdio: 'ignore' }); // refused while a user still has it as primary
}
