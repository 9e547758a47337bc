// What `dispatch setup HOST` writes for each agent host: the hooks (session start, and a prompt hook
// where the host can add context on a prompt), the MCP server, and where the skill goes. The formats were
// read from each host's docs and checked against the real Claude Code, Codex CLI and Gemini CLI (see
// test/hosts/); Cursor and Copilot are from their docs only.
import * as path from 'node:path';
import { CliPaths, execHook, ExecHook, missingCliLine, stringHook } from './hook-command';
import { JsonText } from './json-edit';
import { cursorContext, hookContext } from './hook-output';

export const HOSTS = ['claude', 'codex', 'gemini', 'cursor', 'copilot'] as const;
export type Host = (typeof HOSTS)[number];
export type Scope = 'project' | 'user' | 'local';

export const HOST_NAMES: Record<Host, string> = { claude: 'Claude Code', codex: 'Codex', gemini: 'Gemini CLI', cursor: 'Cursor', copilot: 'Copilot (VS Code)' };

export interface Installed extends CliPaths {
  /** dist/hook.js: the prompt hook's own small entry. */
  hook: string;
}

export interface SetupContext {
  host: Host;
  team: string;
  scope: Scope;
  project: string;
  home: string;
  /** Written into every command when setup was given one (--root or $DISPATCH_ROOT). */
  root?: string;
  /** The root the commands will use, for hosts that scrub the environment of what they run. */
  resolvedRoot: string;
  installed: Installed;
  promptHook: boolean;
  env: NodeJS.ProcessEnv;
}

/** One file to change: `edit` gets the current text (undefined: no file) and returns the new text, or the same. */
export interface FileChange {
  file: string;
  /** What the change adds, for the report: "SessionStart hook", "MCP server". */
  edit(text: string | undefined): { text: string; changes: string[] };
}

type Kind = 'session' | 'prompt';

interface HostFormat {
  skillDir(c: SetupContext): string;
  hookFile(c: SetupContext): string | undefined;
  /** Events by kind; absent: the host cannot add a prompt's context from a hook. */
  events: Partial<Record<Kind, string>>;
  execForm: boolean;
  /** Seconds, or milliseconds for Gemini CLI. */
  timeouts: Record<Kind, number>;
  entry(hook: ExecHook | string, kind: Kind, timeout: number): Record<string, unknown>;
  hooksPath: string[];
  newFile?: Record<string, unknown>;
  mcp?(c: SetupContext): FileChange | undefined;
}

const nested = (matcher?: string) => (hook: ExecHook | string, kind: Kind, timeout: number) => ({
  ...(kind === 'session' && matcher ? { matcher } : {}),
  hooks: [{ type: 'command', ...(typeof hook === 'string' ? { command: hook } : hook), timeout }],
});

const base = (c: SetupContext) => (c.scope === 'project' || c.scope === 'local' ? c.project : c.home);
const codexHome = (c: SetupContext) => c.env.CODEX_HOME?.trim() || path.join(c.home, '.codex');

/** The MCP server as the host runs it: our CLI's `mcp` verb, absolute, with the root. */
export function mcpServer(c: SetupContext, withRoot = c.root): { command: string; args: string[] } {
  return { command: c.installed.node, args: [c.installed.cli, ...(withRoot ? ['--root', withRoot] : []), 'mcp'] };
}

function jsonServer(file: string, p: Array<string | number>, value: Record<string, unknown>): FileChange {
  return {
    file,
    edit(text) {
      const j = new JsonText(text ?? '', file);
      for (let i = 1; i < p.length; i++) j.expect(p.slice(0, i), 'object');
      if (JSON.stringify(j.get(p)) !== JSON.stringify(value)) j.set(p, value, j.get(p) === undefined ? 'MCP server' : 'MCP server (updated)');
      return { text: j.changes.length ? j.result() : (text ?? ''), changes: j.changes };
    },
  };
}

function tomlString(s: string): string {
  return `"${s.replace(/[\\"]/g, (m) => `\\${m}`).replace(/[\u0000-\u001f\u007f]/g, (m) => `\\u${m.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}

/** Codex keeps MCP servers in config.toml: our section is added when there is none (never rewritten). */
function codexMcp(c: SetupContext): FileChange {
  const file = c.scope === 'user' ? path.join(codexHome(c), 'config.toml') : path.join(c.project, '.codex', 'config.toml');
  // Codex gives an MCP server a scrubbed environment: the root goes into the arguments.
  const s = mcpServer(c, c.root ?? c.resolvedRoot);
  return {
    file,
    edit(text) {
      const now = text ?? '';
      if (/^\s*\[mcp_servers\.dispatch\]/m.test(now)) return { text: now, changes: [] };
      const section = `[mcp_servers.dispatch]\ncommand = ${tomlString(s.command)}\nargs = [${s.args.map(tomlString).join(', ')}]\n`;
      const sep = now === '' ? '' : now.endsWith('\n\n') ? '' : now.endsWith('\n') ? '\n' : '\n\n';
      return { text: now + sep + section, changes: ['MCP server'] };
    },
  };
}

const FORMATS: Record<Host, HostFormat> = {
  claude: {
    skillDir: (c) => path.join(base(c), '.claude', 'skills'),
    hookFile: (c) => path.join(base(c), '.claude', c.scope === 'local' ? 'settings.local.json' : 'settings.json'),
    events: { session: 'SessionStart', prompt: 'UserPromptSubmit' },
    execForm: true,
    timeouts: { session: 10, prompt: 5 },
    entry: nested('startup|resume|clear|compact'),
    hooksPath: ['hooks'],
    mcp: (c) =>
      c.scope === 'project'
        ? jsonServer(path.join(c.project, '.mcp.json'), ['mcpServers', 'dispatch'], mcpServer(c))
        : c.scope === 'user'
          ? jsonServer(path.join(c.home, '.claude.json'), ['mcpServers', 'dispatch'], mcpServer(c))
          : jsonServer(path.join(c.home, '.claude.json'), ['projects', c.project, 'mcpServers', 'dispatch'], mcpServer(c)),
  },
  codex: {
    skillDir: (c) => (c.scope === 'user' ? path.join(c.home, '.agents', 'skills') : path.join(c.project, '.agents', 'skills')),
    hookFile: (c) => (c.scope === 'user' ? path.join(codexHome(c), 'hooks.json') : path.join(c.project, '.codex', 'hooks.json')),
    events: { session: 'SessionStart', prompt: 'UserPromptSubmit' },
    execForm: false,
    timeouts: { session: 10, prompt: 5 },
    entry: nested(),
    hooksPath: ['hooks'],
    mcp: codexMcp,
  },
  gemini: {
    skillDir: (c) => path.join(base(c), '.gemini', 'skills'),
    hookFile: (c) => path.join(base(c), '.gemini', 'settings.json'),
    // Its SessionStart matcher is an exact string, not a pattern: none at all matches every start.
    events: { session: 'SessionStart', prompt: 'BeforeAgent' },
    execForm: false,
    timeouts: { session: 10_000, prompt: 5_000 },
    entry: nested(),
    hooksPath: ['hooks'],
    // A headless run leaves out the tools of a server that is not trusted.
    mcp: (c) => jsonServer(path.join(base(c), '.gemini', 'settings.json'), ['mcpServers', 'dispatch'], { ...mcpServer(c), trust: true }),
  },
  cursor: {
    skillDir: (c) => path.join(base(c), '.cursor', 'skills'),
    hookFile: (c) => path.join(base(c), '.cursor', 'hooks.json'),
    events: { session: 'sessionStart' },
    execForm: false,
    timeouts: { session: 10, prompt: 5 },
    entry: (hook, _kind, timeout) => ({ command: hook as string, timeout }),
    hooksPath: ['hooks'],
    newFile: { version: 1 },
    mcp: (c) => jsonServer(path.join(base(c), '.cursor', 'mcp.json'), ['mcpServers', 'dispatch'], mcpServer(c)),
  },
  copilot: {
    skillDir: (c) => (c.scope === 'user' ? path.join(c.home, '.copilot', 'skills') : path.join(c.project, '.github', 'skills')),
    hookFile: (c) => (c.scope === 'user' ? undefined : path.join(c.project, '.github', 'hooks', 'dispatch.json')),
    events: { session: 'SessionStart' },
    execForm: false,
    timeouts: { session: 10, prompt: 5 },
    entry: (hook, _kind, timeout) => ({ type: 'command', command: hook as string, timeout }),
    hooksPath: ['hooks'],
    // No .vscode/mcp.json: the extension's Language Model Tools are these tools already; both would list them twice.
  },
};

/** Hosts with no uncommitted settings file of their own. */
export function scopeRefusal(host: Host, scope: Scope): string | undefined {
  if (scope === 'local' && host !== 'claude') return `${HOST_NAMES[host]} has no uncommitted settings file: use the project (default) or --user`;
  if (scope === 'user' && host === 'copilot') return 'Copilot hooks live in the repository (.github/hooks/): run setup copilot without --user';
  return undefined;
}

export function skillFile(c: SetupContext): string {
  return path.join(FORMATS[c.host].skillDir(c), 'dispatch', 'SKILL.md');
}

function rootArgs(c: SetupContext): string[] {
  return c.root ? ['--root', c.root] : [];
}

/** The command a hook of `kind` runs, in the host's form. */
export function hookCommand(c: SetupContext, kind: Kind, event: string): ExecHook | string {
  const f = FORMATS[c.host];
  const [paths, args, missing] =
    kind === 'session'
      ? [
          c.installed,
          [...rootArgs(c), 'checkin', '--team', c.team, '--format', c.host === 'cursor' ? 'cursor-hook' : 'claude-hook'],
          JSON.stringify(c.host === 'cursor' ? cursorContext(missingCliLine(c.installed.cli)) : hookContext(event, missingCliLine(c.installed.cli))),
        ]
      : [{ node: c.installed.node, cli: c.installed.hook }, [...rootArgs(c), '--team', c.team, '--event', event], undefined];
  return f.execForm ? execHook(paths, args, missing) : stringHook(paths, args, missing);
}

/** A hook entry of ours for this team and kind, whatever form or paths an earlier setup wrote it with. */
export function isOurs(entry: unknown, kind: Kind, team: string): boolean {
  const s = JSON.stringify(entry) ?? '';
  const teamAt = new RegExp(`--team(?:\\\\?"\\s*,\\s*\\\\?"|\\s+)${team}(?=["\\s\\\\']|$)`);
  if (!teamAt.test(s)) return false;
  return kind === 'session' ? /checkin/.test(s) && /(claude|cursor)-hook/.test(s) : /prompt-hook|hook\.js/.test(s);
}

function hooksChange(c: SetupContext): FileChange | undefined {
  const f = FORMATS[c.host];
  const file = f.hookFile(c);
  if (!file) return undefined;
  return {
    file,
    edit(text) {
      const j = new JsonText(text ?? '', file);
      if (text === undefined || text.trim() === '') for (const [k, v] of Object.entries(f.newFile ?? {})) j.set([k], v, '');
      j.expect(f.hooksPath, 'object');
      for (const kind of ['session', 'prompt'] as const) {
        const event = f.events[kind];
        if (!event || (kind === 'prompt' && !c.promptHook)) continue;
        const listPath = [...f.hooksPath, event];
        j.expect(listPath, 'array');
        const entry = f.entry(hookCommand(c, kind, event), kind, f.timeouts[kind]);
        const list = (j.get(listPath) as unknown[] | undefined) ?? [];
        const at = list.findIndex((e) => isOurs(e, kind, c.team));
        if (at < 0) j[list.length ? 'append' : 'set'](listPath, list.length ? entry : [entry], `${event} hook`);
        else if (JSON.stringify(list[at]) !== JSON.stringify(entry)) j.set([...listPath, at], entry, `${event} hook (updated)`);
      }
      const changes = j.changes.filter(Boolean);
      return { text: changes.length ? j.result() : (text ?? ''), changes };
    },
  };
}

/** Every settings file setup changes for this host and scope, hooks first. */
export function settingsChanges(c: SetupContext): FileChange[] {
  const out: FileChange[] = [];
  const hooks = hooksChange(c);
  if (hooks) out.push(hooks);
  const mcp = FORMATS[c.host].mcp?.(c);
  if (mcp) out.push(mcp);
  return out;
}

/** The step only a person can take, when the host has one, said exactly. */
export function trustSteps(c: SetupContext): string[] {
  if (c.host === 'codex') {
    const steps = [];
    if (c.scope !== 'user')
      steps.push(
        `Codex reads ${path.join(c.project, '.codex')} only in a trusted project: run \`codex\` in ${c.project} and trust it (or add [projects.${tomlString(c.project)}] trust_level = "trusted" to ${path.join(codexHome(c), 'config.toml')}).`,
      );
    steps.push('Codex runs a hook only once a person has reviewed it: start `codex`, open /hooks and trust the dispatch hooks (until then they stay silent).');
    return steps;
  }
  if (c.host === 'claude' && c.scope === 'project')
    return ['Claude Code asks once before it starts the project MCP server in .mcp.json: answer yes (or run `claude mcp list` to see it).'];
  return [];
}
