// Moves that never replace a file and never duplicate one.
//
// rename(2) silently replaces its target, so a file is placed with link(2), which fails with EEXIST
// when the name is taken. And two processes moving the same file to *different* places (acknowledge
// racing a reroute or a delete) must not both succeed, so the first step of a move is to rename the
// source to a private claim name beside it: only one process can do that, and it is the commit
// point. The winner then links the claim into place under a free name and unlinks it. A process
// killed in between leaves a `.claim.*` dotfile in the box; `restoreClaims` puts it back.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { variantName } from './format';

export type MoveResult = { status: 'moved'; path: string } | { status: 'already'; path: string };

export const CLAIM_PREFIX = '.claim.';
const MAX_VARIANTS = 10_000;
/** How long a racer waits for another process's claim on the same file to land. */
const CLAIM_WAIT_MS = 3000;

export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Errors of filesystems that cannot hard-link (or refuse to, like protected_hardlinks). */
export const NO_LINK_CODES = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/**
 * Links `src` into `dir` as `name`, or as the first free `name.2`, `name.3`… variant, never replacing
 * anything. `skip` can veto a candidate (e.g. a name already used in cur/). Returns the name used.
 */
export async function linkFree(src: string, dir: string, name: string, skip?: (candidate: string) => Promise<boolean>): Promise<string> {
  for (let n = 1; n < MAX_VARIANTS; n++) {
    const candidate = n === 1 ? name : variantName(name, n);
    if (skip && (await skip(candidate))) continue;
    try {
      await fs.link(src, path.join(dir, candidate));
      await fsyncDir(dir);
      return candidate;
    } catch (e) {
      if (errnoOf(e) !== 'EEXIST') throw e;
    }
  }
  throw new Error(`no free name for ${name} in ${dir}`);
}

export async function fsyncDir(dir: string): Promise<void> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(dir, 'r');
    await fh.sync();
  } catch {
    // Not every platform can fsync a directory; the link is still atomic.
  } finally {
    await fh?.close();
  }
}

function claimPath(src: string): string {
  return path.join(path.dirname(src), `${CLAIM_PREFIX}${Date.now()}.${process.pid}.${randomBytes(4).toString('hex')}.${path.basename(src)}`);
}

/** The original name inside a claim name, or undefined for other names. */
export function claimedName(fileName: string): string | undefined {
  if (!fileName.startsWith(CLAIM_PREFIX)) return undefined;
  const parts = fileName.slice(CLAIM_PREFIX.length).split('.');
  return parts.length > 3 ? parts.slice(3).join('.') : undefined;
}

async function claimsOf(dir: string, name: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((n) => claimedName(n) === name);
  } catch {
    return [];
  }
}

/**
 * Moves `src` into `dstDir` as `name` (or a free variant). When the source is gone because another
 * process moved it there first, reports `already`; `expectIno` (when the caller saw the file) makes
 * sure the file found there is the same one and not another that happens to share the name.
 * Throws ENOENT when the source is gone and not found at the destination.
 */
export async function moveNoClobber(src: string, dstDir: string, name: string, expectIno?: number): Promise<MoveResult> {
  const claim = claimPath(src);
  try {
    await fs.rename(src, claim);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return gone(src, dstDir, name, expectIno);
    throw e;
  }
  try {
    const placed = await linkFree(claim, dstDir, name);
    await fs.unlink(claim);
    await fsyncDir(path.dirname(src));
    return { status: 'moved', path: path.join(dstDir, placed) };
  } catch (e) {
    // Back under its name (or a free variant: rename could replace a file made there meanwhile).
    await restoreOne(path.dirname(src), path.basename(claim)).catch(() => undefined);
    throw e;
  }
}

/** The source vanished: another process moved it (maybe still mid-move), or it was deleted. */
async function gone(src: string, dstDir: string, name: string, expectIno?: number): Promise<MoveResult> {
  const deadline = Date.now() + CLAIM_WAIT_MS;
  while ((await claimsOf(path.dirname(src), path.basename(src))).length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const there = path.join(dstDir, name);
  const st = await fs.lstat(there).catch(() => undefined);
  if (st && (expectIno === undefined || st.ino === expectIno)) return { status: 'already', path: there };
  if (expectIno !== undefined) {
    // It may have landed under a variant name: look for the same inode among them.
    for (let n = 2; n < 100; n++) {
      const v = path.join(dstDir, variantName(name, n));
      const vs = await fs.lstat(v).catch(() => undefined);
      if (!vs) break;
      if (vs.ino === expectIno) return { status: 'already', path: v };
    }
  }
  const err = new Error(`ENOENT: no such file, ${src}`) as NodeJS.ErrnoException;
  err.code = 'ENOENT';
  throw err;
}

async function restoreOne(dir: string, claimFile: string): Promise<string | undefined> {
  const original = claimedName(claimFile);
  if (!original) return undefined;
  const p = path.join(dir, claimFile);
  const placed = await linkFree(p, dir, original);
  await fs.unlink(p);
  return path.join(dir, placed);
}

/**
 * Puts back claims left by processes killed mid-move (claims older than `olderThanMs`), under their
 * original name or a free variant. Returns the restored paths.
 */
export async function restoreClaims(dir: string, olderThanMs: number, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const restored: string[] = [];
  for (const n of names) {
    if (!claimedName(n)) continue;
    const st = await fs.lstat(path.join(dir, n)).catch(() => undefined);
    // rename(2) updates ctime: it tells when the claim was taken.
    if (!st?.isFile() || now - st.ctimeMs < olderThanMs) continue;
    const p = await restoreOne(dir, n).catch(() => undefined);
    if (p) restored.push(p);
  }
  return restored;
}
