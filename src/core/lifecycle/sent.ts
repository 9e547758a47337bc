// The sender's view and the "nothing unseen" rule, pure over dispatches already listed.
// Stale: still in new/ after `staleAfterDays` — that team has not run a session since (the protocol's
// "invisible message loss", made visible).
import { shortAge } from '../format/age';
import { DEFAULT_STALE_DAYS } from '../defaults';
import type { Dispatch } from '../format/dispatch';
import { Status, statusOf } from './status';
import { oneLine } from '../format/text';
import { waitingSince } from './waiting';

const DAY = 86_400_000;

/** A number of days from a CLI option or a setting; undefined when it is not one. */
export function parseDays(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 && n <= 36_500 ? n : undefined;
}

/**
 * Milliseconds it has waited: since it was created (its name, else its front matter) or landed in its
 * box by this machine's clock, whichever is earlier (core/lifecycle/waiting.ts); undefined if neither is known.
 */
export function ageMs(d: Dispatch, now = Date.now()): number | undefined {
  const t = waitingSince(d);
  return t === undefined ? undefined : Math.max(0, now - t);
}

export function isStale(d: Dispatch, days = DEFAULT_STALE_DAYS, now = Date.now()): boolean {
  if (d.box !== 'new') return false;
  const a = ageMs(d, now);
  return a !== undefined && a > days * DAY;
}

/**
 * The lifecycle status: the front matter's when it names one (the receiver wrote it), else what the
 * box says — new/ is pending, cur/ accepted (files from tools that never write `status:`).
 */
export function lifecycleStatus(d: Dispatch): Status {
  const s = statusOf(d.meta?.data);
  if (d.box === 'new') return s === 'completed' ? 'completed' : 'pending';
  return s === 'completed' ? 'completed' : 'accepted';
}

/** What `team` sent that sits in another team's inbox. */
export function sentBy(ds: Iterable<Dispatch>, team: string): Dispatch[] {
  const out: Dispatch[] = [];
  for (const d of ds) if (d.from === team && d.team !== team) out.push(d);
  return out;
}

/** Oldest first: the one waiting longest is the one to chase (unknown ages first: they may be oldest). */
export function compareWaiting(a: Dispatch, b: Dispatch): number {
  const x = waitingSince(a) ?? -Infinity;
  const y = waitingSince(b) ?? -Infinity;
  return x < y ? -1 : x > y ? 1 : a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0;
}

/** `web_ops  pending  5d  Update the site for the new resume skill` (+ `  stale`). */
export function formatSentLine(d: Dispatch, staleDays = DEFAULT_STALE_DAYS, now = Date.now()): string {
  const line = [d.team.padEnd(12), lifecycleStatus(d).padEnd(9), shortAge(ageMs(d, now)).padStart(4), oneLine(d.title, 200)].join('  ');
  return isStale(d, staleDays, now) ? `${line}  stale` : line;
}

/** The oldest dispatch still in new/ among `ds`, for "1 unread 6d". */
export function oldestNew(ds: Iterable<Dispatch>): Dispatch | undefined {
  let best: Dispatch | undefined;
  for (const d of ds) if (d.box === 'new' && (!best || compareWaiting(d, best) < 0)) best = d;
  return best;
}
