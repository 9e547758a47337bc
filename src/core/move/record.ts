// What a move writes down so that anyone can finish or undo it later: the record beside its claim, and a
// marker beside each placeholder it makes.
import * as fs from '../fs/rawfs';
import * as path from 'node:path';
import { READ_FLAGS, removeQuietly, writeNew } from './files';
import { markerFile, recordFile, safeName } from './names';

/**
 * Beside a claim, in the source box, written once, before the claim (never replaced: SMB refuses to replace
 * a file another client has open). What the box holds beside it tells how far the move got (repair.ts).
 */
export interface MoveRecord {
  v: 2;
  /** The dispatch's name in this box before the claim. */
  name: string;
  /** Destination folder, relative to this box (so it reads the same on every mount). */
  dst: string;
  /** The name it is meant to get there (or a free variant of it). */
  want: string;
  /** Size of the dispatch claimed (a placeholder is empty: an empty file is not it when this is > 0). */
  size: number;
}

/** Records of the earlier protocol (placement by link, verdict by inode): still repaired. */
export interface LegacyRecord {
  v: 1;
  name: string;
  dst: string;
  want: string;
  rewrite?: boolean;
  placeholder?: string;
  newIno?: number;
}

/** Beside a placeholder, in the destination box, written before the placeholder is made. */
export interface Marker {
  v: 2;
  /** The placeholder made here (or to be made next). */
  ph: string;
  /** The folder holding the file being placed, relative to this one, and that file's name. */
  from: string;
  file: string;
  size: number;
}

const RECORD_MODE = 0o644;

/**
 * The records of this process's own moves in flight, by claim id. Readers in this process take these,
 * never the file: a FUSE mount (sshfs) renames a file replaced or removed while it is open on that mount to
 * `.fuse_hidden*`, and libfuse can lose track of it when the reader's release races the hiding rename —
 * the hidden copy then stays in the box for good.
 */
const mine = new Map<string, string>();

/** The first record of a claim: made exclusively, before the claim exists. */
export async function createRecord(dir: string, id: string, rec: MoveRecord): Promise<void> {
  const json = JSON.stringify(rec);
  mine.set(id, json); // before the file exists: no reader here ever opens it
  try {
    await writeNew(path.join(dir, recordFile(id)), json, { mode: RECORD_MODE });
  } catch (e) {
    mine.delete(id);
    throw e;
  }
}

/** Removes a claim's record (quietly: it may be gone already). */
export async function removeRecord(dir: string, id: string): Promise<void> {
  await removeQuietly(path.join(dir, recordFile(id)));
  mine.delete(id);
}

export async function readRecord(dir: string, id: string): Promise<MoveRecord | LegacyRecord | undefined> {
  const own = mine.get(id);
  const text = own ?? (await readSmall(path.join(dir, recordFile(id))));
  if (text === undefined) return undefined;
  try {
    return checkedRecord(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function checkedRecord(r: MoveRecord | LegacyRecord): MoveRecord | LegacyRecord | undefined {
  if (!r || typeof r.dst !== 'string' || !safeName(r.name) || !safeName(r.want)) return undefined;
  if (r.v === 2) return typeof r.size === 'number' ? r : undefined;
  if (r.v === 1) return r.placeholder === undefined || safeName(r.placeholder) ? r : undefined;
  return undefined;
}

/** A marker, made exclusively (a fresh one per placeholder tried). */
export async function writeMarker(dir: string, mid: string, m: Marker): Promise<void> {
  await writeNew(path.join(dir, markerFile(mid)), JSON.stringify(m), { mode: RECORD_MODE });
}

export async function readMarker(dir: string, mid: string): Promise<Marker | undefined> {
  const text = await readSmall(path.join(dir, markerFile(mid)));
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as Marker;
    return m?.v === 2 && safeName(m.ph) && safeName(m.file) && typeof m.from === 'string' && typeof m.size === 'number' ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Our own small JSON files, read without following links and bounded (anyone can write the box). */
async function readSmall(p: string): Promise<string | undefined> {
  let fh: fs.FileHandle | undefined;
  try {
    fh = await fs.open(p, READ_FLAGS);
    const st = await fh.stat();
    if (!st.isFile() || st.size > 64 * 1024) return undefined;
    return await fh.readFile('utf8');
  } catch {
    return undefined;
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
