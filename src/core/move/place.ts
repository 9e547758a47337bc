// Placing a file under a name in a box without ever replacing anything, on every filesystem.
//
// rename(2) replaces its target silently (Windows' MoveFileEx too), and link(2) — the classic no-clobber
// placement — is refused on SMB, FAT and many FUSE mounts, and leaves two names for one file in between,
// which a later move of either name can turn into two dispatches. So every placement here is one way:
//   1. a marker `.claim.<mid>.ph` in the destination says which placeholder is ours and for which file;
//   2. the placeholder: an empty file made with an exclusive create under the wanted name (or the next
//      free variant), which only one process can make, on any filesystem;
//   3. rename(2) of the file onto it: the file's bytes are under exactly one name at every instant;
//   4. the marker goes.
// A kill leaves at most a marker and an empty placeholder, both recognised (listings hide such a
// placeholder, `sweep` removes it); modes are not needed for that, so SMB and Windows behave alike.
import * as fs from '../fs/rawfs';
import * as path from 'node:path';
import { killPoint } from '../fs/faults';
import { variantName } from '../format/format';
import { errnoOf, fsyncDir, listed, lstatOrNot, removeQuietly, rename } from './files';
import { claimPart, markerFile, newClaimId, takenFile } from './names';
import { Marker, readMarker, writeMarker } from './record';

const MAX_VARIANTS = 10_000;
/**
 * An extra mark where modes exist (not on SMB, not on Windows, where 0000 means read-only and would make
 * the rename fail): a reader that predates markers knows a placeholder by it.
 */
const PLACEHOLDER_MODE = process.platform === 'win32' ? 0o644 : 0o000;
/** No inode left for a placeholder (or a marker): only a checked rename remains. */
const NO_INODE = new Set(['ENOSPC', 'EDQUOT']);

export interface PlaceOptions {
  /** Size of the file placed: an empty file at the target is then not it. */
  size: number;
  /** The source folder as seen from the destination (logical paths: the folders may be pinned). */
  from: string;
  /** Vetoes a candidate name (e.g. one already used in cur/). */
  skip?: (candidate: string) => Promise<boolean>;
  /** false: the caller fsyncs the folders once its batch is done. */
  sync?: boolean;
}

/** A destination name held for a file: its marker, and its placeholder (none where no inode was left). */
export interface Reservation {
  srcDir: string;
  file: string;
  dstDir: string;
  name: string;
  size: number;
  sync: boolean;
  marker?: string;
  /** No inode for a placeholder: the name is checked free just before the rename (its one-call window). */
  checked: boolean;
  /** The filesystem the placeholder is on (a rename from another one fails: EXDEV). */
  dev?: number;
}

/**
 * Holds `name` or its first free variant in `dstDir` for `srcDir/file`: a marker, then an exclusive empty
 * placeholder. Throws (leaving nothing) when it cannot.
 */
export async function reserve(srcDir: string, file: string, dstDir: string, name: string, o: PlaceOptions): Promise<Reservation> {
  for (let n = 1; n < MAX_VARIANTS; n++) {
    const candidate = n === 1 ? name : variantName(name, n);
    if (o.skip && (await o.skip(candidate))) continue;
    const target = path.join(dstDir, candidate);
    const r: Reservation = { srcDir, file, dstDir, name: candidate, size: o.size, sync: o.sync !== false, checked: false };
    // A marker of its own per candidate: on SMB a name just removed can stay taken ("delete pending")
    // while another client still has it open.
    const mid = newClaimId();
    const m: Marker = { v: 2, ph: candidate, from: o.from, file, size: o.size };
    r.marker = await writeMarker(dstDir, mid, m).then(
      () => path.join(dstDir, markerFile(mid)),
      (e) => {
        if (!NO_INODE.has(errnoOf(e) ?? '')) throw e;
        return undefined;
      },
    );
    killPoint('marked');
    try {
      const fh = await fs.open(target, 'wx', PLACEHOLDER_MODE);
      r.dev = await fh.stat().then(
        (st) => st.dev,
        () => undefined,
      );
      await fh.close();
    } catch (e) {
      if (r.marker) await removeQuietly(r.marker);
      const code = errnoOf(e);
      if (code === 'EEXIST') continue;
      if (!NO_INODE.has(code ?? '')) throw e;
      if (await lstatOrNot(target)) continue;
      return { ...r, marker: undefined, checked: true };
    }
    killPoint('placeholder');
    return r;
  }
  throw new Error(`no free name for ${name}`);
}

/**
 * Renames the reserved file onto its placeholder; returns the name used. A failure takes the reservation
 * back (the file stays where it was) and throws.
 */
export async function finish(r: Reservation): Promise<string> {
  const target = path.join(r.dstDir, r.name);
  try {
    await rename(path.join(r.srcDir, r.file), target);
  } catch (e) {
    if (!(await placedAnyway(r.srcDir, r.file, target, r.size))) {
      await cancel(r);
      throw e;
    }
  }
  killPoint('placed');
  if (r.sync) await fsyncDir(r.dstDir);
  if (r.marker) await removeQuietly(r.marker);
  return r.name;
}

/** Gives a reservation up: our empty placeholder (nothing was renamed onto it), then its marker. */
export async function cancel(r: Reservation): Promise<void> {
  if (!r.checked) await removeEmpty(path.join(r.dstDir, r.name));
  if (r.marker) await removeQuietly(r.marker);
}

/**
 * Puts `srcDir/file` into `dstDir` as `name` or its first free variant, never replacing a file, and
 * returns the name used; the file is gone from `srcDir` afterwards. Throws (with nothing left behind
 * but the file where it was) when it cannot.
 */
export async function place(srcDir: string, file: string, dstDir: string, name: string, o: PlaceOptions): Promise<string> {
  return finish(await reserve(srcDir, file, dstDir, name, o));
}

/**
 * A rename that reported failure but happened (a network filesystem's lost reply): the file is no longer
 * listed where it was, and what is at the target is not our empty placeholder.
 */
async function placedAnyway(srcDir: string, file: string, target: string, size: number): Promise<boolean> {
  if (await listed(srcDir, file)) return false;
  const st = await lstatOrNot(target);
  return !!st && (st.size > 0 || size === 0);
}

/** Our own placeholder, still empty (nothing was renamed onto it). */
async function removeEmpty(p: string): Promise<void> {
  const st = await lstatOrNot(p);
  if (st?.isFile() && st.size === 0) await removeQuietly(p);
}

/**
 * Whether the placeholder marker `mid` names is the one its writer made: an empty regular file no other
 * marker in the box names. Timestamps cannot tell (on SMB a marker's mtime is set when the client closes
 * it, after the placeholder exists). The one case this cannot tell is a writer killed right after its
 * exclusive create failed — the name another's — where that other left no marker (a stray empty file).
 */
export async function ownPlaceholder(dir: string, mid: string, m: Marker, all: { mid: string; m: Marker }[]): Promise<boolean> {
  if (all.some((o) => o.mid !== mid && o.m.ph === m.ph)) return false;
  const st = await lstatOrNot(path.join(dir, m.ph));
  return !!st && st.isFile() && st.size === 0;
}

/**
 * Removes a placeholder a killed process left (named by marker `mid`), without a check-then-act window:
 * renamed aside first, then removed if it is empty; anything else taken by mistake is put back.
 */
export async function takeAway(dir: string, mid: string, ph: string): Promise<boolean> {
  const aside = takenFile(mid);
  try {
    await rename(path.join(dir, ph), path.join(dir, aside));
  } catch (e) {
    if (!(await listed(dir, aside))) {
      if (errnoOf(e) === 'ENOENT') return false;
      throw e;
    }
  }
  return settleTaken(dir, mid, ph);
}

/**
 * A file set aside by takeAway: removed when empty, else put back under `ph` (or a free variant).
 * Whether an empty placeholder was removed.
 */
export async function settleTaken(dir: string, mid: string, ph: string): Promise<boolean> {
  const aside = takenFile(mid);
  const st = await lstatOrNot(path.join(dir, aside));
  if (!st) return false;
  if (st.isFile() && st.size === 0) {
    await removeQuietly(path.join(dir, aside));
    return true;
  }
  await place(dir, aside, dir, ph, { size: st.size, from: '.' });
  return false;
}

/** The placeholder a marker (by its file name) names, if it can be read. */
export async function placeholderOf(dir: string, marker: string): Promise<string | undefined> {
  const c = claimPart(marker);
  return c?.part === 'marker' ? (await readMarker(dir, c.id))?.ph : undefined;
}

/** The markers in a box's listing, read (unreadable ones are left for sweep). */
export async function markersIn(dir: string, names: string[]): Promise<{ mid: string; m: Marker }[]> {
  const out: { mid: string; m: Marker }[] = [];
  for (const n of names) {
    const c = claimPart(n);
    if (c?.part !== 'marker') continue;
    const m = await readMarker(dir, c.id);
    if (m) out.push({ mid: c.id, m });
  }
  return out;
}
