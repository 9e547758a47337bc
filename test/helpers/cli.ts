// The CLI in-process: its exit code, stdout and stderr as strings.
import { Readable } from 'node:stream';
import { runMain } from './run-main';

export async function dispatch(args: string[], stdin = '', env: NodeJS.ProcessEnv = {}) {
  return runMain(args, env, Object.assign(Readable.from([Buffer.from(stdin)]), { isTTY: false }));
}
