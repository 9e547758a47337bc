// Stateless MCP JSON-RPC over HTTP: one POST per call, no initialize, no session id. The reply may be
// plain JSON (the Python server) or SSE `data:` frames (other MCP servers); both are parsed.
import { AgentMailError, errorForStatus } from './errors';
import { exchange, HttpReply } from './http';

export interface Endpoint {
  url: URL;
  token?: string;
  timeoutMs: number;
  maxBytes: number;
}

let nextId = 1;

export function looksLikeHtml(reply: HttpReply): boolean {
  if (reply.contentType.includes('text/html')) return true;
  const head = reply.body.subarray(0, 64).toString('utf8').trimStart().toLowerCase();
  return head.startsWith('<!doctype') || head.startsWith('<html');
}

/** JSON.parse that yields undefined instead of throwing (bodies are untrusted). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The JSON-RPC message answering `id`, from a JSON body or SSE frames. */
export function parseRpcBody(reply: HttpReply, id: number | null): Record<string, unknown> | undefined {
  const text = reply.body.toString('utf8');
  const candidates: unknown[] = [];
  if (reply.contentType.includes('text/event-stream') || /^\s*(event|data|id|retry):/.test(text)) {
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data) candidates.push(parseJson(data));
    }
  } else {
    const body = parseJson(text);
    candidates.push(...(Array.isArray(body) ? body : [body]));
  }
  for (const c of candidates) {
    if (!c || typeof c !== 'object') continue;
    const m = c as Record<string, unknown>;
    if (m.id === id && ('result' in m || 'error' in m)) return m;
  }
  return undefined;
}

function rpcError(err: unknown): AgentMailError {
  const e = (err && typeof err === 'object' ? err : {}) as Record<string, unknown>;
  const message = typeof e.message === 'string' ? e.message : 'JSON-RPC error';
  const code = typeof e.code === 'number' ? e.code : undefined;
  const kind = /project\b.*\bnot found|not found.*\bproject|unknown project/i.test(message) ? 'unknown-project' : 'rpc-error';
  // A tool error sent as a JSON-RPC error carries Agent Mail's payload in data: `{"error":{"type",...}}`.
  const data = (e.data && typeof e.data === 'object' ? e.data : {}) as { error?: { type?: unknown } };
  const errorType = typeof data.error?.type === 'string' ? data.error.type.slice(0, 100) : undefined;
  return new AgentMailError(kind, `Agent Mail: ${message}`, { ...(code === undefined ? {} : { code }), ...(errorType ? { errorType } : {}) });
}

/** Sends one JSON-RPC request; returns `result` or throws a typed AgentMailError. */
export async function rpcCall(ep: Endpoint, method: string, params: Record<string, unknown>): Promise<unknown> {
  const id = nextId++;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  if (ep.token) headers.authorization = `Bearer ${ep.token}`;
  const reply = await exchange({
    method: 'POST',
    url: ep.url,
    headers,
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
    timeoutMs: ep.timeoutMs,
    maxBytes: ep.maxBytes,
  });
  const what = `POST ${ep.url.pathname}`;
  if (reply.status !== 200 && reply.status !== 202) {
    // JSON-RPC errors may come with 4xx (e.g. 400 parse error): surface their message.
    const msg = reply.status === 400 ? (parseRpcBody(reply, id) ?? parseRpcBody(reply, null)) : undefined;
    if (msg?.error) throw rpcError(msg.error);
    throw errorForStatus(reply.status, what, reply.retryAfter);
  }
  if (looksLikeHtml(reply)) {
    throw new AgentMailError('bad-response', `${what}: got an HTML page, not MCP`, { status: 200, reason: 'html', endpointMissing: true });
  }
  const msg = parseRpcBody(reply, id);
  if (!msg) throw new AgentMailError('bad-response', `${what}: reply is not a JSON-RPC response`, { status: 200, reason: 'garbage' });
  if (msg.error !== undefined) throw rpcError(msg.error);
  return msg.result;
}

/** resources/read → the parsed JSON of the first content's text. */
export async function readResource(ep: Endpoint, uri: string): Promise<unknown> {
  const result = (await rpcCall(ep, 'resources/read', { uri })) as { contents?: unknown } | undefined;
  const first = Array.isArray(result?.contents) ? (result.contents[0] as Record<string, unknown> | undefined) : undefined;
  const body = typeof first?.text === 'string' ? parseJson(first.text) : undefined;
  if (body === undefined) throw new AgentMailError('bad-response', `resource ${uri}: no JSON text content`, { reason: 'shape' });
  return body;
}

/** tools/call → structuredContent (or content[0].text as JSON); isError becomes a tool-error. */
export async function callTool(ep: Endpoint, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const result = (await rpcCall(ep, 'tools/call', { name, arguments: args })) as Record<string, unknown> | undefined;
  if (!result || typeof result !== 'object') throw new AgentMailError('bad-response', `${name}: empty tool result`, { reason: 'shape' });
  const content = Array.isArray(result.content) ? (result.content[0] as Record<string, unknown> | undefined) : undefined;
  const textOut = typeof content?.text === 'string' ? content.text : '';
  if (result.isError === true) throw toolError(name, textOut);
  const structured = result.structuredContent;
  const body = structured && typeof structured === 'object' ? structured : parseJson(textOut);
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new AgentMailError('bad-response', `${name}: tool result is not an object`, { reason: 'shape' });
  }
  return body as Record<string, unknown>;
}

/** Error types of Agent Mail refusals that arrive as prose only, recognised by the server's own wording. */
const PROSE_TYPES: [RegExp, string][] = [
  [/refusing forced release/i, 'RESERVATION_ACTIVE'],
  [/\bnot found\b/i, 'NOT_FOUND'],
  [/registration_token|requires .*token|authenticat/i, 'AUTHENTICATION_REQUIRED'],
];

function toolError(name: string, text: string): AgentMailError {
  // `{"error":{"type","message"}}` in the text (the error payload both servers build), or prose: the Python
  // server's FastMCP sends "Error calling tool 'NAME': MESSAGE".
  const parsed = parseJson(text) as { error?: { type?: unknown; message?: unknown } } | undefined;
  const inner = parsed && typeof parsed === 'object' ? parsed.error : undefined;
  const prose = text
    .trim()
    .replace(/^Error calling tool '[^']*':\s*/, '')
    .slice(0, 500);
  const message = typeof inner?.message === 'string' ? inner.message : prose || 'tool failed';
  const errorType = typeof inner?.type === 'string' ? inner.type : PROSE_TYPES.find(([re]) => re.test(prose))?.[1];
  return new AgentMailError('tool-error', `${name}: ${message}`, errorType ? { errorType } : {});
}
