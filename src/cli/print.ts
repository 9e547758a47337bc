// Plain-text shapes of the CLI's output: one line per dispatch, the session-start summary, `show`.
// They carry untrusted text as it is: main.ts writes every line through stripControl (or safeJSON).
import { Dispatch, DispatchContent, priorityRank } from '../core/api';
import { escapeName, escapePath } from '../core/fs/rawname';
import { CONTROL, oneLine } from '../core/format/text';

/** New before acknowledged; within a box, urgent → low, then oldest first (names sort by time). */
export function sortForList(ds: Dispatch[]): Dispatch[] {
  return [...ds].sort(
    (a, b) =>
      a.team.localeCompare(b.team) ||
      (a.box === b.box ? 0 : a.box === 'new' ? -1 : 1) ||
      priorityRank(a.priority) - priorityRank(b.priority) ||
      (a.created ?? '').localeCompare(b.created ?? '') ||
      a.fileName.localeCompare(b.fileName),
  );
}

/** `web_ops/new  urgent  2026-01-31T14:30:00Z  engineering  <id>  [warnings]` */
export function formatLine(d: Dispatch): string {
  const warn = d.warnings.length ? `  [${d.warnings.length} warning${d.warnings.length > 1 ? 's' : ''}]` : '';
  return [`${d.team}/${d.box}`, d.priority.padEnd(6), oneLine(d.created ?? '?', 40), oneLine(d.from ?? '?', 64), visible(d.id)].join('  ') + warn;
}

export function formatShow(c: DispatchContent): string {
  const d = c.dispatch;
  const lines = [
    oneLine(d.title, 200),
    `id:       ${visible(d.id)}`,
    `team:     ${d.team} (${d.box})`,
    `priority: ${d.priority}`,
    `from:     ${oneLine(d.from ?? '?', 200)}`,
    `created:  ${oneLine(d.created ?? '?', 200)}`,
    `path:     ${visiblePath(d.path)}`,
  ];
  for (const w of d.warnings) lines.push(`warning:  ${oneLine(w, 300)}`);
  lines.push('', c.body);
  if (c.truncated) lines.push('', '… (truncated: file larger than 1 MiB)');
  const text = lines.join('\n');
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x0a) end--; // a loop: /\n*$/ is quadratic on a run of newlines
  return text.slice(0, end) + '\n';
}

/**
 * JSON for a terminal: JSON.stringify escapes C0 only, so DEL, C1 and bidi controls become `\uXXXX`
 * escapes too. The data is kept exactly (they only ever occur inside strings) and the line is inert.
 */
export function safeJSON(value: unknown): string {
  return JSON.stringify(value).replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A name as one visible line: newlines, tabs and other controls become escapes (`\n`, `\x1b`), bytes that
 * are not UTF-8 `\xff`, a backslash `\\`: a file name can never print a forged second dispatch line or
 * drive the terminal, and every name prints differently (see core/fs/rawname.ts).
 */
export const visible = escapeName;

/** A path as one visible line: its names as `visible`, its separators (`\\` on Windows) as they are. */
export const visiblePath = escapePath;
