// The agent tools' behaviour, shared by the MCP server (cli/mcp.ts) and VS Code's Language Model Tools
// (ui/agents/tools.ts): one handler per tool, from arguments to the text the model reads and the `--json`
// shape. No MCP SDK, no zod and no VS Code here, so both bundles can carry it.
import { checkin, checkinJSON, shownUrgent } from '../core/agents/checkin';
import { fitsCheckin, formatCheckin, TEXT_BUDGET } from '../core/agents/checkin-text';
import { markAnnounced, stateFile } from '../core/agents/urgent-notice';
import type { DispatchStore, MoveOutcome } from '../core/store';
import type { Priority } from '../core/format/format';
import { formatLine, formatShow, sortForList, visiblePath } from './print';

export interface ToolOutput {
  text: string;
  structured: Record<string, unknown>;
}

/** The shape `ack --json` and `complete --json` print: the dispatch, the outcome, why status was not written. */
async function moved(store: DispatchStore, verb: string, r: MoveOutcome): Promise<ToolOutput> {
  if (!r.dispatch.meta) await store.loadMeta([r.dispatch]); // a rewritten file: report what it says now
  const text = `${r.status === 'already' ? `already ${verb}` : verb}: ${visiblePath(r.dispatch.path)}`;
  return {
    text: text + (r.warnings?.length ? `\nwarning: ${r.warnings.join('; ')}` : ''),
    structured: { ...r.dispatch.toJSON(), outcome: r.status, warnings: [...(r.dispatch.meta ? r.dispatch.warnings : []), ...(r.warnings ?? [])] },
  };
}

export interface ToolArgs {
  checkin: { team: string; ack?: boolean; track?: boolean; send_due?: boolean; full?: boolean };
  list_dispatches: { team?: string; box?: 'new' | 'cur'; priority?: Priority; from?: string };
  read_dispatch: { id: string };
  send_dispatch: { to: string; from: string; priority?: Priority; title?: string; slug?: string; bead?: string; body?: string };
  acknowledge_dispatch: { id: string };
  complete_dispatch: { id: string; note?: string };
  reroute_dispatch: { id: string; to: string };
}

export type ToolName = keyof ToolArgs;

export function toolHandlers(store: DispatchStore, env: NodeJS.ProcessEnv): { [K in ToolName]: (a: ToolArgs[K]) => Promise<ToolOutput> } {
  return {
    async checkin(a) {
      const now = Date.now();
      const r = await checkin(store, { team: a.team, ack: a.ack, track: a.track, sendDue: a.send_due, full: a.full, now, env }, (x) =>
        fitsCheckin(x, now, TEXT_BUDGET),
      );
      await markAnnounced(stateFile(store.root, r.team, env), shownUrgent(r));
      return { text: formatCheckin(r, now, TEXT_BUDGET), structured: checkinJSON(r) };
    },
    async list_dispatches(a) {
      const ds = sortForList(await store.list({ teams: a.team ? [a.team] : [], box: a.box, priority: a.priority, from: a.from }));
      await store.loadMeta(ds);
      const shown = ds.slice(0, 200);
      const more = ds.length - shown.length;
      return {
        text: shown.map(formatLine).join('\n') + (more ? `\n… ${more} more` : '') || 'no dispatches',
        structured: { dispatches: shown.map((d) => d.toJSON()), more },
      };
    },
    async read_dispatch(a) {
      const c = await store.read(a.id);
      return { text: formatShow(c), structured: { ...c.dispatch.toJSON(), front_matter: c.data, body: c.body, truncated: c.truncated } };
    },
    async send_dispatch(a) {
      const d = await store.deliver({
        to: a.to,
        from: a.from,
        priority: a.priority ?? 'normal',
        title: a.title,
        slug: a.slug,
        bead: a.bead,
        body: a.body ?? '',
      });
      return { text: `sent: ${visiblePath(d.path)}`, structured: { ...d.toJSON() } };
    },
    acknowledge_dispatch: async (a) => moved(store, 'acknowledged', await store.acknowledge(a.id)),
    complete_dispatch: async (a) => moved(store, 'completed', await store.complete(a.id, a.note)),
    async reroute_dispatch(a) {
      const r = await store.reroute(a.id, a.to);
      const status = r.status === 'already' ? 'already in' : 'rerouted to';
      return { text: `${status} ${r.dispatch.team}: ${r.dispatch.path}`, structured: { status, ...r.dispatch.toJSON() } };
    },
  };
}
