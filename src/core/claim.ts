// Claims and their records: the private names a move hides a dispatch under while it moves it.
//
// A move first writes a record `.claim.<id>.json` (the original name and where it is going), then
// renames the dispatch to `.claim.<id>`. The claim name is short whatever the dispatch's name is, so it
// always fits NAME_MAX; the record is what lets anyone (a sweep, a list) tell later what the claim is
// and whether its placement already happened. A transformed move writes its new bytes to
// `.claim.<id>.new` first. All these are dotfiles in the dispatch's own box.
import { randomBytes } from 'node:crypto';
import * as fs from './rawfs';
import * as path from 'node:path';

export const CLAIM_PREFIX = '.claim.';
const ID = '[0-9a-z]+-[0-9]+-[0-9a-f]{8}';
const CLAIM_RE = new RegExp(`^\\.claim\\.(${ID})(\\.json|\\.new|\\.tmp)?$`);
/** Claims written before records existed: `.claim.<ms>.<pid>.<hex>.<original name>`. */
const LEGACY_RE = /^\.claim\.\d+\.\d+\.[0-9a-f]+\.(.+)$/s;

export interface ClaimRecord {
  v: 1;
  /** The dispatch's name in its box before the claim. */
  name: string;
  /** Destination folder, relative to the claim's folder (so it reads the same on every mount). */
  dst: string;
  /** The name it is meant to get there (or a free variant of it). */
  want: string;
  /** Its bytes are replaced: the placed file is `.claim.<id>.new`, not the claim. */
  rewrite?: boolean;
  /** No-hardlink placement: the empty file made (exclusively) at the destination to rename onto. */
  placeholder?: string;
  /** Inode of `.claim.<id>.new` once written, to recognise it after a rename placed it. */
  newIno?: number;
}

export type ClaimPart = 'claim' | 'record' | 'new' | 'tmp';

/** Which part of which claim a file name is (undefined: not a claim file). */
export function claimPart(fileName: string): { id: string; part: ClaimPart } | undefined {
  const m = CLAIM_RE.exec(fileName);
  if (m) return { id: m[1], part: m[2] === '.json' ? 'record' : m[2] === '.new' ? 'new' : m[2] === '.tmp' ? 'tmp' : 'claim' };
  const l = LEGACY_RE.exec(fileName);
  return l ? { id: fileName.slice(CLAIM_PREFIX.length), part: 'claim' } : undefined;
}

/** The original name inside a legacy claim name. */
export function legacyName(fileName: string): string | undefined {
  return CLAIM_RE.test(fileName) ? undefined : LEGACY_RE.exec(fileName)?.[1];
}

export function newClaimId(): string {
  return `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export const claimFile = (id: string) => `${CLAIM_PREFIX}${id}`;
export const recordFile = (id: string) => `${CLAIM_PREFIX}${id}.json`;
export const newFile = (id: string) => `${CLAIM_PREFIX}${id}.new`;
/** A record being replaced (written beside it, then renamed over it). */
export const tmpFile = (id: string) => `${CLAIM_PREFIX}${id}.tmp`;

/**
 * The records of this process's own moves in flight, by claim id (an id names one claim in one box).
 * Readers in this process (a concurrent move waiting out claims, a listing) take these, never the file:
 * a FUSE mount (sshfs) renames a file replaced or removed while it is open on that mount to
 * `.fuse_hidden*`, and libfuse can lose track of it when the reader's release races the hiding rename —
 * the hidden copy then stays in the box for good. So this process never has its own record open while
 * it replaces (`updateRecord`) or removes (`removeRecord`) it. Another process reading it through the
 * same mount is beyond reach; on a mount of its own (another machine) it cannot cause a hide here.
 */
const mine = new Map<string, string>();

/** The first record of a claim: made exclusively, before the claim exists. */
export async function createRecord(dir: string, id: string, rec: ClaimRecord): Promise<void> {
  const json = JSON.stringify(rec);
  mine.set(id, json); // before the file exists: no reader here ever opens it
  try {
    await fs.writeFile(path.join(dir, recordFile(id)), json, { flag: 'wx', mode: 0o644 });
  } catch (e) {
    mine.delete(id);
    throw e;
  }
}

/** Later states of a record replace it whole (write beside, rename over: never half a record). */
export async function updateRecord(dir: string, id: string, rec: ClaimRecord): Promise<void> {
  const tmp = path.join(dir, tmpFile(id));
  const json = JSON.stringify(rec);
  await fs.writeFile(tmp, json, { mode: 0o644 });
  // Readers here see the new state from now on; the rename replaces a file nobody here has open.
  const before = mine.get(id);
  mine.set(id, json);
  try {
    await fs.rename(tmp, path.join(dir, recordFile(id)));
  } catch (e) {
    if (before === undefined) mine.delete(id);
    else mine.set(id, before);
    throw e;
  }
}

/** Removes a claim's record (quietly: it may be gone already); readers here go to the file only after. */
export async function removeRecord(dir: string, id: string): Promise<void> {
  await removeQuietly(path.join(dir, recordFile(id)));
  mine.delete(id);
}

export async function readRecord(dir: string, id: string): Promise<ClaimRecord | undefined> {
  const own = mine.get(id);
  if (own !== undefined) return checked(JSON.parse(own));
  try {
    return checked(JSON.parse(await fs.readFile(path.join(dir, recordFile(id)), 'utf8')));
  } catch {
    return undefined;
  }
}

function checked(r: ClaimRecord): ClaimRecord | undefined {
  if (r?.v !== 1 || typeof r.name !== 'string' || typeof r.dst !== 'string' || typeof r.want !== 'string') return undefined;
  if (!safeName(r.name) || !safeName(r.want) || (r.placeholder !== undefined && !safeName(r.placeholder))) return undefined;
  return r;
}

/** A record is written by anyone who can write the box: its names must stay names, not paths. */
function safeName(n: unknown): n is string {
  return typeof n === 'string' && n.length > 0 && n !== '.' && n !== '..' && !n.includes('/') && !n.includes('\0');
}

export async function removeQuietly(p: string): Promise<void> {
  await fs.unlink(p).catch(() => undefined);
}
