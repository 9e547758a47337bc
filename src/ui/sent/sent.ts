// The Sent view: what my teams (`myTeams`) sent that sits in other teams' inboxes, grouped by status
// (pending → accepted → completed), each row saying where it sits and for how long, stale ones flagged.
// Completed ones offer Verify & Archive. Like the inbox, it renders the live index and nothing else.
import * as vscode from 'vscode';
import type { Dispatch } from '../../core/api';
import { shortAge } from '../../core/format/age';
import { ageMs, compareWaiting, isStale, lifecycleStatus, sentBy } from '../../core/lifecycle/sent';
import { Status, STATUSES } from '../../core/lifecycle/status';
import { Actions } from '../inbox/actions';
import { itemUri } from '../inbox/uri';
import { priorityColor } from '../common/priority';
import { COMMANDS, VIEWS } from '../common/ids';
import { Disposable } from '../common/lifecycle';
import { InboxSession, onlyFilter } from '../common/session';
import { plain } from '../common/text';

/** Front matter of cur/ dispatches (their status) is read for at most this many per render. */
const META_PER_RENDER = 500;

export type SentNode = { kind: 'status'; status: Status } | { kind: 'sent'; dispatch: Dispatch };

export class SentTree extends Disposable implements vscode.TreeDataProvider<SentNode> {
  private readonly changed = this.register(new vscode.EventEmitter<SentNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly statusNodes = new Map<Status, SentNode>();
  private readonly nodes = new WeakMap<Dispatch, SentNode>();
  /** One scan of the index per change, not one per node rendered (the index may hold 100k). */
  private cache: Dispatch[] | undefined;

  constructor(private readonly session: InboxSession) {
    super();
    this.register(
      session.onDidChange((c) => {
        if (onlyFilter(c)) return; // the Inbox filter does not apply here
        this.cache = undefined;
        this.changed.fire(undefined);
      }),
    );
  }

  /** What my teams sent, in other teams' new/ and cur/. */
  sent(): Dispatch[] {
    return (this.cache ??= this.scan());
  }

  private scan(): Dispatch[] {
    const index = this.session.index;
    if (this.session.state !== 'ready' || !index) return [];
    const all = index.list();
    const out = this.session.config.myTeams.flatMap((t) => sentBy(all, t));
    // Status lives in the front matter: read it (in the background) where the index has not yet.
    let budget = META_PER_RENDER;
    for (const d of out) if (!d.meta && budget-- > 0) void index.meta(d);
    return out;
  }

  byStatus(status: Status): Dispatch[] {
    return this.sent()
      .filter((d) => lifecycleStatus(d) === status)
      .sort(compareWaiting);
  }

  getChildren(node?: SentNode): SentNode[] {
    if (!node) return STATUSES.filter((s) => this.byStatus(s).length).map((s) => this.statusNode(s));
    if (node.kind !== 'status') return [];
    return this.byStatus(node.status).map((d) => this.sentNode(d));
  }

  getParent(node: SentNode): SentNode | undefined {
    return node.kind === 'sent' ? this.statusNode(lifecycleStatus(node.dispatch)) : undefined;
  }

  getTreeItem(node: SentNode): vscode.TreeItem {
    return node.kind === 'status' ? this.statusItem(node.status) : this.sentItem(node.dispatch);
  }

  statusNode(status: Status): SentNode {
    let n = this.statusNodes.get(status);
    if (!n) this.statusNodes.set(status, (n = { kind: 'status', status }));
    return n;
  }

  sentNode(d: Dispatch): SentNode {
    let n = this.nodes.get(d);
    if (!n) this.nodes.set(d, (n = { kind: 'sent', dispatch: d }));
    return n;
  }

  private get staleDays(): number {
    return this.session.config.staleAfterDays;
  }

  private statusItem(status: Status): vscode.TreeItem {
    const ds = this.byStatus(status);
    const item = new vscode.TreeItem(statusLabel(status), vscode.TreeItemCollapsibleState.Expanded);
    item.id = `sent-status:${status}`;
    const stale = ds.filter((d) => isStale(d, this.staleDays)).length;
    item.description = stale ? vscode.l10n.t('{0} · {1} stale', ds.length, stale) : String(ds.length);
    item.iconPath = new vscode.ThemeIcon(status === 'pending' ? 'clock' : status === 'accepted' ? 'check' : 'pass');
    item.contextValue = `sentStatus:${status}`;
    return item;
  }

  private sentItem(d: Dispatch): vscode.TreeItem {
    const status = lifecycleStatus(d);
    const stale = isStale(d, this.staleDays);
    const age = shortAge(ageMs(d));
    const item = new vscode.TreeItem(d.title, vscode.TreeItemCollapsibleState.None);
    item.id = `sent:${d.team}/${d.box}/${d.fileName}`;
    item.resourceUri = itemUri(d);
    const where = d.box === 'new' ? vscode.l10n.t('{0}/new', d.team) : vscode.l10n.t('{0}/acknowledged', d.team);
    item.description = [where, age, stale ? vscode.l10n.t('stale') : ''].filter(Boolean).join(' · ');
    item.iconPath = stale
      ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
      : new vscode.ThemeIcon(status === 'completed' ? 'pass' : status === 'accepted' ? 'mail-read' : 'mail', priorityColor(d.priority));
    item.contextValue = `sent:${status}`;
    item.command = { command: COMMANDS.open, title: vscode.l10n.t('Open Dispatch'), arguments: [d, { preserveFocus: true }] };
    const md = new vscode.MarkdownString();
    md.appendMarkdown('**');
    md.appendText(d.title);
    md.appendMarkdown('**  \n');
    md.appendText(
      d.box === 'new'
        ? vscode.l10n.t('Sent to {0} {1} ago; still in {0}/new/ (not read yet).', d.team, age)
        : status === 'completed'
          ? vscode.l10n.t('Completed by {0}: verify the work, then archive it.', d.team)
          : vscode.l10n.t('Accepted by {0}: in {0}/cur/, being worked on (sent {1} ago).', d.team, age),
    );
    if (stale) {
      md.appendMarkdown('  \n$(warning) ');
      md.appendText(vscode.l10n.t('Stale: older than {0} days in new/ — {1} has not run a session since it arrived.', this.staleDays, d.team));
    }
    item.tooltip = md;
    item.accessibilityInformation = {
      label: vscode.l10n.t('{0}, {1}, in {2}, {3}', d.title, statusLabel(status), where, stale ? vscode.l10n.t('stale') : age),
    };
    return item;
  }
}

function statusLabel(s: Status): string {
  if (s === 'pending') return vscode.l10n.t('Pending');
  if (s === 'accepted') return vscode.l10n.t('Accepted');
  return vscode.l10n.t('Completed');
}

type Target = SentNode | { kind: 'dispatch'; dispatch: Dispatch } | Dispatch | undefined;

function dispatchesOf(t: Target, ts: readonly Target[] | undefined, selection: readonly SentNode[]): Dispatch[] {
  const picked = ts?.length && (!t || ts.includes(t)) ? ts : t ? [t] : selection;
  return picked.flatMap((n) => (!n ? [] : !('kind' in n) ? [n] : n.kind === 'sent' || n.kind === 'dispatch' ? [n.dispatch] : []));
}

/** The Sent view, Verify & Archive, and Mark Completed (for the inbox's acknowledged rows too). */
export class SentView extends Disposable {
  readonly tree: SentTree;
  readonly view: vscode.TreeView<SentNode>;

  constructor(
    private readonly session: InboxSession,
    actions: Actions,
  ) {
    super();
    this.tree = this.register(new SentTree(session));
    this.view = this.register(vscode.window.createTreeView(VIEWS.sent, { treeDataProvider: this.tree, canSelectMany: true }));
    this.register(session.onDidChange(() => this.update()));
    const reg = (id: 'verifyArchive' | 'markCompleted', fn: (t?: Target, ts?: Target[]) => unknown) =>
      this.register(vscode.commands.registerCommand(COMMANDS[id], fn));
    reg('verifyArchive', (t, ts) => actions.archive(dispatchesOf(t, ts, this.view.selection).filter((d) => d.box === 'cur')));
    reg('markCompleted', (t, ts) => actions.complete(dispatchesOf(t, ts, this.view.selection)));
    this.update();
  }

  private update(): void {
    const mine = this.session.config.myTeams;
    this.view.message = !mine.length
      ? vscode.l10n.t('Set dispatchInbox.myTeams to see what your teams sent.')
      : this.session.state === 'ready' && !this.tree.sent().length
        ? vscode.l10n.t('Nothing sent by {0} is waiting in another inbox.', plain(mine.join(', ')))
        : undefined;
  }
}
