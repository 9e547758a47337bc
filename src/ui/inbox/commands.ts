// Command registrations: each resolves what it acts on (the clicked item, the multi-selection, or the
// view's selection when run from the palette or a key) and hands it to Actions, Sender or the view.
import * as vscode from 'vscode';
import type { Dispatch } from '../../core/api';
import { Actions } from './actions';
import { resolveConflict } from './conflict';
import type { InboxNode } from '../common/nodes';
import { COMMANDS } from '../common/ids';
import { InboxView } from './view';
import { InboxSession } from '../common/session';
import { Prompts } from '../common/prompts';
import { Sender } from '../send/send';
import { isFiltering, matches, NO_FILTER } from '../common/filter';
import { plain } from '../common/text';
import { escapeName, hasRawBytes } from '../../core/fs/rawname';

type Target = InboxNode | Dispatch | undefined;

export function registerCommands(session: InboxSession, view: InboxView, actions: Actions, sender: Sender, prompts: Prompts): vscode.Disposable[] {
  const tree = view.tree;
  /** The clicked node and the multi-selection it belongs to, else the selection. */
  const targets = (node: Target, nodes?: InboxNode[]): Dispatch[] => {
    const picked: (InboxNode | Dispatch)[] = nodes?.length && (!node || nodes.includes(node as InboxNode)) ? nodes : node ? [node] : [...view.selection];
    return picked.flatMap((n) => (!('kind' in n) ? [n] : n.kind === 'dispatch' ? [n.dispatch] : []));
  };
  const open = (d: Dispatch, preserveFocus = false) => openDispatch(session, prompts, d, preserveFocus);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- registerCommand's own signature: handlers take their own argument types
  const reg = (id: keyof typeof COMMANDS, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(COMMANDS[id], fn);

  return [
    reg('refresh', () => session.refresh()),
    reg('open', (t?: Target, o?: { preserveFocus?: boolean }) => {
      const d = targets(t)[0];
      return d && open(d, o?.preserveFocus === true);
    }),
    reg('acknowledge', (t?: Target, ts?: InboxNode[]) => actions.acknowledge(targets(t, ts))),
    reg('acknowledgeAll', (t?: InboxNode) => {
      const n = t ?? view.selection[0];
      const team = n && (n.kind === 'dispatch' ? n.dispatch.team : n.team);
      const all = team ? (session.index?.list(team, 'new') ?? []) : [];
      return actions.acknowledge(isFiltering(session.filter) ? all.filter((d) => matches(d, session.filter)) : all);
    }),
    reg('markAsNew', (t?: Target, ts?: InboxNode[]) => actions.markAsNew(targets(t, ts))),
    reg('reroute', (t?: Target, ts?: InboxNode[]) => actions.reroute(targets(t, ts))),
    reg('delete', (t?: Target, ts?: InboxNode[]) => actions.delete(targets(t, ts))),
    reg('resolveConflict', (t?: Target) => {
      const d = targets(t)[0];
      return d && resolveConflict(session, prompts, d);
    }),
    reg('revealInOS', async (t?: Target) => {
      const d = targets(t)[0];
      if (d) await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(d.path));
    }),
    reg('copyPath', async (t?: Target, ts?: InboxNode[]) => {
      const ds = targets(t, ts);
      if (ds.length) await vscode.env.clipboard.writeText(ds.map((d) => d.path).join('\n'));
    }),
    reg('showMore', (n?: InboxNode) => n?.kind === 'more' && tree.showMore(n.team, n.box)),
    reg('filter', async () => {
      const priorities = await prompts.pickPriorities(session.filter.priorities);
      if (!priorities) return;
      const text = await prompts.input({
        title: vscode.l10n.t('Filter by text'),
        prompt: vscode.l10n.t('Text in the title, sender, team or file name (empty = any)'),
        value: session.filter.text,
      });
      if (text === undefined) return;
      session.setFilter(priorities.length || text.trim() ? { priorities, text: text.trim() } : NO_FILTER);
    }),
    reg('clearFilter', () => session.setFilter(NO_FILTER)),
    reg('sendDispatch', (arg?: InboxNode) => sender.compose(arg)),
    reg('deliverDraft', (uri?: vscode.Uri) => sender.deliver(uri instanceof vscode.Uri ? uri : undefined)),
    reg('discardDraft', (uri?: vscode.Uri) => sender.discard(uri instanceof vscode.Uri ? uri : undefined)),
  ];
}

/** The built-in Markdown extension's preview, as a custom editor (`Open With…`). */
const MARKDOWN_PREVIEW = 'vscode.markdown.preview.editor';

/**
 * Opens a dispatch as the `openWith` setting says, unless someone moved it away meanwhile. From a
 * tree click the focus stays in the tree (as in the Explorer), so the keyboard can act on the row next.
 */
async function openDispatch(session: InboxSession, prompts: Prompts, d: Dispatch, preserveFocus: boolean): Promise<void> {
  if (hasRawBytes(d.fileName)) {
    // The editor reaches files by (UTF-8) string paths only; the CLI keeps the name's bytes.
    void prompts.warn(
      vscode.l10n.t('“{0}” has a file name that is not valid UTF-8: the editor cannot open it. Use `dispatch show "{1}"`.', plain(d.title), escapeName(d.id)),
    );
    return;
  }
  const uri = vscode.Uri.file(d.path);
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    session.recheck(d);
    void prompts.warn(vscode.l10n.t('“{0}” is no longer in {1}/{2}/: it was moved or deleted by someone else.', plain(d.title), d.team, d.box));
    return;
  }
  if (session.config.openWith === 'preview') {
    try {
      // The Markdown preview as an editor of this file: it stays on it (a `markdown.showPreview` follows
      // whichever Markdown editor is active unless locked), and it takes preserveFocus. Focusing the tree
      // back after the fact lost the race with the webview, which takes the focus when it has loaded:
      // under load that was seconds later, and closed whatever the user had opened meanwhile (the palette).
      await vscode.commands.executeCommand('vscode.openWith', uri, MARKDOWN_PREVIEW, { preview: true, preserveFocus });
      return;
    } catch {
      // No Markdown preview in this editor: fall back to the text editor.
    }
  }
  await vscode.window.showTextDocument(uri, { preview: true, preserveFocus });
}
