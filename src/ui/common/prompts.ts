// Every question and message the extension puts to the user goes through this object, so the
// extension-host tests can answer for the user (they replace its methods) and read what was said.
import * as vscode from 'vscode';
import { isTeamName, Priority, PRIORITIES } from '../../core/format/format';
import { priorityColor, priorityHelp } from './priority';

export interface TeamChoice {
  name: string;
  description?: string;
}

export interface TeamPickOptions {
  title: string;
  placeholder: string;
  teams: TeamChoice[];
  /** Preselected team. */
  active?: string;
}

export const prompts = {
  info(message: string, ...actions: string[]): Thenable<string | undefined> {
    return vscode.window.showInformationMessage(message, ...actions);
  },
  warn(message: string, ...actions: string[]): Thenable<string | undefined> {
    return vscode.window.showWarningMessage(message, ...actions);
  },
  /** A modal question; true only when the user picked `action`. */
  async confirm(message: string, detail: string, action: string): Promise<boolean> {
    return (await vscode.window.showWarningMessage(message, { modal: true, detail }, action)) === action;
  },
  input(options: vscode.InputBoxOptions): Thenable<string | undefined> {
    return vscode.window.showInputBox(options);
  },
  pickPriorities(current: Priority[]): Thenable<Priority[] | undefined> {
    const items = PRIORITIES.map((p) => ({
      label: p,
      priority: p,
      picked: current.includes(p),
      iconPath: new vscode.ThemeIcon('circle-filled', priorityColor(p)),
    }));
    return vscode.window
      .showQuickPick(items, { canPickMany: true, title: vscode.l10n.t('Filter by priority'), placeHolder: vscode.l10n.t('Priorities to show (none = all)') })
      .then((r) => r?.map((i) => i.priority));
  },
  pickPriority(active: Priority = 'normal', title = vscode.l10n.t('Priority')): Thenable<Priority | undefined> {
    const items = PRIORITIES.map((p) => ({
      label: p,
      priority: p,
      description: priorityHelp(p),
      iconPath: new vscode.ThemeIcon('circle-filled', priorityColor(p)),
    }));
    const qp = vscode.window.createQuickPick<(typeof items)[number]>();
    qp.title = title;
    qp.items = items;
    qp.activeItems = items.filter((i) => i.priority === active);
    return once(qp, () => qp.selectedItems[0]?.priority);
  },
  /** Existing teams, or a new valid name typed into the box. */
  pickTeam(o: TeamPickOptions): Thenable<string | undefined> {
    type Item = vscode.QuickPickItem & { team?: string };
    const base: Item[] = o.teams.map((t) => ({ label: t.name, team: t.name, description: t.description, iconPath: new vscode.ThemeIcon('organization') }));
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = o.title;
    qp.placeholder = o.placeholder;
    qp.items = base;
    qp.activeItems = base.filter((i) => i.team === o.active);
    qp.onDidChangeValue((v) => {
      const name = v.trim();
      if (!name || base.some((i) => i.team === name)) return void (qp.items = base);
      const typed: Item = isTeamName(name)
        ? { label: name, team: name, description: vscode.l10n.t('new team'), iconPath: new vscode.ThemeIcon('add'), alwaysShow: true }
        : {
            label: name,
            description: vscode.l10n.t('not a valid team name: use a-z, 0-9, "_" and "-"'),
            iconPath: new vscode.ThemeIcon('error'),
            alwaysShow: true,
          };
      qp.items = [typed, ...base];
    });
    // Enter may arrive before the list is redrawn for the last keystroke, with the previous list's
    // item selected (typing "q", "a", Enter at once picked the team next to qa): the name typed wins
    // when it names a team, and a selected item the typed text no longer matches counts as stale.
    const chosen = (): string | undefined => {
      const typed = qp.value.trim();
      const item = qp.selectedItems[0];
      if (!typed) return item?.team;
      if (base.some((i) => i.team === typed)) return typed;
      if (item?.team && !item.label.toLowerCase().includes(typed.toLowerCase())) return isTeamName(typed) ? typed : undefined;
      return item?.team;
    };
    return once(qp, chosen, () => chosen() !== undefined);
  },
  /** One of `items` (by its value), or undefined when dismissed. */
  pickOne<T>(title: string, items: Array<{ label: string; description?: string; detail?: string; value: T }>): Thenable<T | undefined> {
    return vscode.window.showQuickPick(items, { title, ignoreFocusOut: true }).then((i) => i?.value);
  },
  openFolder(title: string): Thenable<vscode.Uri[] | undefined> {
    return vscode.window.showOpenDialog({ canSelectFiles: false, canSelectFolders: true, canSelectMany: false, title, openLabel: title });
  },
};

export type Prompts = typeof prompts;

/** Shows a quick pick and settles once: the accepted value, or undefined when it is dismissed. */
function once<T extends vscode.QuickPickItem, R>(
  qp: vscode.QuickPick<T>,
  value: () => R | undefined,
  acceptable: (item: T | undefined) => boolean = () => true,
): Promise<R | undefined> {
  return new Promise((resolve) => {
    let done = false;
    qp.onDidAccept(() => {
      if (!acceptable(qp.selectedItems[0])) return;
      done = true;
      resolve(value());
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}
