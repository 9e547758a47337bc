// Moves that never replace an existing name. rename(2) silently clobbers its target, so we use
// link(2) + unlink(2): the link fails with EEXIST when the name is taken. Two processes moving the
// same file both end well: one moves it, the other learns it was already moved.
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { variantName } from './format';

export type MoveResult = { status: 'moved'; path: string } | { status: 'already'; path: string };

const MAX_VARIANTS = 10_000;

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Creates `dst` as a new name for `src`, never replacing anything. False when `dst` exists. */
export async function linkNoClobber(src: string, dst: string): Promise<boolean> {
  try {
    await fs.link(src, dst);
    return true;
  } catch (e) {
    if (code(e) === 'EEXIST') return false;
    if (code(e) === 'EPERM' || code(e) === 'ENOTSUP' || code(e) === 'EOPNOTSUPP' || code(e) === 'ENOSYS') {
      // Filesystems without hard links: copy with COPYFILE_EXCL (fails if taken). Not atomic for
      // readers of dst, but never clobbers; callers only do this into new/ or cur/ from a whole file.
      try {
        await fs.copyFile(src, dst, constants.COPYFILE_EXCL);
        return true;
      } catch (e2) {
        if (code(e2) === 'EEXIST') return false;
        throw e2;
      }
    }
    throw e;
  }
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [sa, sb] = await Promise.all([fs.stat(a), fs.stat(b)]);
    return sa.ino === sb.ino && sa.dev === sb.dev;
  } catch {
    return false;
  }
}

async function unlinkQuiet(p: string): Promise<void> {
  try {
    await fs.unlink(p);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // Not every platform can fsync a directory; the rename is still atomic.
  } finally {
    await fh?.close();
  }
}

/** One try at `dst`: moved there, found already there (a racing mover), or undefined when taken by another file. */
async function attempt(src: string, dst: string): Promise<MoveResult | undefined> {
  if (await linkNoClobber(src, dst)) {
    await unlinkQuiet(src);
    await fsyncDir(path.dirname(dst));
    return { status: 'moved', path: dst };
  }
  if (await sameFile(src, dst)) {
    await unlinkQuiet(src);
    return { status: 'already', path: dst };
  }
  return undefined;
}

/**
 * Moves `src` into `dstDir` under `name`, or a unique variant of it when that name holds another
 * file. If a racing process moved the same file first, reports `already` with where it went.
 * Throws ENOENT when `src` is gone and is not found at the target either.
 */
export async function moveNoClobber(src: string, dstDir: string, name: string): Promise<MoveResult> {
  const first = path.join(dstDir, name);
  try {
    const r = await attempt(src, first);
    if (r) return r;
    // A different file holds the name. The variant is derived from the inode, so two processes
    // racing to move this file pick the same variant and the loser sees `already`, not a copy.
    const { ino } = await fs.stat(src);
    for (let n = 0; n < MAX_VARIANTS; n++) {
      const v = await attempt(src, path.join(dstDir, variantName(name, ino + n)));
      if (v) return v;
    }
  } catch (e) {
    if (code(e) === 'ENOENT') return gone(src, first);
    throw e;
  }
  throw new Error(`no free name for ${name} in ${dstDir}`);
}

async function gone(src: string, first: string): Promise<MoveResult> {
  try {
    await fs.access(first);
    return { status: 'already', path: first };
  } catch {
    const e = new Error(`ENOENT: no such file, ${src}`) as NodeJS.ErrnoException;
    e.code = 'ENOENT';
    throw e;
  }
}
