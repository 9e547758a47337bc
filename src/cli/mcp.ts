// `dispatch mcp`: the CLI's verbs as MCP tools over stdio, for agents that would rather call tools than
// compose shell strings. Same core, same validation, same one-line messages; results as text plus the
// `--json` shapes as structured content. A bad call is an error result, never the end of the server.
// stdout carries the protocol only: nothing else in this process may write to it.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { findTeamFile } from '../core/cadences/file';
import { checkCadences, sendDueCadences } from '../core/cadences/send';
import { localDate } from '../core/cadences/table';
import { PRIORITIES } from '../core/format/format';
import { DispatchError, DispatchStore } from '../core/store';
import * as os from 'node:os';
import type { Io } from './io';
import { LineTransport } from './mcp-stdio';
import { stripControl } from '../core/format/text';

import { VERSION } from './version';
import { toolHandlers, ToolOutput } from './tools';

function ok(text: string, structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: stripControl(text) }], structuredContent: structured };
}

const out = (r: ToolOutput) => ok(r.text, r.structured);

function refused(e: unknown): CallToolResult {
  const m = e instanceof Error ? e.message : String(e);
  return { isError: true, content: [{ type: 'text', text: `dispatch: ${stripControl(m).split('\n')[0]}` }] };
}

/** Every handler's failure becomes the CLI's one-line message as an error result. */
function guarded<A>(f: (a: A) => Promise<CallToolResult>): (a: A) => Promise<CallToolResult> {
  return async (a) => {
    try {
      return await f(a);
    } catch (e) {
      return refused(e);
    }
  };
}

const id = z.string().describe('the dispatch: its file name without .md (a unique prefix is enough) or its path');
const team = (what: string) => z.string().describe(`${what}: lowercase letters, digits, "_" and "-"`);
const priority = z.enum(PRIORITIES).describe('urgent, high, normal or low');

export function buildServer(store: DispatchStore, env: NodeJS.ProcessEnv): McpServer {
  const server = new McpServer({ name: 'dispatch', version: VERSION });
  const tools = toolHandlers(store, env);

  server.registerTool(
    'checkin',
    {
      description:
        "The session-start check: my team's new dispatches (urgent first) with the start of each body; ack accepts what was shown, track also creates local beads; then due cadences, my stale sent dispatches and completed ones to verify.",
      inputSchema: {
        team: team('my team'),
        ack: z.boolean().optional(),
        track: z.boolean().optional(),
        send_due: z.boolean().optional(),
        full: z.boolean().optional(),
      },
    },
    guarded(async (a) => out(await tools.checkin(a))),
  );

  server.registerTool(
    'list_dispatches',
    {
      description: 'Dispatches in a team inbox (all teams when none is given): new before acknowledged, urgent first, oldest first.',
      inputSchema: { team: team('the team').optional(), box: z.enum(['new', 'cur']).optional(), priority: priority.optional(), from: z.string().optional() },
      annotations: { readOnlyHint: true },
    },
    guarded(async (a) => out(await tools.list_dispatches(a))),
  );

  server.registerTool(
    'read_dispatch',
    { description: 'One dispatch whole: front matter and body.', inputSchema: { id }, annotations: { readOnlyHint: true } },
    guarded(async (a) => out(await tools.read_dispatch(a))),
  );

  server.registerTool(
    'send_dispatch',
    {
      description: "Delivers a dispatch into another team's new/. One piece of work per dispatch; say what done means.",
      inputSchema: {
        to: team('the receiving team'),
        from: team('my team'),
        priority: priority.optional(),
        title: z.string().optional(),
        slug: z.string().optional().describe('lowercase kebab-case; made from the title when absent'),
        bead: z.string().optional().describe('the related bead id'),
        body: z.string().optional().describe('Markdown: context, what is needed, acceptance criteria'),
      },
    },
    guarded(async (a) => out(await tools.send_dispatch(a))),
  );

  server.registerTool(
    'acknowledge_dispatch',
    { description: 'Accepts a dispatch: moves it from new/ to cur/. Already acknowledged is not an error.', inputSchema: { id } },
    guarded(async (a) => out(await tools.acknowledge_dispatch(a))),
  );

  server.registerTool(
    'complete_dispatch',
    {
      description: 'Marks a dispatch completed (acknowledging it first when still new), with an optional note.',
      inputSchema: { id, note: z.string().optional() },
    },
    guarded(async (a) => out(await tools.complete_dispatch(a))),
  );

  server.registerTool(
    'reroute_dispatch',
    {
      description: "Routes a dispatch that reached the wrong team into the right team's new/ (never hand work back).",
      inputSchema: { id, to: team('the team it is for') },
    },
    guarded(async (a) => out(await tools.reroute_dispatch(a))),
  );

  server.registerTool(
    'due_cadences',
    {
      description:
        'Recurring dispatches in TEAM.md (## Cadences): which are due; send delivers the due ones and sets Last Sent. TEAM.md: file, else .team/TEAM.md, TEAM.md here, ~/.team/TEAM.md.',
      inputSchema: {
        from: team('my team (the sender)').optional(),
        file: z.string().optional(),
        send: z.boolean().optional(),
        dry_run: z.boolean().optional(),
      },
    },
    guarded(async (a) => {
      if (a.send && !a.from) throw new DispatchError('invalid', 'send needs from (the team that sends them)');
      const file = await findTeamFile(process.cwd(), env.HOME?.trim() || os.homedir(), a.file);
      if (!file) throw new DispatchError('not-found', 'no TEAM.md: looked for .team/TEAM.md and TEAM.md here, then ~/.team/TEAM.md (or give file)');
      const today = localDate();
      if (!a.send) {
        const c = await checkCadences(store, file, a.from, today);
        const due = c.cadences.filter((r) => r.due);
        return ok(
          due.map((r) => `${r.skip_reason ? 'skip' : 'due'}  ${r.dispatch} → ${r.to} (${r.frequency}, last sent ${r.last_sent ?? 'never'})`).join('\n') ||
            'nothing due',
          { ...c },
        );
      }
      const r = await sendDueCadences(store, file, { from: a.from!, today, dryRun: a.dry_run });
      const lines = r.cadences
        .filter((c) => c.result !== 'not-due')
        .map((c) => `${c.result}  ${c.dispatch} → ${c.to}${c.error ? `: ${c.error}` : c.skip_reason ? `: ${c.skip_reason}` : ''}`);
      return ok(lines.join('\n') || 'nothing due', { ...r });
    }),
  );
  return server;
}

/** Takes the root, not a store: this module is a bundle of its own, with its own copy of the core. */
export async function mcpCommand(root: string, argv: string[], io: Io): Promise<number> {
  const store = new DispatchStore(root);
  if (argv.length) {
    io.err.write(`dispatch: mcp takes no arguments (got "${stripControl(argv[0].slice(0, 40))}")\nusage: dispatch [--root DIR] mcp\n`);
    return 2;
  }
  const server = buildServer(store, io.env);
  const transport = new LineTransport(io.stdin, io.out);
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    io.stdin.once('end', () => void server.close().then(resolve, resolve));
  });
  await server.connect(transport);
  io.err.write(stripControl(`dispatch mcp: serving ${store.root} over stdio\n`));
  await closed;
  return 0;
}
