// The one move: every change of a dispatch's place or bytes (acknowledge, mark as new, complete, reroute,
// delete to the trash, archive, a front matter field) is `moveNoClobber`, in four steps:
//   1. record: `.claim.<id>.json` beside the source says what is moved where (exclusive create; never
//      replaced afterwards: SMB refuses to replace a file another client reads);
//   2. claim: rename the source to `.claim.<id>` — only one process can, so racing moves have one winner;
//   3. place: the destination name is reserved (place.ts); a plain move renames the claim onto it; a
//      rewrite writes its new bytes whole as `.claim.<id>.new` (mode and group kept), commits (renames the
//      claim to `.claim.<id>.old`), then renames its new bytes onto it.
//      Whoever renames the claim decides: a repair that puts a claim back renames it too, so a move and a
//      repair racing (a machine whose clock runs ahead) never both win;
//   4. unclaim: the old bytes of a rewrite, then the record, go.
// A kill at any instant leaves what repair.ts finishes or undoes; an error undoes it at once. Every
// rename error is "maybe done" (files.ts): a network filesystem may have carried it out.
import * as fs from '../fs/rawfs';
import * as path from 'node:path';
import { Stats } from 'node:fs';
import { killPoint } from '../fs/faults';
import { errnoOf, fsyncDir, listed, lstatOrNot, READ_FLAGS, removeQuietly, rename, writeNew } from './files';
import { FileSeen, sameFile } from './identity';
import { claimFile, newClaimId, newFile, oldFile, recordFile } from './names';
import { cancel, finish, place, reserve } from './place';
import { createRecord, MoveRecord, removeRecord } from './record';
import { repairOne } from './repair';
import { goneVerdict, MoveResult, Recognise } from './verdict';

export type { MoveResult } from './verdict';

export interface MoveOptions {
  /** The source as the caller saw it (an `already` must be this file, not another of the same name). */
  seen?: FileSeen;
  /**
   * New bytes for the placed file, from the claimed file's bytes. Returning a Buffer places a new file
   * with that content; undefined places the same file. `dstDir` may be the source's own folder and
   * `name` its own name: a rewrite in place.
   */
  rewrite?: (content: Buffer) => Buffer | undefined;
  /** Told why the bytes were not rewritten when the move goes on without it (not a regular file…). */
  warn?: (w: string) => void;
  /** Recognises a racer's change under the name at the destination (a rewrite places a new inode: by its status). */
  recognise?: Recognise;
  /** Vetoes a destination name (e.g. one already used in cur/). */
  skip?: (candidate: string) => Promise<boolean>;
  /** The destination relative to the source folder, and back (logical paths: the folders may be pinned). */
  recordDst?: string;
  recordSrc?: string;
  /** false: the caller fsyncs both folders itself once a batch is done (10,000 acks, 2 fsyncs). */
  sync?: boolean;
  /** Whether the folders are on a remote filesystem, whose caches can say "gone" for a while: verdicts look again. */
  remote?: () => Promise<boolean>;
}

/** Larger files are moved as they are: their bytes are not read into memory to rewrite one line. */
const MAX_REWRITE_INPUT = 64 * 1024 * 1024;
/** Errors reading the claim that leave its bytes as they are: a file this user may move but not read. */
const UNREADABLE = new Set(['EACCES', 'EPERM', 'EFBIG']);

/**
 * Moves `src` into `dstDir` as `name` (or a free variant). When the source is gone because another process
 * moved it there first, reports `already`. Throws ENOENT when the source is gone and not found at the
 * destination; any other failure leaves the dispatch back at `src` (or a free variant of its name).
 */
export async function moveNoClobber(src: string, dstDir: string, name: string, opts: MoveOptions = {}): Promise<MoveResult> {
  for (let attempt = 0; ; attempt++) {
    const r = await moveOnce(src, dstDir, name, opts);
    // Put back by the mover that had claimed it (its move failed), or changed while read: once more.
    if (r !== 'again' || attempt >= 3) return r === 'again' ? goneVerdict(path.dirname(src), path.basename(src), dstDir, name, recogniser(opts)) : r;
  }
}

async function moveOnce(src: string, dstDir: string, name: string, opts: MoveOptions): Promise<MoveResult | 'again'> {
  const dir = path.dirname(src);
  const from = path.basename(src);
  const gone = async () => {
    const r = await goneVerdict(dir, from, dstDir, name, recogniser(opts), await opts.remote?.()).catch(async (e) => {
      if ((await listed(dir, from)) && errnoOf(e) === 'ENOENT') return 'again' as const;
      throw e;
    });
    return r;
  };
  const st = await lstatOrNot(src);
  if (!st) return gone();
  const id = newClaimId();
  const claim = path.join(dir, claimFile(id));
  const rec: MoveRecord = { v: 2, name: from, dst: (opts.recordDst ?? path.relative(dir, dstDir)) || '.', want: name, size: st.size };
  await createRecord(dir, id, rec);
  killPoint('recorded');
  try {
    await rename(src, claim);
  } catch (e) {
    if (!(await listed(dir, claimFile(id)))) {
      await removeRecord(dir, id);
      if (errnoOf(e) === 'ENOENT') return gone();
      throw e;
    }
    // A lost reply: the claim is ours.
  }
  killPoint('claimed');
  try {
    // A repair that took the record, half written, for a killed mover's (a clock running ahead) removed it.
    if (!(await lstatOrNot(path.join(dir, recordFile(id))))) await createRecord(dir, id, rec);
    const bytes = opts.rewrite ? await rewritten(claim, opts) : undefined;
    const to = { size: bytes?.data.length ?? st.size, from: (opts.recordSrc ?? path.relative(dstDir, dir)) || '.', skip: opts.skip, sync: opts.sync };
    let placed: string;
    if (!bytes) placed = await place(dir, claimFile(id), dstDir, name, to);
    else {
      await writeNew(path.join(dir, newFile(id)), bytes.data, { mode: bytes.mode, exact: true, gid: bytes.gid, durable: true });
      killPoint('prepared');
      const r = await reserve(dir, newFile(id), dstDir, name, to);
      if (r.dev !== undefined && r.dev !== (await lstatOrNot(path.join(dir, newFile(id))))?.dev) {
        // Another filesystem: the rename could never happen, so nothing is committed to it.
        await cancel(r);
        throw Object.assign(new Error(`EXDEV: cross-device rename, ${dstDir}`), { code: 'EXDEV' });
      }
      if (!(await commit(dir, id))) {
        // A repair put the claim back meanwhile (it took this move for an abandoned one): start again.
        await cancel(r);
        await removeQuietly(path.join(dir, newFile(id)));
        return 'again';
      }
      killPoint('committed');
      placed = await finish(r).catch(async (e: unknown) => {
        // Past the commit the new bytes only go forward (sweep finishes what this could not), unless the
        // rename can never happen (another mount): then the commit is taken back and the claim put back.
        if (
          errnoOf(e) === 'EXDEV' &&
          (await rename(path.join(dir, oldFile(id)), claim).then(
            () => true,
            () => false,
          ))
        )
          throw e;
        throw committed(e);
      });
      await removeQuietly(path.join(dir, oldFile(id))); // the old bytes
    }
    killPoint('unclaimed');
    if (opts.sync !== false) await fsyncDir(dir);
    await removeRecord(dir, id);
    return { status: 'moved', path: path.join(dstDir, placed) };
  } catch (e) {
    // A failed move: the claim goes back under its name, then what was prepared goes (not past a commit).
    if (!(e as { committed?: boolean }).committed) await repairOne(dir, id, true).catch(() => undefined);
    throw e;
  }
}

/** A rewrite commits to its new bytes by renaming the claim aside; false when the claim was taken first. */
async function commit(dir: string, id: string): Promise<boolean> {
  try {
    await rename(path.join(dir, claimFile(id)), path.join(dir, oldFile(id)));
    return true;
  } catch (e) {
    if (await listed(dir, oldFile(id))) return true; // a lost reply
    if (errnoOf(e) === 'ENOENT') return false;
    throw e;
  }
}

function committed(e: unknown): unknown {
  return Object.assign(e instanceof Error ? e : new Error(String(e)), { committed: true });
}

/**
 * A regular file's bytes and stat, read without following a symlink or waiting on a FIFO; undefined for
 * anything but a regular file. Throws what the read throws (EACCES…).
 */
async function readRegular(p: string): Promise<{ data: Buffer; st: Stats } | undefined> {
  const fh = await fs.open(p, READ_FLAGS);
  try {
    const st = await fh.stat();
    if (!st.isFile()) return undefined;
    if (st.size > MAX_REWRITE_INPUT) throw Object.assign(new Error('file too large to rewrite'), { code: 'EFBIG' });
    return { data: await fh.readFile(), st };
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/**
 * The claimed file's new bytes (with its mode and group), or undefined when they stay as they are: a
 * symlink, a FIFO or anything but a regular file is never opened for reading (nothing is read outside the
 * root, nothing blocks), and a file that cannot be read is moved untouched — each with a warning.
 */
async function rewritten(p: string, opts: MoveOptions): Promise<{ data: Buffer; mode: number; gid: number } | undefined> {
  let file: { data: Buffer; st: Stats } | undefined;
  try {
    file = await readRegular(p);
  } catch (e) {
    const code = errnoOf(e);
    if (code === 'ELOOP' || code === 'EMLINK') opts.warn?.('status not written: a symbolic link (moved as it is, never followed)');
    else if (code && UNREADABLE.has(code)) opts.warn?.(`status not written: the file cannot be read (${code})`);
    else if (code !== 'ENOENT') throw e;
    return undefined;
  }
  if (!file) {
    opts.warn?.('status not written: not a regular file (moved as it is)');
    return undefined;
  }
  const data = opts.rewrite!(file.data);
  return data && { data, mode: file.st.mode & 0o7777, gid: file.st.gid };
}

/** What counts as "already moved there": the very file the caller saw, or what its recogniser accepts. */
function recogniser(opts: MoveOptions): Recognise {
  const seen = opts.seen;
  return async (p, st, exact) => {
    if (seen ? await sameFile(p, st, seen) : exact && !opts.recognise) return true;
    return !!opts.recognise && exact && (await opts.recognise(p, st, exact));
  };
}
