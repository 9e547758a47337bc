// The seed's read protocol in one call: my team's new/ (urgent first, then priority and age), each
// read and, when asked, acknowledged and tracked as a local bead; then my due cadences, my stale sent
// dispatches and the completed ones awaiting my verification. Only what fits the output is accepted:
// an agent never accepts a dispatch it was not shown.
import type { Dispatch, DispatchJSON } from './dispatch';
import { priorityRank } from './format';
import { createBead, hasBeads } from './beads';
import * as sources from './checkin-sources';
import type { DueCadence } from './checkin-sources';
import { checkTeam, DispatchError, DispatchStore } from './store';
import { compareWaiting } from './sent';
import { observeLanding } from './waiting';

export interface CheckinOptions {
  team: string;
  ack?: boolean;
  /** Implies ack: a bead tracks accepted work. */
  track?: boolean;
  sendDue?: boolean;
  full?: boolean;
  /** My dispatches unread longer than this are stale (default 3). */
  staleAfterDays?: number;
  /** Size budget of the rendered text, in characters. */
  budget?: number;
  now?: number;
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
const BEAD_PLACEHOLDER = 'x'.repeat(40);

/** Urgent → low, then the one waiting longest first (core/waiting.ts). */
export function sortForCheckin(ds: Dispatch[]): Dispatch[] {
  return [...ds].sort((a, b) => priorityRank(a.priority) - priorityRank(b.priority) || compareWaiting(a, b));
}

/** Reads my inbox; `fits` says whether the items so far still fit the output (the renderer decides). */
export async function checkin(store: DispatchStore, o: CheckinOptions, fits: (r: CheckinResult) => boolean): Promise<CheckinResult> {
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
    if (!item) continue; // vanished between listing and reading: someone else has it now
    // Measured as it will be printed once accepted: what is accepted must still fit.
    if (o.ack || o.track) item.ack = 'acknowledged';
    if (o.track) item.bead = BEAD_PLACEHOLDER;
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
  if (o.ack || o.track) await accept(store, r, o);
  return r;
}

async function readItem(store: DispatchStore, d: Dispatch, full: boolean): Promise<CheckinItem | undefined> {
  let text = d.meta?.bodyStart ?? '';
  let cut = text.endsWith('…');
  if (full) {
    try {
      const c = await store.read(d);
      text = c.body;
      cut = c.truncated;
    } catch (e) {
      if (e instanceof DispatchError && e.code === 'not-found') return undefined;
      throw e;
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

async function accept(store: DispatchStore, r: CheckinResult, o: CheckinOptions): Promise<void> {
  const cwd = o.cwd ?? process.cwd();
  const env = o.env ?? process.env;
  let track = !!o.track;
  if (track && !hasBeads(cwd)) {
    r.warnings.push(`no .beads/ in ${cwd}: accepted without tracking beads`);
    track = false;
  }
  for (const item of r.items) {
    item.bead = undefined;
    try {
      const out = await store.acknowledge(item.dispatch);
      item.ack = out.status === 'already' ? 'already acknowledged' : 'acknowledged';
      item.dispatch = out.dispatch;
      for (const w of out.warnings ?? []) r.warnings.push(`${out.dispatch.id}: ${w}`); // moved, but e.g. JSON front matter kept as it was
    } catch (e) {
      item.ack = { error: e instanceof Error ? e.message : String(e) };
      continue; // not accepted by us: not ours to track
    }
    if (!track || item.ack === 'already acknowledged') continue;
    const bead = await createBead(item.dispatch, cwd, env);
    if ('error' in bead) {
      r.warnings.push(`${bead.error}: accepted without a tracking bead${bead.absent ? '' : ` (${item.dispatch.id})`}`);
      if (bead.absent) track = false; // one warning, not one per dispatch
      continue;
    }
    item.bead = bead.id;
    try {
      item.dispatch = await sources.setField(store, item.dispatch, 'tracking_bead', bead.id);
    } catch (e) {
      r.warnings.push(`bead ${bead.id} created; tracking_bead not written to ${item.dispatch.id}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // Moves and rewrites changed the files: what is reported is what they say now.
  await store.loadMeta(r.items.map((i) => i.dispatch));
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
