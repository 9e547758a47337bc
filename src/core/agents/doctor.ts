// `dispatch doctor`: for each agent host set up here (this project, and the home folder), whether its
// dispatch hooks will really fire, and if not, the one step that fixes it. It reads what setup (or the
// plugin) left behind and checks what the hosts' gates are known to be: the CLI where the hook says, the
// root and the team's inbox, Codex's project and hook trust, Gemini's exact-string matcher, and whether
// the MCP server gets its root and is allowed to run headless.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { HOSTS, Host, HOST_NAMES } from './hosts';
import { teamFromEnv } from './team-env';

export interface Verdict {
  host: Host;
  where: string;
  fires: boolean;
  team?: string;
  root?: string;
  /** Why it will not fire, or a note on what is partly missing. */
  problem?: string;
  /** The one step that fixes it. */
  fix?: string;
}

interface Hook {
  argv: string[];
  matcher?: unknown;
}

interface Found {
  host: Host;
  where: string;
  /** Hook commands of ours: argv (exec form, or parsed back from a string setup wrote). */
  session: Hook[];
  prompt: Hook[];
  /** The parsed file, for host-specific checks. */
  data: Record<string, unknown>;
  file: string;
}

interface Places {
  project: string;
  home: string;
  env: NodeJS.ProcessEnv;
  defaultRoot: string;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > 4 * 1024 * 1024) return undefined;
    const v = parseJsonc(fs.readFileSync(file, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** sh words back from a command string (single quotes as shellQuote writes them, plain words). */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let cur = '';
  let last = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m.index > last && /\s/.test(s.slice(last, m.index)) && cur) {
      out.push(cur);
      cur = '';
    }
    cur += m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
    last = re.lastIndex;
  }
  if (cur) out.push(cur);
  return out;
}

function hookArgv(h: Record<string, unknown>): string[] {
  if (typeof h.command !== 'string') return [];
  return Array.isArray(h.args) ? [h.command, ...h.args.map(String)] : shellWords(h.command);
}

function ourHooks(data: Record<string, unknown>): { session: Hook[]; prompt: Hook[] } {
  const session: Hook[] = [];
  const prompt: Hook[] = [];
  const hooks = data.hooks && typeof data.hooks === 'object' ? (data.hooks as Record<string, unknown>) : {};
  for (const [event, list] of Object.entries(hooks)) {
    if (!Array.isArray(list)) continue;
    for (const entry of list as Array<Record<string, unknown>>) {
      const inner = Array.isArray(entry?.hooks) ? (entry.hooks as Array<Record<string, unknown>>) : [entry];
      for (const h of inner) {
        const argv = hookArgv(h ?? {});
        const s = argv.join(' ');
        const hook = { argv, matcher: event === 'SessionStart' ? entry.matcher : undefined };
        if (/checkin/.test(s) && /(claude|cursor)-hook/.test(s)) session.push(hook);
        else if (/hook\.js|prompt-hook/.test(s)) prompt.push(hook);
      }
    }
  }
  return { session, prompt };
}

function discover(p: Places): Found[] {
  const codexHome = p.env.CODEX_HOME?.trim() || path.join(p.home, '.codex');
  const places: Array<[Host, string, string]> = [
    ['claude', 'project', path.join(p.project, '.claude', 'settings.json')],
    ['claude', 'project, not committed', path.join(p.project, '.claude', 'settings.local.json')],
    ['claude', 'user', path.join(p.home, '.claude', 'settings.json')],
    ['codex', 'project', path.join(p.project, '.codex', 'hooks.json')],
    ['codex', 'user', path.join(codexHome, 'hooks.json')],
    ['gemini', 'project', path.join(p.project, '.gemini', 'settings.json')],
    ['gemini', 'user', path.join(p.home, '.gemini', 'settings.json')],
    ['cursor', 'project', path.join(p.project, '.cursor', 'hooks.json')],
    ['cursor', 'user', path.join(p.home, '.cursor', 'hooks.json')],
    ['copilot', 'project', path.join(p.project, '.github', 'hooks', 'dispatch.json')],
  ];
  const out: Found[] = [];
  for (const [host, where, file] of places) {
    const data = readJson(file);
    if (!data) continue;
    const { session, prompt } = ourHooks(data);
    if (session.length || prompt.length) out.push({ host, where: `${where}: ${file}`, session, prompt, data, file });
  }
  return out;
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** The node and script a hook runs (`/bin/sh -c SCRIPT NODE SCRIPT …`, or `node SCRIPT …`). */
function target(argv: string[]): { node: string; script: string } | undefined {
  const i = argv.findIndex((a) => /(cli|hook)\.js$/.test(a));
  if (i < 1) return undefined;
  return { node: argv[i - 1], script: argv[i] };
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function codexChecks(f: Found, p: Places): Pick<Verdict, 'problem' | 'fix'> | undefined {
  const codexHome = p.env.CODEX_HOME?.trim() || path.join(p.home, '.codex');
  const config = readText(path.join(codexHome, 'config.toml'));
  if (f.where.startsWith('project')) {
    const trusted = new RegExp(
      `\\[projects\\.${JSON.stringify(p.project).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]\\s*\\n\\s*trust_level\\s*=\\s*"trusted"`,
    ).test(config);
    if (!trusted) return { problem: 'Codex reads .codex/ only in a trusted project, and this one is not', fix: `run \`codex\` in ${p.project} and trust it` };
  }
  const key = `${f.file}:session_start:`;
  if (!config.includes(`[hooks.state.${JSON.stringify(key).slice(0, -1)}`))
    return { problem: 'Codex runs a hook only once a person has trusted it, and nobody has', fix: 'start `codex`, open /hooks and trust the dispatch hooks' };
  return undefined;
}

function geminiChecks(f: Found): Pick<Verdict, 'problem' | 'fix'> | undefined {
  const m = f.session[0]?.matcher;
  if (typeof m === 'string' && m !== '*' && !['startup', 'resume', 'clear'].includes(m))
    return {
      problem: `Gemini CLI matches a SessionStart matcher as an exact string: "${m.slice(0, 40)}" never fires`,
      fix: 'run `dispatch setup gemini` again (it writes no matcher)',
    };
  const mcp = (f.data.mcpServers as Record<string, { trust?: boolean }> | undefined)?.dispatch;
  const allowed = (f.data.mcp as { allowed?: string[] } | undefined)?.allowed ?? [];
  if (mcp && !mcp.trust && !allowed.includes('dispatch'))
    return {
      problem: 'hooks fire; the MCP tools are left out of headless runs (server not trusted)',
      fix: `add "trust": true to mcpServers.dispatch in ${f.file}`,
    };
  return undefined;
}

function judge(f: Found, p: Places): Verdict {
  const argv = (f.session[0] ?? f.prompt[0]).argv;
  const team = option(argv, '--team') ?? teamFromEnv(p.env);
  const root = path.resolve(option(argv, '--root') ?? p.defaultRoot);
  const v: Verdict = { host: f.host, where: f.where, fires: false, team, root };
  const t = target(argv);
  const redo = `\`dispatch setup ${f.host}${f.where.startsWith('user') ? ' --user' : f.where.includes('not committed') ? ' --local' : ''}${team ? ` --team ${team}` : ''}\``;
  if (!f.session.length) return { ...v, problem: 'no session-start hook (only the prompt hook)', fix: `run ${redo}` };
  if (t && !executable(t.node)) return { ...v, problem: `the hook runs ${t.node}, which is gone`, fix: `run ${redo} with the dispatch CLI installed now` };
  if (t && !fs.existsSync(t.script))
    return { ...v, problem: `the dispatch CLI is no longer at ${t.script}`, fix: `run ${redo} with the dispatch CLI installed now` };
  if (!t) return { ...v, problem: 'the hook calls `dispatch` by name: it fails where that is not on the PATH', fix: `run ${redo} (absolute paths)` };
  if (!team) return { ...v, problem: 'no team in the hook and no DISPATCH_TEAM', fix: `run ${redo.replace(/`$/, ' --team TEAM`')}` };
  if (!fs.existsSync(root)) return { ...v, problem: `the root ${root} does not exist`, fix: `\`dispatch --root ${root} init ${team}\`` };
  if (!fs.existsSync(path.join(root, team, 'new')))
    return { ...v, problem: `team ${team} has no inbox in ${root}`, fix: `\`dispatch --root ${root} init ${team}\`` };
  const gate = f.host === 'codex' ? codexChecks(f, p) : f.host === 'gemini' ? geminiChecks(f) : undefined;
  if (gate?.problem?.startsWith('hooks fire')) return { ...v, fires: true, ...gate };
  if (gate) return { ...v, ...gate };
  return { ...v, fires: true };
}

/** The first `node` on a PATH: plugin hooks run `node …` by name (a host's own binary may need none). */
function nodeOnPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) if (executable(path.join(dir, 'node'))) return path.join(dir, 'node');
  return undefined;
}

/**
 * The plugin and extension routes: Claude Code's plugin (enabledPlugins in ~/.claude/settings.json),
 * Codex's (config.toml), Gemini CLI's extension (~/.gemini/extensions/dispatch). They run `node` by
 * name and take the team from the plugin's option or $DISPATCH_TEAM, the root from $DISPATCH_ROOT.
 */
function plugins(p: Places): Verdict[] {
  const out: Verdict[] = [];
  const codexHome = p.env.CODEX_HOME?.trim() || path.join(p.home, '.codex');
  const claude = readJson(path.join(p.home, '.claude', 'settings.json'));
  const enabled = Object.entries((claude?.enabledPlugins as Record<string, unknown> | undefined) ?? {}).find(([k, v]) => k.startsWith('dispatch@') && v);
  const codexConfig = readText(path.join(codexHome, 'config.toml'));
  const codexPlugin = /^\[plugins\."(dispatch@[^"]+)"\]\s*\n\s*enabled\s*=\s*true/m.exec(codexConfig);
  const geminiExt = path.join(p.home, '.gemini', 'extensions', 'dispatch');
  const found: Array<[Host, string, () => Pick<Verdict, 'problem' | 'fix'> | undefined, string | undefined, string | undefined]> = [];
  if (enabled) {
    const options = ((claude?.pluginConfigs as Record<string, { options?: { team?: string } }> | undefined) ?? {})[enabled[0]]?.options;
    const env = (claude?.env as Record<string, string> | undefined) ?? {};
    found.push(['claude', `plugin ${enabled[0]}`, () => undefined, options?.team ?? env.DISPATCH_TEAM, env.DISPATCH_ROOT]);
  }
  if (codexPlugin)
    found.push([
      'codex',
      `plugin ${codexPlugin[1]}`,
      () =>
        codexConfig.includes(`[hooks.state."${codexPlugin[1]}:.codex-plugin/hooks.json:session_start:`)
          ? undefined
          : { problem: 'Codex runs a hook only once a person has trusted it, and nobody has', fix: 'start `codex`, open /hooks and trust the dispatch hooks' },
      undefined,
      undefined,
    ]);
  if (fs.existsSync(geminiExt)) {
    const settings = readJson(path.join(p.home, '.gemini', 'settings.json'));
    const allowed = ((settings?.mcp as { allowed?: string[] } | undefined)?.allowed ?? []).includes('dispatch');
    found.push([
      'gemini',
      `extension ${geminiExt}`,
      () =>
        allowed
          ? undefined
          : {
              problem: "hooks fire; the MCP tools are left out of headless runs (Gemini CLI drops an extension server's trust)",
              fix: `add "mcp": {"allowed": ["dispatch"]} to ${path.join(p.home, '.gemini', 'settings.json')}`,
            },
      undefined,
      undefined,
    ]);
  }
  for (const [host, where, gate, team0, root0] of found) {
    const team = team0 ?? teamFromEnv(p.env);
    const root = path.resolve(root0 ?? p.defaultRoot);
    const v: Verdict = { host, where, fires: false, team, root };
    if (!nodeOnPath(p.env)) out.push({ ...v, problem: 'its hooks run `node`, and there is none on the PATH', fix: 'install Node.js 20 or later on the PATH' });
    else if (!team)
      out.push({
        ...v,
        problem: 'no team: the plugin has no team option set and DISPATCH_TEAM is unset',
        fix: host === 'claude' ? "set the plugin's team in /plugin" : 'set DISPATCH_TEAM where the host runs',
      });
    else if (!fs.existsSync(path.join(root, team, 'new')))
      out.push({ ...v, problem: `team ${team} has no inbox in ${root}`, fix: `\`dispatch --root ${root} init ${team}\`` });
    else {
      const g = gate();
      out.push(g?.problem?.startsWith('hooks fire') ? { ...v, fires: true, ...g } : g ? { ...v, ...g } : { ...v, fires: true });
    }
  }
  return out;
}

export function doctor(p: Places): Verdict[] {
  return [...discover(p).map((f) => judge(f, p)), ...plugins(p)].sort((a, b) => HOSTS.indexOf(a.host) - HOSTS.indexOf(b.host));
}

/** `short`: the host's name and no file path (a notification), instead of the terminal's full line. */
export function verdictLine(v: Verdict, short = false): string {
  const head = short ? HOST_NAMES[v.host] : `${v.host} (${v.where})`;
  if (v.fires) return `${head}: will fire for team ${v.team} in ${v.root}${v.problem ? `; but ${v.problem}: ${v.fix}` : ''}`;
  return `${head}: will not fire: ${v.problem}; fix: ${v.fix}`;
}
