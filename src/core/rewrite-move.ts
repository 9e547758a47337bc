// A move that may also rewrite the file's bytes (a status line), as safe as a plain move.
//
// Same claim discipline as fsmove.ts: the source is renamed to a private `.claim.*` name first (only one
// process can), which is the commit point. The claimed file is then rewritten *in place*, so it keeps
// its inode (a racer that saw the file still recognises it at its destination: "already"):
//   1. read the claim; compute the new bytes (the caller's `rewrite`, pure);
//   2. write them whole into a journal `.rewrite.<claim name>` beside it (tmp name, fsync, rename);
//   3. check the claim is still the file we read (nobody wrote into it through an open descriptor);
//   4. overwrite the claim with the journal's bytes, truncate, fsync; remove the journal;
//   5. link the claim into place under a free name (never replacing anything), unlink the claim.
// A process killed anywhere leaves either the claim with its old bytes, or a complete journal (whose
// bytes `finishRewrites` copies over the claim before sweep puts the claim back), or the claim already
// placed (link count 2: `finishRewrites` drops the claim instead of putting it back). So after sweep
// the dispatch is there exactly once, with its old or its new content.
//
// REBASE NOTE: written before issue #8's move primitive with a content transform landed; when it does,
// `moveRewriting` should become a call of that primitive and `finishRewrites` its sweep repair.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { CLAIM_PREFIX, claimedName, errnoOf, fsyncDir, linkFree, moveNoClobber, MoveResult } from './fsmove';

/** Pure: the new bytes, or undefined to leave the file as it is. */
export type Rewrite = (content: Buffer) => Buffer | undefined;

export const JOURNAL_PREFIX = '.rewrite.';
const JOURNAL_TMP = '.rewrite-tmp.';
/** Files larger than this are moved without being rewritten. */
export const MAX_REWRITE = 16 * 1024 * 1024;
const OPEN_FLAGS = constants.O_RDWR | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export interface RewriteMoveResult {
  result: MoveResult;
  /** Why the bytes were left as they were, if the rewrite wanted a change it could not make. */
  skipped?: string;
}

function claimPath(src: string): string {
  return path.join(path.dirname(src), `${CLAIM_PREFIX}${Date.now()}.${process.pid}.${randomBytes(4).toString('hex')}.${path.basename(src)}`);
}

/** Moves `src` into `dstDir` as `name` (or a free variant), rewriting its bytes on the way. */
export async function moveRewriting(src: string, dstDir: string, name: string, rewrite: Rewrite, expectIno?: number): Promise<RewriteMoveResult> {
  const claim = claimPath(src);
  try {
    await fs.rename(src, claim);
  } catch (e) {
    // Gone: the plain move finds where another process put it (or says it is gone).
    if (errnoOf(e) === 'ENOENT') return { result: await moveNoClobber(src, dstDir, name, expectIno) };
    throw e;
  }
  const dir = path.dirname(src);
  let skipped: string | undefined;
  try {
    skipped = await rewriteClaim(claim, rewrite);
    const placed = await linkFree(claim, dstDir, name);
    await fs.unlink(claim);
    await fsyncDir(dir);
    return { result: { status: 'moved', path: path.join(dstDir, placed) }, skipped };
  } catch (e) {
    await putBack(dir, path.basename(claim)).catch(() => undefined);
    throw e;
  }
}

/** Rewrites a claimed file in place through a journal; returns why it did not, when it did not. */
async function rewriteClaim(claim: string, rewrite: Rewrite): Promise<string | undefined> {
  const fh = await fs.open(claim, OPEN_FLAGS);
  try {
    const st = await fh.stat();
    if (!st.isFile()) return 'not a regular file';
    if (st.size > MAX_REWRITE) return `file larger than ${MAX_REWRITE / 1024 / 1024} MiB`;
    const old = await readAll(fh, st.size);
    const next = rewrite(old);
    if (!next || next.equals(old)) return undefined;
    const journal = path.join(path.dirname(claim), journalName(path.basename(claim)));
    await writeWhole(journal, next);
    const now = await fh.stat();
    if (now.size !== st.size || now.mtimeMs !== st.mtimeMs) {
      // Someone wrote into it through a descriptor opened before our claim: their bytes win.
      await fs.unlink(journal).catch(() => undefined);
      return 'changed while being rewritten';
    }
    await overwrite(fh, next);
    await fs.unlink(journal);
    await fsyncDir(path.dirname(claim));
    return undefined;
  } finally {
    await fh.close();
  }
}

/** `.rewrite.<time>.<pid>.<hex>`: the claim's unique part only, so a long dispatch name still fits NAME_MAX. */
function journalName(claimFile: string): string {
  return JOURNAL_PREFIX + claimFile.slice(CLAIM_PREFIX.length).split('.').slice(0, 3).join('.');
}

async function readAll(fh: fs.FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.alloc(size);
  let read = 0;
  while (read < size) {
    const { bytesRead } = await fh.read(buf, read, size - read, read);
    if (bytesRead === 0) break;
    read += bytesRead;
  }
  return buf.subarray(0, read);
}

async function overwrite(fh: fs.FileHandle, bytes: Buffer): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += (await fh.write(bytes, written, bytes.length - written, written)).bytesWritten;
  await fh.truncate(bytes.length);
  await fh.sync();
}

/** A whole file under `p`, or none: written under a temporary name, fsynced, then renamed. */
async function writeWhole(p: string, bytes: Buffer): Promise<void> {
  const tmp = path.join(path.dirname(p), `${JOURNAL_TMP}${process.pid}.${randomBytes(6).toString('hex')}`);
  const fh = await fs.open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.rename(tmp, p); // our own fresh name: nothing of anyone else's can be replaced
  await fsyncDir(path.dirname(p));
}

async function putBack(dir: string, claimFile: string): Promise<void> {
  const original = claimedName(claimFile);
  if (!original) return;
  const p = path.join(dir, claimFile);
  await linkFree(p, dir, original);
  await fs.unlink(p);
}

/**
 * Repairs what movers killed mid-rewrite left in a box, before claims are put back: a complete journal
 * is copied over its claim; a claim already linked into place (link count > 1) is dropped rather than
 * restored, which would double the dispatch; leftover journal temporaries are removed. Only entries
 * older than `olderThanMs` (a live mover may own younger ones). Returns how many were repaired.
 */
export async function finishRewrites(dir: string, olderThanMs: number, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let repaired = 0;
  const old = async (p: string) => {
    const st = await fs.lstat(p).catch(() => undefined);
    return st?.isFile() && now - st.ctimeMs >= olderThanMs ? st : undefined;
  };
  for (const n of names) {
    const p = path.join(dir, n);
    if (n.startsWith(JOURNAL_TMP)) {
      if (await old(p)) await fs.unlink(p).catch(() => undefined);
    } else if (n.startsWith(JOURNAL_PREFIX)) {
      if (!(await old(p))) continue;
      const id = n.slice(JOURNAL_PREFIX.length);
      const claim = names.find((c) => c.startsWith(`${CLAIM_PREFIX}${id}.`) && claimedName(c));
      const fh = claim ? await fs.open(path.join(dir, claim), OPEN_FLAGS).catch(() => undefined) : undefined;
      if (fh) {
        try {
          await overwrite(fh, await fs.readFile(p));
          repaired++;
        } finally {
          await fh.close();
        }
      }
      await fs.unlink(p).catch(() => undefined);
    }
  }
  for (const n of names) {
    if (!claimedName(n)) continue;
    const p = path.join(dir, n);
    const st = await old(p);
    if (st && st.nlink > 1 && (await fs.unlink(p).then(() => true, () => false))) repaired++;
  }
  return repaired;
}

/** How long a mover waits for someone else's claim on the same name to land. */
const LAND_WAIT_MS = 3000;

/**
 * After a move found its source gone and nothing at its destination: a file rewritten *in place* at
 * the destination (completing an acknowledged dispatch) is briefly a claim there. Waits for claims of
 * `name` in `dir` to finish, then reports the file there if it is the one expected.
 */
export async function landedAt(dir: string, name: string, expectIno?: number): Promise<MoveResult | undefined> {
  const deadline = Date.now() + LAND_WAIT_MS;
  const claimed = async () => (await fs.readdir(dir).catch(() => [] as string[])).some((n) => claimedName(n) === name);
  if (!(await claimed())) return undefined;
  while ((await claimed()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const p = path.join(dir, name);
  const st = await fs.lstat(p).catch(() => undefined);
  return st && (expectIno === undefined || st.ino === expectIno) ? { status: 'already', path: p } : undefined;
}
