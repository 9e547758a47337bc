// Writable streams that keep what a command printed, for CLI tests.
import { PassThrough } from 'node:stream';

export interface Captured {
  out: PassThrough;
  err: PassThrough;
  /** What was written so far. */
  text(): { out: string; err: string };
}

export function capture(): Captured {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c: Buffer) => (o += c.toString()));
  err.on('data', (c: Buffer) => (e += c.toString()));
  return { out, err, text: () => ({ out: o, err: e }) };
}
