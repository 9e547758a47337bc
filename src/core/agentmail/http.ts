// Bounded HTTP exchange on node:http. Chosen over fetch because it never follows redirects, lets us
// cap the body on the socket stream, and opens no pooled keep-alive socket that would hold the CLI.
import * as http from 'node:http';
import * as https from 'node:https';
import { AgentMailError } from './errors';

export interface HttpExchange {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBytes: number;
}

export interface HttpReply {
  status: number;
  contentType: string;
  retryAfter?: string;
  body: Buffer;
}

const NET_REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

function offline(e: unknown): AgentMailError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? '';
  const reason = NET_REASONS[code] ?? (code || 'network error');
  return new AgentMailError('offline', `cannot reach Agent Mail (${reason})`, { reason });
}

/** Resolves with the whole reply or rejects with an AgentMailError; never hangs past timeoutMs. */
export function exchange(x: HttpExchange): Promise<HttpReply> {
  return new Promise<HttpReply>((resolve, reject) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let req: http.ClientRequest | undefined;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    const fail = (e: AgentMailError): void => {
      settle(() => reject(e));
      req?.destroy();
    };
    const headers: Record<string, string> = { ...x.headers };
    if (x.body !== undefined) headers['content-length'] = String(Buffer.byteLength(x.body));
    const mod = x.url.protocol === 'https:' ? https : http;
    const onReply = (res: http.IncomingMessage): void => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) {
        const to = res.headers.location ? ` to ${res.headers.location}` : '';
        fail(new AgentMailError('redirect', `Agent Mail redirected${to}; not followed`, { status, reason: 'redirect' }));
        return;
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > x.maxBytes) {
        fail(tooLarge(x.maxBytes));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > x.maxBytes) fail(tooLarge(x.maxBytes));
        else chunks.push(c);
      });
      res.on('error', (e) => fail(offline(e)));
      res.on('close', () => fail(offline({ code: 'ECONNRESET' })));
      res.on('end', () => {
        const reply: HttpReply = {
          status,
          contentType: String(res.headers['content-type'] ?? '').toLowerCase(),
          body: Buffer.concat(chunks),
        };
        const ra = res.headers['retry-after'];
        if (typeof ra === 'string') reply.retryAfter = ra;
        settle(() => resolve(reply));
      });
    };
    try {
      req = mod.request(x.url, { method: x.method, headers, agent: false }, onReply);
    } catch (e) {
      // Synchronous throws are bad header values (e.g. a token with a newline).
      reject(new AgentMailError('config', `invalid request: ${(e as Error).message}`, { reason: 'config' }));
      return;
    }
    req.on('error', (e) => fail(offline(e)));
    timer = setTimeout(() => {
      fail(new AgentMailError('offline', `Agent Mail did not answer within ${x.timeoutMs} ms`, { reason: 'timed out' }));
    }, x.timeoutMs);
    req.end(x.body);
  });
}

function tooLarge(max: number): AgentMailError {
  return new AgentMailError('too-large', `Agent Mail response larger than ${max} bytes; aborted`, { reason: 'too-large' });
}
