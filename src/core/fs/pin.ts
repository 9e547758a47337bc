// Folders opened once and acted on relative to what was checked: no check-then-act window.
//
// Whoever can write the root could swap `qa/cur` for a symlink between a check and a link. A folder
// opened with O_NOFOLLOW|O_DIRECTORY is the folder that was checked for as long as the descriptor lives,
// and on Linux `/proc/self/fd/<fd>/<name>` resolves through exactly that folder, whatever the path
// points at meanwhile. Elsewhere the path is used, checked again after the work (`verify`).
import { constants, existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { keepShared } from './shared';
import { mkdir } from './rawfs';

const DIR_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);
// DISPATCH_NO_PROC_FD=1: the path macOS, Windows and the BSDs take, on Linux (npm run test:no-proc).
const PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd') && process.env.DISPATCH_NO_PROC_FD !== '1';

export class NotAFolder extends Error {
  constructor(
    readonly where: string,
    readonly symlink: boolean,
  ) {
    super(`${where} is ${symlink ? 'a symbolic link' : 'not a folder'}`);
  }
}

/** A folder held open: `path` reaches it (and only it) while it is open. */
export class PinnedDir {
  constructor(
    readonly path: string,
    /** The path it was opened by (for messages and records). */
    readonly logical: string,
    private readonly fh: fs.FileHandle,
    private readonly ino: number,
  ) {}

  /** Where the proc path is not available: is the logical path still this folder? */
  async verify(): Promise<boolean> {
    if (this.path !== this.logical) return true;
    const st = await fs.lstat(this.logical).catch(() => undefined);
    return !!st && st.isDirectory() && st.ino === this.ino;
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

/** Opens `parent/name` as a real folder (never through a symlink), making it first with `create`. */
export async function pinDir(parent: string, name: string, logicalParent = parent, create = false): Promise<PinnedDir> {
  const p = path.join(parent, name);
  const logical = path.join(logicalParent, name);
  if (create) {
    const made = await mkdir(p).then(
      () => true,
      (e) => {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        return false;
      },
    );
    if (made) await keepShared(parent, p);
  }
  let fh: fs.FileHandle;
  try {
    fh = await fs.open(p, DIR_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') {
      const st = await fs.lstat(p).catch(() => undefined);
      throw new NotAFolder(logical, !!st?.isSymbolicLink());
    }
    throw e;
  }
  const st = await fh.stat();
  if (!st.isDirectory()) {
    await fh.close();
    throw new NotAFolder(logical, false);
  }
  return new PinnedDir(PROC_FD ? `/proc/self/fd/${fh.fd}` : p, logical, fh, st.ino);
}

/** `<root>/<a>/<b>` (a box, or the trash of a team), each step opened without following links. */
export async function pinBox(root: string, a: string, b: string, create = false): Promise<PinnedDir> {
  try {
    return await openBox(root, a, b, false);
  } catch (e) {
    // Made only when missing: the common case (folders exist) costs two opens, no mkdir.
    if (!create || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    await mkdir(root, { recursive: true });
    return openBox(root, a, b, true);
  }
}

async function openBox(root: string, a: string, b: string, create: boolean): Promise<PinnedDir> {
  const team = await pinDir(root, a, root, create);
  try {
    return await pinDir(team.path, b, team.logical, create);
  } finally {
    await team.close();
  }
}

/** Runs `f` on a pinned box and closes it, whatever happens. */
export async function withBox<T>(root: string, a: string, b: string, create: boolean, f: (dir: PinnedDir) => Promise<T>): Promise<T> {
  const dir = await pinBox(root, a, b, create);
  try {
    return await f(dir);
  } finally {
    await dir.close();
  }
}
