// What checkin takes from the lifecycle (completing, stale and completed sent dispatches, the safe
// front matter rewrite) and from cadences (due rows, sending them): the one place that connects them,
// so checkin and the MCP server stay small and each part can fail on its own ("… failed: why").
import * as os from 'node:os';
import { findTeamFile } from '../cadences/file';
import { CadenceStatus, checkCadences, sendDueCadences } from '../cadences/send';
import { localDate } from '../cadences/table';
import { Dispatch } from '../format/dispatch';
import { editFrontMatter } from '../lifecycle/lifecycle';
import { DEFAULT_STALE_DAYS } from '../defaults';
import { compareWaiting, isStale, lifecycleStatus, sentBy } from '../lifecycle/sent';
import type { DispatchStore } from '../store';
import { observeLanding } from '../lifecycle/waiting';

export type DueCadence = CadenceStatus;

export interface CadenceReport {
  /** The due rows (with skip_reason when one will not be sent). */
  rows: DueCadence[];
  /** Ids of what was delivered now. */
  sent: string[];
  warnings: string[];
}

/** My dispatches still unread in other teams' new/ after the stale limit, oldest first. */
export async function staleSent(store: DispatchStore, from: string, now: number, days = DEFAULT_STALE_DAYS): Promise<Dispatch[]> {
  const mine = sentBy(await store.list({ box: 'new' }), from);
  await observeLanding(mine);
  return mine.filter((d) => isStale(d, days, now)).sort(compareWaiting);
}

/** My dispatches their receivers marked completed: waiting for me to verify, then archive. */
export async function awaitingVerification(store: DispatchStore, from: string): Promise<Dispatch[]> {
  const mine = sentBy(await store.list({ box: 'cur' }), from);
  await store.loadMeta(mine);
  return mine.filter((d) => lifecycleStatus(d) === 'completed').sort(compareWaiting);
}

/**
 * Sets one front matter key, every other byte kept: the lifecycle's line editor as the content
 * transform of the one move primitive, moving the dispatch onto its own name (a rewrite in place), so a
 * racer or a kill leaves it there once, old or new. Throws with the reason it was not written.
 */
export async function setField(store: DispatchStore, d: Dispatch, key: string, value: string): Promise<Dispatch> {
  let refused: string | undefined;
  const r = await store.transition(d, d.team, d.box, (content) => {
    const e = editFrontMatter(content, [{ key, value, after: ['related_bead', 'status', 'priority'] }]);
    if (e.ok) return e.changed ? e.bytes : undefined;
    refused = e.reason;
    return undefined;
  });
  refused ??= r.warnings?.[0];
  if (refused) throw new Error(refused);
  return r.dispatch;
}

/** The team's due cadences from its TEAM.md (none found: nothing due); with `send`, delivered. */
export async function cadences(store: DispatchStore, o: { from: string; cwd: string; env: NodeJS.ProcessEnv; send: boolean }): Promise<CadenceReport> {
  const file = await findTeamFile(o.cwd, o.env.HOME?.trim() || os.homedir());
  if (!file) return { rows: [], sent: [], warnings: o.send ? ['--send-due: no TEAM.md (.team/TEAM.md, TEAM.md, ~/.team/TEAM.md): nothing sent'] : [] };
  const today = localDate();
  const bad = (rows: { line: number; reason: string }[]) => rows.map((b) => `${file}:${b.line}: ${b.reason}; skipped`);
  if (!o.send) {
    const c = await checkCadences(store, file, o.from, today);
    return { rows: c.cadences.filter((r) => r.due), sent: [], warnings: bad(c.bad_rows) };
  }
  const r = await sendDueCadences(store, file, { from: o.from, today });
  const warnings = [...bad(r.bad_rows), ...r.cadences.filter((c) => c.error).map((c) => `cadence "${c.dispatch}" not sent: ${c.error}`)];
  if (r.last_sent.error) warnings.push(`Last Sent not updated in ${file}: ${r.last_sent.error}`);
  return { rows: r.cadences.filter((c) => c.due), sent: r.cadences.flatMap((c) => (c.sent ? [c.sent.id] : [])), warnings };
}
