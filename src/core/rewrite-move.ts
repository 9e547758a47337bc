// Status changes ride on fsmove's one move primitive (`moveNoClobber` with `rewrite`): a rewritten
// dispatch is placed as a new file, so the inode a racer saw is not the one that lands. What a racer
// can still tell: the name it wanted is at the destination, in the status its own move would have
// written — then "already" is the truth, as it is for a plain move that finds the same inode there.
import * as fs from './rawfs';
import * as path from 'node:path';
import { claimPart, legacyName } from './claim';
import { readRecord } from './claim';
import type { Status } from './lifecycle';

/** A move's content transform with the status it writes (for recognising it done by someone else). */
export interface StatusChange {
  rewrite: (content: Buffer) => Buffer | undefined;
  /** Statuses that mean this change is already made (a completed dispatch has been acknowledged too). */
  done: Status[];
  /** Told why the status was not written when the move goes on without it. */
  warn?: (w: string) => void;
}

/** How long a mover waits for someone else's claim on the same name to land (see fsmove's CLAIM_WAIT_MS). */
const LAND_WAIT_MS = 10_000;

/** Whether some claim in `dir` holds the dispatch named `name` (a move or rewrite in flight). */
async function claimed(dir: string, name: string): Promise<boolean> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    const c = claimPart(n);
    if (!c || c.part !== 'claim') continue;
    if (legacyName(n) === name || (await readRecord(dir, c.id))?.name === name) return true;
  }
  return false;
}

/**
 * After a move found its source gone and nothing it recognised at its destination: waits out claims
 * of `name` in `dir` (a dispatch completed in place there is briefly a claim), then returns the path
 * of `name` there if a file is there.
 */
export async function landedAt(dir: string, name: string): Promise<string | undefined> {
  const deadline = Date.now() + LAND_WAIT_MS;
  const p = path.join(dir, name);
  // Where links are refused, the winner first makes an empty placeholder under the name and renames its
  // file onto it: an empty file there is a placement in flight, not the answer yet.
  const placeholder = async () => (await fs.lstat(p).catch(() => undefined))?.size === 0;
  while (((await claimed(dir, name)) || (await placeholder())) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  return (await fs.lstat(p).catch(() => undefined))?.isFile() ? p : undefined;
}

/** A file the mover may move but not read (a private file on a shared root), or too large to rewrite. */
export const UNREADABLE = new Set(['EACCES', 'EPERM', 'EFBIG']);
