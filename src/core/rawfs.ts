// The part of node:fs/promises the store uses, for names that are not valid UTF-8 (see rawname.ts):
// folders are read as bytes and each name comes back as a string that maps to exactly those bytes;
// any path given is turned back into those bytes. A drop-in: `import * as fs from './rawfs'`.
import * as fsp from 'node:fs/promises';
import { Dirent, PathLike } from 'node:fs';
import { fromFsName, toFsPath } from './rawname';

export type { FileHandle } from 'node:fs/promises';

const raw = (p: PathLike): PathLike => (typeof p === 'string' ? toFsPath(p) : p);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each wraps an overloaded function and keeps its type
type Any = any;

export const lstat = ((p: PathLike, o?: Any) => fsp.lstat(raw(p), o)) as typeof fsp.lstat;
export const stat = ((p: PathLike, o?: Any) => fsp.stat(raw(p), o)) as typeof fsp.stat;
export const open = ((p: PathLike, flags?: Any, mode?: Any) => fsp.open(raw(p), flags, mode)) as typeof fsp.open;
export const unlink = (p: PathLike) => fsp.unlink(raw(p));
export const rename = (a: PathLike, b: PathLike) => fsp.rename(raw(a), raw(b));
export const link = (a: PathLike, b: PathLike) => fsp.link(raw(a), raw(b));
export const readFile = ((p: PathLike | fsp.FileHandle, o?: Any) => fsp.readFile(typeof p === 'string' ? toFsPath(p) : p, o)) as typeof fsp.readFile;
export const writeFile = ((p: PathLike | fsp.FileHandle, data: Any, o?: Any) =>
  fsp.writeFile(typeof p === 'string' ? toFsPath(p) : p, data, o)) as typeof fsp.writeFile;

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
