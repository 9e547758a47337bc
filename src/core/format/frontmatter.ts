// Front matter of untrusted files. gray-matter does the splitting; we choose the engines:
// YAML with the core schema (no JS types, no timestamps: `created: 2026-01-31` stays that string),
// JSON for AMQ's `---json`, and every other language (gray-matter ships an `eval` one) refused.
import matter from 'gray-matter';
import * as yaml from 'js-yaml';
import { constants } from 'node:fs';
import { open } from '../fs/rawfs';

/** Metadata is read from at most this many leading bytes of a file. */
export const HEAD_BYTES = 64 * 1024;
const MAX_DEPTH = 6;
const MAX_KEYS = 200;
const MAX_STRING = 4096;
/** Values one front matter may hold in all, and characters of text: aliases cannot multiply them. */
const MAX_VALUES = 10_000;
const MAX_CHARS = 1024 * 1024;
const BODY_START = 1200;
/** A heading is looked for in at most this many leading characters of a line. */
const HEADING_LINE = 300;

export type FrontMatterKind = 'yaml' | 'json' | 'none';

export interface FrontMatter {
  kind: FrontMatterKind;
  /** Sanitised: null-prototype objects, no `__proto__`/`constructor`/`prototype` keys, bounded. */
  data: Record<string, unknown>;
  body: string;
  warnings: string[];
}

export interface Head {
  text: string;
  /** Size of the whole file in bytes. */
  size: number;
  truncated: boolean;
  binary: boolean;
  /** Modification time and inode when read (fstat of the open file): a same-size edit still differs. */
  mtimeMs?: number;
  ino?: number;
  /** Its ctime: when it landed in its folder (or was last changed there), by this machine's clock. */
  ctimeMs?: number;
}

// Never follow a symbolic link, never wait on a FIFO or device: both may be swapped in after an lstat.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Reads a bounded prefix of a regular file: metadata never needs the whole of a huge file. */
export async function readHead(path: string, maxBytes = HEAD_BYTES): Promise<Head> {
  const fh = await open(path, READ_FLAGS);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw Object.assign(new Error(`not a regular file: ${path}`), { code: 'EFTYPE' });
    const { size, mtimeMs, ino, ctimeMs } = st;
    const buf = Buffer.alloc(Math.min(size, maxBytes));
    let read = 0;
    while (read < buf.length) {
      const { bytesRead } = await fh.read(buf, read, buf.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const bytes = buf.subarray(0, read);
    const binary = bytes.includes(0);
    return { text: binary ? '' : bytes.toString('utf8'), size, truncated: size > read, binary, mtimeMs, ino, ctimeMs };
  } finally {
    await fh.close();
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** What one front matter may still spend; shared by the whole walk over it. */
interface Budget {
  values: number;
  chars: number;
  /** Objects already copied: YAML aliases point at one object many times (and may form cycles). */
  seen: WeakSet<object>;
}

const TOO_LARGE = 'front matter too large; truncated';
const DROP: unique symbol = Symbol('drop');

/**
 * Copies parsed data into inert, bounded values: nothing from a file can reach a prototype. An object
 * reached a second time (a YAML alias) is not copied again, and the whole copy holds at most
 * MAX_VALUES values and MAX_CHARS characters, so ~1 KB of aliases cannot expand into gigabytes.
 */
export function sanitise(value: unknown, warnings: string[]): unknown {
  const v = copy(value, warnings, 0, { values: MAX_VALUES, chars: MAX_CHARS, seen: new WeakSet() });
  return v === DROP ? null : v;
}

function copy(value: unknown, warnings: string[], depth: number, budget: Budget): unknown {
  if (--budget.values < 0) {
    note(warnings, TOO_LARGE);
    return DROP;
  }
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') {
    const s = value.length > MAX_STRING ? value.slice(0, MAX_STRING) + '…' : value;
    return spend(budget, s.length, warnings) ? s : DROP;
  }
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value !== 'object') return null; // functions, symbols: never from our engines, dropped if they ever appear
  if (budget.seen.has(value)) {
    note(warnings, 'front matter alias repeats a value; repeats dropped');
    return null;
  }
  budget.seen.add(value);
  if (depth >= MAX_DEPTH) {
    note(warnings, 'front matter nested too deeply; inner values dropped');
    return null;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_KEYS) note(warnings, `front matter list longer than ${MAX_KEYS}; truncated`);
    const out: unknown[] = [];
    for (const item of value.slice(0, MAX_KEYS)) {
      const v = copy(item, warnings, depth + 1, budget);
      if (v === DROP) break;
      out.push(v);
    }
    return out;
  }
  const out: Record<string, unknown> = Object.create(null);
  let n = 0;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) {
      note(warnings, `front matter key "${key.slice(0, 20)}" ignored`);
      continue;
    }
    if (++n > MAX_KEYS) {
      note(warnings, `front matter has more than ${MAX_KEYS} keys; the rest ignored`);
      break;
    }
    if (!spend(budget, key.length, warnings)) break;
    const v = copy((value as Record<string, unknown>)[key], warnings, depth + 1, budget);
    if (v === DROP) break;
    out[key] = v;
  }
  return out;
}

function spend(budget: Budget, chars: number, warnings: string[]): boolean {
  budget.chars -= chars;
  if (budget.chars >= 0) return true;
  budget.values = 0; // nothing after this fits either
  note(warnings, TOO_LARGE);
  return false;
}

function note(warnings: string[], w: string): void {
  if (!warnings.includes(w)) warnings.push(w);
}

function refuse(lang: string) {
  return () => {
    throw new Error(`front matter language "${lang}" is not supported`);
  };
}

const ENGINES = {
  yaml: {
    parse: (s: string) => yaml.load(s, { schema: yaml.CORE_SCHEMA, json: true }) as object,
    stringify: () => '',
  },
  json: { parse: (s: string) => JSON.parse(s) as object, stringify: () => '' },
  javascript: { parse: refuse('javascript'), stringify: () => '' },
  js: { parse: refuse('js'), stringify: () => '' },
  coffee: { parse: refuse('coffee'), stringify: () => '' },
};

const OPEN_RE = /^---([^\n]*)\n/;

/** Splits and parses front matter. Never throws: problems become warnings and the body is kept. */
export function parseFrontMatter(raw: string, truncated = false): FrontMatter {
  const warnings: string[] = [];
  let text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  text = text.replace(/\r\n?/g, '\n');
  const open = OPEN_RE.exec(text);
  if (!open) {
    if (!text.trim()) warnings.push('empty file');
    else warnings.push('no front matter');
    return { kind: 'none', data: Object.create(null), body: text, warnings };
  }
  const lang = open[1].trim().toLowerCase();
  if (lang !== '' && lang !== 'yaml' && lang !== 'yml' && lang !== 'json') {
    warnings.push(`front matter language "${lang.slice(0, 20)}" is not supported; not parsed`);
    return { kind: 'none', data: Object.create(null), body: text, warnings };
  }
  if (!/\n---[ \t]*(\n|$)/.test(text.slice(open[0].length - 1))) {
    warnings.push(truncated ? 'front matter too long to read; not parsed' : 'front matter is not closed');
    return { kind: 'none', data: Object.create(null), body: text, warnings };
  }
  const kind: FrontMatterKind = lang === 'json' ? 'json' : 'yaml';
  try {
    // Options disable gray-matter's content cache; `language` pins the engine we checked above.
    const options = { language: kind, engines: ENGINES } as unknown as Parameters<typeof matter>[1];
    const parsed = matter(text, options);
    const data = parsed.data as unknown;
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
      return { kind, data: sanitise(data, warnings) as Record<string, unknown>, body: parsed.content.replace(/^\n/, ''), warnings };
    }
    if (data != null) warnings.push('front matter is not a mapping; ignored');
    return { kind, data: Object.create(null), body: parsed.content.replace(/^\n/, ''), warnings };
  } catch (e) {
    warnings.push(`malformed front matter: ${firstLine(e)}`);
    const close = text.indexOf('\n---', open[0].length - 1);
    const after = text.indexOf('\n', close + 4);
    return { kind: 'none', data: Object.create(null), body: after < 0 ? '' : text.slice(after + 1), warnings };
  }
}

function firstLine(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0].slice(0, 200);
}

/**
 * First Markdown ATX heading of a body, without the hashes. Line by line, each cut to
 * HEADING_LINE characters and trimmed with loops: no regex backtracks over a hostile line.
 */
export function firstHeading(body: string): string | undefined {
  for (let start = 0; start <= body.length;) {
    let end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    const h = atxHeading(body.slice(start, Math.min(end, start + HEADING_LINE)))?.trim();
    if (h) return h.slice(0, 200);
    start = end + 1;
  }
  return undefined;
}

const ATX_OPEN = /^ {0,3}#{1,6}[ \t]/;

/** The text of an ATX heading line (`## Title ##` → `Title`), else undefined. */
function atxHeading(line: string): string | undefined {
  const open = ATX_OPEN.exec(line);
  if (!open) return undefined;
  let from = open[0].length;
  let to = line.length;
  while (from < to && isBlank(line.charCodeAt(from))) from++;
  while (to > from && isBlank(line.charCodeAt(to - 1))) to--;
  let hashes = to;
  while (hashes > from && line.charCodeAt(hashes - 1) === 0x23) hashes--;
  // A closing run of `#` counts only after a blank (`# C#` keeps its `#`), or when it is all there is.
  if (hashes < to && (hashes === from || isBlank(line.charCodeAt(hashes - 1)))) to = hashes;
  while (to > from && isBlank(line.charCodeAt(to - 1))) to--;
  return to > from ? line.slice(from, to) : undefined;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

export function bodyStart(body: string): string {
  return body.length > BODY_START ? body.slice(0, BODY_START) + '…' : body;
}
