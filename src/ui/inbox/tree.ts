// The Inbox tree: team → New / Acknowledged → dispatches. It renders the live index and nothing else;
// items are read lazily (tooltips in resolveTreeItem), boxes are paged so 10k files stay fast.
import * as vscode from 'vscode';
import type { Dispatch } from '../../core/api';
import { Box } from '../../core/format/format';
import { COMMANDS } from '../common/ids';
import type { BoxNode, DispatchNode, InboxNode, MoreNode, TeamNode } from '../common/nodes';
import { Disposable } from '../common/lifecycle';
import { compareAcknowledged, compareNew, countByPriority, firstN } from './order';
import { isFiltering, matches } from '../common/filter';
import { agoText, dispatchItem, dispatchTooltip } from './items';
import { InboxChange, InboxSession } from '../common/session';
import { shortAge } from '../../core/format/age';
import { ageMs, isStale, oldestNew } from '../../core/lifecycle/sent';

/** new/ is a work queue and rarely large; it still pages, with a bigger page than cur/. */
const NEW_PAGE = 200;
/**
 * While VS Code asks for rows, the index's background front-matter reads wait this long after the last
 * request: a round trip to the renderer takes up to a few hundred ms while the window starts.
 */
export const RENDER_HOLD_MS = 500;

export class InboxTree extends Disposable implements vscode.TreeDataProvider<InboxNode> {
  private readonly changed = this.register(new vscode.EventEmitter<InboxNode | InboxNode[] | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private readonly limits = new Map<string, number>();
  private readonly teamNodes = new Map<string, TeamNode>();
  private readonly boxNodes = new Map<string, BoxNode>();
  private readonly dispatchNodes = new WeakMap<Dispatch, DispatchNode>();
  /** The page of each box last handed to VS Code (`team/box`): the only dispatch rows that exist on screen. */
  private readonly shown = new Map<string, Dispatch[]>();
  /** How each row handed out reads (label, description, icon): a row is repainted only when this differs. */
  private readonly drawn = new WeakMap<Dispatch, { key: string; age: string }>();

  constructor(private readonly session: InboxSession) {
    super();
    this.register(session.onDidChange((c) => this.sessionChanged(c)));
  }

  /**
   * Refreshes only what changed: a team whose new/ changed (its count is in its row), a cur/ box, or
   * single rows whose text differs now (a title read from the front matter). Rows not handed out yet
   * need nothing: they are drawn from the index when they are first shown.
   */
  private sessionChanged(c: InboxChange): void {
    if (c.all || c.filter) return this.changed.fire(undefined);
    const nodes: InboxNode[] = [];
    const teams = new Set<string>();
    for (const k of c.boxes) {
      const [team, box] = k.split('/') as [string, Box];
      if (box === 'new') teams.add(team);
    }
    for (const t of teams) nodes.push(this.teamNode(t));
    for (const k of c.boxes) {
      const [team, box] = k.split('/') as [string, Box];
      if (box !== 'new' && !teams.has(team)) nodes.push(this.boxNode(team, box));
    }
    for (const d of c.dispatches) {
      const was = this.drawn.get(d);
      if (was && !teams.has(d.team) && !c.boxes.has(`${d.team}/${d.box}`) && was.key !== rowKey(dispatchItem(d))) nodes.push(this.dispatchNode(d));
    }
    if (nodes.length) this.changed.fire(nodes);
  }

  /** Ages ("5m ago") drift: repaints the rows on screen whose age text is different now, and nothing else. */
  refreshAges(now = Date.now()): void {
    const nodes: InboxNode[] = [];
    for (const page of this.shown.values()) {
      for (const d of page) {
        const was = this.drawn.get(d);
        if (was && was.age !== (agoText(d, now) ?? '')) nodes.push(this.dispatchNode(d));
      }
    }
    if (nodes.length) this.changed.fire(nodes);
  }

  /** Shows another page of a box. */
  showMore(team: string, box: Box): void {
    const k = `${team}/${box}`;
    this.limits.set(k, this.limit(team, box) + this.page(box));
    this.changed.fire(this.boxNode(team, box));
  }

  getChildren(node?: InboxNode): InboxNode[] {
    const index = this.session.index;
    if (this.session.state !== 'ready' || !index) return [];
    index.holdBackground(RENDER_HOLD_MS);
    if (!node) return this.session.teams().map((t) => this.teamNode(t));
    if (node.kind === 'team') return [this.boxNode(node.team, 'new'), this.boxNode(node.team, 'cur')];
    if (node.kind !== 'box') return [];
    const { all, shown } = this.pageOf(node.team, node.box);
    this.shown.set(`${node.team}/${node.box}`, shown);
    // Titles, warnings, and in Acknowledged accepted/completed: the front matter of the page shown first.
    index.readFirst(shown);
    const out: InboxNode[] = shown.map((d) => this.dispatchNode(d));
    if (all.length > shown.length) out.push({ kind: 'more', team: node.team, box: node.box, shown: shown.length, total: all.length });
    return out;
  }

  getParent(node: InboxNode): InboxNode | undefined {
    if (node.kind === 'team') return undefined;
    if (node.kind === 'box') return this.teamNode(node.team);
    if (node.kind === 'more') return this.boxNode(node.team, node.box);
    return this.boxNode(node.dispatch.team, node.dispatch.box);
  }

  getTreeItem(node: InboxNode): vscode.TreeItem {
    switch (node.kind) {
      case 'team':
        return this.teamItem(node.team);
      case 'box':
        return this.boxItem(node);
      case 'dispatch': {
        const item = dispatchItem(node.dispatch);
        this.drawn.set(node.dispatch, { key: rowKey(item), age: agoText(node.dispatch) ?? '' });
        return item;
      }
      case 'more':
        return this.moreItem(node);
    }
  }

  /** Hover: the front matter and the start of the body, read only now. */
  async resolveTreeItem(item: vscode.TreeItem, node: InboxNode): Promise<vscode.TreeItem> {
    if (node.kind === 'dispatch' && this.session.index) {
      const d = node.dispatch;
      const meta = await this.session.index.meta(d);
      item.tooltip = dispatchTooltip(d, meta);
    }
    return item;
  }

  /** The dispatch node for a dispatch (for reveal and tests). */
  dispatchNode(d: Dispatch): DispatchNode {
    let n = this.dispatchNodes.get(d);
    if (!n) this.dispatchNodes.set(d, (n = { kind: 'dispatch', dispatch: d }));
    return n;
  }

  teamNode(team: string): TeamNode {
    let n = this.teamNodes.get(team);
    if (!n) this.teamNodes.set(team, (n = { kind: 'team', team }));
    return n;
  }

  boxNode(team: string, box: Box): BoxNode {
    const k = `${team}/${box}`;
    let n = this.boxNodes.get(k);
    if (!n) this.boxNodes.set(k, (n = { kind: 'box', team, box }));
    return n;
  }

  /** A box's dispatches as filtered, and the page of them shown. */
  private pageOf(team: string, box: Box): { all: Dispatch[]; shown: Dispatch[] } {
    const all = this.visible(team, box);
    return { all, shown: firstN(all, this.limit(team, box), box === 'new' ? compareNew : compareAcknowledged) };
  }

  private visible(team: string, box: Box): Dispatch[] {
    const ds = this.session.index?.list(team, box) ?? [];
    const f = this.session.filter;
    return isFiltering(f) ? ds.filter((d) => matches(d, f)) : ds;
  }

  private page(box: Box): number {
    return box === 'new' ? Math.max(NEW_PAGE, this.session.config.acknowledgedLimit) : this.session.config.acknowledgedLimit;
  }

  private limit(team: string, box: Box): number {
    return this.limits.get(`${team}/${box}`) ?? this.page(box);
  }

  private teamItem(team: string): vscode.TreeItem {
    const mine = this.session.isMine(team);
    const item = new vscode.TreeItem(team, vscode.TreeItemCollapsibleState.Expanded);
    item.id = `team:${team}`;
    const c = countByPriority(this.session.index?.list(team, 'new') ?? []);
    const parts = [vscode.l10n.t('{0} new', c.total)];
    // Whole phrases, not "{0} {1}" with an English priority word: a translation may need another order.
    if (c.byPriority.urgent) parts.push(vscode.l10n.t('{0} urgent', c.byPriority.urgent));
    if (c.byPriority.high) parts.push(vscode.l10n.t('{0} high', c.byPriority.high));
    const stale = staleOf(this.session.index?.list(team, 'new') ?? [], this.session.config.staleAfterDays);
    if (stale) parts.push(vscode.l10n.t('{0} unread {1}', stale.count, stale.age));
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon(mine ? 'inbox' : 'organization');
    item.contextValue = mine ? 'team:mine' : 'team';
    item.tooltip = mine ? vscode.l10n.t('{0} (my team): {1}', team, item.description) : `${team}: ${item.description}`;
    if (stale) {
      item.tooltip +=
        '\n' +
        vscode.l10n.t(
          '{0} unread for more than {1} days (the oldest for {2}): {3} has not run a session since they arrived.',
          stale.count,
          this.session.config.staleAfterDays,
          stale.age,
          team,
        );
    }
    return item;
  }

  private boxItem(node: BoxNode): vscode.TreeItem {
    const isNew = node.box === 'new';
    const label = isNew ? vscode.l10n.t('New') : vscode.l10n.t('Acknowledged');
    const total = this.session.index?.count(node.team, node.box) ?? 0;
    const item = new vscode.TreeItem(label, isNew ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `box:${node.team}/${node.box}`;
    item.description = isFiltering(this.session.filter) ? vscode.l10n.t('{0} of {1}', this.visible(node.team, node.box).length, total) : String(total);
    item.iconPath = new vscode.ThemeIcon(isNew ? 'mail' : 'archive');
    item.contextValue = total ? `box:${node.box}` : `box:${node.box}:empty`;
    item.tooltip = `${node.team}/${node.box}/`;
    return item;
  }

  private moreItem(node: MoreNode): vscode.TreeItem {
    const n = Math.min(this.page(node.box), node.total - node.shown);
    const item = new vscode.TreeItem(vscode.l10n.t('Show {0} more…', n), vscode.TreeItemCollapsibleState.None);
    item.id = `more:${node.team}/${node.box}`;
    item.description = vscode.l10n.t('{0} of {1} shown', node.shown, node.total);
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.contextValue = 'more';
    item.command = { command: COMMANDS.showMore, title: vscode.l10n.t('Show More'), arguments: [node] };
    return item;
  }

  override dispose(): void {
    this.shown.clear();
    super.dispose();
  }
}

/** What a row shows, as one string. */
function rowKey(item: vscode.TreeItem): string {
  const icon = item.iconPath instanceof vscode.ThemeIcon ? `${item.iconPath.id}:${item.iconPath.color?.id ?? ''}` : '';
  return `${String(item.label)}\u0000${icon}\u0000${String(item.description ?? '')}`;
}

/** The stale dispatches of a new/ box: how many, and how long the oldest has waited (`6d`). */
function staleOf(ds: Dispatch[], days: number): { count: number; age: string } | undefined {
  const stale = ds.filter((d) => isStale(d, days));
  return stale.length ? { count: stale.length, age: shortAge(ageMs(oldestNew(stale)!)) } : undefined;
}
