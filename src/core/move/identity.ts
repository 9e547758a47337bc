// "The same file" as a racer can tell it: what a caller saw of a dispatch before moving it, so that
// "already" is said only for that very file, not another of the same name.
import * as fs from '../fs/rawfs';
import { Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import { READ_FLAGS } from './files';

export interface FileSeen {
  ino: number;
  size: number;
  mtimeMs: number;
  /** SHA-256 of its first bytes when they could be read: across mounts, where inodes differ, size and mtime alone may match another file. */
  head?: string;
}

/**
 * The same file at `p`, as far as another mount can tell: inode, or (inodes differ per FUSE mount) size,
 * mtime and the hash of its first bytes. Not proof: two files alike in all three still pass.
 */
export async function sameFile(p: string, st: Stats, seen: FileSeen): Promise<boolean> {
  if (st.ino === seen.ino) return true;
  if (st.size !== seen.size || Math.floor(st.mtimeMs / 1000) !== Math.floor(seen.mtimeMs / 1000)) return false;
  return seen.head === undefined || (await headHash(p)) === seen.head;
}

const HEAD_HASH_BYTES = 4096;

/** SHA-256 (hex) of a file's first 4 KiB; undefined when it cannot be read (a private file, gone). */
export async function headHash(p: string): Promise<string | undefined> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(p, READ_FLAGS);
    const buf = Buffer.alloc(HEAD_HASH_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex');
  } catch {
    return undefined;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
