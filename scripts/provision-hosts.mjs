#!/usr/bin/env node
// Provisions the real agent hosts for test/hosts/ (Claude Code, Codex CLI, Gemini CLI) at pinned versions
// into the git-ignored `.cache/agent-hosts/<host>/`, from the npm registry (their native binaries ship
// inside registry packages). Idempotent like provision.mjs: a finished install leaves a marker and is
// reused; a host that fails to install is reported in one line and the others still install.
//
//   node scripts/provision-hosts.mjs            install what is missing (pinned versions)
//   node scripts/provision-hosts.mjs --check    exit 0 when all three are in place, 1 otherwise
//   node scripts/provision-hosts.mjs --latest   install the registry's latest versions into .cache/agent-hosts-latest/
//                                               (then: DISPATCH_HOSTS_DIR=.cache/agent-hosts-latest npm run test:hosts)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The versions the README's table was measured with. */
export const HOSTS = {
  claude: { pkg: '@anthropic-ai/claude-code', version: '2.1.332', bin: 'claude' },
  codex: { pkg: '@openai/codex', version: '0.171.0', bin: 'codex' },
  gemini: { pkg: '@google/gemini-cli', version: '0.61.0', bin: 'gemini' },
};

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const latest = args.includes('--latest');
const base = path.join(repoRoot, '.cache', latest ? 'agent-hosts-latest' : 'agent-hosts');
const say = (msg) => console.log(`provision-hosts: ${msg}`);

const marker = (host) => path.join(base, host, '.provisioned.json');

function ready(host) {
  try {
    const m = JSON.parse(fs.readFileSync(marker(host), 'utf8'));
    return (latest || m.version === HOSTS[host].version) && fs.existsSync(binPath(host));
  } catch {
    return false;
  }
}

export function binPath(host, dir = base) {
  return path.join(dir, host, 'node_modules', '.bin', HOSTS[host].bin);
}

function npm(cwd, argv, log) {
  return new Promise((resolve) => {
    const fd = fs.openSync(log, 'a');
    const p = spawn('npm', argv, { cwd, stdio: ['ignore', fd, fd] });
    p.on('close', (code) => {
      fs.closeSync(fd);
      resolve(code);
    });
  });
}

async function install(host) {
  const { pkg, version } = HOSTS[host];
  const dir = path.join(base, host);
  const spec = latest ? `${pkg}@latest` : `${pkg}@${version}`;
  const t0 = Date.now();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `dispatch-inbox-host-${host}`, private: true }, null, 2) + '\n');
  const log = path.join(dir, 'install.log');
  // Their install scripts only pick the platform's binary package, which npm installs as an optional dependency.
  const code = await npm(dir, ['install', '--no-audit', '--no-fund', '--loglevel=warn', spec], log);
  if (code !== 0 || !fs.existsSync(binPath(host))) {
    say(`${host}: npm install ${spec} failed (exit ${code}); see ${path.relative(repoRoot, log)}`);
    return false;
  }
  const installed = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', ...pkg.split('/'), 'package.json'), 'utf8')).version;
  fs.writeFileSync(marker(host), JSON.stringify({ pkg, version: installed, installedAt: new Date().toISOString() }, null, 2) + '\n');
  say(`${host}: ${pkg}@${installed} installed (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  return true;
}

const hosts = Object.keys(HOSTS);
if (args.includes('--check')) {
  const missing = hosts.filter((h) => !ready(h));
  say(missing.length ? `not provisioned: ${missing.join(', ')}` : 'all hosts ready');
  process.exit(missing.length ? 1 : 0);
}
fs.mkdirSync(base, { recursive: true });
const todo = hosts.filter((h) => latest || !ready(h));
for (const h of hosts.filter((x) => !todo.includes(x))) say(`${h}: ${HOSTS[h].pkg}@${HOSTS[h].version} already provisioned (reused)`);
// One at a time: three ~400 MB installs at once only fight over two cores and the disk.
let failed = 0;
for (const h of todo) if (!(await install(h))) failed++;
// A host that could not be installed is not a failure of `npm test`: its sessions skip, saying why.
if (failed) say(`${failed} host(s) not installed: their sessions in test/hosts/ will be skipped`);
