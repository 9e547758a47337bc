// A loopback Agent Mail double that answers as the real Python server does (see
// shared/notes/agent-mail.md), plus misbehaviour modes. JSON-RPC is written by hand on node:http rather
// than with the MCP SDK: the quirks we must reproduce (SPA HTML fallback, 401 body, path aliases,
// broken bodies) live below the SDK's transport.
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { handleRpc, RpcContext } from './rpc';
import { DoubleReservationInput, ReservationStore, slugOf } from './store';

export const DOUBLE_MODES = [
  'normal',
  'down',
  'slow',
  '401',
  '403',
  '429',
  '500',
  'html',
  'garbage',
  'huge',
  'sse',
  'legacy',
  'legacy-object',
  'paged',
  'redirect',
  'read-only',
] as const;
export type DoubleMode = (typeof DOUBLE_MODES)[number];

export interface DoubleOptions {
  port?: number;
  token?: string;
  /** Human key of the one project served; its slug is accepted too. */
  project?: string;
  reservations?: DoubleReservationInput[];
  mode?: DoubleMode;
  /** Per-agent registration tokens; when set for an agent, its writes must carry it. */
  registrationTokens?: Record<string, string>;
  /** 'python': tool errors as FastMCP words them ("Error calling tool 'X': …") instead of the JSON payload. */
  errorStyle?: 'json' | 'python';
}

export interface ModeExtras {
  /** 'redirect': where to point. */
  location?: string;
  /** 'slow': how long to stall (default 10 s). */
  delayMs?: number;
}

export interface RecordedCall {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  rpc?: { method?: string; params?: Record<string, unknown> };
}

export interface AgentMailDouble {
  url: string;
  port: number;
  project: string;
  calls: RecordedCall[];
  setMode(mode: DoubleMode, extras?: ModeExtras): Promise<void>;
  setReservations(rows: DoubleReservationInput[]): void;
  /** Between tests: normal mode, these rows, no recorded calls or notifications. */
  reset(rows: DoubleReservationInput[]): Promise<void>;
  /** Appends raw (possibly malformed) rows to every listing. */
  injectRows(rows: unknown[]): void;
  store: ReservationStore;
  close(): Promise<void>;
}

const MCP_PATHS = new Set(['/mcp/', '/mcp', '/api/', '/api']);
const SPA = '<!doctype html><html><head><title>MCP Agent Mail</title></head><body><div id="app"></div></body></html>';

function send(res: http.ServerResponse, status: number, type: string, body: string, extra: http.OutgoingHttpHeaders = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...extra });
  res.end(body);
}

const json = (res: http.ServerResponse, status: number, v: unknown, extra?: http.OutgoingHttpHeaders): void =>
  send(res, status, 'application/json', JSON.stringify(v), extra);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function streamHuge(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let left = (8 * 1024 * 1024) / chunk.length;
  const pump = (): void => {
    while (left > 0 && !res.destroyed) {
      left--;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

export async function startAgentMailDouble(opts: DoubleOptions = {}): Promise<AgentMailDouble> {
  const store = new ReservationStore();
  store.set(opts.reservations ?? []);
  const project = opts.project ?? '/work/demo-project';
  const calls: RecordedCall[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let mode: DoubleMode = opts.mode ?? 'normal';
  let extras: ModeExtras = {};
  const ctx: RpcContext = {
    store,
    project,
    registrationTokens: opts.registrationTokens ?? {},
    paged: () => mode === 'paged',
    errorStyle: opts.errorStyle ?? 'json',
  };

  function route(req: http.IncomingMessage, res: http.ServerResponse, call: RecordedCall): void {
    const path = call.path;
    const health = path.startsWith('/health/');
    if (mode === 'html') return send(res, 200, 'text/html; charset=utf-8', SPA);
    if (mode === 'garbage') return send(res, 200, 'application/json', '{"jsonrpc":"2.0", "id": 1, "result": {{{ not json');
    if (mode === 'huge') return streamHuge(res);
    if (mode === 'redirect' && !health) return send(res, 307, 'text/plain', '', { location: extras.location ?? 'http://127.0.0.1:9/elsewhere' });
    if (health) {
      if (path === '/health/liveness') return json(res, 200, { status: 'alive' });
      if (path === '/health/readiness') return json(res, 200, { status: 'ready' });
    }
    if (!health) {
      if (mode === '401' || (opts.token && req.headers.authorization !== `Bearer ${opts.token}`)) return json(res, 401, { detail: 'Unauthorized' });
      if (mode === '403') return json(res, 403, { detail: 'Forbidden' });
      if (mode === '429') return json(res, 429, { detail: 'Rate limit exceeded' }, { 'retry-after': '7' });
      if (mode === '500') return send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error');
    }
    // A reader role (a non-loopback client without a writer JWT): resources are read, every tool call is 403.
    if (mode === 'read-only' && req.method === 'POST' && MCP_PATHS.has(path) && isToolCall(call.body)) return json(res, 403, { detail: 'Forbidden' });
    const legacy = mode === 'legacy' || mode === 'legacy-object';
    if (req.method === 'POST' && MCP_PATHS.has(path)) {
      if (legacy) return json(res, 404, { detail: 'Not Found' });
      return handleRpc(req, res, call, ctx, mode === 'sse');
    }
    if (req.method === 'GET' && legacy && path === '/api/reservations') {
      const rows = store.legacyRows();
      return json(res, 200, mode === 'legacy' ? rows : { reservations: rows });
    }
    if (req.method === 'GET' && MCP_PATHS.has(path)) return json(res, 405, { detail: 'Method Not Allowed' });
    if (req.method === 'GET' && path === `/mail/${slugOf(project)}/file_reservations`) return send(res, 200, 'text/html; charset=utf-8', page(store));
    if (req.method === 'GET' && !legacy) return send(res, 200, 'text/html; charset=utf-8', SPA);
    if (req.method === 'GET') return json(res, 404, { detail: 'Not Found' });
    return json(res, 405, { detail: 'Method Not Allowed' });
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call: RecordedCall = {
        method: req.method ?? '',
        path: (req.url ?? '/').split('?')[0],
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      calls.push(call);
      if (mode !== 'slow') return route(req, res, call);
      const t = setTimeout(() => {
        timers.delete(t);
        if (!res.destroyed) route(req, res, call);
      }, extras.delayMs ?? 10_000);
      timers.add(t);
      res.on('close', () => {
        clearTimeout(t);
        timers.delete(t);
      });
    });
  });

  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });

  let port = await listen(opts.port ?? 0);
  if (mode === 'down') await stop();
  async function setMode(next: DoubleMode, more: ModeExtras = {}): Promise<void> {
    const wasDown = mode === 'down';
    mode = next;
    extras = more;
    if (next === 'down' && !wasDown) await stop();
    if (next !== 'down' && wasDown) port = await listen(port);
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    project,
    calls,
    store,
    setReservations: (rows) => store.set(rows),
    async reset(rows) {
      await setMode('normal');
      store.set(rows);
      store.raw = [];
      store.notifications.length = 0;
      calls.length = 0;
    },
    injectRows: (rows) => {
      store.raw = rows;
    },
    setMode,
    close: stop,
  };
}

function isToolCall(body: string): boolean {
  try {
    return (JSON.parse(body) as { method?: unknown }).method === 'tools/call';
  } catch {
    return false;
  }
}

function page(store: ReservationStore): string {
  const rows = store
    .pageRows()
    .map(
      (r) =>
        `<tr><td>${escapeHtml(String(r.agent))}</td><td><code>${escapeHtml(String(r.path_pattern))}</code></td><td>${r.exclusive ? 'exclusive' : 'shared'}</td><td>${escapeHtml(String(r.expires_ts))}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html><head><title>File Reservations</title></head><body><h1>File Reservations</h1><table>${rows}</table></body></html>`;
}
