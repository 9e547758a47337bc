// The private files a move works with, all dotfiles named `.claim.<id>…` so every listing skips them:
//   in the source box   `.claim.<id>`       the dispatch while it is moved (renamed there: the claim)
//                       `.claim.<id>.json`  the record: what is moved where (written before the claim)
//                       `.claim.<id>.new`   new bytes of a rewrite, written whole before they are placed
//                       `.claim.<id>.old`   the claim of a rewrite once it is committed to its new bytes
//                       `.claim.<id>.tmp`   a record being replaced (written beside it, renamed over it)
//   in the destination  `.claim.<mid>.ph`   a marker: the empty placeholder made here is ours, for what file
//                       `.claim.<mid>.del`  a placeholder taken away (renamed aside before it is removed)
// Ids are short whatever the dispatch's name is, so they fit NAME_MAX beside a 255-byte name.
import { randomBytes } from 'node:crypto';

export const CLAIM_PREFIX = '.claim.';
const ID = '[0-9a-z]+-[0-9]+-[0-9a-f]{8}';
const CLAIM_RE = new RegExp(`^\\.claim\\.(${ID})(\\.json|\\.new|\\.old|\\.tmp|\\.ph|\\.del)?$`);
/** Claims written before records existed: `.claim.<ms>.<pid>.<hex>.<original name>`. */
const LEGACY_RE = /^\.claim\.\d+\.\d+\.[0-9a-f]+\.(.+)$/s;

export type ClaimPart = 'claim' | 'record' | 'new' | 'old' | 'tmp' | 'marker' | 'taken';

const PARTS: Record<string, ClaimPart> = { '': 'claim', '.json': 'record', '.new': 'new', '.old': 'old', '.tmp': 'tmp', '.ph': 'marker', '.del': 'taken' };

/** Which part of which claim a file name is (undefined: not one of ours). */
export function claimPart(fileName: string): { id: string; part: ClaimPart } | undefined {
  const m = CLAIM_RE.exec(fileName);
  if (m) return { id: m[1], part: PARTS[m[2] ?? ''] };
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
export const oldFile = (id: string) => `${CLAIM_PREFIX}${id}.old`;
export const tmpFile = (id: string) => `${CLAIM_PREFIX}${id}.tmp`;
export const markerFile = (mid: string) => `${CLAIM_PREFIX}${mid}.ph`;
export const takenFile = (mid: string) => `${CLAIM_PREFIX}${mid}.del`;

/** A name a record or marker (written by anyone who can write the box) may hold: a name, never a path. */
export function safeName(n: unknown): n is string {
  if (typeof n !== 'string' || !n.length || n === '.' || n === '..' || n.includes('/') || n.includes('\0')) return false;
  return process.platform !== 'win32' || !n.includes('\\');
}
