// `dispatch setup claude|codex [--team T] [--user] [--dry-run] [--no-prompt-hook]`: puts the skill
// where the agent host looks and, for Claude Code, the checkin hooks into its settings.json.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { isTeamName } from '../core/format';
import { HookSpec, mergeHooks } from '../core/settings-merge';
import type { Io } from './main';
import { stripControl } from '../core/text';

const USAGE = 'usage: dispatch setup claude|codex [--team TEAM] [--user] [--dry-run] [--no-prompt-hook]';

/** The shipped skill: `skills/dispatch/SKILL.md` beside dist/ (or src/cli/ when run from source). */
export function skillSource(): string {
  for (let dir = __dirname, i = 0; i < 4; i++, dir = path.dirname(dir)) {
    const p = path.join(dir, 'skills', 'dispatch', 'SKILL.md');
    if (fs.existsSync(p)) return p;
  }
  throw new Error('the dispatch skill (skills/dispatch/SKILL.md) is missing from this installation');
}

export function hookSpecs(team: string, promptHook: boolean): HookSpec[] {
  const specs: HookSpec[] = [
    { event: 'SessionStart', matcher: 'startup|resume|clear|compact', command: `dispatch checkin --team ${team} --format claude-hook`, timeout: 10 },
  ];
  if (promptHook) specs.push({ event: 'UserPromptSubmit', command: `dispatch checkin --team ${team} --format prompt-hook`, timeout: 5 });
  return specs;
}

export function agentsMdLines(team: string): string {
  return [
    '## Dispatch inbox',
    `- At the start of every session run \`dispatch checkin --team ${team}\` and deal with what it lists, urgent first.`,
    '- Use the `dispatch` skill to send, acknowledge, complete and reroute dispatches (never hand one back: reroute it).',
  ].join('\n');
}

class SetupError extends Error {
  constructor(
    message: string,
    readonly code: 1 | 2,
  ) {
    super(message);
  }
}

async function askTeam(io: Io): Promise<string> {
  if (!io.stdin.isTTY) throw new SetupError('setup needs --team TEAM (no terminal to ask on)', 2);
  const rl = createInterface({ input: io.stdin, output: io.err });
  try {
    return (await rl.question('Your team (lowercase letters, digits, "_" and "-"): ')).trim();
  } finally {
    rl.close();
  }
}

/**
 * Whole-file replace through a private temporary name; refuses when the file changed meanwhile. A
 * settings file that is a symbolic link (dotfiles) is written where it points, and stays a link.
 */
function writeFileSafely(link: string, text: string, expected: string | undefined): void {
  const now = readIfExists(link);
  if (now !== expected) throw new SetupError(`${link} changed while setup ran; left as it is now: run setup again`, 1);
  const file = expected === undefined ? link : fs.realpathSync(link);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const mode = expected === undefined ? 0o644 : fs.statSync(file).mode & 0o777;
  try {
    fs.writeFileSync(tmp, text, { flag: 'wx', mode });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function setupCommand(argv: string[], io: Io): Promise<number> {
  const say = (s: string) => io.out.write(stripControl(s) + '\n');
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        options: { team: { type: 'string' }, user: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, 'no-prompt-hook': { type: 'boolean' } },
        strict: true,
        allowPositionals: true,
      });
    } catch (e) {
      throw new SetupError((e as Error).message, 2);
    }
    const { values, positionals } = parsed;
    const host = positionals[0];
    if (positionals.length !== 1 || (host !== 'claude' && host !== 'codex')) throw new SetupError('setup needs one host: claude or codex', 2);
    const team = values.team ?? (await askTeam(io));
    if (!isTeamName(team)) throw new SetupError(`invalid team name ${JSON.stringify(team.slice(0, 80))}: use lowercase letters, digits, "_" and "-"`, 2);
    const dry = !!values['dry-run'];
    const base = values.user ? io.env.HOME?.trim() || os.homedir() : process.cwd();
    const hostDir = path.join(base, host === 'claude' ? '.claude' : '.agents');

    const skill = fs.readFileSync(skillSource(), 'utf8');
    const skillFile = path.join(hostDir, 'skills', 'dispatch', 'SKILL.md');
    const had = readIfExists(skillFile);
    if (had === skill) say(`skill up to date: ${skillFile}`);
    else if (dry) say(`would ${had === undefined ? 'install' : 'update'} the skill: ${skillFile}`);
    else {
      writeFileSafely(skillFile, skill, had);
      say(`${had === undefined ? 'installed' : 'updated'} the skill: ${skillFile}`);
    }

    if (host === 'codex') {
      say('');
      say(`Add to AGENTS.md${values.user ? ' (~/.codex/AGENTS.md for every project)' : ''}:\n\n${agentsMdLines(team)}`);
      return 0;
    }
    const settingsFile = path.join(hostDir, 'settings.json');
    const before = readIfExists(settingsFile);
    const merged = mergeHooks(before, hookSpecs(team, !values['no-prompt-hook']), settingsFile);
    if ('error' in merged) throw new SetupError(merged.error, 1);
    if (!merged.changed) say(`hooks already in ${settingsFile}`);
    else if (dry) say(`would write ${settingsFile} (adding ${merged.added.join(', ')}):\n${merged.text}`);
    else {
      writeFileSafely(settingsFile, merged.text, before);
      say(`added ${merged.added.join(' and ')} hook${merged.added.length > 1 ? 's' : ''} to ${settingsFile}`);
    }
    return 0;
  } catch (e) {
    const code = e instanceof SetupError ? e.code : 1;
    io.err.write(`dispatch: ${stripControl(e instanceof Error ? e.message : String(e))}\n${code === 2 ? USAGE + '\n' : ''}`);
    return code;
  }
}
