// Reservation state of the Agent Mail double, with the semantics of the real tools: release/renew act
// only on the calling agent's active rows, filtered by paths AND ids when given.

export interface DoubleReservationInput {
  id?: number;
  agent: string;
  path_pattern: string;
  exclusive?: boolean;
  reason?: string;
  created_ts?: string;
  expires_ts?: string;
  /** Alternative to expires_ts: seconds from now. */
  ttlSeconds?: number;
  released_ts?: string | null;
  /** The holder looks gone (agent inactive, no mail): listed with stale: true, and force-releasable. */
  stale?: boolean;
}

/** What force_release_file_reservation would have mailed the previous holder (recorded, for tests). */
export interface DoubleNotification {
  to: string;
  from: string;
  subject: string;
  body: string;
  reservationId: number;
}

/** The real servers' default thresholds (FILE_RESERVATION_INACTIVITY_SECONDS, …_ACTIVITY_GRACE_SECONDS). */
const INACTIVITY_S = 1800;
const GRACE_S = 900;

interface Row {
  id: number;
  agent: string;
  path_pattern: string;
  exclusive: boolean;
  reason: string;
  created: number;
  expires: number;
  released: number | null;
  stale: boolean;
}

/** Agent Mail's slugify (kept apart from the client's on purpose: the double must not share its bugs). */
export function slugOf(value: string): string {
  return (
    value
      .trim()
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'project'
  );
}

/** The Python server's isoformat(): microseconds and "+00:00". */
export function pyIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

export class ToolFailure extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly data: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The Python server's stale_reasons for a row (no workspace to match files in: path_pattern_unmatched). */
function reasonsOf(r: Row): string[] {
  return r.stale
    ? [`agent_inactive>${INACTIVITY_S}s`, `no_recent_mail_activity>${GRACE_S}s`, 'path_pattern_unmatched']
    : ['agent_recently_active', 'mail_activity_recent'];
}

export class ReservationStore {
  private rows: Row[] = [];
  private nextId = 1;
  readonly agents = new Set<string>();
  /** Mails force releases sent, oldest first. */
  readonly notifications: DoubleNotification[] = [];
  /** Raw rows appended verbatim to every listing, to test the client's validation. */
  raw: unknown[] = [];

  set(inputs: DoubleReservationInput[]): void {
    const now = Date.now();
    this.rows = inputs.map((i) => {
      const id = i.id ?? this.nextId;
      this.nextId = Math.max(this.nextId, id + 1);
      this.agents.add(i.agent);
      return {
        id,
        agent: i.agent,
        path_pattern: i.path_pattern,
        exclusive: i.exclusive ?? true,
        reason: i.reason ?? '',
        created: i.created_ts ? Date.parse(i.created_ts) : now,
        expires: i.expires_ts ? Date.parse(i.expires_ts) : now + (i.ttlSeconds ?? 3600) * 1000,
        released: i.released_ts ? Date.parse(i.released_ts) : null,
        stale: i.stale === true,
      };
    });
  }

  /** Adds rows to the current ones (set() replaces them). */
  add(inputs: DoubleReservationInput[]): void {
    const keep = this.rows;
    this.set(inputs);
    this.rows = [...keep, ...this.rows];
  }

  /** Rows as the file_reservations resource prints them, created_ts ascending. */
  list(activeOnly: boolean): unknown[] {
    return [...this.rowsFor(activeOnly), ...this.raw];
  }

  private rowsFor(activeOnly: boolean): Record<string, unknown>[] {
    const now = Date.now();
    return this.rows
      .filter((r) => !activeOnly || (r.released === null && r.expires > now))
      .sort((a, b) => a.created - b.created)
      .map((r) => this.wire(r, now));
  }

  /** One row as the file_reservations resource prints it. */
  private wire(r: Row, now: number): Record<string, unknown> {
    return {
      id: r.id,
      agent: r.agent,
      path_pattern: r.path_pattern,
      exclusive: r.exclusive,
      reason: r.reason,
      created_ts: pyIso(r.created),
      expires_ts: pyIso(r.expires),
      released_ts: r.released === null ? null : pyIso(r.released),
      stale: r.released === null && r.stale,
      stale_reasons: reasonsOf(r),
      last_agent_activity_ts: pyIso(r.stale ? r.created - (INACTIVITY_S + 60) * 1000 : now),
      last_mail_activity_ts: null,
      last_filesystem_activity_ts: null,
      last_git_activity_ts: null,
    };
  }

  /** Legacy REST rows (Beads' mock shape). */
  legacyRows(): unknown[] {
    const now = Date.now();
    const rows = this.rows
      .filter((r) => r.released === null && r.expires > now)
      .map((r) => ({
        file_path: r.path_pattern,
        agent_name: r.agent,
        expires_at: new Date(r.expires).toISOString(),
        created_at: new Date(r.created).toISOString(),
      }));
    return [...rows, ...this.raw];
  }

  /** The web page's rows: well-formed ones only. */
  pageRows(): Record<string, unknown>[] {
    return this.rowsFor(true);
  }

  private mine(agent: string, paths?: unknown, ids?: unknown): Row[] {
    if (!this.agents.has(agent)) throw new ToolFailure('NOT_FOUND', `Agent '${agent}' not found in project`);
    const now = Date.now();
    const p = Array.isArray(paths) ? new Set(paths) : undefined;
    const i = Array.isArray(ids) ? new Set(ids) : undefined;
    return this.rows.filter((r) => r.agent === agent && r.released === null && r.expires > now && (!p || p.has(r.path_pattern)) && (!i || i.has(r.id)));
  }

  release(agent: string, paths?: unknown, ids?: unknown): Record<string, unknown> {
    const now = Date.now();
    const hit = this.mine(agent, paths, ids);
    for (const r of hit) r.released = now;
    return { released: hit.length, released_at: pyIso(now) };
  }

  renew(agent: string, extendSeconds: unknown, paths?: unknown, ids?: unknown): Record<string, unknown> {
    const extend = Math.max(60, typeof extendSeconds === 'number' ? Math.floor(extendSeconds) : 1800);
    const now = Date.now();
    const hit = this.mine(agent, paths, ids);
    const out = hit.map((r) => {
      const old = r.expires;
      r.expires = Math.max(now, old) + extend * 1000;
      return { id: r.id, path_pattern: r.path_pattern, old_expires_ts: pyIso(old), new_expires_ts: pyIso(r.expires) };
    });
    return { renewed: out.length, file_reservations: out };
  }

  /**
   * force_release_file_reservation as the real servers answer it: unknown agent or id → NOT_FOUND;
   * released → already_released; TTL run out → released now, expired; still active → RESERVATION_ACTIVE;
   * else released, and the holder mailed unless notify is false or they asked themselves.
   */
  forceRelease(project: string, actor: string, id: unknown, notify: unknown, note: unknown): Record<string, unknown> {
    if (!this.agents.has(actor)) throw new ToolFailure('NOT_FOUND', `Agent '${actor}' not found in project`);
    if (typeof id !== 'number' || !Number.isSafeInteger(id))
      throw new ToolFailure('INVALID_ARGUMENT', `Invalid argument value: file_reservation_id must be an integer.`);
    const r = this.rows.find((x) => x.id === id);
    if (!r) throw new ToolFailure('NOT_FOUND', `File reservation id=${id} not found for project '${project}'.`, { file_reservation_id: id });
    const now = Date.now();
    if (r.released !== null) return { released: 0, released_at: pyIso(r.released), already_released: true };
    if (r.expires <= now) {
      r.released = now;
      return { released: 0, released_at: pyIso(now), already_released: true, expired: true };
    }
    const stale_reasons = reasonsOf(r);
    if (!r.stale) {
      throw new ToolFailure('RESERVATION_ACTIVE', 'Reservation still shows recent activity; refusing forced release.', {
        file_reservation_id: id,
        stale_reasons,
      });
    }
    r.released = now;
    const notified = notify !== false && r.agent !== actor;
    if (notified) {
      const extra = typeof note === 'string' && note.trim() ? `\n\nAdditional note from ${actor}:\n${note.trim()}` : '';
      this.notifications.push({
        to: r.agent,
        from: actor,
        subject: `[file-reservations] Released stale lock on ${r.path_pattern}`,
        body: `Hi ${r.agent},\n\nI released your file reservation on \`${r.path_pattern}\` because it looked abandoned.\n\nObserved signals:\n${stale_reasons.map((x) => `- ${x}`).join('\n')}${extra}`,
        reservationId: r.id,
      });
    }
    // The summary the real tool returns: the listing's row without `stale`, plus whether the holder was mailed.
    const { stale: _stale, ...row } = this.wire(r, now);
    const reservation = { ...row, notified };
    return { released: 1, released_at: pyIso(now), reservation };
  }

  grant(agent: string, paths: unknown, ttlSeconds: unknown, exclusive: unknown, reason: unknown): Record<string, unknown> {
    if (!Array.isArray(paths) || paths.length === 0) throw new ToolFailure('INVALID_ARGUMENT', 'paths list cannot be empty');
    this.agents.add(agent);
    const now = Date.now();
    const ttl = typeof ttlSeconds === 'number' ? ttlSeconds : 3600;
    const granted = paths.map((p) => {
      const row: Row = {
        id: this.nextId++,
        agent,
        path_pattern: String(p),
        exclusive: exclusive !== false,
        reason: String(reason ?? ''),
        created: now,
        expires: now + ttl * 1000,
        released: null,
        stale: false,
      };
      this.rows.push(row);
      return { id: row.id, path_pattern: row.path_pattern, exclusive: row.exclusive, reason: row.reason, expires_ts: pyIso(row.expires) };
    });
    // Advisory: granted even when others hold overlapping patterns; conflicts are only reported.
    return { granted, conflicts: [] };
  }
}
