// The CLI's main() in this process, with its output captured.
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main';

export type Stdin = NodeJS.ReadableStream & { isTTY?: boolean };

export async function runMain(args: string[], env: NodeJS.ProcessEnv, stdin: Stdin = Object.assign(Readable.from([]), { isTTY: false })) {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const code = await main(args, { out, err, env, stdin });
  return { code, out: o, err: e };
}
