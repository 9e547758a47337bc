// Where every dispatch is, counted two ways: as the product lists it (list, the archive, the trash) and as
// the disk holds it (every file under the root, dotfiles included: a hidden copy counts as a copy).
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';

export interface FileState {
  /** `f` a regular file, `l` a symlink, `o` anything else (a FIFO, a socket). */
  type: 'f' | 'l' | 'o';
  mode: number;
  gid: number;
  size: number;
  hash: string;
  /** For a symlink, where it points. */
  link?: string;
}

/** Every entry under `dir` (relative path → state), not following links. */
export function snapshot(dir: string): Map<string, FileState> {
  const out = new Map<string, FileState>();
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(path.join(dir, rel));
    } catch {
      return;
    }
    for (const n of names) {
      const r = path.join(rel, n);
      const p = path.join(dir, r);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(r);
      else
        out.set(r, {
          type: st.isFile() ? 'f' : st.isSymbolicLink() ? 'l' : 'o',
          mode: st.mode & 0o7777,
          gid: st.gid,
          size: st.size,
          hash: st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16) : '',
          link: st.isSymbolicLink() ? readlinkSync(p) : undefined,
        });
    }
  };
  walk('');
  return out;
}

/** The files under the root whose bytes hold `marker`, by where they are. */
export function onDisk(root: string, marker: string): string[] {
  const out: string[] = [];
  for (const [rel, st] of snapshot(root)) {
    if (!st.hash || st.size > 16 * 1024 * 1024) continue;
    if (readFileSync(path.join(root, rel)).includes(marker)) out.push(rel);
  }
  return out.sort();
}

/** Where the product shows a dispatch holding `marker`: its boxes (claims included), the archive, the trash. */
export async function listed(root: string, marker: string): Promise<string[]> {
  const s = new DispatchStore(root);
  const out: string[] = [];
  const { dispatches } = await s.scan();
  for (const d of dispatches) {
    const file = path.join(root, d.team, d.box, d.claim ?? d.fileName);
    if (readSafe(file).includes(marker)) out.push(path.relative(root, d.path));
  }
  for (const a of await s.listArchived()) if (readSafe(a.path).includes(marker)) out.push(path.relative(root, a.path));
  for (const rel of onDisk(root, marker)) if (rel.startsWith('.trash' + path.sep) && !path.basename(rel).startsWith('.')) out.push(rel);
  return out.sort();
}

function readSafe(p: string): Buffer {
  try {
    return lstatSync(p).isFile() ? readFileSync(p) : Buffer.alloc(0);
  } catch {
    return Buffer.alloc(0);
  }
}

/** The bytes with the lines a lifecycle verb may set taken out: what must stay byte for byte. */
export function withoutSetLines(b: Buffer): string {
  return b.toString('latin1').replace(/^(status|completed|completion_note|related_bead|tracking_bead):.*\r?\n/gm, '');
}

/** Files left by a move (claims, records, markers, placeholders) anywhere under the root. */
export function leftovers(root: string): string[] {
  const out: string[] = [];
  for (const [rel, st] of snapshot(root)) {
    const base = path.basename(rel);
    if (base.startsWith('.claim.') || (st.type === 'f' && st.size === 0 && !rel.split(path.sep).includes('tmp'))) out.push(rel);
  }
  return out;
}
