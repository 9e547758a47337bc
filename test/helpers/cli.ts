// The CLI in-process: its exit code, stdout and stderr as strings.
import { PassThrough, Readable } from 'node:stream';
import { main } from '../../src/cli/main';

export async function dispatch(args: string[], stdin = '', env: NodeJS.ProcessEnv = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (c) => (o += c));
  err.on('data', (c) => (e += c));
  const input = Object.assign(Readable.from([Buffer.from(stdin)]), { isTTY: false });
  const code = await main(args, { out, err, env, stdin: input });
  return { code, out: o, err: e };
}
