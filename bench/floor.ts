// The floor for `npm run bench:ui -- --floor`: an extension that does nothing but answer the same tree
// at once (teams expanded, each New box expanded with its first 200 names), with the same view, the same
// activation events and no index. What it takes from a click to its rows is VS Code's share, which no
// extension can go below; the bench bundles this file and writes its package.json next to it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

type Node = { team: string; box?: string; name?: string };

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Dispatch Inbox', { log: true });
  // The host's clock, as the real extension logs it: the bench computes click → activate() from it.
  log.info(`floor activated at ${new Date().toISOString()}`);
  const root = vscode.workspace.getConfiguration('dispatchInbox').get<string>('root') ?? '';
  const list = (...p: string[]) => fs.readdirSync(path.join(root, ...p)).sort();
  const provider: vscode.TreeDataProvider<Node> = {
    getChildren: (n) => {
      if (!n) return list().map((team) => ({ team }));
      if (!n.box) return ['new', 'cur'].map((box) => ({ team: n.team, box }));
      if (n.name) return [];
      return list(n.team, n.box)
        .slice(0, 200)
        .map((name) => ({ ...n, name }));
    },
    getTreeItem: (n) => {
      const { Expanded, Collapsed, None } = vscode.TreeItemCollapsibleState;
      if (n.name) {
        const slug = n.name.replace(/\.md$/, '').split('_').pop() ?? n.name;
        return new vscode.TreeItem(`${slug[0].toUpperCase()}${slug.slice(1).replace(/-/g, ' ')}`, None);
      }
      if (n.box) return new vscode.TreeItem(n.box === 'new' ? 'New' : 'Acknowledged', n.box === 'new' ? Expanded : Collapsed);
      const item = new vscode.TreeItem(n.team, Expanded);
      item.description = `${list(n.team, 'new').length} new`;
      return item;
    },
  };
  context.subscriptions.push(log, vscode.window.createTreeView('dispatchInbox.inbox', { treeDataProvider: provider }));
}
