// The one Reservation shape the extension and CLI see, whichever server (MCP or legacy REST) answered.
// Rows come from the network: each field is checked, unusable rows are dropped and counted.

export interface Reservation {
  /** Server id; null for legacy rows, which have none (they cannot be released by id). */
  id: number | null;
  agent: string;
  path_pattern: string;
  exclusive: boolean;
  reason: string;
  /** ISO 8601 UTC, or null when absent/unparseable. */
  created_ts: string | null;
  expires_ts: string | null;
  released_ts: string | null;
  stale: boolean;
  stale_reasons: string[];
}

export interface NormalisedRows {
  reservations: Reservation[];
  dropped: number;
}

const MAX_TEXT = 4096;

function text(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t && t.length <= MAX_TEXT ? t : undefined;
}

function bool(v: unknown, fallback: boolean): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 1 || v === 0) return v === 1;
  if (typeof v === 'string' && /^(true|false|1|0)$/i.test(v.trim())) return /^(true|1)$/i.test(v.trim());
  return fallback;
}

/** ISO strings (naive ones are UTC, as the server stores them) or epoch s/ms/µs numbers. */
export function normaliseTimestamp(v: unknown): string | null {
  let ms: number;
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) {
    ms = v > 1e14 ? v / 1000 : v > 1e11 ? v : v * 1000;
  } else if (typeof v === 'string' && v.trim()) {
    let s = v.trim();
    if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s = s.replace(' ', 'T') + 'Z';
    ms = Date.parse(s);
  } else {
    return null;
  }
  if (!Number.isFinite(ms)) return null;
  const d = new Date(ms);
  return Number.isFinite(d.getTime()) ? d.toISOString() : null;
}

function id(v: unknown): number | null {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'string' && /^\d{1,15}$/.test(v.trim())) return Number(v.trim());
  return null;
}

/** One row, MCP (`agent`, `path_pattern`, `*_ts`) or legacy (`agent_name`, `file_path`, `*_at`). */
export function normaliseReservation(row: unknown): Reservation | undefined {
  if (!row || typeof row !== 'object' || Array.isArray(row)) return undefined;
  const r = row as Record<string, unknown>;
  const agent = text(r.agent) ?? text(r.agent_name);
  const pattern = text(r.path_pattern) ?? text(r.file_path) ?? text(r.path);
  if (!agent || !pattern) return undefined;
  const reasons = Array.isArray(r.stale_reasons) ? r.stale_reasons.filter((x): x is string => typeof x === 'string') : [];
  return {
    id: id(r.id),
    agent,
    path_pattern: pattern,
    exclusive: bool(r.exclusive, true),
    reason: typeof r.reason === 'string' ? r.reason.slice(0, MAX_TEXT) : '',
    created_ts: normaliseTimestamp(r.created_ts ?? r.created_at),
    expires_ts: normaliseTimestamp(r.expires_ts ?? r.expires_at),
    released_ts: normaliseTimestamp(r.released_ts ?? r.released_at),
    stale: bool(r.stale, false),
    stale_reasons: reasons.slice(0, 32),
  };
}

/** Extracts the row array from a body that is an array or `{reservations|file_reservations: [...]}`. */
export function rowsOf(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    for (const k of ['reservations', 'file_reservations']) if (Array.isArray(o[k])) return o[k] as unknown[];
  }
  return undefined;
}

export function normaliseRows(rows: unknown[]): NormalisedRows {
  const reservations: Reservation[] = [];
  let dropped = 0;
  for (const row of rows) {
    const r = normaliseReservation(row);
    if (r) reservations.push(r);
    else dropped++;
  }
  return { reservations, dropped };
}
