// What every verb of the CLI shares: the streams it writes to, its usage error, the option parser, and
// the writers that make untrusted text inert. main.ts dispatches to the verbs; the verbs import this.
import { parseArgs, ParseArgsConfig } from 'node:util';
import { DispatchError } from '../core/api';
import { stripControl } from '../core/format/text';
import { safeJSON, visible } from './print';

export class UsageError extends Error {}

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; fd?: number };
}

type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

export function parse(argv: string[], options: ParseArgsConfig['options'] = {}): Parsed {
  try {
    return parseArgs({ args: argv, options: { ...options, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(argvError(e));
  }
}

/** parseArgs' message, except for the one global option given after the command: then where it goes. */
export function argvError(e: unknown): string {
  const m = (e as Error).message;
  return /^Unknown option '--root'/.test(m) ? '--root goes before the command: dispatch --root DIR <command> …' : m;
}

/** Text to stdout, made inert. */
export function out(io: Io, text: string): void {
  io.out.write(stripControl(text));
}

export function print(io: Io, line: string): void {
  out(io, line + '\n');
}

export function printJSON(io: Io, value: unknown): void {
  io.out.write(safeJSON(value) + '\n');
}

/** A `dispatch: …` line on stderr, made inert. */
export function fail(io: Io, message: string): void {
  // A name's bytes that are not UTF-8 (core/fs/rawname.ts) as `list` prints them, not as U+FFFD.
  io.err.write(`dispatch: ${stripControl(message).replace(/[\uDC80-\uDCFF]/gu, (c) => visible(c))}\n`);
}

/** Boxes or folders that could not be read: said once each, the rest of the output goes on. */
export function warn(io: Io, warnings: string[]): void {
  for (const w of warnings) fail(io, `warning: ${visible(w)}`);
}

/** A person's message for any error; Node's own messages already begin with their code. */
export function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const code = e instanceof DispatchError ? undefined : (e as NodeJS.ErrnoException).code;
  return code && !e.message.includes(code) ? `${code}: ${e.message}` : e.message;
}

/** A writer that makes whatever passes through it inert (for output composed elsewhere). */
export function inert(stream: NodeJS.WritableStream): NodeJS.WritableStream {
  return {
    write: (chunk: string | Uint8Array) => stream.write(stripControl(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))),
  } as NodeJS.WritableStream;
}
