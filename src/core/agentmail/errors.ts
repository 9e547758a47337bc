// Every failure of the Agent Mail client is one of these kinds, so callers (tree view, status bar,
// CLI) can show a distinct state instead of a stack trace.

export type AgentMailErrorKind =
  | 'offline' // refused, DNS, reset, timeout
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404/405, or no usable endpoint at all
  | 'rate-limited' // 429
  | 'server-error' // 5xx
  | 'bad-response' // HTML, garbage, wrong shape, unexpected status
  | 'too-large' // body over the size cap
  | 'redirect' // 3xx: never followed, so the token never leaves the origin
  | 'rpc-error' // JSON-RPC error object
  | 'tool-error' // tools/call answered isError: true
  | 'unknown-project' // the server does not know this project (yet)
  | 'config'; // missing/invalid settings (URL, agent name, project)

export interface AgentMailErrorDetails {
  status?: number;
  /** Short machine reason, e.g. 'timeout', 'refused', 'dns', 'html'. */
  reason?: string;
  /** JSON-RPC error code, when kind is rpc-error/unknown-project. */
  code?: number;
  /** Tool error type from `{"error":{"type":...}}`, when the server gives one. */
  errorType?: string;
  /** Seconds, from Retry-After on 429. */
  retryAfter?: number;
  /** True when the failure means "no MCP endpoint here" (drives the legacy fallback). */
  endpointMissing?: boolean;
}

export class AgentMailError extends Error {
  override readonly name = 'AgentMailError';
  constructor(
    readonly kind: AgentMailErrorKind,
    message: string,
    readonly details: AgentMailErrorDetails = {},
  ) {
    super(message);
  }
}

export function isAgentMailError(e: unknown): e is AgentMailError {
  return e instanceof AgentMailError;
}

/** Maps an HTTP status that is not a success to an error (3xx handled by the transport). */
export function errorForStatus(status: number, what: string, retryAfter?: string): AgentMailError {
  const d = { status };
  if (status === 401) return new AgentMailError('unauthorized', `${what}: unauthorized (401) — check the Agent Mail token`, d);
  if (status === 403) return new AgentMailError('forbidden', `${what}: forbidden (403) — this client may only read`, d);
  if (status === 404 || status === 405) return new AgentMailError('not-found', `${what}: not found (${status})`, { ...d, endpointMissing: true });
  if (status === 429) {
    const secs = Number(retryAfter);
    const extra = Number.isFinite(secs) && secs >= 0 ? { retryAfter: secs } : {};
    return new AgentMailError('rate-limited', `${what}: rate limited (429)`, { ...d, ...extra });
  }
  if (status >= 500) return new AgentMailError('server-error', `${what}: server error (${status})`, d);
  return new AgentMailError('bad-response', `${what}: unexpected HTTP status ${status}`, d);
}

/** One line for a human (CLI stderr, notification), without the "dispatch:" prefix. */
export function describeError(e: unknown, baseUrl?: string): string {
  if (!isAgentMailError(e)) return `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
  const where = baseUrl ? ` at ${baseUrl}` : '';
  switch (e.kind) {
    case 'offline':
      return `cannot reach Agent Mail${where} (${e.details.reason ?? 'offline'})`;
    case 'redirect':
      return `Agent Mail${where} answered with a redirect, which is not followed (check the URL)`;
    default:
      return e.message;
  }
}
