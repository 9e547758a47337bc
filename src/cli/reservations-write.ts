// `dispatch reservations release|renew ID...`: changes through Agent Mail's own tools. Every id is checked
// against the server's listing first, so a mistake (someone else's reservation without --force, an id
// that is not active) changes nothing at all; then one line per id, or a JSON array with --json.
import { truncate } from '../core/format/text';
import {
  AgentMailClient,
  AgentMailError,
  describeError,
  formatExpiresIn,
  isAgentMailError,
  Reservation,
  ReservationList,
  staleReasonsText,
} from '../core/agentmail';

/** Server text goes to a terminal: no control characters (escape-sequence injection), bounded width. */
export function cell(s: string, max: number): string {
  return truncate(s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?'), max);
}

export interface WriteFlags {
  force: boolean;
  /** Ask the server to mail the previous holder of a force-released reservation. */
  notify: boolean;
  note: string | undefined;
}

interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  json: boolean;
}

/** One id's outcome: the `--json` element, and the line printed for it. */
interface Outcome {
  id: number;
  ok: boolean;
  action: 'release' | 'force-release' | 'renew' | 'none';
  path_pattern?: string;
  holder?: string;
  released?: number;
  released_at?: string | null;
  already_released?: boolean;
  expired?: boolean;
  notified?: boolean;
  notification_error?: string | null;
  new_expires_ts?: string | null;
  error?: { kind: string; type?: string; message: string };
}

type Plan = { id: number; row: Reservation | undefined; action: Outcome['action'] };

function refused(id: number, message: string, row?: Reservation): Outcome {
  return { id, ok: false, action: 'none', path_pattern: row?.path_pattern, holder: row?.agent, error: { kind: 'refused', message } };
}

function failed(p: Plan, e: unknown, baseUrl: string): Outcome {
  const kind = isAgentMailError(e) ? e.kind : 'unexpected';
  const type = isAgentMailError(e) ? e.details.errorType : undefined;
  let message = describeError(e, baseUrl);
  // The server's refusal of a force release, in the terms of this command.
  if (type === 'RESERVATION_ACTIVE')
    message = `Agent Mail refused: ${p.row?.agent ?? 'its holder'} still shows recent activity (only stale reservations can be force-released)`;
  else if (type === 'NOT_FOUND' && /file reservation/i.test(message)) message = `Agent Mail does not know reservation #${p.id} in this project`;
  return {
    id: p.id,
    ok: false,
    action: p.action,
    path_pattern: p.row?.path_pattern,
    holder: p.row?.agent,
    error: { kind, ...(type ? { type } : {}), message },
  };
}

function label(o: Outcome): string {
  return `#${o.id}${o.path_pattern ? ` ${cell(o.path_pattern, 80)}` : ''}`;
}

function lineFor(o: Outcome): string {
  if (!o.ok) return `dispatch: ${label(o)}: ${cell(o.error?.message ?? 'failed', 400)}`;
  if (o.action === 'renew') return `renewed ${label(o)}, expires ${formatExpiresIn(o.new_expires_ts ?? null)}`;
  if (o.already_released) return `${label(o)} was already released${o.expired ? ' (it had expired)' : ''}`;
  if (o.action === 'release') return `released ${label(o)}`;
  const told = o.notified
    ? `${cell(o.holder ?? '', 40)} notified`
    : o.notification_error
      ? `notifying failed: ${cell(o.notification_error, 200)}`
      : 'not notified';
  return `force-released ${label(o)} held by ${cell(o.holder ?? '?', 40)} (${told})`;
}

function report(outcomes: Outcome[], io: Io): number {
  if (io.json) io.out.write(`${JSON.stringify(outcomes, null, 2)}\n`);
  for (const o of outcomes) {
    if (!o.ok) io.err.write(`${lineFor(o)}\n`);
    else if (!io.json) io.out.write(`${lineFor(o)}\n`);
  }
  return outcomes.every((o) => o.ok) ? 0 : 1;
}

/**
 * The listing the plan is checked against, or undefined once the reason it cannot be had is printed
 * (no agent name, server trouble, a legacy server that cannot change reservations).
 */
async function listFor(client: AgentMailClient, verb: string, io: Io): Promise<ReservationList | undefined> {
  try {
    if (!client.config.agent) throw new AgentMailError('config', `${verb} needs your agent name: --agent NAME or BEADS_AGENT_NAME`);
    const list = await client.listReservations();
    if (list.source === 'legacy') throw new AgentMailError('config', `this server only speaks the legacy /api/reservations shape, which cannot ${verb}`);
    return list;
  } catch (e) {
    io.err.write(`dispatch: ${describeError(e, client.config.baseUrl.origin)}\n`);
    return undefined;
  }
}

/** Runs the plan id by id; a failure that is not the server refusing one id (offline, 403…) stops it. */
async function runPlan(plans: Plan[], baseUrl: string, run: (p: Plan) => Promise<Outcome>): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const p of plans) {
    try {
      outcomes.push(await run(p));
    } catch (e) {
      outcomes.push(failed(p, e, baseUrl));
      if (!isAgentMailError(e) || e.kind !== 'tool-error') break;
    }
  }
  return outcomes;
}

export async function releaseVerb(client: AgentMailClient, ids: number[], flags: WriteFlags, io: Io): Promise<number> {
  const baseUrl = client.config.baseUrl.origin;
  const list = await listFor(client, 'release', io);
  if (!list) return 1;
  const me = client.config.agent as string;
  const plans: Plan[] = ids.map((id) => {
    const row = list.reservations.find((r) => r.id === id);
    return { id, row, action: row?.agent === me ? 'release' : flags.force ? 'force-release' : 'none' };
  });
  const refusals = plans.flatMap((p): Outcome[] => {
    if (p.action !== 'none') return [];
    if (!p.row)
      return [
        refused(
          p.id,
          `no active reservation #${p.id} in ${cell(client.config.project ?? '', 200)} (released, expired or unknown; --force asks the server anyway)`,
        ),
      ];
    const holder = cell(p.row.agent, 40);
    const stale = p.row.stale ? `it looks stale: ${staleReasonsText(p.row.stale_reasons)}` : 'the server refuses while its holder is active';
    return [
      refused(
        p.id,
        `held by ${holder}, not ${cell(me, 40)}; --force asks Agent Mail to force-release it (${stale}) and notifies ${holder} unless --no-notify`,
        p.row,
      ),
    ];
  });
  if (refusals.length) return report(refusals, io);
  const outcomes = await runPlan(plans, baseUrl, async (p): Promise<Outcome> => {
    const base = { id: p.id, path_pattern: p.row?.path_pattern, holder: p.row?.agent };
    if (p.action === 'release') {
      const r = await client.releaseReservations({ ids: [p.id] });
      if (r.released === 0)
        return {
          ...base,
          ok: false,
          action: 'release',
          released: 0,
          error: { kind: 'refused', message: 'Agent Mail released nothing: it may have expired just now' },
        };
      return { ...base, ok: true, action: 'release', released: r.released, released_at: r.released_at };
    }
    const r = await client.forceRelease({ id: p.id, notify: flags.notify, note: flags.note });
    const s = r.reservation;
    return {
      ...base,
      path_pattern: base.path_pattern ?? s?.path_pattern,
      holder: base.holder ?? s?.agent,
      ok: r.released > 0 || r.already_released,
      action: 'force-release',
      released: r.released,
      released_at: r.released_at,
      already_released: r.already_released,
      expired: r.expired,
      ...(s ? { notified: s.notified, notification_error: s.notification_error } : {}),
      ...(r.released > 0 || r.already_released ? {} : { error: { kind: 'refused', message: 'Agent Mail released nothing' } }),
    };
  });
  return report(outcomes, io);
}

export async function renewVerb(client: AgentMailClient, ids: number[], minutes: number, io: Io): Promise<number> {
  const baseUrl = client.config.baseUrl.origin;
  const list = await listFor(client, 'renew', io);
  if (!list) return 1;
  const me = client.config.agent as string;
  const refusals = ids.flatMap((id): Outcome[] => {
    const row = list.reservations.find((r) => r.id === id);
    if (!row) return [refused(id, `no active reservation #${id} in ${cell(client.config.project ?? '', 200)} (released, expired or unknown)`)];
    return row.agent === me ? [] : [refused(id, `held by ${cell(row.agent, 40)}, not ${cell(me, 40)}; only its holder can renew it`, row)];
  });
  if (refusals.length) return report(refusals, io);
  // One call for all: the tool renews every matching reservation of the caller.
  let outcomes: Outcome[];
  try {
    const r = await client.renewReservations({ ids, extendSeconds: minutes * 60 });
    outcomes = ids.map((id): Outcome => {
      const hit = r.file_reservations.find((x) => x.id === id);
      const path_pattern = hit?.path_pattern ?? list.reservations.find((x) => x.id === id)?.path_pattern;
      if (!hit)
        return {
          id,
          ok: false,
          action: 'renew',
          path_pattern,
          error: { kind: 'refused', message: 'Agent Mail renewed nothing: it may have expired just now' },
        };
      return { id, ok: true, action: 'renew', path_pattern, holder: me, new_expires_ts: hit.new_expires_ts };
    });
  } catch (e) {
    outcomes = ids.map((id) => failed({ id, row: list.reservations.find((x) => x.id === id), action: 'renew' }, e, baseUrl));
  }
  return report(outcomes, io);
}
