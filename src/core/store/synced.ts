// Roots that a sync tool copies between machines (Syncthing, Dropbox, a git checkout). Such a tool copies
// files, it does not move them: an acknowledgement made on one machine can come back, or double, when
// another machine syncs. A root that looks synced is said so once; a conflict copy the tool left beside
// a dispatch is resolved by keeping one version, the other going to the root's own trash.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Dispatch } from '../format/dispatch';
import { Box } from '../format/format';
import { moveNoClobber } from '../move';
import { SyncTool } from '../format/names';
import { withBox } from '../fs/pin';
import { DispatchError, DispatchStore } from '.';

export interface SyncedRoot {
  tool: SyncTool | 'git';
  /** The folder holding the tool's marker: the root or one above it. */
  at: string;
}

const MARKERS: [string, SyncedRoot['tool']][] = [
  ['.stfolder', 'Syncthing'],
  ['.dropbox', 'Dropbox'],
  ['.dropbox.cache', 'Dropbox'],
  ['.git', 'git'],
];

/** The sync tool whose marker is in the root or a folder above it, nearest first. */
export async function syncedRoot(root: string): Promise<SyncedRoot | undefined> {
  for (let dir = path.resolve(root), depth = 0; depth < 64; depth++) {
    const found = await Promise.all(
      MARKERS.map(([m]) =>
        fs.lstat(path.join(dir, m)).then(
          () => true,
          () => false,
        ),
      ),
    );
    const i = found.indexOf(true);
    // A root git ignores (the demo root in .cache/) is not carried by it.
    if (i >= 0 && (MARKERS[i][1] !== 'git' || !(await gitIgnores(dir, root)))) return { tool: MARKERS[i][1], at: dir };
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

function gitIgnores(repo: string, p: string): Promise<boolean> {
  return new Promise((resolve) => execFile('git', ['-C', repo, 'check-ignore', '-q', path.resolve(p)], { timeout: 3000 }, (e) => resolve(!e)));
}

/** The one warning for a synced root. */
export function syncedWarning(root: string, s: SyncedRoot): string {
  const where = s.tool === 'git' ? `in a git checkout (${s.at})` : `synced by ${s.tool} (${s.at})`;
  return (
    `${root} is ${where}: acknowledgements can come back or double across machines, since a sync tool copies files ` +
    'and does not move them; to span machines, put the root on one shared filesystem (NFS, SMB) or use a server'
  );
}

export interface Conflict {
  tool: SyncTool;
  /** The sync tool's copy. */
  copy: Dispatch;
  /** The dispatch it is a version of, when it is still there. */
  original: Dispatch | undefined;
}

/** The conflict a ref names: the copy itself, or a dispatch with a copy beside it. */
export async function findConflict(store: DispatchStore, ref: string): Promise<Conflict> {
  const d = await store.resolve(ref);
  const listing = await store.scan({ teams: [d.team], box: d.box });
  const here = (name: string) => listing.dispatches.find((x) => x.fileName === name && !x.claim);
  const c = d.conflict;
  if (c) return { tool: c.tool, copy: d, original: here(c.original) };
  const copy = listing.dispatches.find((x) => x.conflict?.original === d.fileName && !x.claim);
  if (!copy) throw new DispatchError('invalid', `${d.id} has no conflict copy beside it in ${d.team}/${d.box}/`);
  return { tool: copy.conflict!.tool, copy, original: d };
}

export interface Kept {
  /** The dispatch kept, under the original's name (or a free variant of it). */
  kept: Dispatch;
  /** Where the other version went: the root's own trash, `<root>/.trash/<team>/`. */
  trashed?: string;
}

/**
 * Keeps one version: `original` sends the copy to the trash; `copy` sends the original to the trash,
 * then gives the copy the original's name (never over another file). Each step is a move like any
 * other: a racer that moved either file first makes it fail, with nothing lost.
 */
export async function keepVersion(store: DispatchStore, c: Conflict, keep: 'copy' | 'original'): Promise<Kept> {
  if (keep === 'original') {
    if (!c.original) throw new DispatchError('not-found', `the original of ${c.copy.id} is gone: keep the copy`);
    return { kept: c.original, trashed: await store.trash(c.copy) };
  }
  const trashed = c.original ? await store.trash(c.original) : undefined;
  const want = c.copy.conflict!.original;
  const { team, box } = c.copy;
  const r = await withBox(store.root, team, box, false, (dir) => moveNoClobber(path.join(dir.path, c.copy.fileName), dir.path, want, { recordDst: '.' })).catch(
    (e: unknown) => {
      throw new DispatchError('io', `${c.copy.id}: cannot take its original's name: ${(e as Error).message}`);
    },
  );
  if (r.status !== 'moved') throw new DispatchError('not-found', `${c.copy.id} was moved by someone else meanwhile`);
  return { kept: new Dispatch(store.root, team, box as Box, path.basename(r.path)), trashed };
}
