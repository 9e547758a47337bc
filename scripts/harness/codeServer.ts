// Starts code-server (VS Code in the browser, Node extension host) in its own process group, with its
// own extensions / user-data / config folders, and always stops the whole group.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { groupAlive, killGroup, onCleanup, trackProcessGroup, untrackProcessGroup } from './cleanup';
import { CODE_SERVER_ENTRY, REPO_ROOT } from './paths';

/** User settings that keep the workbench quiet and offline-friendly. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'npm.autoDetect': 'off',
  'chat.commandCenter.enabled': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
  // Else the extension host scans every process in /proc (and runs `ls`, `ps`) every few seconds to
  // find ports to forward: ~1 s CPU a minute on a busy machine, more than all the rest of an idle host.
  'remote.autoForwardPorts': false,
  'remote.autoForwardPortsSource': 'output', // code-server has a tunnel provider: without this it scans anyway
};

export interface CodeServerOptions {
  /** The folder the workbench opens by default (also passed on code-server's command line). */
  workspace?: string;
  /** Extra user settings, e.g. `{ 'dispatchInbox.root': root }`. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server; it reaches the extension host (e.g. DISPATCH_ROOT). */
  env?: Record<string, string>;
  /** Defaults to a free port on 127.0.0.1. */
  port?: number;
  /** Extension folders to link into the extensions dir as `publisher.name-version`. */
  linkExtensions?: string[];
  /** Where the extensions / user-data / config folders go; defaults to a new temp dir, removed on stop. */
  baseDir?: string;
  /** Print code-server's own log lines to the terminal (otherwise only to `<baseDir>/code-server.log`). */
  echoLog?: boolean;
  /** Wait this long for /healthz (ms). */
  startTimeoutMs?: number;
}

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  baseDir: string;
  extensionsDir: string;
  userDataDir: string;
  logFile: string;
  /** The workbench URL; with `extensionDevelopmentPath`/`extensionTestsPath` it adds the test payload. */
  workbenchUrl(o?: { folder?: string; extensionDevelopmentPath?: string; extensionTestsPath?: string }): string;
  /** Last lines of code-server's log, for error messages. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** `publisher.name-version`, the folder name VS Code gives an installed extension. */
export function extensionFolderName(extensionPath: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(extensionPath, 'package.json'), 'utf8')) as { publisher: string; name: string; version: string };
  return `${pkg.publisher}.${pkg.name}-${pkg.version}`;
}

export async function startCodeServer(o: CodeServerOptions = {}): Promise<CodeServer> {
  if (!fs.existsSync(CODE_SERVER_ENTRY)) throw new Error(`code-server is not provisioned (${CODE_SERVER_ENTRY} missing): run npm run provision`);
  const ownBase = !o.baseDir;
  const baseDir = o.baseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-code-server-'));
  const extensionsDir = path.join(baseDir, 'extensions');
  const userDataDir = path.join(baseDir, 'user-data');
  const configFile = path.join(baseDir, 'config.yaml');
  const logFile = path.join(baseDir, 'code-server.log');
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...o.settings }, null, 2) + '\n');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  for (const ext of o.linkExtensions ?? []) {
    const link = path.join(extensionsDir, extensionFolderName(ext));
    fs.rmSync(link, { recursive: true, force: true });
    fs.symlinkSync(path.resolve(ext), link, 'dir');
  }

  const port = o.port ?? (await freePort());
  const args = [
    CODE_SERVER_ENTRY,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--extensions-dir',
    extensionsDir,
    '--user-data-dir',
    userDataDir,
    '--config',
    configFile,
  ];
  if (o.workspace) args.push(o.workspace);

  const log = fs.openSync(logFile, 'a');
  // detached: the child leads a new process group (setsid), so one kill(-pid) reaches its watchers too.
  const child = spawn(process.execPath, args, {
    cwd: o.workspace ?? REPO_ROOT,
    detached: true,
    stdio: ['ignore', o.echoLog ? 'inherit' : log, o.echoLog ? 'inherit' : log],
    env: { ...process.env, ...o.env },
  });
  fs.closeSync(log);
  const pid = child.pid!;
  trackProcessGroup(pid);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const logTail = (lines = 30) => {
    try {
      return fs.readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  };

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (groupAlive(pid)) {
        killGroup(pid, 'SIGTERM');
        await Promise.race([exitPromise, sleep(5000)]);
        // The leader may be gone while a watcher of its group is still shutting down: give it a moment.
        for (let i = 0; i < 20 && groupAlive(pid); i++) await sleep(100);
        killGroup(pid, 'SIGKILL');
      }
      untrackProcessGroup(pid);
      unregister();
      if (ownBase) fs.rmSync(baseDir, { recursive: true, force: true, maxRetries: 3 });
    })());
  const unregister = onCleanup(`code-server (pid ${pid})`, stop);

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (o.startTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      const tail = logTail();
      await stop();
      throw new Error(`code-server exited before it was ready (exit ${child.exitCode ?? child.signalCode}); its log:\n${tail}`);
    }
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      const tail = logTail();
      await stop();
      throw new Error(`code-server did not answer /healthz on ${url} within ${o.startTimeoutMs ?? 30_000} ms; its log:\n${tail}`);
    }
    await sleep(100);
  }

  const workbenchUrl: CodeServer['workbenchUrl'] = (w = {}) => {
    const q = new URLSearchParams();
    const folder = w.folder ?? o.workspace;
    if (folder) q.set('folder', folder);
    if (w.extensionDevelopmentPath || w.extensionTestsPath) {
      const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${path.resolve(p)}`;
      const payload: [string, string][] = [];
      if (w.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(w.extensionDevelopmentPath)]);
      if (w.extensionTestsPath) payload.push(['extensionTestsPath', remote(w.extensionTestsPath)]);
      q.set('payload', JSON.stringify(payload));
    }
    const qs = q.toString();
    return `${url}/${qs ? `?${qs}` : ''}`;
  };

  return { url, port, pid, baseDir, extensionsDir, userDataDir, logFile, workbenchUrl, logTail, stop };
}

/** The extension's output-channel logs ("Dispatch Inbox.log") under a code-server's user-data folder. */
export function extensionLogs(userDataDir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('Dispatch Inbox.log')) found.push(p);
    }
  };
  walk(userDataDir);
  return found;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
