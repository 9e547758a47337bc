// The seed's read protocol in one call: my team's new/ (urgent first, then priority and age), each
// read and, when asked, acknowledged and tracked as a local bead; then my due cadences, my stale sent
// dispatches and the completed ones awaiting my verification.
//
// The agent sees what it accepted, and only that. Items are chosen to fit the output as they will be
// printed once accepted (the longest state line they can get), so no accepted item is ever cut; and
// acceptance ends by a deadline well inside a hook's time limit (`bd` included: stopped, then killed),
// so the process prints before any host kills it. What could not be accepted in time stays in new/ and
// says so. The text form prints each item before accepting it (cli/checkin.ts).
import type { Dispatch, DispatchJSON } from '../format/dispatch';
import { priorityRank } from '../format/format';
import { createBead, hasBeads, MAX_BEAD_ID } from './beads';
import * as sources from './checkin-sources';
import type { DueCadence } from './checkin-sources';
import { checkTeam, DispatchStore } from '../store';
import { compareWaiting } from '../lifecycle/sent';
import { observeLanding } from '../lifecycle/waiting';

/** An error in an item's state line is cut to this: what a measured item may grow by when accepted. */
export const ERROR_CHARS = 100;

export interface CheckinOptions {
  team: string;
  ack?: boolean;
  /** Implies ack: a bead tracks accepted work. */
  track?: boolean;
  sendDue?: boolean;
  full?: boolean;
  /** My dispatches unread longer than this are stale (default 3). */
  staleAfterDays?: number;
  now?: number;
  /** Nothing is accepted (a bead included) that cannot be finished by then (ms since the epoch). */
  deadline?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface CheckinItem {
  dispatch: Dispatch;
  /** The body without its title heading, bounded unless `full`. */
  body: string;
  bodyCut: boolean;
  ack?: 'acknowledged' | 'already acknowledged' | { error: string };
  bead?: string;
}

export type Section<T> = { available: true; rows: T[] } | { available: false; reason: string };

export interface CheckinResult {
  team: string;
  root: string;
  /** Why there is nothing to check at all (no root), if so. */
  missing?: string;
  /** The team has no inbox folder (yet): nothing new, but its sent dispatches and cadences still count. */
  noInbox?: boolean;
  items: CheckinItem[];
  /** New dispatches in all, shown or not. */
  total: number;
  urgent: number;
  warnings: string[];
  cadences: Section<DueCadence> & { sent?: string[] };
  stale: Section<Dispatch>;
  verify: Section<Dispatch>;
}

export const BODY_CHARS = 300;
export const FULL_BODY_CHARS = 1024 * 1024;
export const MAX_ITEMS = 20;
const SECTION_ROWS = 5;
/** Without a deadline: acceptance ends this long after it starts. */
export const DEFAULT_ACCEPT_MS = 20_000;
/** Time one acknowledge may take on a busy machine, and the least time worth giving `bd`. */
const ACK_MS = 500;
const BD_MIN_MS = 1000;

/** Urgent → low, then the one waiting longest first (core/lifecycle/waiting.ts). */
export function sortForCheckin(ds: Dispatch[]): Dispatch[] {
  return [...ds].sort((a, b) => priorityRank(a.priority) - priorityRank(b.priority) || compareWaiting(a, b));
}

/**
 * Reads my inbox and, with `ack` or `track`, accepts what it shows (by `deadline`). `fits` says whether
 * the items so far still fit the output (checkin-text's `fitsCheckin`).
 */
export async function checkin(store: DispatchStore, o: CheckinOptions, fits: (r: CheckinResult) => boolean): Promise<CheckinResult> {
  const r = await readInbox(store, o, fits);
  if (o.ack || o.track) {
    const a = new Acceptor(store, r, o);
    for (const item of r.items) await a.accept(item);
    await a.finish();
  }
  return r;
}

/** My inbox and the sender's sections, nothing accepted yet: the items chosen to fit once accepted. */
export async function readInbox(store: DispatchStore, o: CheckinOptions, fits: (r: CheckinResult) => boolean): Promise<CheckinResult> {
  const team = checkTeam(o.team);
  const now = o.now ?? Date.now();
  const r: CheckinResult = {
    team,
    root: store.root,
    items: [],
    total: 0,
    urgent: 0,
    warnings: [],
    cadences: { available: true, rows: [] },
    stale: { available: true, rows: [] },
    verify: { available: true, rows: [] },
  };
  if (!(await store.exists())) {
    r.missing = `no dispatch root at ${store.root}`;
    return r;
  }
  // Names carry priority and time: only files not named by the rule are read to sort, then only the shown.
  const listed = await store.list({ teams: [team], box: 'new' });
  await store.loadMeta(listed.filter((d) => !d.name));
  await observeLanding(listed);
  const fresh = sortForCheckin(listed);
  await store.loadMeta(fresh.slice(0, MAX_ITEMS));
  if (!fresh.length && !(await store.teams()).includes(team)) r.noInbox = true;
  r.total = fresh.length;
  r.urgent = fresh.filter((d) => d.priority === 'urgent').length;
  await otherSections(store, o, r, now);

  for (const d of fresh.slice(0, MAX_ITEMS)) {
    const item = await readItem(store, d, !!o.full);
    // Measured as it will be printed once accepted, with its longest state: a bead id as long as bd's
    // may be, or an error as long as one is shown; what is accepted must still fit.
    if (o.track) {
      item.ack = 'acknowledged';
      item.bead = 'x'.repeat(MAX_BEAD_ID);
    } else if (o.ack) item.ack = { error: 'x'.repeat(ERROR_CHARS) };
    r.items.push(item);
    if (fits(r)) continue;
    if (r.items.length > 1) {
      r.items.pop();
      break;
    }
    // The first one is always shown, its body cut to the short start if need be (the rest is bounded).
    item.body = item.body.slice(0, BODY_CHARS);
    item.bodyCut = true;
    if (!fits(r)) item.body = '';
  }
  for (const item of r.items) {
    item.ack = undefined;
    item.bead = undefined;
  }
  return r;
}

/**
 * An item with its body (the start, or with `full` up to 1 MiB). A file that cannot be read whole (not a
 * regular file, gone, unreadable) is shown with the start its listing read and says why: one such file
 * never hides the others.
 */
async function readItem(store: DispatchStore, d: Dispatch, full: boolean): Promise<CheckinItem> {
  let text = d.meta?.bodyStart ?? '';
  let cut = text.endsWith('…');
  if (full && isRegular(d)) {
    try {
      const c = await store.read(d);
      text = c.body;
      cut = c.truncated;
    } catch (e) {
      cut = true; // what follows is the start read when listed, if any
      d.meta?.warnings.push(`whole body not read: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const body = withoutTitle(text, d.title);
  const limit = full ? FULL_BODY_CHARS : BODY_CHARS;
  return { dispatch: d, body: body.length > limit ? body.slice(0, limit) : body, bodyCut: cut || body.length > limit };
}

/** The title is shown once, as the item's heading: the body's own heading line would repeat it. */
function withoutTitle(body: string, title: string): string {
  const s = body.replace(/^\s+/, '');
  const nl = s.indexOf('\n');
  const first = (nl < 0 ? s : s.slice(0, nl)).replace(/^#{1,6}\s+/, '').trim();
  return (first === title.trim() ? (nl < 0 ? '' : s.slice(nl + 1)) : s).trim();
}

/** A file the listing's read found to be a regular file (a symlink, FIFO or folder carries a warning instead). */
function isRegular(d: Dispatch): boolean {
  return !d.meta?.warnings.some((w) => /^(symbolic link|not a regular file)/.test(w));
}

/**
 * Accepts items one at a time, each only if it can be finished (acknowledged, and tracked when asked)
 * before the deadline; the rest stay in new/ and say so. Never throws.
 */
export class Acceptor {
  private readonly deadline: number;
  private readonly cwd: string;
  private readonly env: NodeJS.ProcessEnv;
  private track: boolean;
  private late = 0;

  constructor(
    private readonly store: DispatchStore,
    private readonly r: CheckinResult,
    o: CheckinOptions,
  ) {
    this.deadline = o.deadline ?? Date.now() + DEFAULT_ACCEPT_MS;
    this.cwd = o.cwd ?? process.cwd();
    this.env = o.env ?? process.env;
    this.track = !!o.track;
    if (this.track && !hasBeads(this.cwd)) {
      r.warnings.push(`no .beads/ in ${this.cwd}: accepted without tracking beads`);
      this.track = false;
    }
  }

  async accept(item: CheckinItem): Promise<void> {
    if (!isRegular(item.dispatch)) {
      item.ack = { error: 'not a regular file; left in new/ for a person to look at' }; // its content was never shown
      return;
    }
    const left = this.deadline - Date.now();
    if (left < ACK_MS + (this.track ? BD_MIN_MS : 0)) {
      item.ack = { error: 'time limit reached; still in new/' };
      this.late++;
      return;
    }
    try {
      const out = await this.store.acknowledge(item.dispatch);
      item.ack = out.status === 'already' ? 'already acknowledged' : 'acknowledged';
      item.dispatch = out.dispatch;
      for (const w of out.warnings ?? []) this.r.warnings.push(`${out.dispatch.id}: ${w}`); // moved, but e.g. JSON front matter kept as it was
    } catch (e) {
      item.ack = { error: e instanceof Error ? e.message : String(e) };
      return; // not accepted by us: not ours to track
    }
    if (!this.track || item.ack === 'already acknowledged') return;
    // What is left of the deadline, less the time to write the bead id into the dispatch.
    const bead = await createBead(item.dispatch, this.cwd, this.env, this.deadline - Date.now() - ACK_MS);
    if ('error' in bead) {
      this.r.warnings.push(`${bead.error}: accepted without a tracking bead${bead.absent ? '' : ` (${item.dispatch.id})`}`);
      if (bead.absent) this.track = false; // one warning, not one per dispatch
      return;
    }
    item.bead = bead.id;
    try {
      item.dispatch = await sources.setField(this.store, item.dispatch, 'tracking_bead', bead.id);
    } catch (e) {
      this.r.warnings.push(`bead ${bead.id} created; tracking_bead not written to ${item.dispatch.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** After the last item: what the moves changed is re-read (for --json); the time limit said once. */
  async finish(): Promise<void> {
    if (this.late) this.r.warnings.push(`time limit reached: ${this.late} shown dispatch(es) not acknowledged, still in new/ (dispatch ack ID)`);
    await this.store.loadMeta(this.r.items.map((i) => i.dispatch)).catch(() => undefined);
  }
}

async function otherSections(store: DispatchStore, o: CheckinOptions, r: CheckinResult, now: number): Promise<void> {
  const guard = async <T>(what: string, f: () => Promise<T[]>): Promise<Section<T>> => {
    try {
      return { available: true, rows: (await f()).slice(0, SECTION_ROWS) };
    } catch (e) {
      return { available: false, reason: `${what} failed: ${e instanceof Error ? e.message : String(e)}` };
    }
  };
  let sent: string[] = [];
  const s = await guard('cadences', async () => {
    const rep = await sources.cadences(store, { from: r.team, cwd: o.cwd ?? process.cwd(), env: o.env ?? process.env, send: !!o.sendDue });
    sent = rep.sent;
    r.warnings.push(...rep.warnings.slice(0, SECTION_ROWS));
    return rep.rows;
  });
  r.cadences = { ...s, sent };
  r.stale = await guard('stale dispatches', () => sources.staleSent(store, r.team, now, o.staleAfterDays));
  r.verify = await guard('completed dispatches', () => sources.awaitingVerification(store, r.team));
}

/** The urgent dispatches this checkin showed: a prompt hook must not announce them again. */
export function shownUrgent(r: CheckinResult): Dispatch[] {
  return r.items.map((i) => i.dispatch).filter((d) => d.priority === 'urgent');
}

/** The `--json` shape (and the MCP tool's structured content). */
export function checkinJSON(r: CheckinResult) {
  const section = <T, J>(s: Section<T>, f: (t: T) => J) => (s.available ? { available: true, rows: s.rows.map(f) } : { available: false, reason: s.reason });
  const dj = (d: Dispatch): DispatchJSON => d.toJSON();
  return {
    team: r.team,
    root: r.root,
    missing: r.missing ?? null,
    no_inbox: !!r.noInbox,
    total: r.total,
    urgent: r.urgent,
    more: r.total - r.items.length,
    dispatches: r.items.map((i) => ({
      ...i.dispatch.toJSON(),
      body: i.body,
      body_cut: i.bodyCut,
      ...(i.ack ? { ack: typeof i.ack === 'string' ? i.ack : 'failed', ...(typeof i.ack === 'object' ? { ack_error: i.ack.error } : {}) } : {}),
      ...(i.bead ? { tracking_bead: i.bead } : {}),
    })),
    warnings: r.warnings,
    due_cadences: { ...section(r.cadences, (c) => c), ...(r.cadences.sent?.length ? { sent: r.cadences.sent } : {}) },
    stale_sent: section(r.stale, dj),
    awaiting_verification: section(r.verify, dj),
  };
}
