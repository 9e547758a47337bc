// Which filesystem a root is on: on FUSE (sshfs…), NFS and SMB, changes made by other machines raise
// no local events, so a watcher there must poll.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

const REMOTE = /^(fuse(\..*)?|fuseblk|nfs4?|cifs|smb3?|smbfs|9p|ceph|glusterfs|afs|davfs|sshfs)$/;

/** The filesystem type of the mount holding `p` (from /proc/mounts), or undefined where unknown. */
export async function filesystemOf(p: string): Promise<string | undefined> {
  let mounts: string;
  let real: string;
  try {
    [mounts, real] = await Promise.all([fs.readFile('/proc/mounts', 'utf8'), fs.realpath(p)]);
  } catch {
    return undefined;
  }
  let best: { at: string; type: string } | undefined;
  for (const line of mounts.split('\n')) {
    const [, at, type] = line.split(' ');
    if (!at || !type) continue;
    const mount = at.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    const inside = real === mount || real.startsWith(mount.endsWith(path.sep) ? mount : mount + path.sep);
    if (inside && (!best || mount.length >= best.at.length)) best = { at: mount, type };
  }
  return best?.type;
}

/** The filesystem type when it is one where events from other machines never arrive; else undefined. */
export async function remoteFilesystem(p: string): Promise<string | undefined> {
  const t = await filesystemOf(p);
  return t && REMOTE.test(t) ? t : undefined;
}
