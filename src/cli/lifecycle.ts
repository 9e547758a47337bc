// The lifecycle verbs: complete (receiver), sent and archive (sender), and the JSON shape with status.
import type { Dispatch, DispatchStore, MoveOutcome } from '../core/api';
import { isStatus } from '../core/lifecycle/lifecycle';
import { DEFAULT_STALE_DAYS } from '../core/defaults';
import { ageMs, compareWaiting, formatSentLine, isStale, lifecycleStatus, parseDays, sentBy } from '../core/lifecycle/sent';
import { errorText, fail, Io, parse, print, printJSON, UsageError } from './io';
import { visible, visiblePath } from './print';
import { printablePath } from '../core/fs/rawname';
import { observeLanding } from '../core/lifecycle/waiting';

const DAY = 86_400_000;

/** `--stale-after DAYS`, default 3. */
export function staleDaysOpt(v: unknown): number {
  if (v === undefined) return DEFAULT_STALE_DAYS;
  const n = parseDays(v);
  if (n === undefined) throw new UsageError(`--stale-after must be a number of days ≥ 0 (got "${String(v).slice(0, 40)}")`);
  return n;
}

/** A dispatch as `--json` prints it, with its lifecycle status (front matter, else what its box says). */
export function lifecycleJSON(d: Dispatch, staleDays = DEFAULT_STALE_DAYS, now = Date.now()): Record<string, unknown> {
  const a = ageMs(d, now);
  return { ...d.toJSON(), status: lifecycleStatus(d), age_days: a === undefined ? null : Math.floor(a / DAY), stale: isStale(d, staleDays, now) };
}

/** One line (or object) per moved dispatch; status-not-written warnings go to stderr, and into the JSON. */
export function reportMove(io: Io, json: boolean, verb: string, r: MoveOutcome): void {
  const warnings = r.warnings ?? [];
  if (json) printJSON(io, { ...r.dispatch.toJSON(), outcome: r.status, warnings: [...(r.dispatch.meta ? r.dispatch.warnings : []), ...warnings] });
  else print(io, `${r.status === 'already' ? `already ${verb}` : verb}: ${visiblePath(r.dispatch.path)}`);
  if (!json) for (const w of warnings) fail(io, `${visible(r.dispatch.id)}: ${w}`);
}

type Command = (store: DispatchStore, argv: string[], io: Io) => Promise<number>;

export const LIFECYCLE_USAGES: Record<string, string> = {
  complete: `complete ID|PATH... [--note TEXT] [--json]
  Status: completed (acknowledges first if still in new/), with an optional note.`,
  sent: `sent --from TEAM [--status pending|accepted|completed] [--stale-after DAYS] [--json]
  What TEAM sent and where it stands: stale ones, and completed ones awaiting verification.`,
  archive: `archive ID|PATH... | --older-than DAYS [--json]
  Moves dispatches into <root>/.archive/<team>/<YYYY-MM>/ (after the sender verified them).`,
};

export const lifecycleCommands: Record<string, Command> = {
  async complete(store, argv, io) {
    const { values, positionals } = parse(argv, { note: { type: 'string' } });
    if (!positionals.length) throw new UsageError('complete needs at least one ID or PATH');
    let failed = 0;
    for (const ref of positionals) {
      try {
        reportMove(io, !!values.json, 'completed', await store.complete(ref, values.note as string | undefined));
      } catch (e) {
        fail(io, errorText(e));
        failed++;
      }
    }
    return failed ? 1 : 0;
  },

  async sent(store, argv, io) {
    const { values, positionals } = parse(argv, { from: { type: 'string' }, status: { type: 'string' }, 'stale-after': { type: 'string' } });
    if (positionals.length) throw new UsageError('sent takes no positional arguments');
    if (!values.from) throw new UsageError('sent needs --from TEAM');
    if (values.status !== undefined && !isStatus(values.status)) throw new UsageError('--status must be pending, accepted or completed');
    const days = staleDaysOpt(values['stale-after']);
    const mine = sentBy(await store.list(), values.from as string);
    await store.loadMeta(mine);
    const shown = mine.filter((d) => !values.status || lifecycleStatus(d) === values.status).sort(compareWaiting);
    const now = Date.now();
    if (values.json)
      printJSON(
        io,
        shown.map((d) => lifecycleJSON(d, days, now)),
      );
    else for (const d of shown) print(io, formatSentLine(d, days, now));
    return 0;
  },

  async archive(store, argv, io) {
    const { values, positionals } = parse(argv, { 'older-than': { type: 'string' } });
    const older = values['older-than'];
    if (older !== undefined && positionals.length) throw new UsageError('give IDs or --older-than DAYS, not both');
    if (older === undefined && !positionals.length) throw new UsageError('archive needs an ID or PATH, or --older-than DAYS');
    let refs: (string | Dispatch)[] = positionals;
    if (older !== undefined) {
      const days = parseDays(older);
      if (days === undefined) throw new UsageError('--older-than must be a number of days ≥ 0');
      const now = Date.now();
      const cur = await store.list({ box: 'cur' });
      await observeLanding(cur);
      refs = cur.filter((d) => (ageMs(d, now) ?? 0) > days * DAY);
    }
    let failed = 0;
    const done: string[] = [];
    for (const ref of refs) {
      try {
        const p = await store.archive(ref);
        done.push(p);
        if (!values.json) print(io, `archived: ${visiblePath(p)}`);
      } catch (e) {
        fail(io, errorText(e));
        failed++;
      }
    }
    if (values.json)
      printJSON(
        io,
        done.map((p) => printablePath(p)),
      );
    return failed ? 1 : 0;
  },
};
