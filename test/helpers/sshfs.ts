// Two "machines" over one folder: sshd on 127.0.0.1 (a free port, a throwaway key) and the folder
// mounted twice with sshfs. Needs root, /dev/fuse, Debian's sshfs and openssh-server.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface Sshfs {
  /** The real folder, as the server sees it. */
  shared: string;
  mount(options?: string[]): string;
  close(): void;
}

/** Why sshfs tests cannot run here, or undefined when they can. */
export function sshfsMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync('/dev/fuse')) return 'no /dev/fuse';
  for (const bin of ['/usr/bin/sshfs', '/usr/sbin/sshd', '/usr/bin/ssh-keygen'])
    if (!existsSync(bin)) return `${bin} missing (apt-get install sshfs openssh-server)`;
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitForPort(port: number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const c = net.connect(port, '127.0.0.1', () => (c.end(), r(true)));
      c.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`sshd did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startSshfs(): Promise<Sshfs> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dispatch-sshfs-'));
  const shared = path.join(dir, 'shared');
  mkdirSync(shared);
  const key = path.join(dir, 'key');
  const hostKey = path.join(dir, 'host_key');
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${key}.pub`));
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'StrictModes no',
      'UsePAM no',
      'Subsystem sftp /usr/lib/openssh/sftp-server',
      '',
    ].join('\n'),
  );
  mkdirSync('/run/sshd', { recursive: true });
  const sshd: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: 'ignore' });
  await waitForPort(port, 10_000);
  const mounts: string[] = [];
  return {
    shared,
    mount(options = []) {
      const at = path.join(dir, `m${mounts.length}`);
      mkdirSync(at);
      const o = [`IdentityFile=${key}`, 'StrictHostKeyChecking=no', 'UserKnownHostsFile=/dev/null', `port=${port}`, 'dir_cache=no', ...options];
      const r = spawnSync('sshfs', ['-o', o.join(','), `root@127.0.0.1:${shared}`, at], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`sshfs failed: ${r.stderr}`);
      mounts.push(at);
      return at;
    },
    close() {
      for (const m of mounts) if (spawnSync('fusermount3', ['-u', '-z', m]).status !== 0) spawnSync('umount', ['-l', m]);
      sshd.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
