// Front matter of untrusted files. gray-matter does the splitting; we choose the engines:
// YAML with the core schema (no JS types, no timestamps: `created: 2026-01-31` stays that string),
// JSON for AMQ's `---json`, and every other language (gray-matter ships an `eval` one) refused.
import matter from 'gray-matter';
import * as yaml from 'js-yaml';
import { open } from 'node:fs/promises';

/** Metadata is read from at most this many leading bytes of a file. */
export const HEAD_BYTES = 64 * 1024;
const MAX_DEPTH = 6;
const MAX_KEYS = 200;
const MAX_STRING = 4096;
const BODY_START = 1200;

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
}

/** Reads a bounded prefix: metadata never needs the whole of a huge file. */
export async function readHead(path: string, maxBytes = HEAD_BYTES): Promise<Head> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.alloc(Math.min(size, maxBytes));
    let read = 0;
    while (read < buf.length) {
      const { bytesRead } = await fh.read(buf, read, buf.length - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    const bytes = buf.subarray(0, read);
    const binary = bytes.includes(0);
    return { text: binary ? '' : bytes.toString('utf8'), size, truncated: size > read, binary };
  } finally {
    await fh.close();
  }
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Copies parsed data into inert, bounded values: nothing from a file can reach a prototype. */
export function sanitise(value: unknown, warnings: string[], depth = 0): unknown {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return value.length > MAX_STRING ? value.slice(0, MAX_STRING) + '…' : value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= MAX_DEPTH) {
    note(warnings, 'front matter nested too deeply; inner values dropped');
    return null;
  }
  if (Array.isArray(value)) {
    if (value.length > MAX_KEYS) note(warnings, `front matter list longer than ${MAX_KEYS}; truncated`);
    return value.slice(0, MAX_KEYS).map((v) => sanitise(v, warnings, depth + 1));
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = Object.create(null);
    let n = 0;
    for (const key of Object.keys(value as object)) {
      if (FORBIDDEN_KEYS.has(key)) {
        note(warnings, `front matter key "${key}" ignored`);
        continue;
      }
      if (++n > MAX_KEYS) {
        note(warnings, `front matter has more than ${MAX_KEYS} keys; the rest ignored`);
        break;
      }
      out[key] = sanitise((value as Record<string, unknown>)[key], warnings, depth + 1);
    }
    return out;
  }
  return null; // functions, symbols: never from our engines, dropped if they ever appear
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

/** First Markdown ATX heading of a body, without the hashes. */
export function firstHeading(body: string): string | undefined {
  const m = /^ {0,3}#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(body);
  return m ? m[1].trim().slice(0, 200) : undefined;
}

export function bodyStart(body: string): string {
  return body.length > BODY_START ? body.slice(0, BODY_START) + '…' : body;
}
