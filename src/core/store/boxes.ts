// Reading one box: its dispatch names, and a bounded look at one file's front matter.
import * as fs from '../fs/rawfs';
import { Dispatch, metaFromHead } from '../format/dispatch';
import { readHead } from '../format/frontmatter';
import { claimPart } from '../move';
import { isSyncTemp } from '../format/names';

/** An empty file younger than this is a placement in flight (its placeholder), not a broken dispatch. */
const ARRIVING_MS = 5000;
/** The mode placeholders were marked with before markers existed (and still are, where modes exist). */
const PLACEHOLDER_MODE = 0o000;

/** An empty file with the placeholders' mode: one a process killed mid-placement left. */
export function isPlaceholder(st: { isFile(): boolean; size: number; mode: number }): boolean {
  return st.isFile() && st.size === 0 && (st.mode & 0o7777) === PLACEHOLDER_MODE;
}

/** Dispatch file names in one box: regular entries, not dotfiles (ours too with `claims`). Missing box → none. */
export async function listBox(dir: string, claims = false): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    const c = (e as NodeJS.ErrnoException).code;
    if (c === 'ENOENT' || c === 'ENOTDIR') return [];
    throw e;
  }
  const out: string[] = [];
  // A sync tool's file in flight (`~syncthing~*.tmp`) is nobody's dispatch (names.ts).
  for (const e of entries) if (!e.isDirectory() && (e.name[0] !== '.' || (claims && claimPart(e.name))) && !isSyncTemp(e.name)) out.push(e.name);
  return out;
}

/** Metadata of one file; never throws (unreadable files become a warning). */
export async function readMeta(p: string): Promise<Dispatch['meta']> {
  try {
    const st = await fs.lstat(p);
    if (st.isSymbolicLink()) return warnOnly('symbolic link; not followed', st);
    if (!st.isFile()) return warnOnly('not a regular file', st);
    if (st.size === 0 && Date.now() - st.ctimeMs < ARRIVING_MS) return warnOnly('arriving (an empty placeholder a move fills in a moment)', st);
    if (isPlaceholder(st)) return warnOnly('empty placeholder left by an interrupted move, not a dispatch (dispatch sweep removes it)', st);
    return metaFromHead(await readHead(p));
  } catch (e) {
    return warnOnly(`unreadable: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Metadata that is only a warning; the stat still lets the index notice the entry change. */
function warnOnly(w: string, st?: { size: number; mtimeMs: number; ino: number }): Dispatch['meta'] {
  return { kind: 'none', data: Object.create(null), bodyStart: '', size: st?.size ?? 0, mtimeMs: st?.mtimeMs, ino: st?.ino, warnings: [w] };
}
