// The part of node:fs/promises the store uses, for names that are not valid UTF-8 (see rawname.ts):
// folders are read as bytes and each name comes back as a string that maps to exactly those bytes;
// any path given is turned back into those bytes. A drop-in: `import * as fs from './rawfs'`.
// Every call that changes the filesystem goes through faults.ts `mutating()`, so tests can stop a verb
// after each one: code that changes a dispatch root uses these, never node:fs directly.
import * as fsp from 'node:fs/promises';
import { constants, Dirent, Mode, PathLike } from 'node:fs';
import { fromFsName, toFsPath } from './rawname';
import { mutating } from './faults';

export type { FileHandle } from 'node:fs/promises';

const raw = (p: PathLike): PathLike => (typeof p === 'string' ? toFsPath(p) : p);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each wraps an overloaded function and keeps its type
type Any = any;

const WRITES = constants.O_WRONLY | constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND;

/** Whether open flags can create or change a file (then the open is a point a test can stop at). */
function changes(flags: Any): boolean {
  if (flags === undefined) return false;
  if (typeof flags === 'number') return (flags & WRITES) !== 0;
  return /[wa+]/.test(String(flags));
}

export const lstat = ((p: PathLike, o?: Any) => fsp.lstat(raw(p), o)) as typeof fsp.lstat;
export const stat = ((p: PathLike, o?: Any) => fsp.stat(raw(p), o)) as typeof fsp.stat;
export const open = ((p: PathLike, flags?: Any, mode?: Any) =>
  changes(flags) ? mutating('create', p, () => fsp.open(raw(p), flags, mode)) : fsp.open(raw(p), flags, mode)) as typeof fsp.open;
export const unlink = (p: PathLike) => mutating('unlink', p, () => fsp.unlink(raw(p)));
export const rename = (a: PathLike, b: PathLike) => mutating('rename', `${String(a)} -> ${String(b)}`, () => fsp.rename(raw(a), raw(b)));
export const link = (a: PathLike, b: PathLike) => mutating('link', `${String(a)} -> ${String(b)}`, () => fsp.link(raw(a), raw(b)));
export const rmdir = (p: PathLike) => mutating('rmdir', p, () => fsp.rmdir(raw(p)));
export const mkdir = ((p: PathLike, o?: Any) => mutating('mkdir', p, () => fsp.mkdir(raw(p), o))) as typeof fsp.mkdir;
export const chmod = (p: PathLike, mode: Mode) => mutating('chmod', p, () => fsp.chmod(raw(p), mode));
export const chown = (p: PathLike, uid: number, gid: number) => mutating('chown', p, () => fsp.chown(raw(p), uid, gid));

/** Writes all of `data` through an open handle (one point a test can stop at). */
export const write = (fh: fsp.FileHandle, data: Buffer | string) => mutating('write', fh.fd, () => fh.writeFile(data));
export const fchmod = (fh: fsp.FileHandle, mode: Mode) => mutating('chmod', fh.fd, () => fh.chmod(mode));
export const fchown = (fh: fsp.FileHandle, uid: number, gid: number) => mutating('chown', fh.fd, () => fh.chown(uid, gid));
export const readFile = ((p: PathLike | fsp.FileHandle, o?: Any) => fsp.readFile(typeof p === 'string' ? toFsPath(p) : p, o)) as typeof fsp.readFile;
export const realpath = ((p: PathLike, o?: Any) => fsp.realpath(raw(p), o)) as typeof fsp.realpath;

/**
 * readdir whose names keep their bytes (strings, or Dirents with a string name). Read as strings first
 * (Node's own decoding is twice as fast over 100k names); only a folder where some name came back with
 * U+FFFD is read again as bytes, and that second listing is the answer.
 */
export const readdir = (async (p: PathLike, o?: Any) => {
  if (typeof o === 'object' && o?.encoding === 'buffer') return fsp.readdir(raw(p), o);
  const types = typeof o === 'object' && o?.withFileTypes === true;
  const first: (string | Dirent)[] = types ? await fsp.readdir(raw(p), { withFileTypes: true }) : await fsp.readdir(raw(p));
  if (!first.some((e) => (typeof e === 'string' ? e : e.name).includes('\uFFFD'))) return first;
  if (!types) return (await fsp.readdir(raw(p), { encoding: 'buffer' })).map(fromFsName);
  const entries = (await fsp.readdir(raw(p), { encoding: 'buffer', withFileTypes: true })) as unknown as Dirent[];
  for (const e of entries) (e as { name: unknown }).name = fromFsName(e.name as unknown as Buffer);
  return entries;
}) as typeof fsp.readdir;
