// Language Model Tools: the MCP server's tools, under the same names and schemas (package.json
// `contributes.languageModelTools`, checked against `dispatch mcp` by test/unit/mcp.test.ts), for VS
// Code's agent mode with no configuration. The handlers are the MCP server's own (cli/tools.ts) on this
// window's store; what they change reaches the views through the index, like any other change. Send,
// acknowledge and reroute ask the user first (prepareInvocation).
import * as vscode from 'vscode';
import type { InboxSession } from '../common/session';
import type { ToolArgs, ToolName } from '../../cli/tools';
import { stripControl } from '../../core/format/text';

export const LM_TOOLS: readonly ToolName[] = [
  'checkin',
  'list_dispatches',
  'read_dispatch',
  'send_dispatch',
  'acknowledge_dispatch',
  'complete_dispatch',
  'reroute_dispatch',
];

type Confirm = { [K in ToolName]?: (a: ToolArgs[K]) => { title: string; message: string } };

const CONFIRM: Confirm = {
  send_dispatch: (a) => ({
    title: vscode.l10n.t('Send a dispatch to {0}?', a.to),
    message: vscode.l10n.t('From {0}, {1}: "{2}"', a.from, a.priority ?? 'normal', oneLine(a.title ?? a.slug ?? '')),
  }),
  acknowledge_dispatch: (a) => ({ title: vscode.l10n.t('Acknowledge this dispatch?'), message: vscode.l10n.t('{0} moves to cur/ (accepted).', oneLine(a.id)) }),
  reroute_dispatch: (a) => ({
    title: vscode.l10n.t('Reroute this dispatch to {0}?', a.to),
    message: vscode.l10n.t('{0} moves to the new/ of {1}, unchanged.', oneLine(a.id), a.to),
  }),
};

function oneLine(s: string): string {
  return stripControl(s.replace(/\s+/g, ' ')).slice(0, 200);
}

export function registerLanguageModelTools(session: InboxSession): vscode.Disposable[] {
  return LM_TOOLS.map((name) =>
    vscode.lm.registerTool<ToolArgs[typeof name]>(name, {
      prepareInvocation(options) {
        const ask = (CONFIRM[name] as ((a: unknown) => { title: string; message: string }) | undefined)?.(options.input);
        return {
          invocationMessage: vscode.l10n.t('Dispatch: {0}', name.replace(/_/g, ' ')),
          ...(ask ? { confirmationMessages: { title: ask.title, message: new vscode.MarkdownString().appendText(ask.message) } } : {}),
        };
      },
      async invoke(options) {
        await session.whenLoaded();
        const { toolHandlers } = await import('../../cli/tools');
        const run = toolHandlers(session.store, process.env)[name] as (a: unknown) => Promise<{ text: string }>;
        try {
          const r = await run(options.input);
          return new vscode.LanguageModelToolResult([new vscode.LanguageModelTextPart(stripControl(r.text))]);
        } catch (e) {
          // The model reads a thrown error's message: the CLI's one line, as the MCP server gives it.
          throw new Error(`dispatch: ${stripControl(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
        }
      },
    }),
  );
}
