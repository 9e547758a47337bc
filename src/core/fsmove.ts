// Moves that never replace a file, never duplicate one and never hide one.
//
// The one move primitive, `moveNoClobber(src, dstDir, name, opts)`, in four steps:
//   1. record: `.claim.<id>.json` beside the source says what is moved where (exclusive create);
//   2. claim: rename the source to `.claim.<id>` — only one process can, so this is the commit point
//      that makes racing moves (ack vs reroute vs delete) end with one winner;
//   3. place: optionally `rewrite` the bytes (a NEW file `.claim.<id>.new`, written whole and fsynced),
//      then put the claim (or the new file) at the destination under `name` or a free variant without
//      clobbering: link(2), or where links are refused an exclusive empty placeholder renamed onto;
//   4. unclaim: remove the claim (and the record).
// A process killed at any instant leaves a record that `repairClaims` (sweep) reads: a placement that
// already completed (same inode at the destination, or the recorded new file there) only loses its
// claim; otherwise the claim is renamed back under its name. Restoring uses rename onto an exclusive
// placeholder, never link, so it works where the move's link just failed, and two repairs racing on
// one claim restore it once (only one rename of the claim can succeed).
import * as fs from './rawfs';
import * as path from 'node:path';
import { constants, Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import { variantName } from './format';
import {
  ClaimRecord,
  claimFile,
  claimPart,
  createRecord,
  legacyName,
  newClaimId,
  newFile,
  readRecord,
  recordFile,
  removeQuietly,
  removeRecord,
  tmpFile,
  updateRecord,
} from './claim';

export { claimPart } from './claim';

export type MoveResult = { status: 'moved'; path: string } | { status: 'already'; path: string };

/** What a caller saw of the source: "already" is said only for that very file. */
export interface FileSeen {
  ino: number;
  size: number;
  mtimeMs: number;
  /** SHA-256 of its first bytes when they could be read: across mounts, where inodes differ, size and mtime alone may match another file. */
  head?: string;
}

export interface MoveOptions {
  /** The source as the caller saw it (an `already` must be this file, not another of the same name). */
  seen?: FileSeen;
  /**
   * New bytes for the placed file, from the claimed file's bytes. Returning a Buffer places a new file
   * with that content (the old one goes when the new one is in place); undefined places the same file.
   * `dstDir` may be the source's own folder and `name` its own name: a rewrite in place.
   */
  rewrite?: (content: Buffer) => Buffer | undefined;
  /** Vetoes a destination name (e.g. one already used in cur/). */
  skip?: (candidate: string) => Promise<boolean>;
  /** The destination relative to the source folder, for the record when the paths given are pinned (pin.ts). */
  recordDst?: string;
  /** false: the caller fsyncs both folders itself once a batch is done (10,000 acks, 2 fsyncs). */
  sync?: boolean;
}

const MAX_VARIANTS = 10_000;
/**
 * How long a racer waits for another process's claim on the same file to land. Waited only while a claim
 * is there: a rewrite over sshfs on a loaded machine took over 3 s from claim to placement, and the
 * loser then said "moved by someone else" where "already" was true.
 */
const CLAIM_WAIT_MS = 10_000;
const MAX_REWRITE_INPUT = 64 * 1024 * 1024;

export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The mode of the empty placeholder a no-hardlink placement renames onto. No file a person or sender
 * makes has it, so a placeholder left by a process killed before its rename is told from an empty
 * dispatch (a warning, and `sweep` removes it), while an empty file someone wrote stays a dispatch.
 */
const PLACEHOLDER_MODE = 0o000;

/** An empty placeholder (see PLACEHOLDER_MODE), not a dispatch. */
export function isPlaceholder(st: Stats): boolean {
  return st.isFile() && st.size === 0 && (st.mode & 0o7777) === PLACEHOLDER_MODE;
}

/** link(2) refused for a reason an exclusive create + rename does not share. */
const LINK_REFUSED = new Set(['EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'ENOSPC', 'EDQUOT']);
/** No inode left for a placeholder: only a checked rename remains. */
const NO_INODE = new Set(['ENOSPC', 'EDQUOT']);

/**
 * Test hook: `DISPATCH_KILL_AT=<step>` makes this process SIGKILL itself at that step of a move
 * (recorded, claimed, prepared, placeholder, placed, unclaimed, restore), to test every instant.
 */
export function killPoint(step: string): void {
  if (process.env.DISPATCH_KILL_AT === step) process.kill(process.pid, 'SIGKILL');
}

/**
 * Puts `src` into `dir` as `name` or the first free variant, never replacing anything; `src` stays
 * (link) or is gone (placeholder + rename) afterwards. `onPlaceholder` is told a placeholder name
 * before it is made. Returns the name used.
 */
export async function placeFree(
  src: string,
  dir: string,
  name: string,
  skip?: (c: string) => Promise<boolean>,
  onPlaceholder?: (c: string) => Promise<void>,
  byRename = false,
  sync = true,
): Promise<string> {
  const fsyncDir = sync ? fsyncFolder : async () => undefined;
  // Restores rename (never link): two repairs of one claim cannot both succeed at a rename.
  let mode: 'link' | 'placeholder' | 'checked-rename' = byRename ? 'placeholder' : 'link';
  for (let n = 1; n < MAX_VARIANTS; n++) {
    const candidate = n === 1 ? name : variantName(name, n);
    if (skip && (await skip(candidate))) continue;
    const target = path.join(dir, candidate);
    if (mode === 'link') {
      try {
        await fs.link(src, target);
        await fsyncDir(dir);
        return candidate;
      } catch (e) {
        const code = errnoOf(e);
        if (code === 'EEXIST') continue;
        if (!code || !LINK_REFUSED.has(code)) throw e;
        mode = 'placeholder';
      }
    }
    if (mode === 'placeholder') {
      await onPlaceholder?.(candidate);
      try {
        await (await fs.open(target, 'wx', PLACEHOLDER_MODE)).close();
      } catch (e) {
        const code = errnoOf(e);
        if (code === 'EEXIST') continue;
        if (!code || !NO_INODE.has(code)) throw e;
        mode = 'checked-rename';
      }
      if (mode === 'placeholder') {
        killPoint('placeholder');
        // rename(2) replaces only our own empty placeholder: nobody else creates that name now.
        await fs.rename(src, target).catch(async (e) => {
          await removeQuietly(target);
          throw e;
        });
        await fsyncDir(dir);
        return candidate;
      }
    }
    // No inode for a placeholder (a full inode table): the name is checked free just before the rename.
    if (await exists(target)) continue;
    await fs.rename(src, target);
    await fsyncDir(dir);
    return candidate;
  }
  throw new Error(`no free name for ${name}`);
}

export const fsyncDir = fsyncFolder;

async function fsyncFolder(dir: string): Promise<void> {
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

/**
 * The move primitive (see the top of this file). Moves `src` into `dstDir` as `name` (or a free
 * variant). When the source is gone because another process moved it there first, reports `already`.
 * Throws ENOENT when the source is gone and not found at the destination; any other failure leaves
 * the dispatch back at `src` (or a free variant of its name) and rethrows.
 */
export async function moveNoClobber(src: string, dstDir: string, name: string, opts: MoveOptions = {}): Promise<MoveResult> {
  const dir = path.dirname(src);
  const id = newClaimId();
  const claim = path.join(dir, claimFile(id));
  const rec: ClaimRecord = { v: 1, name: path.basename(src), dst: (opts.recordDst ?? path.relative(dir, dstDir)) || '.', want: name };
  if (opts.rewrite) rec.rewrite = true;
  await createRecord(dir, id, rec);
  killPoint('recorded');
  try {
    await fs.rename(src, claim);
  } catch (e) {
    await removeRecord(dir, id);
    if (errnoOf(e) === 'ENOENT') return gone(src, dstDir, name, opts.seen);
    throw e;
  }
  killPoint('claimed');
  const fresh = path.join(dir, newFile(id));
  let placing = claim;
  try {
    const bytes = opts.rewrite ? opts.rewrite(await readBounded(claim)) : undefined;
    if (bytes) {
      rec.newIno = await writeWhole(fresh, bytes);
      await updateRecord(dir, id, rec);
      placing = fresh;
    }
    killPoint('prepared');
    const placed = await placeFree(
      placing,
      dstDir,
      name,
      opts.skip,
      (c) => {
        rec.placeholder = c;
        return updateRecord(dir, id, rec);
      },
      false,
      opts.sync !== false,
    );
    killPoint('placed');
    await removeQuietly(claim); // already gone when the claim itself was renamed into place
    await removeQuietly(fresh);
    killPoint('unclaimed');
    if (opts.sync !== false) await fsyncDir(dir);
    await removeRecord(dir, id);
    return { status: 'moved', path: path.join(dstDir, placed) };
  } catch (e) {
    // A failed move: drop what was prepared and put the claim back, by rename (never by link).
    await repairOne(dir, id, rec).catch(() => undefined);
    throw e;
  }
}

async function readBounded(p: string): Promise<Buffer> {
  const fh = await fs.open(p, 'r');
  try {
    const st = await fh.stat();
    if (st.size > MAX_REWRITE_INPUT) throw Object.assign(new Error('file too large to rewrite'), { code: 'EFBIG' });
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** Writes a new file whole and durably; returns its inode. */
async function writeWhole(p: string, bytes: Buffer): Promise<number> {
  const fh = await fs.open(p, 'wx', 0o644);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
    return (await fh.stat()).ino;
  } catch (e) {
    await fh.close().catch(() => undefined);
    await removeQuietly(p);
    throw e;
  } finally {
    await fh.close().catch(() => undefined);
  }
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
// Never follow a symlink, never wait on a FIFO swapped in.
const HEAD_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** SHA-256 (hex) of a file's first 4 KiB; undefined when it cannot be read (a private file, gone). */
export async function headHash(p: string): Promise<string | undefined> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(p, HEAD_FLAGS);
    const buf = Buffer.alloc(HEAD_HASH_BYTES);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex');
  } catch {
    return undefined;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** The source vanished: another process moved it (maybe still mid-move), or it was deleted. */
async function gone(src: string, dstDir: string, name: string, seen?: FileSeen): Promise<MoveResult> {
  const deadline = Date.now() + CLAIM_WAIT_MS;
  while ((await claimsOf(path.dirname(src), path.basename(src))) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const there = path.join(dstDir, name);
  const st = await fs.lstat(there).catch(() => undefined);
  if (st && (!seen || (await sameFile(there, st, seen)))) return { status: 'already', path: there };
  if (seen) {
    const v = await findPlaced(dstDir, name, (s, p) => sameFile(p, s, seen));
    if (v) return { status: 'already', path: v };
  }
  const err = new Error(`ENOENT: no such file, ${src}`) as NodeJS.ErrnoException;
  err.code = 'ENOENT';
  throw err;
}

/** Whether some claim in `dir` holds the dispatch named `name`. */
async function claimsOf(dir: string, name: string): Promise<boolean> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return false;
  }
  for (const n of names) {
    const c = claimPart(n);
    if (!c || c.part !== 'claim') continue;
    if (legacyName(n) === name) return true;
    if ((await readRecord(dir, c.id))?.name === name) return true;
  }
  return false;
}

/** `name` or one of its variants in `dir` that passes `same`. */
async function findPlaced(dir: string, name: string, same: (st: Stats, p: string) => boolean | Promise<boolean>): Promise<string | undefined> {
  let misses = 0;
  for (let n = 1; n < MAX_VARIANTS && misses < 20; n++) {
    const p = path.join(dir, n === 1 ? name : variantName(name, n));
    const st = await fs.lstat(p).catch(() => undefined);
    if (!st) {
      misses++;
      continue;
    }
    misses = 0;
    if (await same(st, p)) return p;
  }
  return undefined;
}

/** Puts a claim back under `original` (or a free variant) by rename; undefined if another did first. */
async function restoreClaim(dir: string, claimName: string, original: string): Promise<string | undefined> {
  const claim = path.join(dir, claimName);
  try {
    const placed = await placeFree(claim, dir, original, undefined, undefined, true);
    return path.join(dir, placed);
  } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined; // another repair put it back first
    throw e;
  }
}

/** Whether the claim's placement completed: the claimed file (or its rewrite) is at the destination. */
async function isPlaced(dir: string, rec: ClaimRecord, c: Stats, n: Stats | undefined): Promise<boolean> {
  const dst = path.resolve(dir, rec.dst);
  const at = (st: Stats) => (s: Stats) => s.ino === st.ino && s.dev === st.dev;
  // The new file is written (its inode recorded) and gone: only a rename into place takes it away.
  if (rec.newIno !== undefined && !n) return true;
  const placedFile = n ?? c;
  if (placedFile.nlink < 2) return false;
  // Linked into place — and maybe moved on from there since by others: look at the destination,
  // then every box of the root (rare: only a mover killed between link and unlink gets here).
  return !!(await findPlaced(dst, rec.want, at(placedFile))) || (await inRoot(dir, at(placedFile)));
}

/** Whether a file passing `same` is in any box (or trash) of the root that holds the box `dir`. */
async function inRoot(dir: string, same: (st: Stats) => boolean): Promise<boolean> {
  const root = path.dirname(path.dirname(dir));
  const teams = await fs.readdir(root).catch(() => [] as string[]);
  const boxes = teams.flatMap((t) => (t === '.trash' ? [] : ['new', 'cur'].map((b) => path.join(root, t, b))));
  for (const t of await fs.readdir(path.join(root, '.trash')).catch(() => [] as string[])) boxes.push(path.join(root, '.trash', t));
  for (const b of boxes) {
    const st = await fs.lstat(b).catch(() => undefined);
    if (!st?.isDirectory()) continue;
    for (const n of await fs.readdir(b).catch(() => [] as string[])) {
      if (claimPart(n)) continue;
      const f = await fs.lstat(path.join(b, n)).catch(() => undefined);
      if (f && same(f)) return true;
    }
  }
  return false;
}

/** One claim: finish it if its placement completed, else put it back. Returns the restored path. */
async function repairOne(dir: string, id: string, rec: ClaimRecord | undefined): Promise<string | undefined> {
  const claim = path.join(dir, claimFile(id));
  const fresh = path.join(dir, newFile(id));
  // A record update killed between its write and its rename leaves this beside the record.
  await removeQuietly(path.join(dir, tmpFile(id)));
  const c = await fs.lstat(claim).catch(() => undefined);
  const n = await fs.lstat(fresh).catch(() => undefined);
  if (!c) {
    // Placed by rename, or put back already: only leftovers remain.
    await removeQuietly(fresh);
    await removeRecord(dir, id);
    return undefined;
  }
  if (!rec) {
    // A claim whose record is unreadable: keep it visible under a name of its own.
    await removeQuietly(fresh);
    const back = await restoreClaim(dir, claimFile(id), `recovered-${id}.md`);
    await removeRecord(dir, id);
    return back;
  }
  const dst = path.resolve(dir, rec.dst);
  if (!insideRoot(dir, dst)) return undefined;
  if (await isPlaced(dir, rec, c, n)) {
    await removeQuietly(claim);
    await removeQuietly(fresh);
    await removeRecord(dir, id);
    return undefined;
  }
  if (rec.placeholder && (await realFolders(dst))) {
    // Our exclusive empty placeholder at the destination, never renamed onto (the claim is still here).
    const p = path.join(dst, rec.placeholder);
    const ps = await fs.lstat(p).catch(() => undefined);
    if (ps?.isFile() && ps.size === 0 && ps.ino !== c.ino && ps.ino !== n?.ino) await removeQuietly(p);
  }
  // The claim back first, the unplaced new file after: the other order, killed in between, would
  // read as "placed" (new file gone) and lose the claim.
  killPoint('restore');
  const back = await restoreClaim(dir, claimFile(id), rec.name);
  await removeQuietly(fresh);
  await removeRecord(dir, id);
  return back;
}

/** The destination and its team folder are real folders (a symlink there must not lead a removal outside). */
async function realFolders(dst: string): Promise<boolean> {
  for (const p of [path.dirname(dst), dst]) if (!(await fs.lstat(p).catch(() => undefined))?.isDirectory()) return false;
  return true;
}

/** A record's destination is `<root>/<x>/<y>` of the same root as the claim's own `<root>/<team>/<box>`. */
function insideRoot(dir: string, dst: string): boolean {
  const root = path.dirname(path.dirname(dir));
  const rel = path.relative(root, dst).split(path.sep);
  return rel.length === 2 && rel.every((p) => p && p !== '..' && p !== '.');
}

/** A claim in a box: the dispatch's own name, and whether its placement is still to happen. */
export interface ClaimInfo {
  claim: string;
  name: string;
  ageMs: number;
}

/**
 * The claims in a box whose dispatch is not (yet) anywhere else: in flight, or left by a killed move.
 * `names`: the box's listing, when the caller has it.
 */
export async function pendingClaims(dir: string, names?: string[], now = Date.now()): Promise<ClaimInfo[]> {
  names ??= await fs.readdir(dir).catch(() => [] as string[]);
  const out: ClaimInfo[] = [];
  for (const f of names) {
    const part = claimPart(f);
    if (part?.part !== 'claim') continue;
    const c = await fs.lstat(path.join(dir, f)).catch(() => undefined);
    if (!c?.isFile()) continue;
    const legacy = legacyName(f);
    const rec = legacy ? undefined : await readRecord(dir, part.id);
    const name = legacy ?? rec?.name ?? f;
    const n = rec && (await fs.lstat(path.join(dir, newFile(part.id))).catch(() => undefined));
    if (rec && insideRoot(dir, path.resolve(dir, rec.dst)) && (await isPlaced(dir, rec, c, n))) continue;
    out.push({ claim: f, name, ageMs: now - c.ctimeMs });
  }
  return out;
}

/**
 * Repairs claims left by processes killed mid-move (claims older than `olderThanMs`): a completed
 * placement loses its claim, anything else goes back under its name (or a free variant). Safe to run
 * from several processes at once. Returns the restored paths.
 */
export async function repairClaims(dir: string, olderThanMs: number, now = Date.now()): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const restored: string[] = [];
  const ids = new Set<string>();
  for (const n of names) {
    const c = claimPart(n);
    if (c) ids.add(c.id);
  }
  for (const id of ids) {
    try {
      const legacy = legacyName(claimFile(id));
      const probe = path.join(dir, legacy ? claimFile(id) : recordFile(id));
      const st =
        (await fs.lstat(path.join(dir, claimFile(id))).catch(() => undefined)) ??
        (await fs.lstat(probe).catch(() => undefined)) ??
        // Only a record half replaced is left of a finished claim: its age counts.
        (await fs.lstat(path.join(dir, tmpFile(id))).catch(() => undefined));
      // rename(2) updates ctime: it tells when the claim was taken.
      if (!st || now - st.ctimeMs < olderThanMs) continue;
      const p = legacy ? await restoreClaim(dir, claimFile(id), legacy) : await repairOne(dir, id, await readRecord(dir, id));
      if (p) restored.push(p);
    } catch {
      // One claim that cannot be repaired now (permissions…) must not stop the others.
    }
  }
  return restored;
}

async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}
