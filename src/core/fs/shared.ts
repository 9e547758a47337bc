// Shared roots: one root used by several OS users of one machine, through a common group.
// Folders are group-owned, group-writable and setgid (so everything made inside keeps the group);
// dispatch files are made group-readable and -writable (which also lets protected_hardlinks allow
// members to link them). Files made before, or by a process with another umask, still move: where
// link(2) is refused the moves fall back to a placeholder + rename (fsmove.ts).
import * as fs from 'node:fs/promises';
import { chmod, chown } from './rawfs';
import * as path from 'node:path';

export const SHARED_DIR_MODE = 0o2775;
export const SHARED_FILE_MODE = 0o664;

/** The numeric id of a group given by name or number, from /etc/group. */
export async function groupId(group: string): Promise<number | undefined> {
  if (/^\d+$/.test(group)) return Number(group);
  const text = await fs.readFile('/etc/group', 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':');
    if (name === group && /^\d+$/.test(gid ?? '')) return Number(gid);
  }
  return undefined;
}

/** Gives `dir` to the group, group-writable and setgid. */
export async function shareFolder(dir: string, gid: number): Promise<void> {
  await chown(dir, -1, gid);
  await chmod(dir, SHARED_DIR_MODE);
}

/** Whether `dir` is a shared folder (setgid): things made in it must be group-writable too. */
export async function isShared(dir: string): Promise<boolean> {
  const st = await fs.stat(dir).catch(() => undefined);
  return !!st && (st.mode & 0o2000) !== 0;
}

/** After a mkdir in a shared folder: the umask must not take the group's write bit away. */
export async function keepShared(parent: string, made: string): Promise<void> {
  if (await isShared(parent)) await chmod(made, SHARED_DIR_MODE).catch(() => undefined);
}

export const sharedPaths = (root: string, team: string) => [root, path.join(root, team), ...['tmp', 'new', 'cur'].map((b) => path.join(root, team, b))];
