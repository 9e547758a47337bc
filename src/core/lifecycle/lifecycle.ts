// The dispatch lifecycle, written by the receiver into the front matter: `status: pending` (in new/)
// → `accepted` (acknowledged) → `completed` (with `completed: <ISO time>`). The sender verifies a
// completed dispatch and archives it.
//
// Rewrites are byte-exact line edits: only the lines of the keys we set change (or one line is added
// per missing key); every other byte — other keys and their order, comments, quoting, CRLF, a BOM,
// the body — stays as it was. Whatever we cannot edit that way (JSON front matter, none, malformed,
// oversized, a key with a multi-line value) is not rewritten: the caller still moves the file and
// reports the reason. Every edit is checked by parsing the result: the keys we set read back as
// written and every other key reads back unchanged, else nothing is rewritten.
import * as yaml from 'js-yaml';
import { HEAD_BYTES, parseFrontMatter } from '../format/frontmatter';

import { Status } from './status';

export { isStatus, statusOf } from './status';
export type { Status } from './status';

/** A key to set; `after` names keys the line goes after when the key is missing (first present wins). */
export interface FieldEdit {
  key: string;
  value: string;
  after?: string[];
}

export type EditResult = { ok: true; bytes: Buffer; changed: boolean } | { ok: false; reason: string };

/** Front matter larger than this is not rewritten (the metadata reader sees only this much). */
export const MAX_FRONT_MATTER = HEAD_BYTES;
const MAX_NOTE = 500;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Where the seed's keys go when a file lacks them: in the order `send` writes them. */
const STATUS_AFTER = ['priority', 'to', 'from'];

/** The edits that put a dispatch in `status` (at `now`, for completed). */
export function statusEdits(status: Status, now = new Date(), note?: string): FieldEdit[] {
  const edits: FieldEdit[] = [{ key: 'status', value: status, after: STATUS_AFTER }];
  if (status === 'completed') {
    edits.push({ key: 'completed', value: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), after: ['status'] });
    const n = note?.replace(/\s+/g, ' ').trim().slice(0, MAX_NOTE);
    if (n) edits.push({ key: 'completion_note', value: n, after: ['completed', 'status'] });
  }
  return edits;
}

/** Sets `edits` in the YAML front matter of `content`, changing only their lines. Pure. */
export function editFrontMatter(content: Buffer, edits: FieldEdit[]): EditResult {
  const bom = content.subarray(0, 3).equals(BOM) ? 3 : 0;
  if (content.subarray(bom, bom + 3).toString('latin1') !== '---') return refuse('no front matter');
  const firstEnd = content.indexOf(0x0a, bom);
  if (firstEnd < 0) return refuse('no front matter');
  const opener = content
    .subarray(bom + 3, firstEnd)
    .toString('latin1')
    .replace(/\r$/, '')
    .trim()
    .toLowerCase();
  if (opener === 'json') return refuse('JSON front matter');
  if (opener !== '' && opener !== 'yaml' && opener !== 'yml') return refuse(`front matter language "${opener.slice(0, 20)}"`);
  const eol = content[firstEnd - 1] === 0x0d ? '\r\n' : '\n';
  // The closing fence, searched only within the bound: a huge front matter is not ours to edit.
  const window = content.subarray(0, Math.min(content.length, MAX_FRONT_MATTER + 1)).toString('latin1');
  const close = findClose(window, firstEnd + 1);
  if (close < 0) return refuse(content.length > MAX_FRONT_MATTER ? 'front matter too large' : 'front matter is not closed');
  if (content.subarray(bom, close).includes(0)) return refuse('binary content');
  const head = content.subarray(firstEnd + 1, close).toString('utf8');
  if (Buffer.byteLength(head) !== close - firstEnd - 1 || head.includes('\ufffd')) return refuse('front matter is not valid UTF-8');
  const before = parse(head);
  if (!before) return refuse('malformed front matter');

  const lines = splitLines(head);
  let changed = false;
  for (const e of edits) {
    const r = setLine(lines, e, eol);
    if (typeof r === 'string') return refuse(r);
    changed ||= r;
  }
  if (!changed) return { ok: true, bytes: content, changed: false };
  const newHead = lines.join('');
  const after = parse(newHead);
  if (!after || !sameExcept(before, after, edits)) return refuse('front matter could not be edited line by line');
  const bytes = Buffer.concat([content.subarray(0, firstEnd + 1), Buffer.from(newHead, 'utf8'), content.subarray(close)]);
  return { ok: true, bytes, changed: true };
}

function refuse(reason: string): EditResult {
  return { ok: false, reason };
}

/** Offset of the closing `---` line (start of the line), or -1. */
function findClose(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    let end = text.indexOf('\n', i);
    if (end < 0) end = text.length;
    if (end - i <= 64 && /^---[ \t]*\r?$/.test(text.slice(i, end))) return i;
    i = end + 1;
  }
  return -1;
}

/** Lines with their own line endings kept, so joining them gives back the exact text. */
function splitLines(s: string): string[] {
  const out = s.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return out;
}

function parse(head: string): Record<string, unknown> | undefined {
  const fm = parseFrontMatter(`---\n${head.replace(/\r\n/g, '\n')}---\n`);
  if (fm.kind !== 'yaml' || fm.warnings.length) return undefined;
  return fm.data;
}

/** A top-level `key:` line: the key plain or quoted, no indentation. */
function keyRe(key: string): RegExp {
  const k = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^(?:${k}|'${k}'|"${k}")[ \\t]*:(?=[ \\t]|\\r?\\n|$)`);
}

/** Sets one key's line; true when it changed, false when it was already so, a string when it cannot. */
function setLine(lines: string[], e: FieldEdit, eol: string): boolean | string {
  const re = keyRe(e.key);
  const at = lines.map((l, i) => (re.test(l) ? i : -1)).filter((i) => i >= 0);
  if (at.length > 1) return `"${e.key}" appears more than once`;
  if (at.length === 1) {
    const i = at[0];
    const line = lines[i];
    const nl = /\r?\n$/.exec(line)?.[0] ?? '';
    const body = line.slice(0, line.length - nl.length);
    const colon = re.exec(body)![0].length;
    const m = /^([ \t]*)('(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^'"#\s][^#]*?|)([ \t]+#.*|[ \t]*)$/.exec(body.slice(colon));
    if (!m) return `"${e.key}" has a value that cannot be edited on its line`;
    const [, space, old, rest] = m;
    const next = lines[i + 1];
    if (!old && next !== undefined && /^[ \t-]/.test(next)) return `"${e.key}" has a multi-line value`;
    if (old === '|' || old === '>' || /^[|>][-+0-9]*$/.test(old)) return `"${e.key}" has a multi-line value`;
    const value = old.startsWith("'") ? `'${e.value.replace(/'/g, "''")}'` : old.startsWith('"') ? JSON.stringify(e.value) : scalar(e.value);
    if (value === old || unquote(old) === e.value) return false;
    lines[i] = body.slice(0, colon) + (space || ' ') + value + rest + nl;
    return true;
  }
  const text = `${e.key}: ${scalar(e.value)}`;
  // The last line of the front matter may lack its line ending only when it is the whole text.
  if (lines.length && !lines[lines.length - 1].endsWith('\n')) lines[lines.length - 1] += eol;
  let pos = lines.length;
  for (const a of e.after ?? []) {
    const j = lines.findIndex((l) => keyRe(a).test(l));
    if (j < 0) continue;
    pos = j + 1;
    while (pos < lines.length && /^[ \t-]/.test(lines[pos]) && lines[pos].trim()) pos++; // past its nested lines
    break;
  }
  lines.splice(pos, 0, text + eol);
  return true;
}

/** A one-line YAML scalar for `value`: plain when it reads back as that string, quoted otherwise. */
function scalar(value: string): string {
  return yaml.dump(value, { lineWidth: -1, schema: yaml.DEFAULT_SCHEMA }).replace(/\n$/, '');
}

function unquote(v: string): string {
  if (v.startsWith("'")) return v.slice(1, -1).replace(/''/g, "'");
  if (v.startsWith('"')) {
    try {
      return JSON.parse(v) as string;
    } catch {
      return v;
    }
  }
  return v;
}

/** The edited keys read back as set, every other key unchanged, no key lost or added. */
function sameExcept(before: Record<string, unknown>, after: Record<string, unknown>, edits: FieldEdit[]): boolean {
  const edited = new Set(edits.map((e) => e.key));
  for (const e of edits) if (after[e.key] !== e.value) return false;
  const ka = Object.keys(before).filter((k) => !edited.has(k));
  const kb = Object.keys(after).filter((k) => !edited.has(k));
  return ka.length === kb.length && ka.every((k, i) => kb[i] === k && JSON.stringify(before[k]) === JSON.stringify(after[k]));
}

/**
 * A move's content transform that sets `status` (see statusEdits). Why a file was left unchanged is
 * pushed to `warnings`: the move still happens.
 */
export function statusRewrite(status: Status, warnings: string[], now = new Date(), note?: string): (content: Buffer) => Buffer | undefined {
  return (content) => {
    const r = editFrontMatter(content, statusEdits(status, now, note));
    if (!r.ok) {
      warnings.push(`status not written: ${r.reason}`);
      return undefined;
    }
    return r.changed ? r.bytes : undefined;
  };
}
