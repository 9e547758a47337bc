// The MCP server's stdio transport: one JSON-RPC message a line, as the SDK's, but a line too long is
// answered and skipped instead of ending the server. (The SDK's StdioServerTransport closes itself, without
// a word, once 10 MiB are buffered without a newline: a legal send whose body escapes past that, a 9 MiB body
// of short lines, killed the server.) Lines are gathered as a list of chunks, not re-concatenated per chunk.
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { MAX_BODY } from '../core/defaults';

/** A dispatch body of 10 MiB of control characters escapes to 60 MiB of JSON: every legal send fits. */
export const MAX_LINE = 64 * 1024 * 1024;
const KEEP = 256;

export class LineTransport implements Transport {
  onmessage?: (m: JSONRPCMessage) => void;
  onerror?: (e: Error) => void;
  onclose?: () => void;
  private chunks: Buffer[] = [];
  private size = 0;
  /** While a line is over the limit: its first and last bytes, to answer its request by id. */
  private skipping?: { head: Buffer; tail: Buffer };
  private closed = false;

  constructor(
    private readonly stdin: NodeJS.ReadableStream,
    private readonly stdout: NodeJS.WritableStream,
    private readonly maxLine = MAX_LINE,
  ) {}

  async start(): Promise<void> {
    this.stdin.on('data', this.onData);
    this.stdin.on('error', this.onStreamError);
  }

  private onStreamError = (e: Error) => this.onerror?.(e);

  private onData = (data: Buffer | string) => {
    let chunk = typeof data === 'string' ? Buffer.from(data) : data;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a)) {
      this.take(chunk.subarray(0, nl));
      this.endLine();
      chunk = chunk.subarray(nl + 1);
    }
    if (chunk.length) this.take(chunk);
  };

  private take(part: Buffer): void {
    if (this.skipping) {
      this.skipping.tail = Buffer.concat([this.skipping.tail, part]).subarray(-KEEP);
      return;
    }
    if (this.size + part.length > this.maxLine) {
      const all = Buffer.concat([...this.chunks, part]);
      this.skipping = { head: all.subarray(0, KEEP), tail: all.subarray(-KEEP) };
      this.chunks = [];
      this.size = 0;
      return;
    }
    this.chunks.push(Buffer.from(part));
    this.size += part.length;
  }

  private endLine(): void {
    if (this.skipping) {
      const { head, tail } = this.skipping;
      this.skipping = undefined;
      this.refuse(head.toString('utf8'), tail.toString('utf8'));
      return;
    }
    const line = Buffer.concat(this.chunks).toString('utf8').replace(/\r$/, '');
    this.chunks = [];
    this.size = 0;
    if (!line.trim()) return;
    let message: JSONRPCMessage;
    try {
      message = JSONRPCMessageSchema.parse(JSON.parse(line));
    } catch (e) {
      this.onerror?.(e as Error);
      return;
    }
    this.onmessage?.(message);
  }

  /** Answers a message too long to read: a tool call gets our one-line refusal as an error result. */
  private refuse(head: string, tail: string): void {
    const m = /"id"\s*:\s*(\d+|"(?:[^"\\]|\\.){0,100}")\s*[,}]/.exec(tail) ?? /"id"\s*:\s*(\d+|"(?:[^"\\]|\\.){0,100}")\s*[,}]/.exec(head);
    const text = `dispatch: message larger than ${this.maxLine >> 20} MiB not read (a dispatch body is at most ${MAX_BODY >> 20} MiB)`;
    this.onerror?.(new Error(text));
    if (!m) return;
    const id = JSON.parse(m[1]) as string | number;
    const reply = /"method"\s*:\s*"tools\/call"/.test(head)
      ? { jsonrpc: '2.0', id, result: { isError: true, content: [{ type: 'text', text }] } }
      : { jsonrpc: '2.0', id, error: { code: -32600, message: text } };
    void this.send(reply as JSONRPCMessage);
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return resolve();
      if (this.stdout.write(JSON.stringify(message) + '\n')) resolve();
      else this.stdout.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stdin.off('data', this.onData);
    this.stdin.off('error', this.onStreamError);
    this.chunks = [];
    this.onclose?.();
  }
}
