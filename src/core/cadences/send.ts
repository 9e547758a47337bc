// Checking and sending cadences: which rows are due, which are skipped and why (a dispatch for the
// cadence still pending in the target's new/, or sent today by another process), and sending the due
// ones through the store's own deliver, then setting their Last Sent.
//
// Never twice, without a daemon: before a process sends a row it creates the row's marker for the day
// (cadence-marker.ts); only one process can, the others skip the row. The marker stays for the day, so
// a second `--send` the same day sends nothing even if Last Sent could not be written. A sender killed
// between its marker and its delivery is taken over by a later run (at once when its pid is gone from
// this host, else after 10 minutes), which first looks for a dispatch the dead sender delivered under
// the time its marker recorded, so a kill at any instant sends a row at most once and never blocks it.
// Dedup across days is the pending check: a dispatch carrying `cadence: <slug>` from the same team,
// still in the target's new/ with status pending (or none), means the row is skipped, and says so.
import * as path from 'node:path';
import { BadRow, CadenceRow, CadenceTable, isDue, nextDue, parseCadences } from './table';
import { parseTeamFile, readTeamFile, RowKey, tidyTeamFile, updateLastSent, UpdateResult } from './file';
import { markerName, MarkerRecord, Markers, MarkerState, ownRecord } from './marker';
import { Dispatch, DispatchJSON } from '../format/dispatch';
import { idOf, parseName, Priority } from '../format/format';
import { killPoint } from '../fs/faults';
import { escapeName } from '../fs/rawname';
import { checkTeam, DispatchError, DispatchStore, listBox, readMeta } from '../store';

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
  // A `.cadences` that is not a real folder is never read: the rows still show, and sending says why.
  const markers = await Markers.open(store.root, false).catch((e) => {
    if (e instanceof DispatchError) return undefined;
    throw e;
  });
  try {
    return await checkRows(store, markers, file, table, from, today);
  } finally {
    await markers?.close();
  }
}

async function checkRows(
  store: DispatchStore,
  markers: Markers | undefined,
  file: string,
  table: CadenceTable,
  from: string | undefined,
  today: string,
): Promise<CadenceCheck> {
  const pending = new PendingFinder(store);
  const names = (await markers?.today(today)) ?? [];
  const cadences: CadenceStatus[] = [];
  for (const r of table.rows) {
    const next = nextDue(r.freq, r.lastSent, today);
    const due = isDue(r.freq, r.lastSent, today);
    let skip: string | null = null;
    let pend: string | null = null;
    let state: MarkerState | undefined;
    if (due) {
      const m = names.find((n) => n.endsWith(`.${r.to}.${r.slug}`) && (from === undefined || n === markerName(today, from, r)));
      state = m ? await markers!.state(m) : undefined;
      const d = await pending.find(r, from);
      if (d) {
        pend = d.id;
        skip = `a dispatch for this cadence is still pending in ${r.to}/new/: ${escapeName(d.id)}`;
        // Pending because a sender killed before its Last Sent write delivered it today: sent today.
        if (from !== undefined && state && 'abandoned' in state && deliveredAt(r, from, state.abandoned.created)(d.fileName)) state = { sent: d.path };
      } else skip = reason(state); // an abandoned marker is no reason to skip: `--send` takes it over
    }
    const status: CadenceStatus = {
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
    };
    if (from !== undefined && state && 'sent' in state) sentToday.add(status);
    cadences.push(status);
  }
  return { file, today, from: from ?? null, found: table.found, cadences, bad_rows: table.bad };
}

/**
 * Rows this sender's marker says were sent today: their Last Sent is set with the rows sent now, so a
 * run killed between a delivery and the Last Sent write is repaired by the next one.
 */
const sentToday = new WeakSet<CadenceStatus>();

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
  // `.cadences/` is made (and held open) only when a row is to be sent.
  let markers: Promise<Markers | undefined> | undefined;
  const open = async () => (await (markers ??= Markers.open(store.root, true)))!;
  try {
    for (const c of check.cadences) {
      const row = byLine.get(c.line)!;
      const s: CadenceSendStatus = { ...c, result: !c.due ? 'not-due' : c.skip_reason ? 'skipped' : o.dryRun ? 'would-send' : 'sent', sent: null, error: null };
      out.push(s);
      if (sentToday.has(c) && !o.dryRun) sent.push({ slug: row.slug, to: row.to });
      if (s.result !== 'sent') continue;
      try {
        const d = await sendOne(store, await open(), row, o.from, o.today, s);
        if (d || sentToday.has(s)) sent.push({ slug: row.slug, to: row.to });
        if (d) s.sent = d.toJSON();
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
    if (!o.dryRun) {
      if (!o.writeLastSent) await tidyTeamFile(file);
      markers ??= Markers.open(store.root, false);
      await (await markers.catch(() => undefined))?.sweep(o.today).catch(() => undefined);
    }
    return { ...check, file, cadences: out, last_sent };
  } finally {
    await (await markers?.catch(() => undefined))?.close();
  }
}

/**
 * Claims the row's marker (taking over one a dead sender left), re-checks pending, delivers, records
 * the dispatch in the marker. Undefined (with skip_reason set) when another process has sent or is
 * sending it. `DISPATCH_KILL_AT=cadence-claimed|cadence-delivered` kills this process there (tests).
 */
async function sendOne(
  store: DispatchStore,
  markers: Markers,
  row: CadenceRow,
  from: string,
  today: string,
  s: CadenceSendStatus,
): Promise<Dispatch | undefined> {
  const name = markerName(today, from, row);
  const created = new Date();
  const skip = (why: string | null, pending: string | null = null, sent = false) => {
    if (sent) sentToday.add(s);
    s.result = 'skipped';
    s.skip_reason = why ?? 'being sent by another process right now';
    s.pending = pending ?? s.pending;
    return undefined;
  };
  for (let attempt = 0; !(await markers.claim(name, ownRecord(created))); attempt++) {
    const state = await markers.state(name);
    if (attempt > 0 || (state && !('abandoned' in state))) return skip(reason(state), null, !!state && 'sent' in state);
    if (state && !(await markers.takeOver(name))) return skip(null);
    // Taken over: the dead sender may have delivered before it died (and its dispatch been read since).
    const earlier = state?.abandoned.created ? await delivered(store, row, from, state.abandoned.created) : undefined;
    if (earlier) {
      await markers.claim(name, { ...state!.abandoned, dispatch: earlier.path }).catch(() => undefined);
      return skip(`already sent today: ${escapeName(earlier.id)} (by a run that was interrupted)`, null, true);
    }
  }
  killPoint('cadence-claimed');
  let sent: Dispatch;
  try {
    // The check above ran before the claim: another process may have sent and finished since.
    const d = await new PendingFinder(store).find(row, from);
    if (d) {
      await markers.remove(name);
      return skip(`a dispatch for this cadence is still pending in ${row.to}/new/: ${escapeName(d.id)}`, d.id);
    }
    sent = await store.deliver({
      to: row.to,
      from,
      priority: row.priority,
      title: row.dispatch,
      slug: row.slug,
      body: row.notes || `Recurring dispatch (${row.frequency}).`,
      extra: { cadence: row.slug },
      created,
    });
  } catch (e) {
    await markers.remove(name); // nothing was delivered: a later run tries again
    throw e;
  }
  killPoint('cadence-delivered');
  // Not recorded (a full disk): the marker still says "being sent", and a taker finds the dispatch by its time.
  await markers.complete(name, ownRecord(created, sent.path)).catch(() => undefined);
  return sent;
}

function reason(state: MarkerState | undefined): string | null {
  if (!state || 'abandoned' in state) return null;
  // The marker's path is whatever its file says: printed as a name is, one visible line.
  return 'sent' in state ? `already sent today: ${escapeName(path.basename(state.sent, '.md'))}` : 'being sent by another process right now';
}

/** Whether a file name is the dispatch a sender delivered for `row` at `created` (the name carries the time). */
function deliveredAt(row: CadenceRow, from: string, created: MarkerRecord['created']): (fileName: string) => boolean {
  const t = Date.parse(created ?? '');
  if (isNaN(t)) return () => false;
  const stamp = new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return (fileName) => {
    const n = parseName(fileName);
    return !!n && n.slug === row.slug && n.from === from && n.created === stamp;
  };
}

/** The dispatch a sender delivered for `row` at `created` (its name says so), wherever it went since: new/, cur/ or the archive. */
async function delivered(
  store: DispatchStore,
  row: CadenceRow,
  from: string,
  created: MarkerRecord['created'],
): Promise<{ id: string; path: string } | undefined> {
  const ours = deliveredAt(row, from, created);
  const found = (await store.list({ teams: [row.to] })).find((d) => ours(d.fileName));
  if (found) return { id: found.id, path: found.path };
  const archived = (await store.listArchived([row.to])).find((a) => ours(a.fileName));
  return archived ? { id: idOf(archived.fileName), path: archived.path } : undefined;
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
