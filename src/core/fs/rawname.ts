// File names that are not valid UTF-8, kept exactly.
//
// Node decodes such names to U+FFFD when it reads a folder as strings, and the string no longer reaches
// the file. Instead every name is read as bytes (rawfs.ts) and each byte that is not part of valid UTF-8
// becomes a lone surrogate U+DC80–U+DCFF (Python's "surrogateescape"): valid UTF-8 never decodes to a lone
// surrogate, so the mapping is one-to-one and the bytes come back exactly when the path is used. Printed,
// such a byte is `\xNN`; `escapeName` / `unescapeName` are that printable form and its inverse.
// Paths are escaped name by name (`escapePath`): on Windows `\` separates names and is no name's byte.
import * as path from 'node:path';

/** A lone low surrogate that stands for one raw byte (the `u` flag leaves real surrogate pairs alone). */
const RAW_BYTE = /[\uDC80-\uDCFF]/u;

/** Whether a name (or path) holds bytes that are not valid UTF-8. */
export function hasRawBytes(s: string): boolean {
  return RAW_BYTE.test(s);
}

/**
 * For JSON, which has no string for raw bytes: the escaped form when the name has some, and when it has a
 * backslash (every command reads a name as that form first, so the literal `f\xff` must come back as
 * `f\\xff`, or it would pick the raw twin); else the name exact.
 */
export function printable(s: string): string {
  return hasRawBytes(s) || s.includes('\\') ? escapeName(s) : s;
}

/** For JSON, a path: `printable` applied to each name in it, the separators kept as they are. */
export function printablePath(p: string, sep: string = path.sep): string {
  return hasRawBytes(p) || (sep === '/' && p.includes('\\')) ? escapePath(p, sep) : p;
}

/** A path as one visible line: each name escaped (`escapeName`), its separators kept. */
export function escapePath(p: string, sep: string = path.sep): string {
  return p.replace(sep === '/' ? /[^/]+/g : /[^\\/]+/g, escapeName);
}

/**
 * What a ref printed by `escapeName`/`escapePath` stands for. On Windows a path's `\` is a separator
 * (`Z:\tmp\new` holds no tab or newline): there only the escapes a Windows name can need are read
 * (C1, bidi and DEL controls; names hold no C0 control, backslash or raw byte), and only in paths.
 */
export function unescapeRef(ref: string, sep: string = path.sep): string {
  if (sep === '/' || !/[\\/]/.test(ref)) return unescapeName(ref);
  return ref.replace(/\\(x7f|u[0-9a-fA-F]{4})/g, (m, e: string) => {
    const n = parseInt(e.slice(1), 16);
    const c = String.fromCharCode(n);
    return n >= 0x7f && c.replace(ESCAPED, '') === '' ? c : m;
  });
}

/** The name as the filesystem holds it: a Buffer when it has raw bytes, else the string itself. */
export function toFsPath(s: string): string | Buffer {
  if (!RAW_BYTE.test(s)) return s;
  const parts: Buffer[] = [];
  let run = '';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch.length === 1 && c >= 0xdc80 && c <= 0xdcff) {
      if (run) parts.push(Buffer.from(run, 'utf8'));
      run = '';
      parts.push(Buffer.of(c - 0xdc00));
    } else run += ch;
  }
  if (run) parts.push(Buffer.from(run, 'utf8'));
  return Buffer.concat(parts);
}

/** A name read as bytes, as a string that maps back to exactly those bytes. */
export function fromFsName(b: Buffer): string {
  const s = b.toString('utf8');
  // The common case: valid UTF-8 round-trips (U+FFFD written as its own three bytes does too).
  if (!s.includes('\uFFFD') || Buffer.from(s, 'utf8').equals(b)) return s;
  let out = '';
  let i = 0;
  while (i < b.length) {
    const n = sequenceLength(b, i);
    if (n) {
      out += b.toString('utf8', i, i + n);
      i += n;
    } else out += String.fromCharCode(0xdc00 + b[i++]);
  }
  return out;
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 (RFC 3629: no overlongs, no surrogates). */
function sequenceLength(b: Buffer, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

// C0 and DEL (`\xNN`), C1, the bidirectional controls and the line and paragraph separators (`\uNNNN`),
// raw bytes (`\xNN`, NN ≥ 80), and the backslash itself (`\\`), so that the printed form of two different
// names is never the same, and is one line for every reader.
const ESCAPED = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\\]|[\uDC80-\uDCFF]/gu;

/** A name as one visible, unambiguous line that `unescapeName` maps back to the name. */
export function escapeName(s: string): string {
  return s.replace(ESCAPED, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    const n = c.charCodeAt(0);
    if (n < 0x80) return `\\x${n.toString(16).padStart(2, '0')}`;
    if (n >= 0xdc80 && n <= 0xdcff) return `\\x${(n - 0xdc00).toString(16)}`;
    return `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/** The name an `escapeName` form stands for (what a person copies from `list` back into `ack`). */
export function unescapeName(s: string): string {
  return s.replace(/\\(\\|n|t|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})/g, (_m, e: string) => {
    if (e === '\\') return '\\';
    if (e === 'n') return '\n';
    if (e === 't') return '\t';
    const n = parseInt(e.slice(1), 16);
    // `\x80`–`\xff` are raw bytes; a character above U+007F is written `\uNNNN`.
    return String.fromCharCode(e[0] === 'x' && n >= 0x80 ? 0xdc00 + n : n);
  });
}
