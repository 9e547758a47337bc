// The root and its boxes, and the errors every store operation speaks in.
import * as fs from '../fs/rawfs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Box, isTeamName } from '../format/format';
import { errnoOf } from '../move';
import { NotAFolder, pinBox, PinnedDir } from '../fs/pin';

export type DispatchErrorCode = 'invalid' | 'not-found' | 'ambiguous' | 'io';

/** A refused or failed operation, with a message fit for a person. */
export class DispatchError extends Error {
  constructor(
    readonly code: DispatchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DispatchError';
  }
}

/** Not a valid team name, so neither the store nor the index ever lists it as an inbox. */
export const TRASH = '.trash';
/** Verified dispatches, `<root>/.archive/<team>/<YYYY-MM>/`: never deleted, never listed as an inbox. */
export const ARCHIVE = '.archive';

export function defaultRoot(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.DISPATCH_ROOT?.trim();
  if (fromEnv) return path.resolve(expandHome(fromEnv));
  return path.join(os.homedir(), '.team', 'dispatch');
}

export function expandHome(p: string): string {
  // `~\x` too where `\` separates names (Windows).
  return p === '~' || p.startsWith('~/') || (path.sep === '\\' && p.startsWith('~\\')) ? path.join(os.homedir(), p.slice(1)) : p;
}

export function checkTeam(team: string): string {
  if (typeof team !== 'string' || !isTeamName(team)) {
    throw new DispatchError('invalid', `invalid team name ${JSON.stringify(String(team).slice(0, 80))}: use lowercase letters, digits, "_" and "-"`);
  }
  return team;
}

/** `<root>/<team>/<box>/<file>` of this root, as its parts; undefined for any other path. */
export function boxPathParts(root: string, p: string): { team: string; box: Box; file: string } | undefined {
  const rel = path.relative(root, path.resolve(expandHome(p)));
  const parts = rel.split(path.sep);
  if (rel.startsWith('..') || path.isAbsolute(rel) || parts.length !== 3 || !isTeamName(parts[0]) || (parts[1] !== 'new' && parts[1] !== 'cur'))
    return undefined;
  return { team: parts[0], box: parts[1], file: parts[2] };
}

/** A root: where its boxes are, and each box opened as the real folder it must be (see pin.ts). */
export class Root {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(expandHome(root));
  }

  boxDir(team: string, box: Box | 'tmp'): string {
    return path.join(this.root, checkTeam(team), box);
  }

  /**
   * `<root>/<team>/<box>`, made when missing, held open. A team or box folder that is a symbolic link is
   * refused: whoever can write the root must not be able to make a move write outside it.
   */
  async openBox(team: string, box: string, create: boolean): Promise<PinnedDir> {
    try {
      if (create) await this.checkRoot();
      return await pinBox(this.root, team, box, create);
    } catch (e) {
      throw refusal(e, `${team}/${box}`);
    }
  }

  /** A root that exists but is not a folder is said so, not as mkdir's EEXIST. */
  async checkRoot(): Promise<void> {
    const st = await fs.stat(this.root).catch(() => undefined);
    if (st && !st.isDirectory()) throw new DispatchError('invalid', `the dispatch root ${this.root} is not a folder`);
  }
}

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the filesystem (blocks or inodes)',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the filesystem is read-only',
  EXDEV: 'the folders are on different filesystems (tmp/, new/ and cur/ must share one)',
  EIO: 'input/output error',
  ENAMETOOLONG: 'name too long for the filesystem',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many levels of symbolic links',
};

/** One line naming the dispatch and the cause, never an internal (claim) path. */
export function ioError(e: unknown, what: string): unknown {
  const code = errnoOf(e);
  if (!code) return e;
  return new DispatchError('io', `${what}: ${CAUSES[code] ?? 'failed'} (${code})`);
}

/** A folder refused for being a symlink or not a folder, in a person's words; other errors as they are. */
export function refusal(e: unknown, where: string): unknown {
  if (!(e instanceof NotAFolder)) return e;
  return new DispatchError(
    'invalid',
    `${where} is ${e.symlink ? 'a symbolic link' : 'not a folder'}; refused: dispatches live only in real folders under the root`,
  );
}
