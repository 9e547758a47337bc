// Ordering, counting and filtering of dispatches for the views: pure, no VS Code, so cheap to test.
import type { Dispatch } from '../../core/api';
import { Priority, priorityRank } from '../../core/format/format';

/** New: most pressing first, then oldest first (the queue order a team should work in). */
export function compareNew(a: Dispatch, b: Dispatch): number {
  return priorityRank(a.priority) - priorityRank(b.priority) || cmp(a.created ?? '', b.created ?? '') || cmp(a.fileName, b.fileName);
}

/** Acknowledged: newest first. */
export function compareAcknowledged(a: Dispatch, b: Dispatch): number {
  return cmp(b.created ?? '', a.created ?? '') || cmp(b.fileName, a.fileName);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The first `limit` items in order, without sorting the whole box: cur/ may hold 10k files and
 * only a page of them is ever shown.
 */
export function firstN<T>(items: T[], limit: number, compare: (a: T, b: T) => number): T[] {
  if (items.length <= limit * 4) return items.sort(compare).slice(0, limit);
  const top: T[] = [];
  for (const it of items) {
    if (top.length === limit && compare(it, top[limit - 1]) >= 0) continue;
    let lo = 0;
    let hi = top.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(top[mid], it) <= 0) lo = mid + 1;
      else hi = mid;
    }
    top.splice(lo, 0, it);
    if (top.length > limit) top.pop();
  }
  return top;
}

export interface Counts {
  total: number;
  byPriority: Record<Priority, number>;
}

export function countByPriority(ds: Iterable<Dispatch>): Counts {
  const byPriority: Record<Priority, number> = { urgent: 0, high: 0, normal: 0, low: 0 };
  let total = 0;
  for (const d of ds) {
    byPriority[d.priority]++;
    total++;
  }
  return { total, byPriority };
}
