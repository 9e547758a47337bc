// What the live index tells its listeners, and the few facts about folders its parts share.
import { BigIntStats, Stats } from 'node:fs';
import * as fs from '../fs/rawfs';
import { Dispatch } from '../format/dispatch';

export type IndexEvent =
  | { type: 'add'; dispatch: Dispatch }
  | { type: 'remove'; dispatch: Dispatch }
  /** The file changed on disk or its front matter was read: re-render it. */
  | { type: 'change'; dispatch: Dispatch }
  | { type: 'teams'; teams: string[] }
  /** Many things may have changed at once (rescan): re-read everything. */
  | { type: 'reset' }
  /** `recovery`: what the index does about it — a full rescan, or polling a box it cannot watch. */
  | { type: 'error'; error: Error; recovery?: 'rescan' | 'poll' };

/** What a folder's listing may differ by: mtime, and ctime too (`touch -d` can set an mtime back, never a ctime). */
export function stamp(st: BigIntStats): string {
  return `${st.mtimeNs}:${st.ctimeNs}`;
}

/**
 * Which folder this is: the inode, and the birth time because ext4 hands a freed inode straight to
 * the next mkdir (`rm -rf qa/new; mkdir qa/new` keeps the number).
 */
export function folderId(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.birthtimeMs}`;
}

/** The identity of the folder at `p`, or undefined when there is no folder there. */
export async function boxId(p: string): Promise<string | undefined> {
  try {
    const st = await fs.stat(p);
    return st.isDirectory() ? folderId(st) : undefined;
  } catch {
    return undefined;
  }
}
