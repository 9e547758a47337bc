// What the real-host sessions stand on: the provisioned hosts, our npm tarball installed into a prefix
// that is not on the PATH, and the one step of Codex only a person takes (trusting the project and its hooks).
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostName } from './drivers';

const REPO = path.resolve(__dirname, '..', '..');
const HOSTS_DIR = process.env.DISPATCH_HOSTS_DIR ? path.resolve(REPO, process.env.DISPATCH_HOSTS_DIR) : path.join(REPO, '.cache', 'agent-hosts');
const BINS: Record<HostName, string> = { claude: 'claude', codex: 'codex', gemini: 'gemini' };

export function hostBin(host: HostName): string {
  return path.join(HOSTS_DIR, host, 'node_modules', '.bin', BINS[host]);
}

/** One line saying why the suite cannot run here, or false. */
export function hostsMissing(): string | false {
  const absent = (Object.keys(BINS) as HostName[]).filter((h) => !fs.existsSync(hostBin(h)));
  if (absent.length) return `agent hosts not provisioned (${absent.join(', ')}): npm run provision installs them into ${path.relative(REPO, HOSTS_DIR)}/`;
  if (!fs.existsSync(path.join(REPO, 'dist', 'cli.js'))) return 'dist/ not built: npm run build';
  return false;
}

export interface Package {
  /** The installed package folder (also the plugin/extension root). */
  dir: string;
  cli: string;
}

/** `npm pack` of this checkout (dist/ as built), installed offline with `npm install -g --prefix`. */
export async function installPackage(prefix: string): Promise<Package> {
  const packDir = fs.mkdtempSync(path.join(prefix, 'pack-'));
  const name = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', packDir], { cwd: REPO, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  execFileSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', '--silent', path.join(packDir, name)], { stdio: 'pipe' });
  const dir = path.join(prefix, 'lib', 'node_modules', 'dispatch-inbox');
  return { dir, cli: path.join(dir, 'dist', 'cli.js') };
}

/**
 * What a person does in Codex before our hooks run: trust the project (`codex` asks on first start) and
 * review each hook in /hooks, which stores its hash. The hashes come from the app-server's hooks/list,
 * as the /hooks screen gets them; they are written where /hooks writes them.
 */
export async function codexTrust(bin: string, project: string, home: string): Promise<void> {
  const codexHome = path.join(home, '.codex');
  fs.mkdirSync(codexHome, { recursive: true });
  const config = path.join(codexHome, 'config.toml');
  const q = (s: string) => JSON.stringify(s);
  fs.appendFileSync(config, `\n[projects.${q(project)}]\ntrust_level = "trusted"\n`);
  const child = spawn(bin, ['app-server'], {
    cwd: project,
    env: { PATH: '/usr/bin:/bin', HOME: home, CODEX_HOME: codexHome },
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  let out = '';
  const listed = new Promise<string>((resolve) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('{"id":2,'));
      if (line) resolve(line);
    });
  });
  child.stdin.write(
    [
      { id: 1, method: 'initialize', params: { clientInfo: { name: 'dispatch-tests', version: '1' } } },
      { method: 'initialized' },
      { id: 2, method: 'hooks/list', params: { cwds: [project] } },
    ]
      .map((m) => JSON.stringify(m))
      .join('\n') + '\n',
  );
  const line = await Promise.race([
    listed,
    new Promise<string>((_, reject) => setTimeout(() => reject(new Error(`codex hooks/list: no answer\n${out}`)), 30_000)),
  ]);
  child.kill('SIGKILL');
  const data = (JSON.parse(line) as { result: { data: Array<{ hooks: Array<{ key: string; currentHash: string; command?: string }> }> } }).result.data;
  const ours = data.flatMap((d) => d.hooks).filter((h) => /dispatch|cli\.js|hook\.js/.test(h.command ?? ''));
  if (!ours.length) throw new Error(`codex lists none of our hooks:\n${line}`);
  // A plugin's hook has two hashes, `hook/plugin`: /hooks stores them as trusted_hash and trusted_content_hash.
  const entry = (h: { key: string; currentHash: string }) => {
    const [hash, content] = h.currentHash.split('/');
    return `\n[hooks.state.${q(h.key)}]\ntrusted_hash = ${q(hash)}\n${content ? `trusted_content_hash = ${q(content)}\n` : ''}`;
  };
  fs.appendFileSync(config, ours.map(entry).join(''));
}
