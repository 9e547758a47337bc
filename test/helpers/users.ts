// Child processes for fault tests: the claim child (killed at a chosen step), and real OS users.
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

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
    const p = spawn(process.execPath, ['--import', 'tsx', child, ...args], { cwd: repo, env, uid, gid: uid });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('error', reject);
    p.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A real second OS user (we run as root in CI); undefined where users cannot be made. */
export function otherUser(name: string): number | undefined {
  if (process.getuid?.() !== 0) return undefined;
  spawnSync('useradd', ['-M', '-N', '-s', '/usr/sbin/nologin', name], { stdio: 'ignore' });
  const r = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  return r.status === 0 ? Number(r.stdout.trim()) : undefined;
}

