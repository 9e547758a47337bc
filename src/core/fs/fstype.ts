// Which filesystem a root is on, and whether a watcher there must poll. On network filesystems (NFS,
// SMB/CIFS, sshfs and other FUSE mounts) changes made by other machines raise no local events, and on
// WSL's Windows drives (drvfs, 9p) neither do writes made from the Windows side: there the index and
// `dispatch watch` poll by themselves, and say once why and how late an arrival can be.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

/** A filesystem where changes made elsewhere raise no events here. */
export interface Eventless {
  /** The mount's type as the system names it (`fuse.sshfs`, `nfs4`, `cifs`, `9p`, `smbfs`…). */
  type: string;
  /** Why events do not come, for the one notice. */
  why: string;
  /** How much later than the polling interval an arrival can show, because of a client cache (ms). */
  cacheMs: number;
  /** What that cache is and how to turn it down, when there is one. */
  cache?: string;
}

const OTHER_MACHINES = 'changes made on other machines raise no events here';

/** What a mount type means for watching; undefined for filesystems whose events can be trusted. */
export function eventlessType(type: string): Eventless | undefined {
  const t = type.toLowerCase();
  if (t === 'fuse.sshfs' || t === 'sshfs')
    return {
      type,
      why: `it is on sshfs: ${OTHER_MACHINES}`,
      cacheMs: 20_000,
      cache: 'sshfs caches folder listings for 20 s (dir_cache): mount with -o dir_cache=no to see arrivals within the interval',
    };
  if (/^nfs4?$/.test(t))
    return {
      type,
      why: `it is on NFS: ${OTHER_MACHINES}`,
      cacheMs: 60_000,
      cache: 'the NFS client caches folder attributes for 30–60 s (acdirmin, acdirmax): mount with -o acdirmax=2 (or actimeo=2) to see arrivals sooner',
    };
  if (/^(cifs|smb3?|smbfs)$/.test(t) || t === 'fuse.smbnetfs')
    return { type, why: `it is on SMB: ${OTHER_MACHINES}`, cacheMs: 1000, cache: 'the SMB client caches attributes for about a second (actimeo)' };
  if (t === 'drvfs' || t === '9p' || t === 'virtiofs' || t === 'v9fs')
    return { type, why: `it is a Windows drive in WSL (${type}): writes made from Windows raise no events in Linux`, cacheMs: 0 };
  if (/^(ceph|glusterfs|afs|davfs|webdav|afpfs|lustre|gpfs)$/.test(t) || t === 'fuse' || (t.startsWith('fuse.') && !LOCAL_FUSE.has(t)))
    return { type, why: `it is on ${type}: ${OTHER_MACHINES}`, cacheMs: 0 };
  return undefined;
}

/** FUSE filesystems on a local disk (their changes go through this kernel, which raises the events). */
const LOCAL_FUSE = new Set(['fuse.fuse-overlayfs', 'fuse.lxcfs', 'fuse.portal', 'fuse.gvfsd-fuse', 'fuse.ntfs-3g', 'fuse.exfat']);

/** The mount holding `real` (an absolute path without links) in /proc/mounts' text: its type. */
export function mountTypeIn(mounts: string, real: string): string | undefined {
  let best: { at: string; type: string } | undefined;
  for (const line of mounts.split('\n')) {
    const [, at, type] = line.split(' ');
    if (!at || !type) continue;
    const mount = at.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    const inside = real === mount || real.startsWith(mount.endsWith('/') ? mount : mount + '/');
    if (inside && (!best || mount.length >= best.at.length)) best = { at: mount, type };
  }
  return best?.type;
}

/** macOS `mount` output (`//u@srv/share on /Volumes/share (smbfs, nodev, …)`): the type of the mount holding `real`. */
export function macMountTypeIn(text: string, real: string): string | undefined {
  let best: { at: string; type: string } | undefined;
  for (const line of text.split('\n')) {
    const m = / on (.+) \(([^,)]+)/.exec(line);
    if (!m) continue;
    const [, at, type] = m;
    const inside = real === at || real.startsWith(at.endsWith('/') ? at : at + '/');
    if (inside && (!best || at.length >= best.at.length)) best = { at, type };
  }
  return best?.type;
}

/** The filesystem type of the mount holding `p`, or undefined where unknown. */
export async function filesystemOf(p: string, platform: NodeJS.Platform = process.platform): Promise<string | undefined> {
  // A share named by its UNC path (`\\server\share\…`) is SMB whatever else is known.
  if (platform === 'win32') return /^\\\\[^\\?.]/.test(path.win32.resolve(p)) ? 'smb' : undefined;
  const real = await fs.realpath(p).catch(() => undefined);
  if (!real) return undefined;
  if (platform === 'darwin') return macMountTypeIn(await macMounts(), real);
  const mounts = await fs.readFile('/proc/mounts', 'utf8').catch(() => undefined);
  return mounts === undefined ? undefined : mountTypeIn(mounts, real);
}

function macMounts(): Promise<string> {
  return new Promise((resolve) => execFile('/sbin/mount', { timeout: 2000 }, (e, out) => resolve(e ? '' : out)));
}

/** The filesystem when it is one where changes made elsewhere raise no events here; else undefined. */
export async function eventlessFilesystem(p: string): Promise<Eventless | undefined> {
  const t = await filesystemOf(p);
  return t === undefined ? undefined : eventlessType(t);
}

/** How the index watches a root: `poll` as the setting says, or (`auto`) as its filesystem needs. */
export interface WatchMode {
  poll: boolean;
  /** Set when the filesystem raises no events for changes made elsewhere (whatever was chosen). */
  eventless?: Eventless;
}

export async function watchMode(root: string, setting: boolean | 'auto'): Promise<WatchMode> {
  const eventless = await eventlessFilesystem(root);
  return { poll: setting === 'auto' ? !!eventless : setting, eventless };
}

/**
 * The one line said when a root is polled for its filesystem (or should be and is not): why, and how
 * late an arrival can show.
 */
export function pollingNotice(root: string, mode: WatchMode, intervalMs: number): string | undefined {
  const e = mode.eventless;
  if (!e) return undefined;
  if (!mode.poll) return `${root}: ${e.why}, and polling is turned off: arrivals from elsewhere show only on a refresh`;
  const late = `arrivals show within ${seconds(intervalMs + e.cacheMs)}`;
  return `polling ${root} every ${seconds(intervalMs)}: ${e.why}; ${late}${e.cache ? ` (${e.cache})` : ''}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${+(ms / 1000).toFixed(1)} s`;
}
