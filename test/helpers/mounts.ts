// Real filesystems with limits for fault tests: tmpfs with size=/nr_inodes=, remounted read-only…
// Needs root; callers skip with one line when `mountTmpfs` returns undefined.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';

export function canMount(): boolean {
  return process.getuid?.() === 0;
}

/** A fresh tmpfs (e.g. `size=2m,nr_inodes=64`), unmounted after the test file. */
export function mountTmpfs(options: string, at?: string): string | undefined {
  if (!canMount()) return undefined;
  const dir = at ?? mkdtempSync(path.join(os.tmpdir(), 'dispatch-mnt-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  after(() => {
    spawnSync('umount', ['-l', dir]);
    if (!at) rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

export function unmount(dir: string): void {
  spawnSync('umount', ['-l', dir]);
}

export function remount(dir: string, options: string): boolean {
  return spawnSync('mount', ['-o', `remount,${options}`, dir]).status === 0;
}
