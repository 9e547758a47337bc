// The answer of Agent Mail's `force_release_file_reservation` tool, checked field by field. Facts from
// the public Python server and its Rust port (same contract):
// - arguments: project_key, agent_name (who asks), file_reservation_id, notify_previous (default true),
//   note, registration_token (newer Python servers authenticate the asking agent);
// - released: `{released: 1, released_at, reservation: {id, agent, path_pattern, exclusive, reason,
//   created_ts, expires_ts, released_ts, stale_reasons, last_*_activity_ts, notified, notification_error?}}`;
// - already released: `{released: 0, released_at, already_released: true}` (plus `expired: true` when the
//   TTL had run out: the server then marks it released itself);
// - refusals are tool errors: NOT_FOUND (unknown id, project or agent), RESERVATION_ACTIVE (not stale).
import { normaliseTimestamp } from './reservation';

export interface ForceReleaseRequest {
  id: number;
  /** Ask the server to mail the previous holder (the server's default is true). */
  notify?: boolean;
  /** Added to that mail. */
  note?: string;
}

export interface ForceReleasedReservation {
  id: number | null;
  agent: string;
  path_pattern: string;
  exclusive: boolean;
  reason: string;
  released_ts: string | null;
  stale_reasons: string[];
  /** The server mailed the previous holder. */
  notified: boolean;
  /** Why the mail could not be sent, when it could not (the release itself still happened). */
  notification_error: string | null;
}

export interface ForceReleaseResult {
  released: number;
  released_at: string | null;
  /** Nothing to do: it was released (or had expired) before. */
  already_released: boolean;
  expired: boolean;
  reservation: ForceReleasedReservation | null;
}

const str = (v: unknown, max = 4096): string => (typeof v === 'string' ? v.slice(0, max) : '');

function notificationError(v: unknown): string | null {
  if (v === undefined || v === null || v === false) return null;
  if (typeof v === 'string') return v.slice(0, 500) || 'notification failed';
  const o = (typeof v === 'object' ? v : {}) as Record<string, unknown>;
  return str(o.message, 500) || str(o.type, 100) || 'notification failed';
}

function summary(v: unknown): ForceReleasedReservation | null {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const r = v as Record<string, unknown>;
  return {
    id: typeof r.id === 'number' && Number.isSafeInteger(r.id) ? r.id : null,
    agent: str(r.agent, 200),
    path_pattern: str(r.path_pattern),
    exclusive: r.exclusive !== false,
    reason: str(r.reason),
    released_ts: normaliseTimestamp(r.released_ts),
    stale_reasons: Array.isArray(r.stale_reasons) ? r.stale_reasons.filter((x): x is string => typeof x === 'string').slice(0, 32) : [],
    notified: r.notified === true,
    notification_error: notificationError(r.notification_error),
  };
}

export function normaliseForceRelease(out: Record<string, unknown>): ForceReleaseResult {
  const released = typeof out.released === 'number' && Number.isFinite(out.released) && out.released > 0 ? Math.floor(out.released) : 0;
  return {
    released,
    released_at: normaliseTimestamp(out.released_at),
    already_released: out.already_released === true,
    expired: out.expired === true,
    reservation: summary(out.reservation),
  };
}

/** The server's stale_reasons in words ("agent_inactive>1800s" → "agent inactive > 30 min"). */
export function describeStaleReason(reason: string): string {
  const m = /^([a-z_]+)>(\d+)s$/.exec(reason);
  const words = (s: string): string => s.replace(/_/g, ' ');
  if (!m) return words(reason);
  const secs = Number(m[2]);
  const span = secs >= 3600 && secs % 3600 === 0 ? `${secs / 3600} h` : secs >= 60 && secs % 60 === 0 ? `${secs / 60} min` : `${secs} s`;
  return `${words(m[1])} > ${span}`;
}

/** The reasons a reservation is stale, in words: the signals of absence only (not "…_recent"). */
export function staleReasonsText(reasons: string[], max = 4): string {
  const absent = reasons.filter((r) => !/recent(ly_active)?$|^path_pattern_unmatched$/.test(r));
  const shown = (absent.length ? absent : reasons).slice(0, max).map(describeStaleReason);
  return shown.join(', ');
}
