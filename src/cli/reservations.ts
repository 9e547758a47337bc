// `dispatch reservations`: who holds which files, from Agent Mail. Exit 0 listed, 1 server trouble,
// 2 usage error.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AgentMailClient, describeError, formatExpiresIn, isAgentMailError, Reservation, resolveAgentMailConfig } from '../core/agentmail';

const USAGE = 'usage: dispatch reservations [--url URL] [--project KEY] [--agent NAME] [--json] [--timeout MS]\n';

/** The repository root (where agents register the project) or, outside git, the folder itself. */
function projectFolder(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start);
  }
}

/** Server text goes to a terminal: no control characters (escape-sequence injection), bounded width. */
function cell(s: string, max: number): string {
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function table(rows: Reservation[], agent: string | undefined, now: number): string {
  const head = ['', 'AGENT', 'PATTERN', 'MODE', 'EXPIRES', 'REASON'];
  const body = rows.map((r) => [
    agent !== undefined && r.agent === agent ? '*' : '',
    cell(r.agent, 40),
    cell(r.path_pattern, 80),
    r.exclusive ? 'exclusive' : 'shared',
    formatExpiresIn(r.expires_ts, now),
    cell(r.reason, 60),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cols: string[]): string => cols.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n') + '\n';
}

export async function reservationsCommand(
  argv: string[],
  out: NodeJS.WritableStream,
  err: NodeJS.WritableStream,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        project: { type: 'string' },
        agent: { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    err.write(`dispatch: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out.write(USAGE);
    return 0;
  }
  if (values.timeout !== undefined && !/^[1-9]\d{0,6}$/.test(values.timeout)) {
    err.write(`dispatch: --timeout must be a positive number of milliseconds\n${USAGE}`);
    return 2;
  }
  let client: AgentMailClient;
  try {
    const opts = { url: values.url, project: values.project, agent: values.agent, timeoutMs: values.timeout ? Number(values.timeout) : undefined };
    client = new AgentMailClient(resolveAgentMailConfig(opts, { env, workspaceFolder: projectFolder(process.cwd()), home: env.HOME }));
  } catch (e) {
    // A bad flag is a usage error; a bad environment (e.g. a token for a plain-http remote) is refused.
    const fromFlags = values.url !== undefined || values.project !== undefined || values.agent !== undefined;
    err.write(`dispatch: ${isAgentMailError(e) ? e.message : String(e)}\n${fromFlags ? USAGE : ''}`);
    return fromFlags ? 2 : 1;
  }
  const { baseUrl, project, agent } = client.config;
  try {
    const list = await client.listReservations();
    if (list.dropped > 0) err.write(`dispatch: ignored ${list.dropped} malformed reservation row(s) from the server\n`);
    if (values.json) {
      const rows = list.reservations.map((r) => (agent !== undefined ? { ...r, mine: r.agent === agent } : r));
      out.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else if (list.reservations.length === 0) {
      out.write(`No active reservations for ${cell(project ?? '', 200)}.\n`);
    } else {
      out.write(table(list.reservations, agent, Date.now()));
      if (agent !== undefined) out.write(`* = held by ${cell(agent, 40)}\n`);
    }
    return 0;
  } catch (e) {
    err.write(`dispatch: ${describeError(e, baseUrl.origin)}\n`);
    return 1;
  }
}
