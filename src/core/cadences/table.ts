// Cadences: the recurring dispatches a team keeps in its TEAM.md, under a heading "Cadences", as a
// Markdown table `| Dispatch | To | Frequency | Last Sent |` (columns by name, any order, extra ones
// allowed: Notes → body, Priority → priority). Pure: parsing, dates and the one-cell edit; no fs here.
// Which tables count is markdown-it's word (what Markdown renders); rows, cells and offsets are ours.
//
// The parser works on any string whose structure is ASCII (pipes, spaces, `#`, newlines). The file
// path reads bytes as latin1, so every offset is a byte offset and an edit changes only those bytes,
// whatever the rest of the file holds (invalid UTF-8 included); cell values are decoded as UTF-8.
import { isPriority, isTeamName, Priority, slugify } from '../format/format';

export type Frequency = { kind: 'days'; n: number } | { kind: 'weekdays' } | { kind: 'months'; n: number };

export interface CadenceRow {
  /** 1-based line of the row in the file. */
  line: number;
  /** The Dispatch cell: the title of what is sent. */
  dispatch: string;
  /** Its slug: the `cadence:` front matter of what is sent, and the dispatch's file-name slug. */
  slug: string;
  to: string;
  /** The Frequency cell as written. */
  frequency: string;
  freq: Frequency;
  /** `YYYY-MM-DD`, or null for empty / `never`. */
  lastSent: string | null;
  priority: Priority;
  notes: string;
  /** Offsets of the Last Sent cell's content (between its pipes) in the parsed text. */
  cell: { start: number; end: number };
}

export interface BadRow {
  line: number;
  reason: string;
}

export interface CadenceTable {
  /** A Cadences heading was found (a file without one has no cadences, which is not an error). */
  found: boolean;
  rows: CadenceRow[];
  bad: BadRow[];
}

const MAX_EVERY = 3660;
const MAX_CELL = 200;
const MAX_NOTES = 4000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

// ---- frequencies and dates ----

/** `daily`, `weekdays`, `weekly`, `biweekly`, `monthly`, `quarterly`, `every N days|weeks|months`. */
export function parseFrequency(text: string): Frequency | undefined {
  const s = text.trim().toLowerCase().replace(/\s+/g, ' ');
  const fixed: Record<string, Frequency> = {
    daily: { kind: 'days', n: 1 },
    weekdays: { kind: 'weekdays' },
    weekly: { kind: 'days', n: 7 },
    biweekly: { kind: 'days', n: 14 },
    'bi-weekly': { kind: 'days', n: 14 },
    monthly: { kind: 'months', n: 1 },
    quarterly: { kind: 'months', n: 3 },
  };
  if (Object.prototype.hasOwnProperty.call(fixed, s)) return fixed[s];
  const m = /^every (?:(\d{1,4}) )?(day|week|month)s?$/.exec(s);
  if (!m) return undefined;
  const n = m[1] === undefined ? 1 : Number(m[1]);
  if (n < 1 || n > MAX_EVERY) return undefined;
  if (m[2] === 'month') return n > 120 ? undefined : { kind: 'months', n };
  return { kind: 'days', n: m[2] === 'week' ? n * 7 : n };
}

interface Ymd {
  y: number;
  m: number;
  d: number;
}

/** A real calendar date `YYYY-MM-DD` (2026-02-30 is not one). */
export function isDate(s: string): boolean {
  return parseYmd(s) !== undefined;
}

function parseYmd(s: string): Ymd | undefined {
  const m = DATE_RE.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return { y, m: mo, d };
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function fmt(t: Ymd): string {
  return `${String(t.y).padStart(4, '0')}-${String(t.m).padStart(2, '0')}-${String(t.d).padStart(2, '0')}`;
}

/** Calendar arithmetic in UTC, so daylight-saving days are never 23 or 25 hours. */
export function addDays(date: string, n: number): string {
  const t = parseYmd(date);
  if (!t) throw new RangeError(`not a date: ${date}`);
  const u = new Date(Date.UTC(t.y, t.m - 1, t.d + n));
  return fmt({ y: u.getUTCFullYear(), m: u.getUTCMonth() + 1, d: u.getUTCDate() });
}

/** The same day `n` months later, clamped to that month's end (Jan 31 + 1 → Feb 28 or 29). */
export function addMonths(date: string, n: number): string {
  const t = parseYmd(date);
  if (!t) throw new RangeError(`not a date: ${date}`);
  const idx = t.y * 12 + (t.m - 1) + n;
  const y = Math.floor(idx / 12);
  const m = (idx % 12) + 1;
  return fmt({ y, m, d: Math.min(t.d, daysInMonth(y, m)) });
}

/** 0 = Sunday … 6 = Saturday. */
function weekday(date: string): number {
  const t = parseYmd(date)!;
  return new Date(Date.UTC(t.y, t.m - 1, t.d)).getUTCDay();
}

function nextWeekday(date: string): string {
  let d = date;
  while (weekday(d) === 0 || weekday(d) === 6) d = addDays(d, 1);
  return d;
}

/**
 * When a cadence is next due: Last Sent + frequency. Never sent → today (for `weekdays`, the next
 * weekday from today on). Pure: `today` is the caller's local date.
 */
export function nextDue(freq: Frequency, lastSent: string | null, today: string): string {
  if (lastSent === null) return freq.kind === 'weekdays' ? nextWeekday(today) : today;
  if (freq.kind === 'days') return addDays(lastSent, freq.n);
  if (freq.kind === 'months') return addMonths(lastSent, freq.n);
  return nextWeekday(addDays(lastSent, 1));
}

export function isDue(freq: Frequency, lastSent: string | null, today: string): boolean {
  return nextDue(freq, lastSent, today) <= today; // YYYY-MM-DD compares as text
}

/** The local calendar date of `now`, `YYYY-MM-DD`. */
export function localDate(now: Date = new Date()): string {
  return fmt({ y: now.getFullYear(), m: now.getMonth() + 1, d: now.getDate() });
}

// ---- the table ----

interface Line {
  /** Offset of the line's first character, and of its end (before `\r\n` / `\n`). */
  start: number;
  end: number;
  text: string;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const stop = nl < 0 ? text.length : nl;
    const end = stop > start && text.charCodeAt(stop - 1) === 13 ? stop - 1 : stop;
    out.push({ start, end, text: text.slice(start, end) });
    if (nl < 0) return out;
    start = nl + 1;
  }
}

const blank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Spaces and tabs only: in latin1-read UTF-8, \xa0 and \x85 are parts of characters, not blanks.
 * A loop: `/[ \t]+$/` is quadratic on a long run of blanks that does not end the line.
 */
function trim(s: string): string {
  const [a, b] = bounds(s);
  return s.slice(a, b);
}

/** Where the content of `s` starts and ends, blanks before and after left out. */
function bounds(s: string): [number, number] {
  let a = 0;
  let b = s.length;
  while (a < b && blank(s[a])) a++;
  while (b > a && blank(s[b - 1])) b--;
  return [a, b];
}

interface Cell {
  /** Offsets within the line of the content between the pipes. */
  start: number;
  end: number;
  raw: string;
}

/** GFM row cells: split on `|` not escaped by `\`; a leading and a trailing pipe are optional. */
function cells(line: string): Cell[] | undefined {
  if (!line.includes('|')) return undefined;
  const seps: number[] = [];
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '|') seps.push(i);
  }
  if (!seps.length) return undefined;
  const lead = line.length - line.trimStart().length;
  const bounds = [...seps];
  if (trim(line.slice(0, seps[0])) !== '') bounds.unshift(lead - 1);
  const last = seps[seps.length - 1];
  if (trim(line.slice(last + 1)) !== '') bounds.push(line.length);
  const out: Cell[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) out.push({ start: bounds[i] + 1, end: bounds[i + 1], raw: line.slice(bounds[i] + 1, bounds[i + 1]) });
  return out;
}

/** `**Last Sent**` → `lastsent`. */
function headerKey(raw: string): string {
  return raw.toLowerCase().replace(/[^a-z]/g, '');
}

const REQUIRED = ['dispatch', 'to', 'frequency', 'lastsent'] as const;
const COLUMN_NAMES: Record<string, string> = { dispatch: 'Dispatch', to: 'To', frequency: 'Frequency', lastsent: 'Last Sent' };

// GFM tables on, and HTML blocks recognised: a table inside an HTML comment is not rendered, nor is one
// in a fenced or indented code block. Only the block structure is parsed (no inline rules run). Loaded
// at the first parse, not when the extension activates.
type MarkdownIt = typeof import('markdown-it');
type Markdown = InstanceType<MarkdownIt>;
let markdown: Markdown | undefined;
function parser(): Markdown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred: a static import runs markdown-it's setup at activation
  return (markdown ??= new (require('markdown-it') as MarkdownIt)({ html: true }));
}

/**
 * The top-level blocks markdown-it finds, by line. Its lines end at `\n`, `\r\n` and a lone `\r`; ours
 * (and the byte offsets of an edit) only at `\n`: a lone CR becomes a blank so both count the same lines.
 */
function blocks(text: string): ReturnType<Markdown['parse']> {
  const src = text
    .replace(/^(\xef\xbb\xbf|\ufeff)/, '')
    .replace(/\r\n/g, '\n')
    .replace(/[\r\0]/g, ' ');
  const tokens: ReturnType<Markdown['parse']> = [];
  const md = parser();
  md.block.parse(src, md, {}, tokens);
  return tokens;
}

/**
 * Every cadence table in `text`: the tables Markdown renders under each heading titled "Cadences" (any
 * level, any case, ATX or setext), up to the next heading of the same or a higher level. What Markdown
 * does not render as a table (code, HTML comments, HTML blocks) is never read, nor are tables nested in
 * lists or quotes. `decode` turns a cell's raw text into the value (UTF-8 from latin1 for file bytes).
 */
export function parseCadences(text: string, decode: (raw: string) => string = (s) => s): CadenceTable {
  const ls = lines(text);
  const table: CadenceTable = { found: false, rows: [], bad: [] };
  const seen = new Map<string, number>();
  let section = 0; // the level of the Cadences heading we are in; 0 = outside
  const tokens = blocks(text);
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.level !== 0 || !t.map) continue;
    if (t.type === 'heading_open') {
      const level = Number(t.tag.slice(1));
      const title = tokens[k + 1]?.content ?? '';
      if (/^cadences$/i.test(title.replace(/[*_`]/g, '').trim())) {
        section = level;
        table.found = true;
      } else if (level <= section) section = 0;
    } else if (t.type === 'table_open' && section) readTable(ls, t.map[0], t.map[1], decode, table, seen);
  }
  return table;
}

/** One rendered table: its header row at `start`, the delimiter row, then rows up to `end` (exclusive). */
function readTable(ls: Line[], start: number, end: number, decode: (raw: string) => string, table: CadenceTable, seen: Map<string, number>): void {
  const head = cells(ls[start].text) ?? [];
  const col: Record<string, number> = {};
  head.forEach((c, k) => {
    const key = headerKey(decode(c.raw));
    if (!(key in col)) col[key] = k;
  });
  const missing = REQUIRED.filter((k) => !(k in col));
  if (missing.length) {
    table.bad.push({
      line: start + 1,
      reason: `a table under Cadences without the column${missing.length > 1 ? 's' : ''} ${missing.map((k) => COLUMN_NAMES[k]).join(', ')}; its rows are ignored`,
    });
    return;
  }
  for (let j = start + 2; j < end && j < ls.length; j++) {
    // GFM: a table ends at a blank line; a line without a pipe before that is a row of one cell.
    const text = ls[j].text;
    const row = cells(text) ?? [{ start: 0, end: text.length, raw: text }];
    const r = readRow(row, col, j + 1, decode);
    if ('reason' in r) {
      table.bad.push(r);
      continue;
    }
    r.cell = { start: ls[j].start + r.cell.start, end: ls[j].start + r.cell.end };
    const key = `${r.slug}\n${r.to}`;
    const first = seen.get(key);
    if (first !== undefined) table.bad.push({ line: j + 1, reason: `the same cadence as line ${first} ("${r.dispatch}" to ${r.to})` });
    else {
      seen.set(key, j + 1);
      table.rows.push(r);
    }
  }
}

function readRow(row: Cell[], col: Record<string, number>, line: number, decode: (raw: string) => string): CadenceRow | BadRow {
  const get = (k: string): string | undefined => (k in col && col[k] < row.length ? unescapeCell(trim(decode(row[col[k]].raw))) : undefined);
  const lastCell = col.lastsent < row.length ? row[col.lastsent] : undefined;
  if (!lastCell) return { line, reason: 'the row has no Last Sent cell' };
  const dispatch = (get('dispatch') ?? '').slice(0, MAX_CELL);
  if (!dispatch) return { line, reason: 'empty Dispatch cell' };
  const to = (get('to') ?? '').replace(/^`(.*)`$/, '$1');
  if (!isTeamName(to)) return { line, reason: `invalid team "${to.slice(0, 64)}" in To: use lowercase letters, digits, "_" and "-"` };
  const frequency = get('frequency') ?? '';
  const freq = parseFrequency(frequency);
  if (!freq)
    return {
      line,
      reason: `unknown frequency "${frequency.slice(0, 64)}": use daily, weekdays, weekly, biweekly, monthly, quarterly, every N days or every N weeks`,
    };
  const last = get('lastsent') ?? '';
  const lastSent = last === '' || /^never$/i.test(last) ? null : last;
  if (lastSent !== null && !isDate(lastSent))
    return { line, reason: `unparseable Last Sent "${last.slice(0, 64)}": use YYYY-MM-DD, or leave it empty (or "never")` };
  const p = (get('priority') ?? '').toLowerCase();
  if (p && !isPriority(p)) return { line, reason: `invalid priority "${p.slice(0, 20)}": use urgent, high, normal or low` };
  return {
    line,
    dispatch,
    slug: slugify(dispatch),
    to,
    frequency,
    freq,
    lastSent,
    priority: (p || 'normal') as Priority,
    notes: (get('notes') ?? '').slice(0, MAX_NOTES),
    cell: { start: lastCell.start, end: lastCell.end },
  };
}

/** `\|` is a pipe inside a cell; other backslashes stay as written. */
function unescapeCell(s: string): string {
  return s.replace(/\\\|/g, '|');
}

/**
 * The new text of a Last Sent cell (the content between its pipes), only its words changed: the
 * padding before is kept, and after it as much as keeps the column aligned, at least one space where
 * there was one. An empty cell becomes ` date `, or `date` when it had no room at all (`||`).
 */
export function lastSentCellText(raw: string, date: string): string {
  const [a, b] = bounds(raw);
  if (a === b) return raw === '' ? date : ` ${date}${' '.repeat(Math.max(1, raw.length - date.length - 1))}`;
  const lead = raw.slice(0, a);
  const trail = raw.slice(b);
  const content = raw.slice(a, b);
  const room = trail.length + content.length - date.length; // spaces left after the date at the same width
  const after = trail.includes('\t') ? trail : ' '.repeat(Math.max(trail.length ? 1 : 0, room));
  return lead + date + after;
}
