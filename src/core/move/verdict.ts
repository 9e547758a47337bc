// "Someone else already made this move": the one verdict for a mover that finds its dispatch gone.
// The dispatch may be claimed by another process (a move in flight: wait for it to land), already at the
// destination (then "already", if it is what this move would have made there), or gone elsewhere.
// The destination is read as a listing, never trusted from a stat of the name: on NFS and SMB a client's
// negative cache can say "no such file" for seconds after another machine put it there.
import * as fs from '../fs/rawfs';
import * as path from 'node:path';
import { Stats } from 'node:fs';
import { variantName } from '../format/format';
import { lstatOrNot } from './files';
import { claimPart, legacyName, newFile } from './names';
import { readRecord } from './record';

/**
 * Whether the file at `p` is what the caller's own move would have made: the very file it saw (under the
 * name or a variant), or — under the name itself (`exact`) — the change it would have made.
 */
export type Recognise = (p: string, st: Stats, exact: boolean) => Promise<boolean>;

/** Where a move left the dispatch: moved by this process, or already there by another's. */
export type MoveResult = { status: 'moved'; path: string } | { status: 'already'; path: string };

/** How long a racer waits for another's claim on the same dispatch to land (only while one is there). */
const CLAIM_WAIT_MS = 10_000;
/** On a remote filesystem, how long a verdict of "gone" waits for a cached listing to catch up. */
const CACHE_WAIT_MS = 3_000;
const VARIANTS_LOOKED_AT = 20;

/**
 * The source `name` left `srcDir` before this mover could claim it: waits out claims in flight on it
 * (here and at the destination), then finds it under `want` (or a variant) in `dstDir` as `recognise` accepts it — "already" — or throws
 * ENOENT: moved elsewhere or deleted by someone else.
 */
export async function goneVerdict(srcDir: string, name: string, dstDir: string, want: string, recognise: Recognise, remote = false): Promise<MoveResult> {
  const moving = async () => (await inFlight(srcDir, name)) || (dstDir !== srcDir && (await inFlight(dstDir, want)));
  const claims = Date.now() + CLAIM_WAIT_MS;
  const cache = Date.now() + (remote ? CACHE_WAIT_MS : 0);
  for (;;) {
    await landed(srcDir, name);
    // Moved on already and being rewritten there (completed in place): briefly a claim of that box too.
    if (dstDir !== srcDir) await landed(dstDir, want);
    const p = await foundAt(dstDir, want, recognise);
    if (p) return { status: 'already', path: p };
    // Claimed again between the wait and the look (another racer), or a cache that has not caught up.
    const again = (Date.now() < claims && (await moving())) || Date.now() < cache;
    if (!again) break;
    await new Promise((r) => setTimeout(r, remote ? 250 : 10));
  }
  throw Object.assign(new Error(`ENOENT: no such file, ${path.join(srcDir, name)}`), { code: 'ENOENT' });
}

/** Waits (bounded) while a claim in `dir` that is not placed yet holds the dispatch named `name`. */
export async function landed(dir: string, name: string): Promise<void> {
  const deadline = Date.now() + CLAIM_WAIT_MS;
  while ((await inFlight(dir, name)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

async function inFlight(dir: string, name: string): Promise<boolean> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const n of names) {
    const c = claimPart(n);
    if (c?.part !== 'claim' && c?.part !== 'old') continue;
    if (legacyName(n) === name) return true;
    const rec = await readRecord(dir, c.id);
    if (rec?.name !== name) continue;
    // Committed and placed already: the old bytes are about to go, nothing is in flight.
    if (c.part === 'old' && !(await lstatOrNot(path.join(dir, newFile(c.id))))) continue;
    return true;
  }
  return false;
}

/** `want` or one of its variants, as listed in `dir`, that `recognise` accepts. */
export async function foundAt(dir: string, want: string, recognise: Recognise): Promise<string | undefined> {
  const names = new Set(await fs.readdir(dir).catch(() => [] as string[]));
  for (let n = 1, misses = 0; n < 10_000 && misses < VARIANTS_LOOKED_AT; n++) {
    const candidate = n === 1 ? want : variantName(want, n);
    if (!names.has(candidate)) {
      misses++;
      continue;
    }
    misses = 0;
    const p = path.join(dir, candidate);
    const st = await lstatOrNot(p);
    // Where a placement is still an empty placeholder, the answer is not there yet.
    if (st && !(st.size === 0 && st.isFile()) && (await recognise(p, st, n === 1))) return p;
  }
  return undefined;
}
