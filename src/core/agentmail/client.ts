// Agent Mail client: the real MCP protocol first, the legacy `GET /api/reservations` REST shape as a
// fallback only when no MCP endpoint exists. Every call is bounded (timeout, size cap) and throws
// AgentMailError only.
import { AgentMailConfig, assertTokenTransport, projectSlug } from './config';
import { AgentMailError, errorForStatus, isAgentMailError } from './errors';
import { ForceReleaseRequest, ForceReleaseResult, normaliseForceRelease } from './force-release';
import { exchange } from './http';
import { callTool, Endpoint, looksLikeHtml, parseJson, readResource } from './mcp';
import { normaliseRows, normaliseTimestamp, Reservation, rowsOf } from './reservation';

/** Documented maximum page size of the paging (Rust) server; a shorter page is the last one. */
const PAGE_LIMIT = 250;
const MAX_ROWS = 10_000;
const DEFAULT_MCP_PATHS = ['/mcp/', '/api/'];

export interface ReservationList {
  reservations: Reservation[];
  /** Rows dropped as unusable (not an object, no agent or pattern). */
  dropped: number;
  source: 'mcp' | 'legacy';
  endpoint: string;
  pages: number;
  truncated: boolean;
}

export interface ReservationSelector {
  paths?: string[];
  ids?: number[];
}

export interface ReleaseResult {
  released: number;
  released_at: string | null;
}

export interface RenewedReservation {
  id: number | null;
  path_pattern: string;
  old_expires_ts: string | null;
  new_expires_ts: string | null;
}

export interface RenewResult {
  renewed: number;
  file_reservations: RenewedReservation[];
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
}

export class AgentMailClient {
  /** The MCP path that answered last; tried first next time. */
  private workingPath: string | undefined;

  constructor(
    readonly config: AgentMailConfig,
    private readonly mcpPaths: string[] = DEFAULT_MCP_PATHS,
  ) {}

  private urlFor(path: string): URL {
    const u = new URL(this.config.baseUrl.href);
    u.pathname = `${this.config.baseUrl.pathname.replace(/\/+$/, '')}${path}`;
    // Requests only ever go to the configured origin, so the token cannot leak elsewhere.
    if (u.origin !== this.config.baseUrl.origin) throw new AgentMailError('config', 'refusing a request outside the Agent Mail origin');
    return u;
  }

  /** The token, when it may go to this server (https, or a loopback host): never in clear text over a network. */
  private sendableToken(): string | undefined {
    assertTokenTransport(this.config.baseUrl, this.config.token);
    return this.config.token;
  }

  private endpoint(path: string): Endpoint {
    const { timeoutMs, maxBytes } = this.config;
    return { url: this.urlFor(path), token: this.sendableToken(), timeoutMs, maxBytes };
  }

  async health(): Promise<{ status: string }> {
    const reply = await exchange({
      method: 'GET',
      url: this.urlFor('/health/liveness'),
      headers: { accept: 'application/json' },
      timeoutMs: this.config.timeoutMs,
      maxBytes: this.config.maxBytes,
    });
    if (reply.status !== 200) throw errorForStatus(reply.status, 'GET /health/liveness', reply.retryAfter);
    const body = looksLikeHtml(reply) ? undefined : parseObject(reply.body.toString('utf8'));
    if (typeof body?.status !== 'string')
      throw new AgentMailError('bad-response', 'GET /health/liveness: not an Agent Mail health reply', { status: 200, reason: 'shape' });
    return { status: body.status };
  }

  /** Runs `fn` on the first MCP path that exists; undefined when none does. */
  private async withMcp<T>(fn: (ep: Endpoint) => Promise<T>): Promise<{ value: T; path: string } | undefined> {
    const paths = [...new Set([...(this.workingPath ? [this.workingPath] : []), ...this.mcpPaths])];
    for (const path of paths) {
      try {
        const value = await fn(this.endpoint(path));
        this.workingPath = path;
        return { value, path };
      } catch (e) {
        if (isAgentMailError(e) && e.details.endpointMissing) continue;
        throw e;
      }
    }
    this.workingPath = undefined;
    return undefined;
  }

  private requireProject(): string {
    if (!this.config.project) throw new AgentMailError('config', 'no Agent Mail project: set one or open a workspace folder', { reason: 'no-project' });
    return this.config.project;
  }

  async listReservations(): Promise<ReservationList> {
    // The slug, not the human key: both servers resolve it, and it needs no percent-encoding (the Rust server
    // decodes `{slug}`, the Python one slugifies it as given, so an encoded absolute path is unknown there).
    const uri = `resource://file_reservations/${projectSlug(this.requireProject())}?active_only=true`;
    const viaMcp = await this.withMcp((ep) => readAllPages(ep, uri));
    if (viaMcp) return { ...viaMcp.value, source: 'mcp', endpoint: viaMcp.path };
    return this.listLegacy();
  }

  private async listLegacy(): Promise<ReservationList> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.sendableToken();
    if (token) headers.authorization = `Bearer ${token}`;
    const reply = await exchange({
      method: 'GET',
      url: this.urlFor('/api/reservations'),
      headers,
      timeoutMs: this.config.timeoutMs,
      maxBytes: this.config.maxBytes,
    });
    if (reply.status === 404 || reply.status === 405) {
      throw new AgentMailError(
        'not-found',
        `no Agent Mail endpoint at ${this.config.baseUrl.origin} (tried ${this.mcpPaths.join(', ')} and /api/reservations)`,
        { status: reply.status },
      );
    }
    if (reply.status !== 200) throw errorForStatus(reply.status, 'GET /api/reservations', reply.retryAfter);
    const rows = looksLikeHtml(reply) ? undefined : rowsOf(parseJson(reply.body.toString('utf8')));
    if (!rows) throw new AgentMailError('bad-response', 'GET /api/reservations: not a reservation list (HTML or garbage)', { status: 200, reason: 'shape' });
    const n = normaliseRows(rows.slice(0, MAX_ROWS));
    return { ...n, reservations: active(n.reservations), source: 'legacy', endpoint: '/api/reservations', pages: 1, truncated: rows.length > MAX_ROWS };
  }

  private writeArgs(sel: ReservationSelector): Record<string, unknown> {
    const project_key = this.requireProject();
    const agent_name = this.config.agent;
    if (!agent_name) throw new AgentMailError('config', 'no Agent Mail agent name: set one to release or renew', { reason: 'config' });
    const args: Record<string, unknown> = { project_key, agent_name };
    if (sel.paths?.length) args.paths = sel.paths;
    if (sel.ids?.length) args.file_reservation_ids = sel.ids;
    if (this.config.registrationToken) args.registration_token = this.config.registrationToken;
    return args;
  }

  /**
   * Asks the server to release another agent's reservation it judges abandoned (`force_release_file_reservation`).
   * The server decides: it refuses one that still shows activity (a tool error, RESERVATION_ACTIVE).
   */
  async forceRelease(req: ForceReleaseRequest): Promise<ForceReleaseResult> {
    if (!Number.isSafeInteger(req.id) || req.id <= 0) throw new AgentMailError('config', 'a reservation id is a positive integer', { reason: 'config' });
    const { project_key, agent_name, registration_token } = this.writeArgs({});
    const args: Record<string, unknown> = { project_key, agent_name, file_reservation_id: req.id, notify_previous: req.notify !== false };
    if (req.note?.trim()) args.note = req.note.trim();
    if (registration_token !== undefined) args.registration_token = registration_token;
    return normaliseForceRelease(await this.callWrite('force_release_file_reservation', args));
  }

  private async callWrite(tool: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const r = await this.withMcp((ep) => callTool(ep, tool, args));
    if (!r)
      throw new AgentMailError('not-found', `${tool}: this server has no MCP endpoint (legacy servers cannot change reservations)`, { endpointMissing: true });
    return r.value;
  }

  async releaseReservations(sel: ReservationSelector = {}): Promise<ReleaseResult> {
    const out = await this.callWrite('release_file_reservations', this.writeArgs(sel));
    return { released: count(out.released), released_at: normaliseTimestamp(out.released_at) };
  }

  async renewReservations(sel: ReservationSelector & { extendSeconds: number }): Promise<RenewResult> {
    if (!Number.isInteger(sel.extendSeconds) || sel.extendSeconds <= 0) {
      throw new AgentMailError('config', 'extendSeconds must be a positive integer', { reason: 'config' });
    }
    const out = await this.callWrite('renew_file_reservations', { ...this.writeArgs(sel), extend_seconds: sel.extendSeconds });
    const list = Array.isArray(out.file_reservations) ? out.file_reservations : [];
    const file_reservations = list.flatMap((row): RenewedReservation[] => {
      const r = row as Record<string, unknown> | null;
      if (!r || typeof r !== 'object' || typeof r.path_pattern !== 'string') return [];
      const id = typeof r.id === 'number' && Number.isSafeInteger(r.id) ? r.id : null;
      return [{ id, path_pattern: r.path_pattern, old_expires_ts: normaliseTimestamp(r.old_expires_ts), new_expires_ts: normaliseTimestamp(r.new_expires_ts) }];
    });
    return { renewed: count(out.renewed), file_reservations };
  }
}

async function readAllPages(ep: Endpoint, uri: string): Promise<Omit<ReservationList, 'source' | 'endpoint'>> {
  const seen = new Set<string>();
  const reservations: Reservation[] = [];
  let dropped = 0;
  let pages = 0;
  for (let offset = 0; ;) {
    const body = await readResource(ep, `${uri}&limit=${PAGE_LIMIT}&offset=${offset}`);
    pages++;
    const rows = rowsOf(body);
    if (!rows) throw new AgentMailError('bad-response', 'file_reservations resource: not a list', { reason: 'shape' });
    const n = normaliseRows(rows);
    dropped += n.dropped;
    let fresh = 0;
    for (const r of n.reservations) {
      const key = r.id !== null ? `#${r.id}` : JSON.stringify([r.agent, r.path_pattern, r.created_ts]);
      if (seen.has(key)) continue;
      seen.add(key);
      reservations.push(r);
      fresh++;
    }
    // A full page may have a successor; a server that ignores paging repeats itself (fresh === 0).
    if (rows.length !== PAGE_LIMIT || fresh === 0) return { reservations: active(reservations), dropped, pages, truncated: false };
    if (reservations.length >= MAX_ROWS) return { reservations: active(reservations), dropped, pages, truncated: true };
    offset += rows.length;
  }
}

/** We ask for active rows; drop any released ones a server still sends. */
function active(rows: Reservation[]): Reservation[] {
  return rows.filter((r) => r.released_ts === null);
}

function parseObject(text: string): Record<string, unknown> | undefined {
  const v = parseJson(text);
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}
