// `dispatch [--root DIR] setup HOST [--team TEAM] [--user|--local] [--dry-run] [--no-prompt-hook] [--force]`:
// the skill where the host looks, our hooks and MCP server in its settings, every command with absolute
// paths (no PATH, no `npm link`) and the root it was given. Every file is changed as text (only our
// entries), written whole through a temporary name under a lock, and keeps its mode: killed at any
// instant, setup leaves each file either as it was or as it should be.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { isTeamName } from '../core/format/format';
import {
  FileChange,
  HOSTS,
  Host,
  HOST_NAMES,
  Installed,
  Scope,
  scopeRefusal,
  settingsChanges,
  SetupContext,
  skillFile,
  trustSteps,
} from '../core/agents/hosts';
import { JsonRefused } from '../core/agents/json-edit';
import { readRegular, withFileLock, WriteRefused, writeWhole } from '../core/agents/safe-write';
import { renderSkill, skillState } from '../core/agents/skill';
import { defaultRoot } from '../core/store';
import { argvError, type Io } from './io';
import { stripControl } from '../core/format/text';

export const SETUP_USAGE = `usage: dispatch [--root DIR] setup ${HOSTS.join('|')} [--team TEAM] [--user|--local] [--dry-run] [--no-prompt-hook] [--force] [--node PATH]

  Installs the dispatch skill, the session-start and prompt hooks and the MCP server for one agent host,
  with absolute paths to this installation of the CLI and the root given (--root or $DISPATCH_ROOT).
  --user      in the home folder (every project) instead of this project
  --local     Claude Code only: .claude/settings.local.json (not committed) instead of settings.json
  --force     replace a SKILL.md that was edited since setup wrote it (kept otherwise)
  --node P    the Node.js the hooks run (default: the one running setup)`;

/** The shipped skill: `skills/dispatch/SKILL.md` beside dist/ (or src/cli/ when run from source). */
export function skillSource(): string {
  return findUp(path.join('skills', 'dispatch', 'SKILL.md'), 'the dispatch skill (skills/dispatch/SKILL.md)');
}

function findUp(rel: string, what: string): string {
  for (let dir = __dirname, i = 0; i < 4; i++, dir = path.dirname(dir)) {
    const p = path.join(dir, rel);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`${what} is missing from this installation`);
}

/** This installation: the Node running now and the bundles beside this one (dist/), made executable. */
export function installed(): Installed {
  const cli = fs.realpathSync(
    fs.existsSync(path.join(__dirname, 'cli.js')) ? path.join(__dirname, 'cli.js') : findUp(path.join('dist', 'cli.js'), 'dist/cli.js'),
  );
  const hook = path.join(path.dirname(cli), 'hook.js');
  for (const f of [cli, hook]) {
    try {
      const mode = fs.statSync(f).mode;
      if ((mode & 0o111) !== 0o111) fs.chmodSync(f, mode | 0o111); // a link to it on the PATH then works too
    } catch {
      // not ours to change (a read-only install): hooks run it through node anyway
    }
  }
  return { node: process.execPath, cli, hook };
}

/** `--node PATH`: the Node the hooks run (an editor's own runtime is not one), absolute and executable. */
function nodeOpt(p: string): string {
  if (!path.isAbsolute(p)) throw new SetupError(`--node needs an absolute path (got ${JSON.stringify(p.slice(0, 80))})`, 2);
  try {
    fs.accessSync(p, fs.constants.X_OK);
  } catch {
    throw new SetupError(`--node ${p} is not an executable file`, 2);
  }
  return p;
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

function onPath(env: NodeJS.ProcessEnv, cli: string): boolean {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      if (fs.realpathSync(path.join(dir, 'dispatch')) === cli) return true;
    } catch {
      // not there
    }
  }
  return false;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        team: { type: 'string' },
        user: { type: 'boolean' },
        local: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        'no-prompt-hook': { type: 'boolean' },
        force: { type: 'boolean' },
        node: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (e) {
    throw new SetupError(argvError(e), 2);
  }
}

/** `root`: the --root given to the CLI, if any; $DISPATCH_ROOT counts as given too. */
export async function setupCommand(argv: string[], io: Io, root?: string): Promise<number> {
  const say = (s: string) => io.out.write(stripControl(s) + '\n');
  try {
    const { values, positionals } = parse(argv);
    // The hooks are `/bin/sh -c …` commands (fail-open needs a shell); Windows has no /bin/sh to run them.
    if (process.platform === 'win32')
      throw new SetupError('setup writes POSIX sh hook commands, and Windows has no /bin/sh: use the Claude Code plugin there', 1);
    const host = positionals[0] as Host;
    if (positionals.length !== 1 || !HOSTS.includes(host)) throw new SetupError(`setup needs one host: ${HOSTS.join(', ')}`, 2);
    if (values.user && values.local) throw new SetupError('give --user or --local, not both', 2);
    const scope: Scope = values.user ? 'user' : values.local ? 'local' : 'project';
    const refusal = scopeRefusal(host, scope);
    if (refusal) throw new SetupError(refusal, 2);
    const team = values.team ?? (await askTeam(io));
    if (!isTeamName(team)) throw new SetupError(`invalid team name ${JSON.stringify(team.slice(0, 80))}: use lowercase letters, digits, "_" and "-"`, 2);
    const given = root ?? (io.env.DISPATCH_ROOT?.trim() ? defaultRoot(io.env) : undefined);
    const c: SetupContext = {
      host,
      team,
      scope,
      project: process.cwd(),
      home: io.env.HOME?.trim() || os.homedir(),
      root: given && path.resolve(given),
      resolvedRoot: path.resolve(given ?? defaultRoot(io.env)),
      installed: { ...installed(), ...(values.node ? { node: nodeOpt(values.node) } : {}) },
      promptHook: !values['no-prompt-hook'],
      env: io.env,
    };
    const dry = !!values['dry-run'];
    say(
      `${HOST_NAMES[host]} (${scope === 'user' ? 'every project' : scope === 'local' ? 'this project, not committed' : 'this project'}), team ${team}, root ${c.resolvedRoot}`,
    );
    const files = byFile(settingsChanges(c));
    // Every file is checked before any is written: a refusal leaves all of them as they were.
    for (const [file, changes] of files) applyAll(changes, readRegular(file));
    await installSkill(c, dry, !!values.force, say);
    for (const [file, changes] of files) {
      const write = () => {
        const now = readRegular(file);
        const r = applyAll(changes, now);
        if (!r.changes.length) say(`already in ${file}: nothing to change`);
        else if (dry) say(`would add to ${file}: ${r.changes.join(', ')}\n${r.text}`);
        else {
          writeWhole(file, r.text, now);
          say(`added to ${file}: ${r.changes.join(', ')}`);
        }
      };
      if (dry) write();
      else await withFileLock(file, write);
    }
    if (!fs.existsSync(c.resolvedRoot))
      say(`note: the root ${c.resolvedRoot} does not exist yet: \`dispatch --root ${c.resolvedRoot} init ${team}\` creates it`);
    for (const step of trustSteps(c)) say(`to do: ${step}`);
    return 0;
  } catch (e) {
    const code = e instanceof SetupError ? e.code : 1;
    const known = e instanceof SetupError || e instanceof JsonRefused || e instanceof WriteRefused;
    const msg = e instanceof Error ? (known ? e.message : `${(e as NodeJS.ErrnoException).code ?? 'error'}: ${e.message}`) : String(e);
    io.err.write(`dispatch: ${stripControl(msg)}\n${code === 2 ? SETUP_USAGE.split('\n')[0] + '\n' : ''}`);
    return code;
  }
}

/** Changes to one file go into one write (Gemini keeps hooks and MCP servers in the same settings.json). */
function byFile(changes: FileChange[]): Map<string, FileChange[]> {
  const m = new Map<string, FileChange[]>();
  for (const ch of changes) m.set(ch.file, [...(m.get(ch.file) ?? []), ch]);
  return m;
}

function applyAll(changes: FileChange[], text: string | undefined): { text: string; changes: string[] } {
  let now = text;
  const said: string[] = [];
  for (const ch of changes) {
    const r = ch.edit(now);
    if (r.changes.length) now = r.text;
    said.push(...r.changes);
  }
  return { text: now ?? '', changes: said };
}

async function installSkill(c: SetupContext, dry: boolean, force: boolean, say: (s: string) => void): Promise<void> {
  const shipped = fs.readFileSync(skillSource(), 'utf8');
  const command = onPath(c.env, c.installed.cli) ? undefined : [c.installed.node, c.installed.cli, ...(c.root ? ['--root', c.root] : [])];
  const wanted = renderSkill(shipped, { root: c.resolvedRoot, command });
  const file = skillFile(c);
  const install = () => {
    const now = readRegular(file);
    const state = skillState(now, wanted, shipped);
    if (state === 'same') return say(`skill up to date: ${file}`);
    if (state === 'edited' && !force) return say(`kept the skill you edited: ${file} (setup --force replaces it)`);
    const verb = state === 'absent' ? 'installed' : 'updated';
    if (dry) return say(`would ${state === 'absent' ? 'install' : 'update'} the skill: ${file}`);
    writeWhole(file, wanted, now);
    say(`${verb} the skill: ${file}`);
  };
  if (dry) install();
  else await withFileLock(file, install);
}
