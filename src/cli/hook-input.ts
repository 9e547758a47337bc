// The JSON object an agent host writes on a hook's stdin (`session_id`, `cwd`, `source`, …). Hosts
// write it at once and close; a terminal, or a pipe left open and silent, must never hold a session
// start up: the read is skipped on a TTY, bounded in time and size, and anything malformed is ignored.
export interface HookInput {
  session_id?: string;
  cwd?: string;
  source?: string;
  hook_event_name?: string;
}

const MAX_BYTES = 64 * 1024;
export const HOOK_STDIN_WAIT_MS = 300;

type In = NodeJS.ReadableStream & { isTTY?: boolean; destroy?: () => void };

export function readHookInput(stdin: In, waitMs = HOOK_STDIN_WAIT_MS): Promise<HookInput> {
  if (stdin.isTTY) return Promise.resolve({});
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      clearTimeout(timer);
      stdin.removeListener('data', onData);
      stdin.removeListener('end', done);
      stdin.removeListener('error', done);
      // Nobody reads the rest: let go of the pipe so the process can exit.
      stdin.pause();
      (stdin as { unref?: () => void }).unref?.();
      resolve(parseHookInput(Buffer.concat(chunks).toString('utf8')));
    };
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      size += b.length;
      if (size > MAX_BYTES) return done();
      chunks.push(b);
    };
    const timer = setTimeout(done, waitMs);
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.once('error', done);
    stdin.resume();
  });
}

/** Only the few string fields used, each bounded; anything else is dropped. */
export function parseHookInput(text: string): HookInput {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return {};
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  const o = v as Record<string, unknown>;
  const out: HookInput = {};
  for (const k of ['session_id', 'cwd', 'source', 'hook_event_name'] as const) {
    const s = o[k];
    if (typeof s === 'string' && s.length <= 4096 && !s.includes('\0')) out[k] = s;
  }
  return out;
}
