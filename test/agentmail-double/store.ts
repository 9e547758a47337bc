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
}

interface Row {
  id: number;
  agent: string;
  path_pattern: string;
  exclusive: boolean;
  reason: string;
  created: number;
  expires: number;
  released: number | null;
}

/** Agent Mail's slugify (kept apart from the client's on purpose: the double must not share its bugs). */
export function slugOf(value: string): string {
  return value.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'project';
}

/** The Python server's isoformat(): microseconds and "+00:00". */
export function pyIso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

export class ToolFailure extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export class ReservationStore {
  private rows: Row[] = [];
  private nextId = 1;
  readonly agents = new Set<string>();
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
      };
    });
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
      .map((r) => ({
        id: r.id,
        agent: r.agent,
        path_pattern: r.path_pattern,
        exclusive: r.exclusive,
        reason: r.reason,
        created_ts: pyIso(r.created),
        expires_ts: pyIso(r.expires),
        released_ts: r.released === null ? null : pyIso(r.released),
        stale: false,
        stale_reasons: ['agent_recently_active', 'mail_activity_recent'],
        last_agent_activity_ts: pyIso(now),
        last_mail_activity_ts: null,
        last_filesystem_activity_ts: null,
        last_git_activity_ts: null,
      }));
  }

  /** Legacy REST rows (Beads' mock shape). */
  legacyRows(): unknown[] {
    const now = Date.now();
    const rows = this.rows
      .filter((r) => r.released === null && r.expires > now)
      .map((r) => ({ file_path: r.path_pattern, agent_name: r.agent, expires_at: new Date(r.expires).toISOString(), created_at: new Date(r.created).toISOString() }));
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
    return this.rows.filter(
      (r) => r.agent === agent && r.released === null && r.expires > now && (!p || p.has(r.path_pattern)) && (!i || i.has(r.id)),
    );
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

  grant(agent: string, paths: unknown, ttlSeconds: unknown, exclusive: unknown, reason: unknown): Record<string, unknown> {
    if (!Array.isArray(paths) || paths.length === 0) throw new ToolFailure('INVALID_ARGUMENT', 'paths list cannot be empty');
    this.agents.add(agent);
    const now = Date.now();
    const ttl = typeof ttlSeconds === 'number' ? ttlSeconds : 3600;
    const granted = paths.map((p) => {
      const row: Row = { id: this.nextId++, agent, path_pattern: String(p), exclusive: exclusive !== false, reason: String(reason ?? ''), created: now, expires: now + ttl * 1000, released: null };
      this.rows.push(row);
      return { id: row.id, path_pattern: row.path_pattern, exclusive: row.exclusive, reason: row.reason, expires_ts: pyIso(row.expires) };
    });
    // Advisory: granted even when others hold overlapping patterns; conflicts are only reported.
    return { granted, conflicts: [] };
  }
}
