// Writing someone else's settings file (or the skill) so that no instant of a crash leaves half a file:
// the whole text goes into a private temporary name beside the target, is flushed, and renamed over it.
// The mode (and, as root, the owner) of what was there is kept. A symbolic link (dotfiles) is written
// where it points, even when that file does not exist yet, and stays a link. Setups of the same file
// take turns through a lock folder, so two teams' setups cannot each write over the other's hooks.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mutatingSync as m } from '../fs/faults';

export class WriteRefused extends Error {}

/** The file a path finally names: links followed one by one, so a dangling link still gives its target. */
export function linkTarget(file: string): string {
  let p = path.resolve(file);
  for (let hops = 0; hops < 40; hops++) {
    let st: fs.Stats;
    try {
      st = fs.lstatSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return p;
      throw e;
    }
    if (!st.isSymbolicLink()) return p;
    p = path.resolve(path.dirname(p), fs.readlinkSync(p));
  }
  throw new WriteRefused(`${file}: too many levels of symbolic links`);
}

/** The text of a regular file, or undefined when there is none; anything else is refused, never opened. */
export function readRegular(file: string, limit = 16 * 1024 * 1024): string | undefined {
  const target = linkTarget(file);
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  if (!st.isFile()) throw new WriteRefused(`${file} is not a regular file; left untouched`);
  if (st.size > limit) throw new WriteRefused(`${file} is larger than ${limit >> 20} MiB; left untouched`);
  return fs.readFileSync(target, 'utf8');
}

/**
 * Replaces `file` with `text` when it still holds `expected` (undefined: when it still does not exist);
 * otherwise refuses, leaving it as it is. Call inside withFileLock for a read-modify-write.
 */
export function writeWhole(file: string, text: string, expected: string | undefined): void {
  const target = linkTarget(file);
  if (readRegular(target) !== expected) throw new WriteRefused(`${file} changed while setup ran; left as it is now: run setup again`);
  m('mkdir', path.dirname(target), () => fs.mkdirSync(path.dirname(target), { recursive: true }));
  removeLeftTemps(target);
  const old = expected === undefined ? undefined : fs.statSync(target);
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = m('create', tmp, () => fs.openSync(tmp, 'wx', old ? old.mode & 0o7777 : 0o666));
    const out = fd;
    m('write', tmp, () => fs.writeFileSync(out, text));
    if (old) {
      m('chmod', tmp, () => fs.fchmodSync(out, old.mode & 0o7777)); // the umask does not get a say over the mode the file had
      if (process.getuid?.() === 0) m('chown', tmp, () => fs.fchownSync(out, old.uid, old.gid));
    }
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    try {
      m('rename', `${tmp} -> ${target}`, () => fs.renameSync(tmp, target));
    } catch (e) {
      if (fs.existsSync(tmp)) throw e; // else a lost reply: the rename happened
    }
  } catch (e) {
    if (fd !== undefined) fs.closeSync(fd);
    m('unlink', tmp, () => fs.rmSync(tmp, { force: true }));
    throw e;
  }
  syncDir(path.dirname(target));
}

/** Temporary files of an earlier setup that was killed before its rename (their process is gone). */
function removeLeftTemps(target: string): void {
  const prefix = `.${path.basename(target)}.`;
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(target));
  } catch {
    return;
  }
  for (const n of names) {
    const t = n.startsWith(prefix) ? /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(n.slice(prefix.length)) : null;
    const left = path.join(path.dirname(target), n);
    if (t && !pidAlive(Number(t[1]))) m('unlink', left, () => fs.rmSync(left, { force: true }));
  }
}

function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // not every filesystem lets a folder be flushed; the rename itself is already atomic
  }
}

const LOCK_STALE_MS = 10_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock folder that a killed holder left behind: its process is gone, or it never wrote its pid. */
function stale(lock: string): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
    if (pid > 0) return !pidAlive(pid);
  } catch {
    // no pid yet: judged by age below
  }
  try {
    return Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS;
  } catch {
    return false;
  }
}

/** Runs `fn` while holding `<dir>/.<name>.dispatch-lock` of the file's real location. */
export async function withFileLock<T>(file: string, fn: () => T | Promise<T>, waitMs = 30_000): Promise<T> {
  const target = linkTarget(file);
  m('mkdir', path.dirname(target), () => fs.mkdirSync(path.dirname(target), { recursive: true }));
  const lock = path.join(path.dirname(target), `.${path.basename(target)}.dispatch-lock`);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      m('mkdir', lock, () => fs.mkdirSync(lock));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (stale(lock)) {
        m('rmdir', lock, () => fs.rmSync(lock, { recursive: true, force: true }));
        continue;
      }
      if (Date.now() > deadline) throw new WriteRefused(`${file} is being changed by another setup (${lock}); try again`);
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 30));
    }
  }
  try {
    m('write', path.join(lock, 'pid'), () => fs.writeFileSync(path.join(lock, 'pid'), String(process.pid)));
    return await fn();
  } finally {
    m('rmdir', lock, () => fs.rmSync(lock, { recursive: true, force: true }));
  }
}
