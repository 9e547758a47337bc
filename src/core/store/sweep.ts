// Maildir's clean-up and the repair of interrupted moves: `dispatch sweep`.
import * as fs from '../fs/rawfs';
import * as path from 'node:path';
import { BOXES } from '../format/format';
import { claimPart, hiddenPlaceholders, newClaimId, repairClaims, takeAway } from '../move';
import { withBox } from '../fs/pin';
import { isPlaceholder, listBox } from './boxes';
import { ARCHIVE, Root, TRASH } from './root';

/** A claim (or a placeholder) older than this was left by a killed process, not one in flight. */
export const CLAIM_STALE_MS = 10 * 60_000;

/**
 * Deletes files in tmp/ older than `hours` (Maildir's 36 h rule): leftovers of crashed senders. Repairs
 * what processes killed mid-move left for over 10 minutes (claims, markers, placeholders), in every box,
 * the trash and the archive: finished if the dispatch reached its destination, put back otherwise.
 */
export async function sweep(r: Root, teams: string[], hours: number, now: number): Promise<string[]> {
  const removed: string[] = [];
  for (const team of teams) {
    // Through the folder held open: a tmp/ swapped for a symlink cannot make sweep delete elsewhere.
    await withBox(r.root, team, 'tmp', false, async (dir) => {
      for (const n of await fs.readdir(dir.path)) {
        const st = await fs.lstat(path.join(dir.path, n)).catch(() => undefined);
        if (!st?.isFile() || now - st.mtimeMs < hours * 3600_000) continue;
        if (await removed1(path.join(dir.path, n))) removed.push(path.join(r.root, team, 'tmp', n));
      }
    }).catch(() => undefined);
    for (const box of BOXES) await repairIn(r, team, box, now, removed);
  }
  for (const base of [TRASH, ARCHIVE]) {
    for (const team of await realSubfolders(path.join(r.root, base))) {
      await repairIn(r, base, team, now, removed);
      if (base === ARCHIVE)
        for (const month of await realSubfolders(path.join(r.root, base, team))) await repairIn(r, base, path.join(team, month), now, removed);
    }
  }
  return removed;
}

/** Claims and markers of one folder repaired (only in a real folder: records' paths are relative to it). */
async function repairIn(r: Root, a: string, b: string, now: number, removed: string[]): Promise<void> {
  const dir = path.join(r.root, a, b);
  if (!(await withBox(r.root, a, b, false, async () => true).catch(() => false))) return;
  removed.push(...(await repairClaims(dir, CLAIM_STALE_MS, now)).removed);
  removed.push(...(await oldPlaceholders(r, a, b, now)));
}

/**
 * Empty files with the placeholders' mode (isPlaceholder) that no marker names, older than the claim bound:
 * left by a process of the earlier protocol killed between making one and renaming onto it. Never a file
 * with content, never an empty file someone wrote.
 */
async function oldPlaceholders(r: Root, a: string, b: string, now: number): Promise<string[]> {
  const out: string[] = [];
  await withBox(r.root, a, b, false, async (dir) => {
    const names = await listBox(dir.path, true);
    const marked = await hiddenPlaceholders(
      dir.path,
      names.filter((n) => claimPart(n)?.part === 'marker'),
      path.join(r.root, a, b),
    );
    for (const n of names) {
      if (claimPart(n) || marked.has(n)) continue;
      const p = path.join(dir.path, n);
      const st = await fs.lstat(p).catch(() => undefined);
      if (!st || !isPlaceholder(st) || now - st.ctimeMs < CLAIM_STALE_MS) continue;
      // Set aside first, then removed if still empty: a move renaming its file onto it meanwhile keeps it.
      if (await takeAway(dir.path, newClaimId(), n).catch(() => false)) out.push(path.join(r.root, a, b, n));
    }
  }).catch(() => undefined);
  return out;
}

async function removed1(p: string): Promise<boolean> {
  return fs.unlink(p).then(
    () => true,
    () => false,
  );
}

/** Subfolders that are real folders (never followed through a symlink). */
async function realSubfolders(dir: string): Promise<string[]> {
  const st = await fs.lstat(dir).catch(() => undefined);
  if (!st?.isDirectory()) return [];
  const es = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  return es.filter((e) => e.isDirectory() && e.name[0] !== '.').map((e) => e.name);
}
