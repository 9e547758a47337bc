// "An urgent dispatch arrived since your last prompt": one line for a UserPromptSubmit hook, only for
// urgent dispatches not announced before (by this hook or by the session-start checkin), at most one
// line per interval. What was announced is kept in a small state file outside the root.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Dispatch } from '../format/dispatch';
import type { DispatchStore } from '../store';
import { oneLine } from '../format/text';

export const NOTICE_INTERVAL_MS = 60_000;
const MAX_SEEN = 2000;
const MAX_STATE_BYTES = 256 * 1024;

export interface NoticeState {
  seen: string[];
  last: number;
}

/**
 * A short stable key for a root and team: FNV-1a, 64 bits as 16 hex digits. Not a secret, only a name; the
 * prompt hook runs on every prompt, and loading node:crypto for this was a measurable part of its whole cost.
 */
function fnv1a64(text: string): string {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(text, 'utf8')) h = BigInt.asUintN(64, (h ^ BigInt(b)) * 0x100000001b3n);
  return h.toString(16).padStart(16, '0');
}

export function stateFile(root: string, team: string, env: NodeJS.ProcessEnv): string {
  const base = env.XDG_STATE_HOME?.trim() || path.join(env.HOME?.trim() || os.homedir(), '.local', 'state');
  const key = fnv1a64(`${root}\0${team}`);
  return path.join(path.resolve(base), 'dispatch-inbox', `notices-${team}-${key}.json`);
}

export async function load(file: string): Promise<NoticeState> {
  try {
    const fh = await fs.open(file, 'r');
    try {
      const buf = Buffer.alloc(MAX_STATE_BYTES);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const v = JSON.parse(buf.subarray(0, bytesRead).toString('utf8')) as Partial<NoticeState>;
      const seen = Array.isArray(v.seen) ? v.seen.filter((s): s is string => typeof s === 'string') : [];
      return { seen, last: typeof v.last === 'number' && Number.isFinite(v.last) ? v.last : 0 };
    } finally {
      await fh.close();
    }
  } catch {
    return { seen: [], last: 0 }; // missing or damaged: start over (at worst one notice repeats)
  }
}

/** Whole-file write into a private temporary name, then rename: a reader never sees half a file. */
async function save(file: string, s: NoticeState): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${Math.random().toString(16).slice(2, 10)}.tmp`; // `wx`: a clash fails, never overwrites
  try {
    await fs.writeFile(tmp, JSON.stringify({ seen: s.seen.slice(-MAX_SEEN), last: s.last }), { flag: 'wx', mode: 0o600 });
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/** Records dispatches as announced (the session-start checkin showed them). Never throws. */
export async function markAnnounced(file: string, ds: Dispatch[]): Promise<void> {
  if (!ds.length) return;
  try {
    const s = await load(file);
    const seen = new Set(s.seen);
    const add = ds.map((d) => d.fileName).filter((n) => !seen.has(n));
    if (add.length) await save(file, { seen: [...s.seen, ...add], last: s.last });
  } catch {
    // a notice repeated once is better than a failing session start
  }
}

/**
 * Whether the last notice was less than `interval` ago. A `last` in the future (the clock was stepped
 * forward once, then set right) is not "recent": otherwise the hook stays silent until real time catches up.
 */
export function withinInterval(last: number, now: number, interval = NOTICE_INTERVAL_MS): boolean {
  return last <= now && now - last < interval;
}

/** The line to print now, if any: urgent dispatches in the team's new/ never announced before. */
export async function urgentNotice(
  store: DispatchStore,
  team: string,
  file: string,
  now = Date.now(),
  interval = NOTICE_INTERVAL_MS,
): Promise<string | undefined> {
  const urgent = (await store.list({ teams: [team], box: 'new', priority: 'urgent' })).sort((a, b) => a.fileName.localeCompare(b.fileName));
  if (!urgent.length) return undefined;
  const s = await load(file);
  const seen = new Set(s.seen);
  const fresh = urgent.filter((d) => !seen.has(d.fileName));
  // Within the interval nothing is marked: what arrives now is announced on a later prompt, together.
  if (!fresh.length || withinInterval(s.last, now, interval)) return undefined;
  await store.loadMeta(fresh.slice(-1));
  const d = fresh[fresh.length - 1];
  const more = fresh.length > 1 ? ` (+${fresh.length - 1} more urgent)` : '';
  await save(file, { seen: [...s.seen, ...fresh.map((x) => x.fileName)], last: now });
  return `dispatch: urgent for ${team} from ${oneLine(d.from ?? 'unknown', 64)}: "${oneLine(d.title, 120)}"${more} (\`dispatch checkin --team ${team}\` lists it)`;
}
