// Checking and sending cadences: which rows are due, which are skipped and why (a dispatch for the
// cadence still pending in the target's new/, or sent today by another process), and sending the due
// ones through the store's own deliver, then setting their Last Sent.
//
// Never twice, without a daemon: before a process sends a row it creates the marker
// `<root>/.cadences/<today>.<from>.<to>.<slug>` with an exclusive create (O_EXCL). Only one process
// can; the others see the marker and skip the row ("sent today by another process"). The marker stays
// for the day, so a second `--send` the same day sends nothing even if Last Sent could not be written.
// A process that dies between claiming and delivering leaves a marker without a dispatch in it: after
// 10 minutes another process takes it over (by renaming it away, which only one can) and sends.
// Dedup across days is the pending check: a dispatch carrying `cadence: <slug>` from the same team,
// still in the target's new/ with status pending (or none), means the row is skipped, and says so.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { addDays, BadRow, CadenceRow, CadenceTable, isDue, nextDue, parseCadences } from './cadences';
import { parseTeamFile, readTeamFile, RowKey, updateLastSent, UpdateResult } from './cadence-file';
import { Dispatch, DispatchJSON } from './dispatch';
import { Priority } from './format';
import { checkTeam, DispatchStore, listBox, readMeta } from './store';

export const MARKER_DIR = '.cadences';
const MARKER_STALE_MS = 10 * 60_000;
const MARKER_KEEP_DAYS = 7;

/** One row as `dispatch cadences --json` prints it. */
export interface CadenceStatus {
  line: number;
  dispatch: string;
  /** The `cadence:` front matter of what is sent. */
  cadence: string;
  to: string;
  frequency: string;
  priority: Priority;
  last_sent: string | null;
  /** When it is (or was) due: Last Sent + frequency, `YYYY-MM-DD`. */
  next: string;
  /** Its date has come (today ≥ next). */
  due: boolean;
  /** Why a due row will not be sent, else null. A due row with no skip_reason is sent by `--send`. */
  skip_reason: string | null;
  /** The pending dispatch that makes it skip (its id), else null. */
  pending: string | null;
}

export interface CadenceCheck {
  file: string;
  today: string;
  from: string | null;
  /** The file has a Cadences heading. */
  found: boolean;
  cadences: CadenceStatus[];
  bad_rows: BadRow[];
}

/** Where the rows come from: a file on disk, or an editor's text for that file (VS Code, unsaved). */
export type CadenceSource = string | { file: string; text: string };

async function load(source: CadenceSource): Promise<{ file: string; table: CadenceTable }> {
  if (typeof source !== 'string') return { file: source.file, table: parseCadences(source.text) };
  return { file: source, table: parseTeamFile(await readTeamFile(source)) };
}

/** Every row with due / next / skip_reason; bad rows with their line numbers. Writes nothing. */
export async function checkCadences(store: DispatchStore, source: CadenceSource, from: string | undefined, today: string): Promise<CadenceCheck> {
  if (from !== undefined) checkTeam(from);
  const { file, table } = await load(source);
  return checkTable(store, file, table, from, today);
}

async function checkTable(store: DispatchStore, file: string, table: CadenceTable, from: string | undefined, today: string): Promise<CadenceCheck> {
  const pending = new PendingFinder(store);
  const markers = await listMarkers(store, today);
  const cadences: CadenceStatus[] = [];
  for (const r of table.rows) {
    const next = nextDue(r.freq, r.lastSent, today);
    const due = isDue(r.freq, r.lastSent, today);
    let skip: string | null = null;
    let pend: string | null = null;
    if (due) {
      const d = await pending.find(r, from);
      if (d) {
        pend = d.id;
        skip = `a dispatch for this cadence is still pending in ${r.to}/new/: ${d.id}`;
      } else {
        const m = markers.find((n) => n.endsWith(`.${r.to}.${r.slug}`) && (from === undefined || n === markerName(today, from, r)));
        if (m) skip = await markerReason(path.join(markerDir(store), m));
      }
    }
    cadences.push({
      line: r.line,
      dispatch: r.dispatch,
      cadence: r.slug,
      to: r.to,
      frequency: r.frequency,
      priority: r.priority,
      last_sent: r.lastSent,
      next,
      due,
      skip_reason: skip,
      pending: pend,
    });
  }
  return { file, today, from: from ?? null, found: table.found, cadences, bad_rows: table.bad };
}

/** A row after `--send`: what happened to it. */
export interface CadenceSendStatus extends CadenceStatus {
  /** `sent`; `would-send` (dry run); `skipped` (see skip_reason); `not-due`; `failed` (see error). */
  result: 'sent' | 'would-send' | 'skipped' | 'not-due' | 'failed';
  sent: DispatchJSON | null;
  error: string | null;
}

export interface CadenceSendResult extends Omit<CadenceCheck, 'cadences'> {
  cadences: CadenceSendStatus[];
  /** Rows whose Last Sent was set to today; an error when it could not be written (the dispatches are sent). */
  last_sent: { updated: number; missing: number; error: string | null };
}

export interface SendOptions {
  from: string;
  today: string;
  dryRun?: boolean;
  /** Sets Last Sent of the sent rows; default: updateLastSent on the file (VS Code edits a dirty editor instead). */
  writeLastSent?: (keys: RowKey[], date: string) => Promise<UpdateResult>;
}

/** Sends each due, not skipped row once (see the marker above), then sets its Last Sent to today. */
export async function sendDueCadences(store: DispatchStore, source: CadenceSource, o: SendOptions): Promise<CadenceSendResult> {
  checkTeam(o.from);
  const { file, table } = await load(source);
  const check = await checkTable(store, file, table, o.from, o.today);
  const byLine = new Map(table.rows.map((r) => [r.line, r]));
  const out: CadenceSendStatus[] = [];
  const sent: RowKey[] = [];
  for (const c of check.cadences) {
    const row = byLine.get(c.line)!;
    const s: CadenceSendStatus = { ...c, result: !c.due ? 'not-due' : c.skip_reason ? 'skipped' : o.dryRun ? 'would-send' : 'sent', sent: null, error: null };
    out.push(s);
    if (s.result !== 'sent') continue;
    try {
      const d = await sendOne(store, row, o.from, o.today, s);
      if (d) {
        s.sent = d.toJSON();
        sent.push({ slug: row.slug, to: row.to });
      }
    } catch (e) {
      s.result = 'failed';
      s.error = (e as Error).message;
    }
  }
  const last_sent = { updated: 0, missing: 0, error: null as string | null };
  if (sent.length) {
    try {
      const r = await (o.writeLastSent ?? ((keys, date) => updateLastSent(file, keys, date)))(sent, o.today);
      last_sent.updated = r.updated.length;
      last_sent.missing = r.missing.length;
      if (r.missing.length) last_sent.error = `rows no longer in ${file}: ${r.missing.map((k) => `${k.slug} → ${k.to}`).join(', ')}`;
    } catch (e) {
      last_sent.error = (e as Error).message;
    }
  }
  if (!o.dryRun) await sweepMarkers(store, o.today).catch(() => undefined);
  return { ...check, file, cadences: out, last_sent };
}

/** Claims the row's marker, re-checks pending, delivers. Undefined (with skip_reason set) when another process has it. */
async function sendOne(store: DispatchStore, row: CadenceRow, from: string, today: string, s: CadenceSendStatus): Promise<Dispatch | undefined> {
  const marker = path.join(await ensureMarkerDir(store), markerName(today, from, row));
  if (!(await claim(marker))) {
    s.result = 'skipped';
    s.skip_reason = await markerReason(marker);
    return undefined;
  }
  try {
    // The check above ran before the claim: another process may have sent and finished since.
    const d = await new PendingFinder(store).find(row, from);
    if (d) {
      await fs.unlink(marker).catch(() => undefined);
      s.result = 'skipped';
      s.pending = d.id;
      s.skip_reason = `a dispatch for this cadence is still pending in ${row.to}/new/: ${d.id}`;
      return undefined;
    }
    const sent = await store.deliver({
      to: row.to,
      from,
      priority: row.priority,
      title: row.dispatch,
      slug: row.slug,
      body: row.notes || `Recurring dispatch (${row.frequency}).`,
      extra: { cadence: row.slug },
    });
    await fs.writeFile(marker, JSON.stringify({ pid: process.pid, host: os.hostname(), claimed: new Date().toISOString(), dispatch: sent.path }) + '\n');
    return sent;
  } catch (e) {
    // Nothing was delivered (or we cannot tell it was): let a later run try again.
    if (!(await markerSent(marker))) await fs.unlink(marker).catch(() => undefined);
    throw e;
  }
}

function markerDir(store: DispatchStore): string {
  return path.join(store.root, MARKER_DIR);
}

function markerName(today: string, from: string, row: { to: string; slug: string }): string {
  // `.` is in neither team names nor slugs: the name cannot be read two ways.
  return `${today}.${from}.${row.to}.${row.slug}`;
}

async function ensureMarkerDir(store: DispatchStore): Promise<string> {
  const dir = markerDir(store);
  await fs.mkdir(dir, { recursive: true });
  const st = await fs.lstat(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a real folder; refused`);
  return dir;
}

/** Exclusive create; a marker left unsent for 10 minutes by a dead process is taken over. */
async function claim(marker: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await fs.open(marker, 'wx', 0o644);
      await fh.writeFile(JSON.stringify({ pid: process.pid, host: os.hostname(), claimed: new Date().toISOString() }) + '\n');
      await fh.close();
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const st = await fs.lstat(marker).catch(() => undefined);
    if (!st || (await markerSent(marker)) || Date.now() - st.mtimeMs < MARKER_STALE_MS) return false;
    const away = `${marker}.stale.${process.pid}`;
    if (
      !(await fs.rename(marker, away).then(
        () => true,
        () => false,
      ))
    )
      return false;
    await fs.unlink(away).catch(() => undefined);
  }
  return false;
}

async function markerSent(marker: string): Promise<string | undefined> {
  try {
    const j = JSON.parse(await fs.readFile(marker, 'utf8')) as { dispatch?: unknown };
    return typeof j.dispatch === 'string' ? j.dispatch : undefined;
  } catch {
    return undefined;
  }
}

async function markerReason(marker: string): Promise<string> {
  const sent = await markerSent(marker);
  return sent ? `already sent today: ${path.basename(sent, '.md')}` : 'being sent by another process right now';
}

async function listMarkers(store: DispatchStore, today: string): Promise<string[]> {
  const names = await fs.readdir(markerDir(store)).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(`${today}.`) && !n.includes('.stale.'));
}

/** Markers only matter on their own day; a week later they go. */
async function sweepMarkers(store: DispatchStore, today: string): Promise<void> {
  const cutoff = addDays(today, -MARKER_KEEP_DAYS);
  for (const n of await fs.readdir(markerDir(store)).catch(() => [] as string[])) {
    const date = /^(\d{4}-\d{2}-\d{2})\./.exec(n)?.[1];
    if (date && date < cutoff) await fs.unlink(path.join(markerDir(store), n)).catch(() => undefined);
  }
}

/** Finds a pending dispatch for a cadence in its target's new/, reading front matter only of likely files. */
class PendingFinder {
  private readonly boxes = new Map<string, Promise<Dispatch[]>>();
  constructor(private readonly store: DispatchStore) {}

  async find(row: CadenceRow, from: string | undefined): Promise<Dispatch | undefined> {
    for (const d of await this.box(row.to)) {
      const n = d.name;
      // What we send carries the cadence's slug in its name; files named otherwise are read too.
      if (n && (n.slug !== row.slug || (from !== undefined && n.from !== from))) continue;
      d.meta ??= await readMeta(d.path);
      const data = d.meta!.data;
      const status = data.status;
      if (data.cadence === row.slug && (status === undefined || status === null || status === 'pending') && (from === undefined || d.from === from)) return d;
    }
    return undefined;
  }

  private box(team: string): Promise<Dispatch[]> {
    let p = this.boxes.get(team);
    if (!p) {
      p = listBox(this.store.boxDir(team, 'new')).then((names) => names.map((n) => new Dispatch(this.store.root, team, 'new', n)));
      this.boxes.set(team, p);
    }
    return p;
  }
}
