// The Inbox view itself: the unread badge on the activity bar, the filter message, the root shown as
// the view's description, and context keys that say what the selection holds (for `when` clauses).
import * as vscode from 'vscode';
import { CONTEXT, VIEWS } from '../common/ids';
import { tildify } from '../common/text';
import { Disposable, Interval } from '../common/lifecycle';
import { isFiltering } from '../common/filter';
import { InboxSession } from '../common/session';
import { InboxTree, RENDER_HOLD_MS } from './tree';
import type { InboxNode } from '../common/nodes';

/** Ages ("2h ago") drift: look this often, while the view is visible, for rows whose age text changed. */
const AGE_REFRESH_MS = 60_000;

export class InboxView extends Disposable {
  readonly view: vscode.TreeView<InboxNode>;
  private readonly ticker = this.register(new Interval());
  /** Context keys as last set: each set is a message to the workbench, so only changes are sent. */
  private readonly keys = new Map<string, unknown>();
  private badgeKey = '';
  private descriptionValue: string | undefined;

  constructor(
    private readonly session: InboxSession,
    readonly tree: InboxTree,
  ) {
    super();
    this.view = this.register(vscode.window.createTreeView(VIEWS.inbox, { treeDataProvider: tree, canSelectMany: true, showCollapseAll: true }));
    this.register(session.onDidChange(() => this.update()));
    this.register(this.view.onDidChangeSelection(() => this.updateSelectionKeys()));
    this.register(
      this.view.onDidChangeVisibility((e) => {
        // The rows are asked for next: the background reads wait for them (see InboxTree).
        if (e.visible) session.index?.holdBackground(RENDER_HOLD_MS);
        this.tick();
      }),
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
    const tooltip = vscode.l10n.t('{0} new for {1}', n, teams.join(', '));
    if (this.badgeKey !== `${n}\u0000${tooltip}`) {
      this.badgeKey = `${n}\u0000${tooltip}`;
      this.view.badge = n ? { value: n, tooltip } : undefined;
    }
    // The path goes in the description: a message would hide the welcome view (its buttons).
    const root = tildify(this.session.root);
    const description =
      this.session.state === 'rootMissing'
        ? vscode.l10n.t('no folder at {0}', root)
        : this.session.polling && this.session.state === 'ready'
          ? vscode.l10n.t('{0} · polling', root)
          : root;
    if (description !== this.descriptionValue) this.view.description = this.descriptionValue = description;
    this.updateMessage();
    this.updateSelectionKeys();
  }

  private updateMessage(): void {
    const f = this.session.filter;
    const filtering = isFiltering(f);
    this.setKey(CONTEXT.filtered, filtering);
    // A message hides the welcome views (VS Code shows them only while it is empty): none without teams.
    if (!filtering || this.session.state !== 'ready' || !this.session.teams().length) {
      if (this.view.message !== undefined) this.view.message = undefined;
      return;
    }
    const parts = [];
    if (f.priorities.length) parts.push(f.priorities.join(', '));
    if (f.text) parts.push(`“${f.text}”`);
    const message = vscode.l10n.t('Filtered: {0}', parts.join(' · '));
    if (this.view.message !== message) this.view.message = message;
  }

  private setKey(key: string, value: unknown): void {
    if (this.keys.has(key) && this.keys.get(key) === value) return;
    this.keys.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  private updateSelectionKeys(): void {
    const index = this.session.index;
    // Only what is still indexed counts: a dispatch moved by someone else is no longer selectable work.
    const live = this.view.selection.filter((n) => n.kind === 'dispatch' && index?.get(n.dispatch.team, n.dispatch.box, n.dispatch.fileName) === n.dispatch);
    const has = (box: string) => live.some((n) => n.kind === 'dispatch' && n.dispatch.box === box);
    this.setKey(CONTEXT.selectionDispatch, live.length > 0);
    this.setKey(CONTEXT.selectionNew, has('new'));
    this.setKey(CONTEXT.selectionCur, has('cur'));
  }

  private tick(): void {
    if (this.view.visible) this.ticker.start(AGE_REFRESH_MS, () => this.tree.refreshAges());
    else this.ticker.cancel();
  }
}
