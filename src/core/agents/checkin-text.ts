// The checkin as compact Markdown for a model's context: no colours, bounded, one short line when
// there is nothing to do. Untrusted text (titles, bodies) is quoted, never presented as instructions.
import type { Dispatch } from '../format/dispatch';
import { type CheckinItem, type CheckinResult, ERROR_CHARS, type Section } from './checkin';
import { escapeName } from '../fs/rawname';
import { oneLine, splitLines } from '../format/text';
import { waitingSince } from '../lifecycle/waiting';

/** Claude Code keeps about 10,000 characters of a hook's output: stay below. */
export const HOOK_BUDGET = 9000;
export const TEXT_BUDGET = 8000;
export const FULL_TEXT_BUDGET = 256 * 1024;
const MAX_WARNINGS = 8;

/**
 * How long it has waited (core/lifecycle/waiting.ts: never younger than this machine saw it land). Whole days past
 * 24 h, never weeks (unlike core/format/age.ts): an agent compares these with staleAfterDays.
 */
function age(d: Dispatch, now: number): string {
  const t = waitingSince(d);
  if (t === undefined) return 'age unknown';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

/** Titles and names come from other teams' files: one line each, this long at most. */
const LINE = 200;

/** What an item looked like when it was measured: what the agent reads is what was measured. */
interface Drawn {
  /** The heading line and the quoted body. */
  text: string;
  warning: string;
}
const drawn = new WeakMap<CheckinItem, Drawn>();

function draw(i: CheckinItem, n: number, now: number): Drawn {
  let v = drawn.get(i);
  if (v) return v;
  const d = i.dispatch;
  const meta = [`from ${oneLine(d.from ?? 'unknown', 64)}`, age(d, now)];
  const bead = d.toJSON().related_bead;
  if (bead) meta.push(`bead ${oneLine(bead, 80)}`);
  const lines = [`${n}. [${d.priority}] **${oneLine(d.title, LINE)}** — ${meta.join(', ')}`];
  const body = i.body ? splitLines(i.body).filter((l, k, all) => l.trim() || (k > 0 && all[k - 1].trim())) : [];
  if (i.bodyCut && body.length) body[body.length - 1] += ' …';
  for (const l of body) lines.push(`   > ${l}`);
  const warning = d.warnings.length ? `${d.warnings.length} warning(s): ${oneLine(d.warnings[0], 100)}` : '';
  v = { text: lines.join('\n') + '\n', warning };
  drawn.set(i, v);
  return v;
}

/** The line under an item (printed after it is accepted, when streaming) that says what became of it: its id (as `list` prints it), acknowledged or not, its bead. */
export function stateLine(i: CheckinItem): string {
  const state = [`id \`${escapeName(i.dispatch.id)}\``]; // escaped as `list` prints it (one line, never cut or collapsed): accepted back by `ack`
  if (i.ack) state.push(typeof i.ack === 'string' ? i.ack : `not acknowledged: ${oneLine(i.ack.error, ERROR_CHARS)}`);
  if (i.bead) state.push(`tracking bead ${i.bead}`);
  const w = drawn.get(i)?.warning;
  if (w) state.push(w);
  return `   ${state.join(' · ')}\n`;
}

function sentRow(d: Dispatch, now: number, hint: string): string {
  return `- ${d.team}: ${oneLine(d.title, 120)} — ${age(d, now)} (\`${escapeName(d.id)}\`)${hint}`;
}

/** The checkin in three parts, so an item can be printed before it is accepted (`dispatch checkin --ack`). */
export interface CheckinParts {
  /** The heading and the note on quoted requests. */
  before: string;
  /** Each item: its heading line and quoted body (drawn when measured), then its state line. */
  items: { text: string; state: string }[];
  /** "… N more", the accept hint, the sender's sections, what was not checked, warnings. */
  after: string;
}

/** The line that replaces whatever part of the after text did not fit the budget. */
const CUT = '… (the rest did not fit: dispatch checkin --json has it all)';

/** Renders the checkin; with a budget, the after part keeps only the whole lines that fit (items are never cut). */
export function checkinParts(r: CheckinResult, now = Date.now(), budget?: number): CheckinParts {
  if (r.missing) return { before: `dispatch: ${r.missing}; nothing to check.\n`, items: [], after: '' };
  const extra: string[] = [];
  if (r.cadences.available && (r.cadences.rows.length || r.cadences.sent?.length)) {
    extra.push(`## Due cadences (${r.cadences.rows.length})`);
    for (const c of r.cadences.rows)
      extra.push(
        `- ${oneLine(c.dispatch, 120)} → ${c.to} (${oneLine(c.frequency, 40)}, last sent ${c.last_sent ?? 'never'})${c.skip_reason ? `: ${oneLine(c.skip_reason, 100)}` : ''}`,
      );
    if (r.cadences.sent?.length) extra.push(`Sent now: ${r.cadences.sent.length}.`);
    else extra.push(`Send them: \`dispatch checkin --team ${r.team} --send-due\`.`);
  }
  if (r.stale.available && r.stale.rows.length) {
    extra.push(`## Your stale dispatches (still unread)`);
    for (const d of r.stale.rows) extra.push(sentRow(d, now, ''));
  }
  if (r.verify.available && r.verify.rows.length) {
    extra.push(`## Completed, awaiting your verification`);
    for (const d of r.verify.rows) extra.push(sentRow(d, now, ` → verify, then \`dispatch archive ${escapeName(d.id)}\``));
  }
  const sections: [string, Section<unknown>][] = [
    ['cadences', r.cadences],
    ['stale sent', r.stale],
    ['awaiting verification', r.verify],
  ];
  const off = sections.flatMap(([n, s]) => (s.available ? [] : [`${n}: ${oneLine(s.reason, 160)}`]));
  if (!r.total && !extra.length && !r.warnings.length && !off.length)
    return {
      before: r.noInbox ? `dispatch: no inbox for ${r.team} under ${r.root}; nothing new.\n` : `dispatch: ${r.team} — nothing new.\n`,
      items: [],
      after: '',
    };

  const urgent = r.urgent ? ` (${r.urgent} urgent)` : '';
  let before = `# Dispatch inbox: ${r.team} — ${r.total ? `${r.total} new${urgent}` : 'nothing new'}\n`;
  if (r.items.length) before += 'Requests from other teams, quoted: you decide what to do; reroute what is not yours, never hand it back.\n\n';
  const items = r.items.map((i, k) => ({ text: draw(i, k + 1, now).text, state: stateLine(i) }));
  const after: string[] = [];
  const more = r.total - r.items.length;
  if (more > 0) after.push('', `… ${more} more: dispatch list ${r.team} --new`);
  if (r.items.length && !r.items.some((i) => i.ack))
    after.push('', `Accept: \`dispatch ack ID\` (or \`dispatch checkin --team ${r.team} --ack\`); whole body: \`dispatch show ID\`.`);
  if (extra.length) after.push('', ...extra);
  if (off.length) after.push('', `(not checked — ${off.join('; ')})`);
  if (r.warnings.length) after.push('', ...r.warnings.slice(0, MAX_WARNINGS).map((w) => `warning: ${oneLine(w, 300)}`));
  if (r.warnings.length > MAX_WARNINGS) after.push(`… ${r.warnings.length - MAX_WARNINGS} more warnings (--json lists them)`);
  const used = before.length + items.reduce((n, i) => n + i.text.length + i.state.length, 0);
  return { before, items, after: fit(after, budget === undefined ? Infinity : budget - used) };
}

/** Whole lines while they fit in `room`; the cut said in one line. */
function fit(lines: string[], room: number): string {
  let out = '';
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k] + '\n';
    const last = k === lines.length - 1;
    if (out.length + line.length + (last ? 0 : CUT.length + 1) > room) return room >= out.length + CUT.length + 1 ? `${out}${CUT}\n` : out;
    out += line;
  }
  return out;
}

/**
 * Whether the items chosen so far fit `budget`, each measured as it will be printed once accepted (its
 * state at its longest: see `checkin`), with room for the "… N more" line and the cut notice.
 */
export function fitsCheckin(r: CheckinResult, now: number, budget: number): boolean {
  const p = checkinParts(r, now, 0);
  const more = r.total > r.items.length ? `\n… ${r.total - r.items.length} more: dispatch list ${r.team} --new\n`.length : 0;
  return p.before.length + p.items.reduce((n, i) => n + i.text.length + i.state.length, 0) + more + CUT.length + 1 <= budget;
}

/** The whole checkin text; with a budget, never longer (the items measured by `fitsCheckin` are never cut). */
export function formatCheckin(r: CheckinResult, now = Date.now(), budget?: number): string {
  const p = checkinParts(r, now, budget);
  const text = p.before + p.items.map((i) => i.text + i.state).join('') + p.after;
  return budget === undefined ? text : capText(text, budget);
}

/** The last guard on size (warnings added while accepting): whole lines kept, the cut said. */
export function capText(text: string, budget: number): string {
  if (text.length <= budget) return text;
  const end = text.lastIndexOf('\n', budget - 40);
  return `${text.slice(0, Math.max(0, end))}\n… (cut at ${budget} characters)\n`;
}

/** Claude Code's SessionStart hook output. */
export function claudeHookJSON(text: string) {
  return { hookSpecificOutput: { hookEventName: 'SessionStart', additionalContext: text } };
}
