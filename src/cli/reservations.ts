// `dispatch reservations [list|release|renew]`: who holds which files, from Agent Mail, and releasing or
// renewing them through the server's own tools (reservations-write.ts). Exit 0 done, 1 refused or server
// trouble, 2 usage error.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AgentMailClient, describeError, formatExpiresIn, isAgentMailError, Reservation, resolveAgentMailConfig } from '../core/agentmail';
import { expiringSoon } from '../core/agentmail/status';
import { cell, releaseVerb, renewVerb, WriteFlags } from './reservations-write';
import { argvError } from './io';

export const RESERVATIONS_USAGE = `usage: dispatch reservations [list] [--url URL] [--project KEY] [--agent NAME] [--json] [--timeout MS]
       dispatch reservations release ID... [--force] [--note TEXT] [--no-notify] [same options]
       dispatch reservations renew ID... [--minutes N] [same options]
`;
const VERBS = ['list', 'release', 'renew'] as const;
type Verb = (typeof VERBS)[number];
/** Longest renewal asked for at once: a year, where the Rust server clamps. */
const MAX_MINUTES = 525_600;

/** The repository root (where agents register the project) or, outside git, the folder itself. */
function projectFolder(start: string): string {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start);
  }
}

function table(rows: Reservation[], agent: string | undefined, now: number): string {
  const head = ['', 'ID', 'AGENT', 'PATTERN', 'MODE', 'EXPIRES', 'STATE', 'REASON'];
  const body = rows.map((r) => [
    agent !== undefined && r.agent === agent ? '*' : '',
    r.id === null ? '-' : String(r.id),
    cell(r.agent, 40),
    cell(r.path_pattern, 80),
    r.exclusive ? 'exclusive' : 'shared',
    formatExpiresIn(r.expires_ts, now),
    [...(r.stale ? ['stale'] : []), ...(expiringSoon(r, now) ? ['expiring'] : [])].join(',') || '-',
    cell(r.reason, 60),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cols: string[]): string =>
    cols
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), ...body.map(line)].join('\n') + '\n';
}

/** An id as the servers number reservations: a positive integer. */
function parseIds(words: string[]): number[] | undefined {
  const ids = words.map((w) => (/^#?[1-9]\d{0,14}$/.test(w) ? Number(w.replace(/^#/, '')) : NaN));
  return ids.length && ids.every(Number.isSafeInteger) ? [...new Set(ids)] : undefined;
}

export async function reservationsCommand(argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream, env: NodeJS.ProcessEnv): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        project: { type: 'string' },
        agent: { type: 'string' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        force: { type: 'boolean' },
        note: { type: 'string' },
        'no-notify': { type: 'boolean' },
        minutes: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    err.write(`dispatch: ${argvError(e)}\n${RESERVATIONS_USAGE}`);
    return 2;
  }
  const usage = (message: string): number => {
    err.write(`dispatch: ${message}\n${RESERVATIONS_USAGE}`);
    return 2;
  };
  if (values.help) {
    out.write(RESERVATIONS_USAGE);
    return 0;
  }
  const verb: Verb = (VERBS as readonly string[]).includes(positionals[0] ?? '') ? (positionals.shift() as Verb) : 'list';
  if (verb === 'list' && positionals.length) return usage(`unknown reservations command "${cell(positionals[0], 40)}" (list, release, renew)`);
  const ids = verb === 'list' ? [] : parseIds(positionals);
  if (!ids) return usage(`${verb} needs reservation ids (positive integers, as \`dispatch reservations\` lists them)`);
  if (verb !== 'release' && (values.force || values.note !== undefined || values['no-notify'])) return usage('--force, --note and --no-notify go with release');
  if (verb === 'release' && !values.force && (values.note !== undefined || values['no-notify']))
    return usage('--note and --no-notify go with --force (they are for the previous holder)');
  if (verb !== 'renew' && values.minutes !== undefined) return usage('--minutes goes with renew');
  const minutes = values.minutes === undefined ? 30 : /^[1-9]\d{0,5}$/.test(values.minutes) ? Number(values.minutes) : NaN;
  if (!(minutes <= MAX_MINUTES)) return usage(`--minutes must be a whole number of minutes, 1 to ${MAX_MINUTES}`);
  if (values.timeout !== undefined && !/^[1-9]\d{0,6}$/.test(values.timeout)) return usage('--timeout must be a positive number of milliseconds');
  let client: AgentMailClient;
  try {
    // The registration token newer servers require on writes: from the environment only (never argv, which `ps` shows),
    // under the name Agent Mail's own CLI reads.
    const registrationToken = env.AGENT_MAIL_REGISTRATION_TOKEN?.trim() || undefined;
    const opts = {
      url: values.url,
      project: values.project,
      agent: values.agent,
      registrationToken,
      timeoutMs: values.timeout ? Number(values.timeout) : undefined,
    };
    client = new AgentMailClient(resolveAgentMailConfig(opts, { env, workspaceFolder: projectFolder(process.cwd()), home: env.HOME }));
  } catch (e) {
    // A bad flag is a usage error; a bad environment (e.g. a token for a plain-http remote) is refused.
    const fromFlags = values.url !== undefined || values.project !== undefined || values.agent !== undefined;
    err.write(`dispatch: ${isAgentMailError(e) ? e.message : String(e)}\n${fromFlags ? RESERVATIONS_USAGE : ''}`);
    return fromFlags ? 2 : 1;
  }
  const io = { out, err, json: values.json === true };
  if (verb === 'release') {
    const flags: WriteFlags = { force: values.force === true, notify: !values['no-notify'], note: values.note };
    return releaseVerb(client, ids, flags, io);
  }
  if (verb === 'renew') return renewVerb(client, ids, minutes, io);
  return listVerb(client, io);
}

async function listVerb(
  client: AgentMailClient,
  { out, err, json }: { out: NodeJS.WritableStream; err: NodeJS.WritableStream; json: boolean },
): Promise<number> {
  const { baseUrl, project, agent } = client.config;
  try {
    const list = await client.listReservations();
    if (list.dropped > 0) err.write(`dispatch: ignored ${list.dropped} malformed reservation row(s) from the server\n`);
    if (json) {
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
