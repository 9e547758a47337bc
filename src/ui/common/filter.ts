// The Inbox filter: which priorities and what text to show. The session owns the current one; pure, no
// VS Code, so it is tested in plain Node (test/unit/ui-order.test.ts).
import type { Dispatch } from '../../core/api';
import type { Priority } from '../../core/format/format';

export interface Filter {
  /** Priorities to show; empty = all. */
  priorities: Priority[];
  /** Case-insensitive text in title, sender, team or file name; '' = any. */
  text: string;
}

export const NO_FILTER: Filter = { priorities: [], text: '' };

export function isFiltering(f: Filter): boolean {
  return f.priorities.length > 0 || f.text.length > 0;
}

export function matches(d: Dispatch, f: Filter): boolean {
  if (f.priorities.length && !f.priorities.includes(d.priority)) return false;
  if (!f.text) return true;
  const t = f.text.toLowerCase();
  return [d.title, d.from ?? '', d.team, d.fileName].some((s) => s.toLowerCase().includes(t));
}
