// "Dispatch: Set Up Agents…" and "Dispatch: Install 'dispatch' Command in PATH". Both use the CLI that
// ships inside the extension (dist/cli.js): Set Up Agents runs its `setup` (first with --dry-run, shown
// to the user, then for real) and its `doctor`, so the editor writes exactly what the terminal would;
// Install puts a small `dispatch` script on the PATH that runs it, as VS Code's own `code` command does.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { HOSTS, HOST_NAMES, type Host } from '../../core/agents/hosts';
import type { Verdict } from '../../core/agents/doctor';
import { shellQuote } from '../../core/agents/hook-command';
import { COMMANDS } from '../common/ids';
import type { Prompts } from '../common/prompts';
import type { InboxSession } from '../common/session';

interface Run {
  code: number;
  out: string;
  err: string;
}

/**
 * A Node.js for the hooks and the CLI: the extension host's own, unless that is an editor's Electron
 * (desktop VS Code), which is not a Node a hook can run; then the first `node` on the PATH.
 */
export function findNode(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!process.versions.electron) return process.execPath;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const p = path.join(dir, process.platform === 'win32' ? 'node.exe' : 'node');
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

function runCli(node: string, cli: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(node, [cli, ...args], { cwd, env: process.env, maxBuffer: 8 * 1024 * 1024, timeout: 60_000 }, (e, out, err) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, out: String(out), err: String(err) }),
    );
  });
}

export class AgentSetup {
  constructor(
    private readonly session: InboxSession,
    private readonly prompts: Prompts,
    private readonly extensionPath: string,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get cli(): string {
    return path.join(this.extensionPath, 'dist', 'cli.js');
  }

  /** Returns the verdict lines shown, or undefined when the user stopped (or nothing could run). */
  async setUpAgents(): Promise<string[] | undefined> {
    const node = findNode();
    if (!node) {
      await this.prompts.warn(
        vscode.l10n.t(
          'Set Up Agents needs Node.js on the PATH: the hooks it writes run the dispatch CLI with it. Install Node.js 20 or later, then try again.',
        ),
      );
      return undefined;
    }
    const host = await this.prompts.pickOne<Host>(
      vscode.l10n.t('Set up which agent?'),
      HOSTS.map((h) => ({ label: HOST_NAMES[h], value: h })),
    );
    if (!host) return undefined;
    await this.session.whenLoaded();
    const team = await this.prompts.pickTeam({
      title: vscode.l10n.t('Set Up Agents: the team whose inbox {0} checks', HOST_NAMES[host]),
      placeholder: vscode.l10n.t('Your team (or type a new name)'),
      teams: this.session.teamChoices(),
      active: this.session.watchedTeams()[0],
    });
    if (!team) return undefined;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const scopes = [
      ...(folder?.scheme === 'file' ? [{ label: vscode.l10n.t('This project'), description: folder.fsPath, value: [] as string[] }] : []),
      ...(host === 'claude' && folder?.scheme === 'file'
        ? [{ label: vscode.l10n.t('This project, not committed'), description: '.claude/settings.local.json', value: ['--local'] }]
        : []),
      ...(host !== 'copilot' ? [{ label: vscode.l10n.t('Every project (my user settings)'), description: os.homedir(), value: ['--user'] }] : []),
    ];
    if (!scopes.length) {
      await this.prompts.warn(vscode.l10n.t('Copilot hooks live in a project: open a folder first.'));
      return undefined;
    }
    const scope = await this.prompts.pickOne(vscode.l10n.t('Where?'), scopes);
    if (!scope) return undefined;
    const cwd = folder?.scheme === 'file' ? folder.fsPath : os.homedir();
    const args = ['--root', this.session.store.root, 'setup', host, '--team', team, ...scope, '--node', node];
    const dry = await runCli(node, this.cli, [...args, '--dry-run'], cwd);
    this.log.info(`dispatch ${args.join(' ')} --dry-run\n${dry.out}${dry.err}`);
    if (dry.code !== 0) {
      await this.prompts.warn(dry.err.trim() || vscode.l10n.t('dispatch setup failed (exit {0})', dry.code));
      return undefined;
    }
    const summary = dry.out
      .split('\n')
      .filter((l) => /^(would|skill|already|kept|note|to do)/.test(l))
      .join('\n');
    if (!(await this.prompts.confirm(vscode.l10n.t('Set up {0} for team {1}?', HOST_NAMES[host], team), summary, vscode.l10n.t('Write')))) return undefined;
    const done = await runCli(node, this.cli, args, cwd);
    this.log.info(`dispatch ${args.join(' ')}\n${done.out}${done.err}`);
    if (done.code !== 0) {
      await this.prompts.warn(done.err.trim() || vscode.l10n.t('dispatch setup failed (exit {0})', done.code));
      return undefined;
    }
    return this.verdicts(node, cwd, host, done.out);
  }

  /** `dispatch doctor` after the change: the same verdicts the terminal gives, for the host just set up. */
  private async verdicts(node: string, cwd: string, host: Host, setupOut: string): Promise<string[]> {
    const r = await runCli(node, this.cli, ['--root', this.session.store.root, 'doctor', '--json'], cwd);
    let verdicts: Verdict[] = [];
    try {
      verdicts = JSON.parse(r.out) as Verdict[];
    } catch {
      this.log.warn(`dispatch doctor gave no JSON: ${r.err}`);
    }
    const { verdictLine } = await import('../../core/agents/doctor');
    const mine = verdicts.filter((v) => v.host === host);
    const todo = setupOut.split('\n').filter((l) => l.startsWith('to do: '));
    this.log.info([...mine.map((v) => verdictLine(v)), ...todo].join('\n'));
    const all = [...mine.map((v) => verdictLine(v, true)), ...todo];
    const fires = verdicts.some((v) => v.host === host && v.fires);
    const show = fires ? this.prompts.info.bind(this.prompts) : this.prompts.warn.bind(this.prompts);
    void show(all.join('\n') || vscode.l10n.t('Set up; dispatch doctor found nothing to check.'));
    return all;
  }

  /** Writes `dispatch` into a folder on the PATH (~/.local/bin, else /usr/local/bin); returns its path. */
  async installCli(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
    if (process.platform === 'win32') {
      await this.prompts.warn(vscode.l10n.t('Install the dispatch command on Windows with npm: npm install -g dispatch-inbox'));
      return undefined;
    }
    const node = findNode(env);
    if (!node) {
      await this.prompts.warn(vscode.l10n.t('The dispatch command needs Node.js on the PATH: install Node.js 20 or later, then try again.'));
      return undefined;
    }
    const home = env.HOME?.trim() || os.homedir();
    const onPath = (env.PATH ?? '').split(path.delimiter);
    const candidates = [path.join(home, '.local', 'bin'), '/usr/local/bin'];
    const dir = candidates.find((d) => onPath.includes(d) && writable(d)) ?? candidates[0];
    const file = path.join(dir, 'dispatch');
    const text = `#!/bin/sh\n# ${MARK}\nexec ${shellQuote(node)} ${shellQuote(this.cli)} "$@"\n`;
    const now = readIfFile(file);
    if (now !== undefined && !now.includes(MARK)) {
      await this.prompts.warn(vscode.l10n.t('{0} exists and was not installed by Dispatch Inbox: left as it is.', file));
      return undefined;
    }
    fs.mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text, { mode: 0o755 });
    fs.renameSync(tmp, file);
    const hint = onPath.includes(dir) ? '' : ` ${vscode.l10n.t('{0} is not on your PATH yet: add it in your shell profile.', dir)}`;
    void this.prompts.info(vscode.l10n.t("Installed 'dispatch' at {0}.", file) + hint);
    return file;
  }
}

const MARK = "installed by Dispatch Inbox (Install 'dispatch' Command in PATH)";

function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readIfFile(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export function registerAgentCommands(setup: AgentSetup): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.setUpAgents, () => setup.setUpAgents()),
    vscode.commands.registerCommand(COMMANDS.installCli, () => setup.installCli()),
  ];
}
