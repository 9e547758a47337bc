// The confirmation of a routine action on one dispatch (acknowledge, mark as new), with its Undo: one
// status-bar item that the next confirmation replaces, so acknowledging row after row from the
// keyboard does not pile up toasts. Batches, races and failures still go to notifications (actions.ts).
import * as vscode from 'vscode';
import { truncate } from '../../core/format/text';
import { INTERNAL_COMMANDS, STATUS_ITEMS } from '../common/ids';
import { Disposable, Timer } from '../common/lifecycle';
import { plain } from '../common/text';

const UNDO_COMMAND = INTERNAL_COMMANDS.undoLast;
/** How long a confirmation stays; its Undo goes with it. */
const SHOW_MS = 10_000;
const MAX_TEXT = 80;

export class Confirmation extends Disposable {
  readonly item = this.register(vscode.window.createStatusBarItem(STATUS_ITEMS.confirmation, vscode.StatusBarAlignment.Left, -1000));
  private undo: (() => unknown) | undefined;
  private readonly timer = this.register(new Timer());

  constructor() {
    super();
    this.item.name = vscode.l10n.t('Dispatch Inbox: Last Action');
    this.register(vscode.commands.registerCommand(UNDO_COMMAND, () => this.runUndo()));
  }

  /** Shows `text` (made plain: it may hold a title) with an Undo when `undo` is given; replaces the last. */
  show(text: string, undo?: () => unknown): void {
    const line = truncate(plain(text), MAX_TEXT);
    this.undo = undo;
    this.item.text = undo ? `$(check) ${line} $(discard) ${vscode.l10n.t('Undo')}` : `$(check) ${line}`;
    this.item.tooltip = undo ? vscode.l10n.t('{0} Click to undo.', line) : line;
    this.item.accessibilityInformation = { label: undo ? vscode.l10n.t('{0} Undo', line) : line, role: undo ? 'button' : undefined };
    this.item.command = undo ? { command: UNDO_COMMAND, title: vscode.l10n.t('Undo') } : undefined;
    this.item.show();
    this.timer.start(SHOW_MS, () => this.hide());
  }

  private runUndo(): unknown {
    const undo = this.undo;
    this.hide();
    return undo?.();
  }

  private hide(): void {
    this.timer.cancel();
    this.undo = undefined;
    this.item.hide();
  }
}
