// The Inbox view itself: the unread badge on the activity bar, the filter message, the root shown as
// the view's description, and context keys that say what the selection holds (for `when` clauses).
import * as os from 'node:os';
import * as vscode from 'vscode';
import { isFiltering } from './order';
import { InboxSession } from './session';
import { InboxNode, InboxTree } from './tree';

export const VIEW_ID = 'dispatchInbox.inbox';
/** Ages ("2h ago") drift: re-render this often while the view is visible. */
const AGE_REFRESH_MS = 60_000;

export class InboxView implements vscode.Disposable {
  readonly view: vscode.TreeView<InboxNode>;
  private readonly subs: vscode.Disposable[] = [];
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly session: InboxSession,
    readonly tree: InboxTree,
  ) {
    this.view = vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true });
    this.subs.push(
      this.view,
      session.onDidChange(() => this.update()),
      tree.onDidChangeTreeData(() => this.updateMessage()),
      this.view.onDidChangeSelection(() => this.updateSelectionKeys()),
      this.view.onDidChangeVisibility(() => this.tick()),
    );
    this.update();
    this.tick();
  }

  /** The selected nodes (commands run from the palette or a keybinding act on these). */
  get selection(): readonly InboxNode[] {
    return this.view.selection;
  }

  private update(): void {
    const index = this.session.index;
    const teams = this.session.watchedTeams();
    const n = index ? teams.reduce((sum, t) => sum + index.count(t, 'new'), 0) : 0;
    this.view.badge = n ? { value: n, tooltip: vscode.l10n.t('{0} new for {1}', n, teams.join(', ')) } : undefined;
    // The path goes in the description: a message would hide the welcome view (its buttons).
    this.view.description = this.session.state === 'rootMissing' ? vscode.l10n.t('no folder at {0}', tildify(this.session.root)) : tildify(this.session.root);
    this.updateMessage();
    this.updateSelectionKeys();
  }

  private updateMessage(): void {
    const f = this.tree.filter;
    const filtering = isFiltering(f);
    void vscode.commands.executeCommand('setContext', 'dispatchInbox.filtered', filtering);
    if (!filtering) return void (this.view.message = undefined);
    const parts = [];
    if (f.priorities.length) parts.push(f.priorities.join(', '));
    if (f.text) parts.push(`“${f.text}”`);
    this.view.message = vscode.l10n.t('Filtered: {0}', parts.join(' · '));
  }

  private updateSelectionKeys(): void {
    const index = this.session.index;
    // Only what is still indexed counts: a dispatch moved by someone else is no longer selectable work.
    const live = this.view.selection.filter((n) => n.kind === 'dispatch' && index?.get(n.dispatch.team, n.dispatch.box, n.dispatch.fileName) === n.dispatch);
    const has = (box: string) => live.some((n) => n.kind === 'dispatch' && n.dispatch.box === box);
    void vscode.commands.executeCommand('setContext', 'dispatchInbox.selection.dispatch', live.length > 0);
    void vscode.commands.executeCommand('setContext', 'dispatchInbox.selection.new', has('new'));
    void vscode.commands.executeCommand('setContext', 'dispatchInbox.selection.cur', has('cur'));
  }

  private tick(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    if (!this.view.visible) return;
    this.ticker = setInterval(() => this.tree.refresh(), AGE_REFRESH_MS);
    this.ticker.unref?.();
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    for (const d of this.subs) d.dispose();
  }
}

export function tildify(p: string): string {
  const home = os.homedir();
  return p === home || p.startsWith(home + '/') ? `~${p.slice(home.length)}` : p;
}
