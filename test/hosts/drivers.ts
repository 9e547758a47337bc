// Drives one real agent-host session of two prompts, offline against the model stand-in: the host starts
// (its session-start hooks run), takes the first prompt, then `between()` runs (a test delivers an urgent
// dispatch there), then the second prompt (its prompt hooks run again). Each host through the interface
// its own integrations use for several prompts in one session:
// - Claude Code: `claude -p --input-format stream-json` (one user message per line);
// - Codex: `codex app-server` (JSON-RPC: thread/start, turn/start, the turn/completed notification);
// - Gemini CLI: headless `gemini -p`, then `gemini --resume latest -p` for the second prompt; or its ACP
//   mode (`gemini --acp`: session/new, session/prompt), which takes several prompts in one session but
//   runs no SessionStart hook (measured), so there the prompt hook is what tells of an urgent dispatch.
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export type HostName = 'claude' | 'codex' | 'gemini';

export interface SessionSpec {
  host: HostName;
  bin: string;
  cwd: string;
  home: string;
  modelUrl: string;
  env?: NodeJS.ProcessEnv;
  args?: string[];
  prompts: [string, string];
  between: () => Promise<void>;
  timeoutMs?: number;
  /** Gemini CLI through its Agent Client Protocol mode (several prompts in one process) instead of -p. */
  acp?: boolean;
}

export interface SessionResult {
  /** Everything the host printed, for a failure's message. */
  log: string;
}

/** The environment each host needs to run offline against the stand-in, with nothing of ours on the PATH. */
export function hostEnv(s: SessionSpec): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {
    PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: s.home,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
    TMPDIR: process.env.TMPDIR ?? '/tmp',
  };
  const byHost: Record<HostName, NodeJS.ProcessEnv> = {
    claude: {
      ANTHROPIC_BASE_URL: s.modelUrl,
      ANTHROPIC_API_KEY: 'stub',
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    },
    codex: { STUB_API_KEY: 'stub', CODEX_HOME: path.join(s.home, '.codex') },
    gemini: { GEMINI_API_KEY: 'stub', GOOGLE_GEMINI_BASE_URL: s.modelUrl, GEMINI_CLI_TRUST_WORKSPACE: 'true', NO_COLOR: '1' },
  };
  return { ...base, ...byHost[s.host], ...s.env };
}

/** `-c` overrides that point Codex at the stand-in (it speaks only the Responses API). */
export function codexModelArgs(modelUrl: string): string[] {
  return [
    '-c',
    'model_provider="stub"',
    '-c',
    `model_providers.stub={ name="stub", base_url="${modelUrl}/v1", wire_api="responses", env_key="STUB_API_KEY" }`,
    '-c',
    'model="m"',
  ];
}

/** A throwaway HOME's first settings, so the host starts without asking anything. */
export function prepareHome(host: HostName, home: string): void {
  if (host === 'gemini') {
    fs.mkdirSync(path.join(home, '.gemini'), { recursive: true });
    const f = path.join(home, '.gemini', 'settings.json');
    const now = fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>) : {};
    fs.writeFileSync(f, JSON.stringify({ ...now, security: { auth: { selectedType: 'gemini-api-key' } } }, null, 2));
  }
  if (host === 'codex') fs.mkdirSync(path.join(home, '.codex'), { recursive: true });
}

class Lines {
  private buf = '';
  private waiters: Array<{ pred: (line: string) => boolean; resolve: (l: string) => void }> = [];
  log = '';
  constructor(child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (c: Buffer) => this.feed(c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (this.log += c.toString('utf8')));
  }
  private feed(s: string): void {
    this.log += s;
    this.buf += s;
    let i: number;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 1);
      for (const w of [...this.waiters])
        if (w.pred(line)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(line);
        }
    }
  }
  next(pred: (line: string) => boolean): Promise<string> {
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
}

const parse = (line: string): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};

/** JSON-RPC over a child's stdio: requests by id, notifications by method. */
class Rpc {
  private id = 0;
  constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: Lines,
    private readonly jsonrpc: boolean,
  ) {}
  async call(method: string, params: unknown): Promise<Record<string, unknown>> {
    const id = ++this.id;
    const reply = this.lines.next((l) => parse(l)?.id === id && !('method' in (parse(l) ?? {})));
    this.child.stdin.write(JSON.stringify({ ...(this.jsonrpc ? { jsonrpc: '2.0' } : {}), id, method, params }) + '\n');
    const r = parse(await reply)!;
    if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
    return r.result as Record<string, unknown>;
  }
  notify(method: string, params?: unknown): void {
    this.child.stdin.write(JSON.stringify({ ...(this.jsonrpc ? { jsonrpc: '2.0' } : {}), method, ...(params ? { params } : {}) }) + '\n');
  }
  /** Answers the host's own requests (approval asks) with `answer`. */
  serve(answer: (method: string, params: Record<string, unknown>) => unknown): void {
    void (async () => {
      for (;;) {
        const l = await this.lines.next((x) => {
          const m = parse(x);
          return !!m && 'method' in m && 'id' in m;
        });
        const m = parse(l)!;
        this.child.stdin.write(
          JSON.stringify({
            ...(this.jsonrpc ? { jsonrpc: '2.0' } : {}),
            id: m.id,
            result: answer(String(m.method), (m.params ?? {}) as Record<string, unknown>),
          }) + '\n',
        );
      }
    })();
  }
}

async function claude(child: ChildProcessWithoutNullStreams, lines: Lines, s: SessionSpec): Promise<void> {
  const say = (text: string) => child.stdin.write(JSON.stringify({ type: 'user', message: { role: 'user', content: text } }) + '\n');
  const done = () => lines.next((l) => parse(l)?.type === 'result');
  say(s.prompts[0]);
  await done();
  await s.between();
  say(s.prompts[1]);
  await done();
  child.stdin.end();
}

async function codex(child: ChildProcessWithoutNullStreams, lines: Lines, s: SessionSpec): Promise<void> {
  const rpc = new Rpc(child, lines, false);
  rpc.serve(() => ({ decision: 'approved' }));
  await rpc.call('initialize', { clientInfo: { name: 'dispatch-tests', version: '1' } });
  rpc.notify('initialized');
  const t = await rpc.call('thread/start', { cwd: s.cwd });
  const threadId = (t.thread as { id: string }).id;
  const turn = async (text: string) => {
    const done = lines.next((l) => parse(l)?.method === 'turn/completed');
    await rpc.call('turn/start', { threadId, input: [{ type: 'text', text }] });
    await done;
  };
  await turn(s.prompts[0]);
  await s.between();
  await turn(s.prompts[1]);
  child.stdin.end();
}

async function geminiAcp(child: ChildProcessWithoutNullStreams, lines: Lines, s: SessionSpec): Promise<void> {
  const rpc = new Rpc(child, lines, true);
  rpc.serve(() => ({ outcome: { outcome: 'cancelled' } }));
  await rpc.call('initialize', { protocolVersion: 1, clientCapabilities: {} });
  const sessionId = (await rpc.call('session/new', { cwd: s.cwd, mcpServers: [] })).sessionId as string;
  await rpc.call('session/prompt', { sessionId, prompt: [{ type: 'text', text: s.prompts[0] }] });
  await s.between();
  await rpc.call('session/prompt', { sessionId, prompt: [{ type: 'text', text: s.prompts[1] }] });
  child.stdin.end();
}

const ARGS: Record<HostName, (s: SessionSpec) => string[]> = {
  claude: () => ['-p', '--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose'],
  codex: (s) => ['app-server', ...codexModelArgs(s.modelUrl)],
  gemini: () => ['--acp'],
};

function geminiPrompt(s: SessionSpec, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(s.bin, [...args, ...(s.args ?? [])], { cwd: s.cwd, env: hostEnv(s), stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (c: Buffer) => (log += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (log += c.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), s.timeoutMs ?? 90_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(log);
      else reject(new Error(`gemini ${args.join(' ')} exited ${code}\n--- gemini output ---\n${log.slice(-4000)}`));
    });
  });
}

export async function runSession(s: SessionSpec): Promise<SessionResult> {
  prepareHome(s.host, s.home);
  if (s.host === 'gemini' && !s.acp) {
    const first = await geminiPrompt(s, ['-p', s.prompts[0]]);
    await s.between();
    return { log: first + (await geminiPrompt(s, ['--resume', 'latest', '-p', s.prompts[1]])) };
  }
  const child = spawn(s.bin, [...ARGS[s.host](s), ...(s.args ?? [])], { cwd: s.cwd, env: hostEnv(s), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const lines = new Lines(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const limit = s.timeoutMs ?? 90_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      { claude, codex, gemini: geminiAcp }[s.host](child, lines, s),
      exited.then(() => {
        throw new Error(`${s.host} exited early`);
      }),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${s.host}: no end of session within ${limit} ms`)), limit))),
    ]);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n--- ${s.host} output ---\n${lines.log.slice(-4000)}`);
  } finally {
    clearTimeout(timer);
    try {
      process.kill(-child.pid!, 'SIGKILL'); // its whole group: MCP servers and hooks it started
    } catch {
      // already gone
    }
  }
  return { log: lines.log };
}
