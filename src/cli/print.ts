// Plain-text shapes of the CLI's output: one line per dispatch, the session-start summary, `show`.
import { Dispatch, DispatchContent, priorityRank } from '../core/api';

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
  return stripControl([`${d.team}/${d.box}`, d.priority.padEnd(6), d.created ?? '?', d.from ?? '?', d.id].join('  ') + warn);
}

export function formatShow(c: DispatchContent): string {
  const d = c.dispatch;
  const lines = [
    stripControl(d.title),
    `id:       ${d.id}`,
    `team:     ${d.team} (${d.box})`,
    `priority: ${d.priority}`,
    `from:     ${d.from ?? '?'}`,
    `created:  ${d.created ?? '?'}`,
    `path:     ${d.path}`,
  ];
  for (const w of d.warnings) lines.push(`warning:  ${w}`);
  lines.push('', stripControl(c.body));
  if (c.truncated) lines.push('', '… (truncated: file larger than 1 MiB)');
  return lines.join('\n').replace(/\n*$/, '\n');
}

/** Terminal escapes in a file must not drive the reader's terminal. */
export function stripControl(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
