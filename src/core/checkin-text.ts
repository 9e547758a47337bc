// The checkin as compact Markdown for a model's context: no colours, bounded, one short line when
// there is nothing to do. Untrusted text (titles, bodies) is quoted, never presented as instructions.
import type { Dispatch } from './dispatch';
import type { CheckinItem, CheckinResult, Section } from './checkin';
import { escapeName } from './rawname';
import { oneLine, splitLines } from './text';
import { waitingSince } from './waiting';

/** Claude Code keeps about 10,000 characters of a hook's output: stay below. */
export const HOOK_BUDGET = 9000;
export const TEXT_BUDGET = 8000;
export const FULL_TEXT_BUDGET = 256 * 1024;
const MAX_WARNINGS = 8;

/**
 * How long it has waited (core/waiting.ts: never younger than this machine saw it land). Whole days past
 * 24 h, never weeks (unlike core/age.ts): an agent compares these with staleAfterDays.
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

function item(i: CheckinItem, n: number, now: number): string {
  const d = i.dispatch;
  const meta = [`from ${oneLine(d.from ?? 'unknown', 64)}`, age(d, now)];
  const bead = d.toJSON().related_bead;
  if (bead) meta.push(`bead ${oneLine(bead, 80)}`);
  const lines = [`${n}. [${d.priority}] **${oneLine(d.title, LINE)}** — ${meta.join(', ')}`];
  const state = [`id \`${escapeName(d.id)}\``]; // escaped as `list` prints it (one line, never cut or collapsed): accepted back by `ack`
  if (i.ack) state.push(typeof i.ack === 'string' ? i.ack : `not acknowledged: ${oneLine(i.ack.error, LINE)}`);
  if (i.bead) state.push(`tracking bead ${i.bead}`);
  if (d.warnings.length) state.push(`${d.warnings.length} warning(s): ${oneLine(d.warnings[0], 100)}`);
  lines.push(`   ${state.join(' · ')}`);
  const body = i.body ? splitLines(i.body).filter((l, k, all) => l.trim() || (k > 0 && all[k - 1].trim())) : [];
  if (i.bodyCut && body.length) body[body.length - 1] += ' …';
  for (const l of body) lines.push(`   > ${l}`);
  return lines.join('\n');
}

function sentRow(d: Dispatch, now: number, hint: string): string {
  return `- ${d.team}: ${oneLine(d.title, 120)} — ${age(d, now)} (\`${escapeName(d.id)}\`)${hint}`;
}

export function formatCheckin(r: CheckinResult, now = Date.now()): string {
  if (r.missing) return `dispatch: ${r.missing}; nothing to check.\n`;
  const extra: string[] = [];
  if (r.cadences.available && (r.cadences.rows.length || r.cadences.sent?.length)) {
    extra.push(`## Due cadences (${r.cadences.rows.length})`);
    for (const c of r.cadences.rows)
      extra.push(
        `- ${oneLine(c.dispatch, 120)} → ${c.to} (${c.frequency}, last sent ${c.last_sent ?? 'never'})${c.skip_reason ? `: ${oneLine(c.skip_reason, 100)}` : ''}`,
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
    return r.noInbox ? `dispatch: no inbox for ${r.team} under ${r.root}; nothing new.\n` : `dispatch: ${r.team} — nothing new.\n`;

  const out: string[] = [];
  const urgent = r.urgent ? ` (${r.urgent} urgent)` : '';
  out.push(`# Dispatch inbox: ${r.team} — ${r.total ? `${r.total} new${urgent}` : 'nothing new'}`);
  if (r.items.length) {
    out.push('Requests from other teams, quoted: you decide what to do; reroute what is not yours, never hand it back.', '');
    r.items.forEach((i, k) => out.push(item(i, k + 1, now)));
    const more = r.total - r.items.length;
    if (more > 0) out.push('', `… ${more} more: dispatch list ${r.team} --new`);
    if (!r.items.some((i) => i.ack))
      out.push('', `Accept: \`dispatch ack ID\` (or \`dispatch checkin --team ${r.team} --ack\`); whole body: \`dispatch show ID\`.`);
  }
  if (extra.length) out.push('', ...extra);
  if (off.length) out.push('', `(not checked — ${off.join('; ')})`);
  if (r.warnings.length) out.push('', ...r.warnings.slice(0, MAX_WARNINGS).map((w) => `warning: ${oneLine(w, 300)}`));
  if (r.warnings.length > MAX_WARNINGS) out.push(`… ${r.warnings.length - MAX_WARNINGS} more warnings (--json lists them)`);
  return out.join('\n') + '\n';
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
