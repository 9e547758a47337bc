// Small file operations the move is made of, each safe to repeat and honest about what it did.
// A network filesystem may carry out a call whose reply is lost and answer the resent call with an error
// (NFS: a resent rename says ENOENT, a resent link EEXIST), and its caches may answer a lookup with what
// was true seconds ago. So an error from rename is "maybe done": what the folder lists (a readdir, which
// revalidates a cached folder whose mtime changed, unlike a stat of the name) says whether it happened.
import * as fs from '../fs/rawfs';
import { constants } from 'node:fs';

export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Never follow a symlink, never wait on a FIFO swapped in: the rule for every file this code opens. */
export const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Whether `name` is in `dir`'s listing (not a stat of the name: see the top of this file). */
export async function listed(dir: string, name: string): Promise<boolean> {
  const names = await fs.readdir(dir).catch(() => undefined);
  return names !== undefined && names.includes(name);
}

/** lstat, or undefined when there is nothing (or nothing reachable) there. */
export function lstatOrNot(p: string) {
  return fs.lstat(p).catch(() => undefined);
}

export async function removeQuietly(p: string): Promise<void> {
  await fs.unlink(p).catch(() => undefined);
}

/**
 * Errors of a file another client has open (an SMB sharing violation): gone in a moment. On Windows a
 * rename over a file another process holds open says EPERM or EACCES (a watcher, an antivirus, a reader).
 */
const BUSY = new Set(['EBUSY', 'ETXTBSY', ...(process.platform === 'win32' ? ['EPERM', 'EACCES'] : [])]);
const BUSY_WAIT_MS = 3000;

/** rename(2), tried again for a moment while the file is busy (SMB: another client is reading it). */
export async function rename(a: string, b: string): Promise<void> {
  const end = Date.now() + BUSY_WAIT_MS;
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    try {
      return await fs.rename(a, b);
    } catch (e) {
      if (!BUSY.has(errnoOf(e) ?? '') || Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/**
 * Creates `p` exclusively with `data` and fsynced when `durable`. Its mode is `mode` through the umask,
 * or exactly `mode` with `exact` (a rewrite keeps the old file's mode, and `gid`, its group). A failure
 * removes the partial file. Returns its inode.
 */
export async function writeNew(p: string, data: Buffer | string, o: { mode: number; exact?: boolean; gid?: number; durable?: boolean }): Promise<number> {
  const fh = await fs.open(p, 'wx', o.mode);
  try {
    if (o.gid !== undefined && o.gid !== (await fh.stat()).gid) await fs.fchown(fh, -1, o.gid).catch(() => undefined);
    // The open's mode passed through the umask, and a chown can drop setgid bits: set it as asked.
    if (o.exact && ((await fh.stat()).mode & 0o7777) !== o.mode) await fs.fchmod(fh, o.mode).catch(() => undefined);
    await fs.write(fh, data);
    if (o.durable) await fh.sync();
    return (await fh.stat()).ino;
  } catch (e) {
    await fh.close().catch(() => undefined);
    await removeQuietly(p);
    throw e;
  } finally {
    await fh.close().catch(() => undefined);
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // Not every platform can fsync a folder (Windows: EPERM); the rename is still atomic.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
