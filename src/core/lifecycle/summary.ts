// The one-line inbox summary shared by `dispatch summary` (session-start hooks) and the extension.
import type { Dispatch } from '../format/dispatch';
import { isStale } from './sent';

/**
 * One line for a session-start hook: `dispatch: web_ops 2 new (1 urgent, 1 stale) · qa 0 new`. Stale
 * (in new/ over `staleDays`) is counted only when `staleDays` is given.
 */
export function formatSummary(teams: string[], fresh: Dispatch[], root: string, staleDays?: number, now = Date.now()): string {
  if (!teams.length) return `dispatch: no team inboxes under ${root}`;
  const parts = teams.map((t) => {
    const mine = fresh.filter((d) => d.team === t);
    const urgent = mine.filter((d) => d.priority === 'urgent').length;
    const high = mine.filter((d) => d.priority === 'high').length;
    const stale = staleDays === undefined ? 0 : mine.filter((d) => isStale(d, staleDays, now)).length;
    const extra = [urgent && `${urgent} urgent`, high && `${high} high`, stale && `${stale} stale`].filter(Boolean).join(', ');
    return `${t} ${mine.length} new${extra ? ` (${extra})` : ''}`;
  });
  return `dispatch: ${parts.join(' · ')}`;
}
