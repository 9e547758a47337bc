// Finishing what a killed process left, and listing it meanwhile. The record never changes; what the box
// holds beside it says how far the move got:
//   `.claim.<id>`              claimed, not placed: it goes back under its name in its box
//   `.claim.<id>.old` + `.new` a rewrite committed to its new bytes: they are placed, then the old go
//   `.claim.<id>.old` alone    placed: the old bytes go
//   neither                    not claimed yet, or placed, or put back: leftovers go
// Putting back and placing both rename the claim, so a repair and a live move (a clock running ahead
// makes a move look abandoned) never both win. Nothing is decided by what is at the destination, which
// later moves may already have changed.
import * as fs from '../fs/rawfs';
import * as path from 'node:path';
import { Stats } from 'node:fs';
import { killPoint } from '../fs/faults';
import { variantName } from '../format/format';
import { lstatOrNot, removeQuietly } from './files';
import { claimFile, claimPart, legacyName, markerFile, newFile, oldFile, recordFile, tmpFile } from './names';
import { markersIn, ownPlaceholder, place, settleTaken, takeAway } from './place';
import { LegacyRecord, readRecord, removeRecord } from './record';

/** A claim in a box: the dispatch's own name, and how long ago the claim was taken. */
export interface ClaimInfo {
  claim: string;
  name: string;
  ageMs: number;
}

/**
 * Where a record may send a dispatch, from `<root>/<team>/<box>`: a box of the root, its trash or its
 * archive (a record is written by anyone who can write the box: never a path out of the root).
 */
export function destinationOf(dir: string, rec: { dst: string }): string | undefined {
  const root = path.dirname(path.dirname(dir));
  const dst = path.resolve(dir, rec.dst);
  const rel = path.relative(root, dst).split(path.sep);
  if (rel.some((p) => !p || p === '..' || p === '.')) return undefined;
  const ok =
    (rel.length === 2 && rel[0][0] !== '.' && ['new', 'cur'].includes(rel[1])) ||
    (rel.length === 2 && rel[0] === '.trash') ||
    (rel.length === 3 && rel[0] === '.archive' && /^\d{4}-\d{2}$/.test(rel[2]));
  return ok || dst === dir ? dst : undefined;
}

/** Each folder from the root down to `dst` is a real folder (a symlink there must not lead a rename outside). */
async function realFolders(dir: string, dst: string): Promise<boolean> {
  const root = path.dirname(path.dirname(dir));
  let p = root;
  for (const part of path.relative(root, dst).split(path.sep)) {
    p = path.join(p, part);
    if (!(await lstatOrNot(p))?.isDirectory()) return false;
  }
  return true;
}

/**
 * One claim: finished if its placement happened or was committed to (leftovers removed), else put back
 * under its name (or a free variant) in its box. `own`: the mover's own failed move, whose placement left
 * nothing behind. Returns the path it was put back at.
 */
export async function repairOne(dir: string, id: string, own = false): Promise<string | undefined> {
  const rec = await readRecord(dir, id);
  const claim = path.join(dir, claimFile(id));
  const fresh = path.join(dir, newFile(id));
  const old = path.join(dir, oldFile(id));
  const c = await lstatOrNot(claim);
  await removeQuietly(path.join(dir, tmpFile(id))); // an update of the earlier protocol, half done
  if (!rec) {
    // Its record unreadable (killed while being written, or removed): what the box holds decides.
    // Kept visible under a name of its own (new bytes go only once the claim is back: see restore).
    if (c) return restore(dir, id, `recovered-${id}.md`, c.size);
    const n = await lstatOrNot(fresh);
    if (n && (await lstatOrNot(old))) {
      // Committed, its destination unknown: the new bytes stay here, visible, under a name of their own.
      await place(dir, newFile(id), dir, `recovered-${id}.md`, { size: n.size, from: '.' });
    }
    await removeQuietly(old);
    await removeQuietly(fresh);
    await removeRecord(dir, id);
    return undefined;
  }
  if (rec.v === 1) return repairLegacy(dir, id, rec, c);
  const dst = own ? undefined : destinationOf(dir, rec);
  if (!own && (!dst || !(await realFolders(dir, dst)))) return undefined; // never act outside the root
  if (c) {
    // Claimed, not placed: back under its name (whoever renames the claim first decides), new bytes after.
    if (dst) await clearMarkers(dst, dir, id, false);
    await clearMarkers(dir, dir, id, false); // a putting back that was interrupted
    killPoint('restore');
    return restore(dir, id, rec.name, c.size);
  }
  const n = await lstatOrNot(fresh);
  if (n && (await lstatOrNot(old))) {
    // Committed to its new bytes: they go where they were going (a reservation left is taken back first),
    // which only a repair that knows the destination does.
    if (!dst) return undefined;
    await clearMarkers(dst, dir, id, false);
    await place(dir, newFile(id), dst, rec.want, { size: n.size, from: path.relative(dst, dir) || '.' });
  }
  // Placed, put back, or never claimed: the old bytes, new bytes never placed, markers, the record.
  await removeQuietly(old);
  await removeQuietly(fresh);
  if (dst) await clearMarkers(dst, dir, id, true);
  await clearMarkers(dir, dir, id, true);
  await removeRecord(dir, id);
  return undefined;
}

/**
 * The claim back into its own box under `name` (or a free variant); only then the new bytes it will not
 * get (the other order, killed in between, would read as placed), and the record last.
 */
async function restore(dir: string, id: string, name: string, size: number): Promise<string> {
  const back = await place(dir, claimFile(id), dir, name, { size, from: '.' });
  await removeQuietly(path.join(dir, newFile(id)));
  await removeRecord(dir, id);
  return path.join(dir, back);
}

/**
 * The markers in `dst` left by placements of claim `id` of box `src`: an own placeholder is taken away
 * (when the move is not placed, or when it is and the placeholder is an empty extra one), then the marker.
 */
async function clearMarkers(dst: string, src: string, id: string, placed: boolean): Promise<void> {
  const names = await fs.readdir(dst).catch(() => [] as string[]);
  const files = new Set([claimFile(id), newFile(id)]);
  const all = await markersIn(dst, names);
  for (const { mid, m } of all) {
    if (!files.has(m.file) || path.resolve(dst, m.from) !== src) continue;
    await clearMarker(dst, mid, m.ph, (!placed || m.size > 0) && (await ownPlaceholder(dst, mid, m, all)));
  }
}

/** One marker gone, its placeholder first when `take`; whether an empty placeholder was removed. */
async function clearMarker(dir: string, mid: string, ph: string, take: boolean): Promise<boolean> {
  const removed = take ? await takeAway(dir, mid, ph) : await settleTaken(dir, mid, ph);
  await removeQuietly(path.join(dir, markerFile(mid)));
  return removed;
}

/**
 * Claims (and markers) left for over `olderThanMs` by processes killed mid-move: finished or put back.
 * Safe to run from several processes at once. Returns the paths put back, and the placeholders removed
 * whose move no record looks after any more.
 */
export async function repairClaims(dir: string, olderThanMs: number, now = Date.now()): Promise<{ restored: string[]; removed: string[] }> {
  const names = await fs.readdir(dir).catch(() => undefined);
  if (!names) return { restored: [], removed: [] };
  const restored: string[] = [];
  const ids = new Set<string>();
  for (const n of names) {
    const c = claimPart(n);
    if (c && c.part !== 'marker' && c.part !== 'taken') ids.add(c.id);
  }
  for (const id of ids) {
    try {
      const legacy = legacyName(claimFile(id));
      // The claim's ctime (rename sets it) says when it was taken (or committed); else the record's.
      const st =
        (await lstatOrNot(path.join(dir, claimFile(id)))) ??
        (await lstatOrNot(path.join(dir, oldFile(id)))) ??
        (await lstatOrNot(path.join(dir, recordFile(id)))) ??
        (await lstatOrNot(path.join(dir, tmpFile(id)))) ??
        (await lstatOrNot(path.join(dir, newFile(id))));
      if (!st || now - st.ctimeMs < olderThanMs) continue;
      const p = legacy ? await restore(dir, id, legacy, st.size) : await repairOne(dir, id);
      if (p) restored.push(p);
    } catch {
      // One claim that cannot be repaired now (permissions, no space…) must not stop the others.
    }
  }
  const removed = await sweepMarkers(dir, olderThanMs, now).catch(() => [] as string[]);
  return { restored, removed };
}

/**
 * Markers whose claim no record looks after any more (a sender killed mid-delivery, a racing repair that
 * lost): an own placeholder is taken away when its file is not placed there, then the marker goes. Files
 * set aside and never settled are settled.
 */
async function sweepMarkers(dir: string, olderThanMs: number, now: number): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  const stale = async (n: string) => {
    const st = await lstatOrNot(path.join(dir, n));
    return !!st && now - st.ctimeMs >= olderThanMs;
  };
  const marked = new Set<string>();
  const all = await markersIn(dir, names);
  for (const { mid, m } of all) {
    marked.add(mid);
    if (!(await stale(markerFile(mid)))) continue;
    const src = path.resolve(dir, m.from);
    const file = await lstatOrNot(path.join(src, m.file));
    const part = claimPart(m.file)?.part;
    if (file && (part === 'claim' || part === 'new') && (await lstatOrNot(path.join(src, recordFile(claimPart(m.file)!.id))))) continue; // its claim's repair
    if (await clearMarker(dir, mid, m.ph, (!!file || m.size > 0) && (await ownPlaceholder(dir, mid, m, all)))) removed.push(path.join(dir, m.ph));
  }
  for (const n of names) {
    const c = claimPart(n);
    if (!c || marked.has(c.id) || !(await stale(n))) continue;
    if (c.part === 'taken') await settleTaken(dir, c.id, `recovered-${c.id}.md`);
    // A marker killed while being written: its placeholder was never made (the marker comes first).
    else if (c.part === 'marker') await removeQuietly(path.join(dir, n));
  }
  return removed;
}

/**
 * The claims in a box whose dispatch is not placed yet: in flight, or left by a killed move. They are
 * listed where they were. `names`: the box's listing, when the caller has it.
 */
export async function pendingClaims(dir: string, names?: string[], now = Date.now()): Promise<ClaimInfo[]> {
  names ??= await fs.readdir(dir).catch(() => [] as string[]);
  const out: ClaimInfo[] = [];
  for (const f of names) {
    const part = claimPart(f);
    // A claim, or a rewrite's committed one whose new bytes are still here: not placed yet.
    if (part?.part !== 'claim' && part?.part !== 'old') continue;
    const c = await lstatOrNot(path.join(dir, f));
    if (!c) continue;
    const legacy = legacyName(f);
    const rec = legacy ? undefined : await readRecord(dir, part.id);
    if (rec?.v === 2 && part.part === 'old' && !(await lstatOrNot(path.join(dir, newFile(part.id))))) continue; // placed
    if (rec?.v === 1 && (await legacyPlaced(dir, rec, c, await lstatOrNot(path.join(dir, newFile(part.id)))))) continue;
    out.push({ claim: f, name: legacy ?? rec?.name ?? f, ageMs: now - c.ctimeMs });
  }
  return out;
}

/**
 * Empty placeholders a listing of `dir` must not show as dispatches: each named by a marker, and either
 * meant for a file with content or for one that is not placed yet. `logical`: the box's own
 * path (markers name their source relative to it).
 */
export async function hiddenPlaceholders(dir: string, names: string[], logical = dir): Promise<Set<string>> {
  const hide = new Set<string>();
  for (const { m } of await markersIn(dir, names)) {
    const st = await lstatOrNot(path.join(dir, m.ph));
    if (!st?.isFile() || st.size !== 0) continue;
    if (m.size > 0 || (await lstatOrNot(path.resolve(logical, m.from, m.file)))) hide.add(m.ph);
  }
  return hide;
}

/** Earlier protocol: placed when the same inode is at the destination (by link), or the new file went. */
async function legacyPlaced(dir: string, rec: LegacyRecord, c: Stats, n: Stats | undefined): Promise<boolean> {
  if (rec.newIno !== undefined && !n) return true;
  const f = n ?? c;
  if (f.nlink < 2) return false;
  const dst = destinationOf(dir, rec);
  if (!dst) return false;
  for (let i = 1, misses = 0; i < 10_000 && misses < 20; i++) {
    const st = await lstatOrNot(path.join(dst, i === 1 ? rec.want : variantName(rec.want, i)));
    if (!st) misses++;
    else if (st.ino === f.ino && st.dev === f.dev) return true;
  }
  return false;
}

async function repairLegacy(dir: string, id: string, rec: LegacyRecord, c: Stats | undefined): Promise<string | undefined> {
  const fresh = path.join(dir, newFile(id));
  if (c && !(await legacyPlaced(dir, rec, c, await lstatOrNot(fresh)))) {
    const dst = destinationOf(dir, rec);
    const ph = rec.placeholder && dst && (await realFolders(dir, dst)) ? await lstatOrNot(path.join(dst, rec.placeholder)) : undefined;
    if (ph?.isFile() && ph.size === 0 && ph.ino !== c.ino) await removeQuietly(path.join(dst!, rec.placeholder!));
    await removeQuietly(fresh);
    return restore(dir, id, rec.name, c.size);
  }
  await removeQuietly(path.join(dir, claimFile(id)));
  await removeQuietly(fresh);
  await removeQuietly(path.join(dir, tmpFile(id)));
  await removeRecord(dir, id);
  return undefined;
}
