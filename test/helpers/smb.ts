// A real SMB root: Samba's smbd in a network namespace of its own (only loopback), and the share mounted
// twice with smbnetfs (FUSE over libsmbclient), as two machines would. Needs root, /dev/fuse, unshare and
// Debian's samba and smbnetfs. Facts measured here (../shared/notes/network-roots.md): link(2) is refused,
// O_EXCL is honoured, rename replaces, every file reads as mode 0744, and each mount caches for seconds.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Smb {
  /** The share's folder as the server holds it (no client cache in between). */
  shared: string;
  /** A new client mount of the share (a machine of its own); the share's root inside it. */
  mount(): Promise<string>;
  close(): void;
}

/** Why the SMB tests cannot run here, or undefined when they can. */
export function smbMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse';
  for (const bin of ['/usr/sbin/smbd', '/usr/bin/smbnetfs', '/usr/bin/unshare', '/usr/bin/nsenter', '/usr/bin/fusermount'])
    if (!existsSync(bin)) return `${bin} missing (apt-get install samba smbnetfs)`;
  if (spawnSync('unshare', ['-n', 'true']).status !== 0) return 'cannot make a network namespace (unshare -n)';
  return undefined;
}

async function until(pred: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startSmb(): Promise<Smb> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dispatch-smb-'));
  const shared = path.join(dir, 'share');
  for (const d of ['share', 'run', 'lock', 'cache', 'private']) mkdirSync(path.join(dir, d));
  chmodSync(shared, 0o777);
  const conf = path.join(dir, 'smb.conf');
  writeFileSync(
    conf,
    [
      '[global]',
      'interfaces = lo',
      'bind interfaces only = yes',
      'smb ports = 445',
      `pid directory = ${dir}/run`,
      `lock directory = ${dir}/lock`,
      `state directory = ${dir}/lock`,
      `cache directory = ${dir}/cache`,
      `private dir = ${dir}/private`,
      `ncalrpc dir = ${dir}/run/ncalrpc`,
      `log file = ${dir}/log.%m`,
      'map to guest = Bad User',
      'guest account = root',
      'disable netbios = yes',
      'server role = standalone server',
      'load printers = no',
      'printing = bsd',
      'printcap name = /dev/null',
      'disable spoolss = yes',
      '[share]',
      `path = ${shared}`,
      'guest ok = yes',
      'guest only = yes',
      'read only = no',
      'force user = root',
      '',
    ].join('\n'),
  );
  // The server's own network: loopback only, nothing reaches it from outside this test.
  const smbd: ChildProcess = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec smbd --foreground --no-process-group --configfile=${conf}`], {
    stdio: 'ignore',
    detached: true,
  });
  const ns = () => `/proc/${smbd.pid}/ns/net`;
  const listening = () =>
    spawnSync('nsenter', [`--net=${ns()}`, 'sh', '-c', 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null'], { encoding: 'utf8' }).stdout.includes(':01BD ');
  await until(listening, 20_000, 'smbd listening on port 445');
  const mounts: { at: string; p: ChildProcess }[] = [];
  return {
    shared,
    async mount() {
      const n = mounts.length;
      const home = path.join(dir, `client${n}`);
      const at = path.join(dir, `m${n}`);
      mkdirSync(home);
      mkdirSync(at);
      const cfg = path.join(home, 'smbnetfs.conf');
      writeFileSync(cfg, 'auth "guest" ""\n', { mode: 0o600 });
      const p = spawn('nsenter', [`--net=${ns()}`, 'smbnetfs', at, '-f', '-o', `config=${cfg}`], {
        env: { ...process.env, HOME: home },
        stdio: 'ignore',
        detached: true,
      });
      mounts.push({ at, p });
      const root = path.join(at, '127.0.0.1', 'share');
      await until(() => existsSync(root) && readdirSync(root) !== undefined, 20_000, `smbnetfs mount ${n}`);
      return root;
    },
    close() {
      for (const m of mounts) {
        spawnSync('fusermount', ['-u', '-z', m.at]);
        try {
          process.kill(-m.p.pid!, 'SIGKILL');
        } catch {
          // Gone already.
        }
      }
      try {
        process.kill(-smbd.pid!, 'SIGKILL');
      } catch {
        // Gone already.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
