// Small files written beside others' (a cadence's marker, TEAM.md and its lock): whole or not at all.
// The bytes go to a temporary name in the same folder, fsynced, and only then take the real name: by
// link(2) when the name must be new (it fails if taken, so it is an exclusive create that never shows
// an empty file), by rename(2) to replace. A kill at any instant leaves the old file or the new one, and
// at most a temporary named by its writer's pid (`sweepTemps` removes it once that pid is gone from this
// host, or after 10 minutes); a failure (a full disk) removes what it made and says why in one line.
import { randomBytes } from 'node:crypto';
import * as fs from '../fs/rawfs';
import * as path from 'node:path';
import { DispatchError, ioError } from '../store';

const TEMP = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;
const TEMP_STALE_MS = 10 * 60_000;
/** link(2) refused by the filesystem (FUSE, SMB, protected_hardlinks): an exclusive create instead. */
const NO_LINK = new Set(['EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

export interface WholeOptions {
  /** The name must be new: false is returned when it is taken. Else an existing file is replaced. */
  exclusive?: boolean;
  /** Mode bits of the file (the umask does not apply); default 0644 less the umask. */
  mode?: number;
  /** Owner and group to keep (a rewrite): the group must be kept, the owner where we may. */
  uid?: number;
  gid?: number;
  /** Asked once the new bytes are on disk, just before they take the name: false gives up (returns false). */
  ready?: () => Promise<boolean>;
  /** For messages: what is written (default: its path). */
  what?: string;
}

/** Writes `data` as `dir/name`, whole; false when `exclusive` and the name is taken, or `ready` said no. */
export async function writeWhole(dir: string, name: string, data: string | Buffer, o: WholeOptions = {}): Promise<boolean> {
  const what = o.what ?? path.join(dir, name);
  const tmp = tempName(dir, name);
  try {
    const fh = await fs.open(tmp, 'wx', o.mode ?? 0o644);
    try {
      await fs.write(fh, data);
      if (o.mode !== undefined) await fs.fchmod(fh, o.mode);
      await keepOwner(fh, o, what);
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (o.ready && !(await o.ready())) return false;
    if (!o.exclusive) {
      await fs.rename(tmp, path.join(dir, name)).catch(async (e) => {
        // A network filesystem's lost reply: the rename happened when the temporary is gone.
        if (
          await fs.lstat(tmp).then(
            () => true,
            () => false,
          )
        )
          throw e;
      });
      return true;
    }
    try {
      await fs.link(tmp, path.join(dir, name));
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // EEXIST is ours when the name is our temporary's inode (a lost reply of a link that happened).
      if (code === 'EEXIST') return sameInode(tmp, path.join(dir, name));
      if (!code || !NO_LINK.has(code)) throw e;
      return await createExclusive(path.join(dir, name), data, o.mode);
    }
  } catch (e) {
    throw e instanceof DispatchError ? e : ioError(e, `cannot write ${what}`);
  } finally {
    await fs.unlink(tmp).catch(() => undefined);
  }
}

/** Where links are refused: O_EXCL, then the bytes (a kill in between leaves an empty file, which readers treat as unknown). */
async function createExclusive(file: string, data: string | Buffer, mode = 0o644): Promise<boolean> {
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(file, 'wx', mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fs.write(fh, data);
    await fh.sync();
    await fh.close();
    return true;
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.unlink(file).catch(() => undefined); // ours, half-written: gone, never left empty
    throw e;
  }
}

/** A rewrite keeps the file's group (and owner where allowed): a shared file stays shared. */
async function keepOwner(fh: fs.FileHandle, o: WholeOptions, what: string): Promise<void> {
  if (o.uid === undefined && o.gid === undefined) return;
  const st = await fh.stat();
  const uid = o.uid ?? st.uid;
  const gid = o.gid ?? st.gid;
  if (st.uid === uid && st.gid === gid) return;
  const ok = await fs.fchown(fh, uid, gid).then(
    () => true,
    () => false,
  );
  if (ok || st.gid === gid) return; // another user's file: it becomes ours, in its group
  if (
    await fs.fchown(fh, st.uid, gid).then(
      () => true,
      () => false,
    )
  )
    return;
  throw new DispatchError('io', `cannot write ${what}: its group (gid ${gid}) cannot be kept; not written`);
}

async function sameInode(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([fs.lstat(a).catch(() => undefined), fs.lstat(b).catch(() => undefined)]);
  return !!x && !!y && x.ino === y.ino && x.dev === y.dev;
}

/** A name beside `name` for this process alone (a temporary, or where a stale file is moved to be removed). */
export function tempName(dir: string, name: string): string {
  return path.join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/**
 * Temporaries of writers killed before they finished: removed once their pid no longer runs here (a
 * writer on another machine sharing the folder loses at most one attempt), or after 10 minutes.
 */
export async function sweepTemps(dir: string, now = Date.now()): Promise<void> {
  for (const n of await fs.readdir(dir).catch(() => [] as string[])) {
    const pid = TEMP.exec(n)?.[1];
    if (!pid || Number(pid) === process.pid) continue;
    const st = await fs.lstat(path.join(dir, n)).catch(() => undefined);
    if (st?.isFile() && (now - st.mtimeMs > TEMP_STALE_MS || !alive(Number(pid)))) await fs.unlink(path.join(dir, n)).catch(() => undefined);
  }
}

/** A process of this host still runs (EPERM: it does, as another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
