// TEAM.md on disk: where it is, reading it as bytes, and setting Last Sent cells without ever
// corrupting it. Only the bytes of the cells change; everything else (CRLF, a BOM, invalid UTF-8,
// other tables) stays byte for byte, and so do its mode, group and owner. A write goes to a temp file
// beside it and is renamed over it only if the file is still what was read; a short lock keeps two of
// our own writers from crossing. Every file written here is written whole (whole-file.ts).
import { constants } from 'node:fs';
import * as fs from '../fs/rawfs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CadenceTable, lastSentCellText, parseCadences } from './table';
import { killPoint } from '../fs/faults';
import { DispatchError } from '../store';
import { alive, sweepTemps, tempName, writeWhole } from './whole-file';

const MAX_TEAM_FILE = 4 * 1024 * 1024;
const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 10_000;
const RETRIES = 8;

/** TEAM.md: `explicit` (relative to the first folder), else `.team/TEAM.md`, then `TEAM.md` in each folder, then `~/.team/TEAM.md`. */
export async function findTeamFile(cwd: string | readonly string[], home: string | undefined, explicit?: string): Promise<string | undefined> {
  const dirs = typeof cwd === 'string' ? [cwd] : [...cwd];
  if (explicit !== undefined) {
    const p = path.resolve(dirs[0] ?? '.', explicit);
    if (!(await isFile(p))) throw new DispatchError('not-found', `no such file: ${p}`);
    return p;
  }
  const candidates = dirs.flatMap((d) => [path.join(d, '.team', 'TEAM.md'), path.join(d, 'TEAM.md')]);
  if (home) candidates.push(path.join(home, '.team', 'TEAM.md'));
  for (const c of candidates) if (await isFile(c)) return c;
  return undefined;
}

async function isFile(p: string): Promise<boolean> {
  return (await fs.stat(p).catch(() => undefined))?.isFile() ?? false;
}

/** The file's bytes as a latin1 string (one char per byte: offsets are byte offsets). */
export interface TeamFileText {
  file: string;
  bytes: Buffer;
  latin1: string;
}

export async function readTeamFile(file: string): Promise<TeamFileText> {
  const st = await fs.stat(file).catch((e) => {
    throw new DispatchError('not-found', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  });
  if (!st.isFile()) throw new DispatchError('invalid', `${file} is not a regular file`);
  if (st.size > MAX_TEAM_FILE) throw new DispatchError('invalid', `${file} is larger than 4 MiB; not read`);
  const bytes = await fs.readFile(file);
  if (bytes.length > MAX_TEAM_FILE) throw new DispatchError('invalid', `${file} is larger than 4 MiB; not read`);
  return { file, bytes, latin1: bytes.toString('latin1') };
}

export const utf8FromLatin1 = (raw: string): string => Buffer.from(raw, 'latin1').toString('utf8');

export function parseTeamFile(t: TeamFileText): CadenceTable {
  return parseCadences(t.latin1, utf8FromLatin1);
}

/** Which row: the cadence's slug and team (line numbers move when someone edits the file meanwhile). */
export interface RowKey {
  slug: string;
  to: string;
}

/** One cell edit in a text: replace [start, end) with `text`. */
export interface CellEdit {
  start: number;
  end: number;
  text: string;
}

/** The edits that set Last Sent of `keys` to `date` in `text` (rows not found are left out and listed). */
export function lastSentEdits(text: string, keys: RowKey[], date: string, decode?: (raw: string) => string): { edits: CellEdit[]; missing: RowKey[] } {
  const table = parseCadences(text, decode);
  const edits: CellEdit[] = [];
  const missing: RowKey[] = [];
  for (const k of keys) {
    const row = table.rows.find((r) => r.slug === k.slug && r.to === k.to);
    if (!row) {
      missing.push(k);
      continue;
    }
    const raw = text.slice(row.cell.start, row.cell.end);
    const next = lastSentCellText(raw, date);
    if (next !== raw) edits.push({ start: row.cell.start, end: row.cell.end, text: next });
  }
  return { edits, missing };
}

export function applyEdits(text: string, edits: CellEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

export interface UpdateResult {
  /** Rows whose cell was changed (or already said `date`). */
  updated: RowKey[];
  /** Rows no longer in the file. */
  missing: RowKey[];
}

/**
 * Sets Last Sent of `keys` to `date` in the file. Reads, edits the cells, writes the new bytes whole
 * beside it (whole-file.ts: its mode, group and owner kept) and renames them over the file only if the
 * file still holds the bytes read; if someone changed it meanwhile, starts again from their version. A
 * symlinked TEAM.md is written through (its target is replaced, the link stays). A failure (a full disk)
 * leaves the file, and nothing beside it, as it was, and says why in one line.
 */
export async function updateLastSent(file: string, keys: RowKey[], date: string): Promise<UpdateResult> {
  const real = await fs.realpath(file);
  const dir = path.dirname(real);
  await tidyTeamFile(file);
  const unlock = await lock(real);
  try {
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const t = await readTeamFile(real);
      const { edits, missing } = lastSentEdits(t.latin1, keys, date, utf8FromLatin1);
      const updated = keys.filter((k) => !missing.includes(k));
      if (!edits.length) return { updated, missing };
      const next = Buffer.from(applyEdits(t.latin1, edits), 'latin1');
      const st = await fs.stat(real);
      // Placed only if the file still holds what was read; else redo on the new text.
      const ready = async () => {
        killPoint('cadence-last-sent');
        return (await fs.readFile(real)).equals(t.bytes);
      };
      if (await writeWhole(dir, path.basename(real), next, { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, ready, what: file })) {
        await syncDir(dir);
        return { updated, missing };
      }
    }
    throw new DispatchError('io', `${file} kept changing while Last Sent was being written; not updated`);
  } finally {
    await unlock();
  }
}

/**
 * An exclusive lock file beside TEAM.md for the read-compare-rename above (milliseconds), so two
 * `--send` at once cannot both pass the compare and lose one's cells. It is created whole with its
 * writer's pid and host; one whose writer is gone from this host, or older than 30 s, is a crashed
 * writer's: it is taken over by renaming it away (only one taker can).
 */
async function lock(real: string): Promise<() => Promise<void>> {
  const dir = path.dirname(real);
  const name = `.${path.basename(real)}.lock`;
  const p = path.join(dir, name);
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    if (await writeWhole(dir, name, JSON.stringify({ pid: process.pid, host: os.hostname() }) + '\n', { exclusive: true, what: `the lock ${p}` }))
      return () => fs.unlink(p).catch(() => undefined);
    const st = await fs.lstat(p).catch(() => undefined);
    if (st && (Date.now() - st.mtimeMs > LOCK_STALE_MS || (await lockerGone(p)))) {
      const stale = tempName(dir, name);
      if (
        await fs.rename(p, stale).then(
          () => true,
          () => false,
        )
      )
        await fs.unlink(stale).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) throw new DispatchError('io', `${p} is held by another writer; Last Sent not updated`);
    await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
  }
}

/**
 * What a writer killed mid-write left beside TEAM.md: its temporary, and its lock once its pid no longer
 * runs here. Every `--send` tidies up, whether or not it has a Last Sent to write. Never throws.
 */
export async function tidyTeamFile(file: string): Promise<void> {
  const real = await fs.realpath(file).catch(() => undefined);
  if (!real) return;
  await sweepTemps(path.dirname(real));
  const p = path.join(path.dirname(real), `.${path.basename(real)}.lock`);
  if (await lockerGone(p)) {
    const away = tempName(path.dirname(real), path.basename(p));
    if (
      await fs.rename(p, away).then(
        () => true,
        () => false,
      )
    )
      await fs.unlink(away).catch(() => undefined);
  }
}

/** The lock's writer was a process on this host that no longer runs. */
async function lockerGone(p: string): Promise<boolean> {
  try {
    const fh = await fs.open(p, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    try {
      const buf = Buffer.alloc(512);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const v = JSON.parse(buf.subarray(0, bytesRead).toString('utf8')) as { pid?: unknown; host?: unknown };
      return v.host === os.hostname() && typeof v.pid === 'number' && !alive(v.pid);
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fs.open(dir, 'r').catch(() => undefined);
  await fh?.sync().catch(() => undefined);
  await fh?.close();
}
