// The double's stateless MCP endpoint: the checks and reply shapes of the Python SDK's streamable HTTP
// transport in JSON-response mode, and the file_reservations resource and reservation tools.
import type * as http from 'node:http';
import type { RecordedCall } from './server';
import { ReservationStore, slugOf, ToolFailure } from './store';

export interface RpcContext {
  store: ReservationStore;
  project: string;
  registrationTokens: Record<string, string>;
  /** Rust-style paging: limit (default 20, max 250) and offset. */
  paged: () => boolean;
  /** How tool errors are worded: Agent Mail's `{"error":{...}}` payload, or FastMCP's prose (the Python server). */
  errorStyle: 'json' | 'python';
}

type Json = Record<string, unknown>;

class RpcFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function checkProject(ctx: RpcContext, key: unknown): void {
  const k = String(key ?? '');
  if (k !== ctx.project && k !== slugOf(ctx.project)) throw new RpcFailure(-32602, `Project '${k}' not found`);
}

/**
 * The `{slug}` of `resource://file_reservations/{slug}`, as both real servers resolve it: the template
 * segment holds no '/' (an absolute path does not even match it), the Python server slugifies the segment
 * as given (no percent-decoding: `%2Fwork%2Fx` becomes `2fwork-2fx`, an unknown project) while the Rust
 * one decodes it and takes a slug (any case) or a human key. Accepted here: what both surely resolve.
 */
function checkResourceSlug(ctx: RpcContext, segment: string): void {
  const ok = !segment.includes('%') && (segment.toLowerCase() === slugOf(ctx.project) || segment === ctx.project);
  if (!ok) throw new RpcFailure(-32602, `Project '${segment}' not found`);
}

function readResource(ctx: RpcContext, uri: string): Json {
  const m = /^resource:\/\/file_reservations\/([^/?]+)(?:\?(.*))?$/.exec(uri);
  if (!m) throw new RpcFailure(-32002, `Unknown resource: ${uri}`);
  checkResourceSlug(ctx, m[1]);
  const q = new URLSearchParams(m[2] ?? '');
  const activeOnly = !/^(false|0|no|n|f)$/i.test(q.get('active_only') ?? 'true');
  let rows = ctx.store.list(activeOnly);
  if (ctx.paged()) {
    const limitRaw = Number(q.get('limit'));
    const limit = Number.isInteger(limitRaw) && limitRaw > 0 ? Math.min(limitRaw, 250) : 20;
    const offset = Math.max(0, Number(q.get('offset')) || 0);
    rows = rows.slice(offset, offset + limit);
  }
  return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(rows) }] };
}

function callTool(ctx: RpcContext, name: string, args: Json): Json {
  try {
    checkProject(ctx, args.project_key);
    const agent = String(args.agent_name ?? '');
    const expected = ctx.registrationTokens[agent];
    const writes = ['release_file_reservations', 'renew_file_reservations', 'force_release_file_reservation'].includes(name);
    if (writes && expected !== undefined && args.registration_token !== expected) {
      throw new ToolFailure('UNAUTHORIZED', `registration_token missing or invalid for agent '${agent}'`);
    }
    let out: Json;
    if (name === 'release_file_reservations') out = ctx.store.release(agent, args.paths, args.file_reservation_ids);
    else if (name === 'renew_file_reservations') out = ctx.store.renew(agent, args.extend_seconds, args.paths, args.file_reservation_ids);
    else if (name === 'force_release_file_reservation')
      out = ctx.store.forceRelease(ctx.project, agent, args.file_reservation_id, args.notify_previous, args.note);
    else if (name === 'file_reservation_paths') out = ctx.store.grant(agent, args.paths, args.ttl_seconds, args.exclusive, args.reason);
    else throw new ToolFailure('NOT_FOUND', `Unknown tool: ${name}`);
    return { content: [{ type: 'text', text: JSON.stringify(out) }], structuredContent: out, isError: false };
  } catch (e) {
    // Tool failures are HTTP 200 results with isError, the message as JSON in content[0].text.
    const f = e instanceof RpcFailure ? new ToolFailure('NOT_FOUND', e.message) : e;
    if (!(f instanceof ToolFailure)) throw e;
    const error = { type: f.type, message: f.message, recoverable: true, data: f.data };
    const text = ctx.errorStyle === 'python' ? `Error calling tool '${name}': ${f.message}` : JSON.stringify({ error });
    return { content: [{ type: 'text', text }], isError: true };
  }
}

function dispatch(ctx: RpcContext, method: string, params: Json): Json {
  switch (method) {
    case 'initialize':
      return { protocolVersion: '2025-06-18', capabilities: { tools: {}, resources: {} }, serverInfo: { name: 'mcp-agent-mail', version: 'double' } };
    case 'ping':
      return {};
    case 'resources/read':
      return readResource(ctx, String(params.uri ?? ''));
    case 'tools/call':
      return callTool(ctx, String(params.name ?? ''), (params.arguments ?? {}) as Json);
    default:
      throw new RpcFailure(-32601, `Method not found: ${method}`);
  }
}

function reply(res: http.ServerResponse, status: number, msg: Json, sse: boolean): void {
  const text = JSON.stringify(msg);
  const body = sse ? `event: message\r\ndata: ${text}\r\n\r\n` : text;
  res.writeHead(status, { 'content-type': sse ? 'text/event-stream' : 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function handleRpc(req: http.IncomingMessage, res: http.ServerResponse, call: RecordedCall, ctx: RpcContext, sse: boolean): void {
  const accept = String(req.headers.accept ?? '');
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    const message = 'Not Acceptable: Client must accept both application/json and text/event-stream';
    return reply(res, 406, { jsonrpc: '2.0', id: 'server-error', error: { code: -32600, message } }, false);
  }
  if (!String(req.headers['content-type'] ?? '').includes('application/json')) {
    return reply(
      res,
      415,
      { jsonrpc: '2.0', id: 'server-error', error: { code: -32600, message: 'Unsupported Media Type: Content-Type must be application/json' } },
      false,
    );
  }
  let msg: Json;
  try {
    msg = JSON.parse(call.body) as Json;
  } catch {
    return reply(res, 400, { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }, false);
  }
  const params = (msg.params ?? {}) as Json;
  call.rpc = { method: String(msg.method), params };
  if (msg.id === undefined) {
    res.writeHead(202).end();
    return;
  }
  try {
    reply(res, 200, { jsonrpc: '2.0', id: msg.id, result: dispatch(ctx, String(msg.method), params) }, sse);
  } catch (e) {
    const code = e instanceof RpcFailure ? e.code : -32603;
    reply(res, 200, { jsonrpc: '2.0', id: msg.id, error: { code, message: (e as Error).message } }, sse);
  }
}
