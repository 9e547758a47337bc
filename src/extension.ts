// MINIMAL PLACEHOLDER written by the harness work (issue #3) so the real-VS-Code tests have something to
// load. The UI owner replaces this file: it only lists team folders under the configured root.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';

function dispatchRoot(): string {
  const configured = vscode.workspace.getConfiguration('dispatchInbox').get<string>('root')?.trim();
  const raw = configured || process.env.DISPATCH_ROOT?.trim() || path.join(os.homedir(), '.team', 'dispatch');
  return path.resolve(raw.startsWith('~') ? path.join(os.homedir(), raw.slice(1)) : raw);
}

class TeamsProvider implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(team: string): vscode.TreeItem {
    const item = new vscode.TreeItem(team, vscode.TreeItemCollapsibleState.None);
    item.contextValue = 'team';
    item.iconPath = new vscode.ThemeIcon('inbox');
    return item;
  }

  async getChildren(element?: string): Promise<string[]> {
    if (element) return [];
    try {
      const entries = await fs.promises.readdir(dispatchRoot(), { withFileTypes: true });
      return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
    } catch {
      return [];
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function activate(context: vscode.ExtensionContext): void {
  const provider = new TeamsProvider();
  context.subscriptions.push(
    provider,
    vscode.window.registerTreeDataProvider('dispatchInbox.inbox', provider),
    vscode.commands.registerCommand('dispatchInbox.refresh', () => provider.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('dispatchInbox.root')) provider.refresh();
    }),
  );
}

export function deactivate(): void {}
