// Text that other agents wrote (titles, senders) or a server sent, made safe to show in VS Code's
// plain-string surfaces, and the priority words in the user's language.
import * as vscode from 'vscode';
import type { Priority } from '../../core/format';

const ZWSP = '\u200b';

/**
 * Makes text inert where VS Code parses markup inside plain strings: notification messages turn
 * `[label](command:…)`, `(https:…)` and `(file:…)` into links, and status-bar items, quick picks and
 * CodeLenses turn `$(name)` into icons. A zero-width space between `]` and `(`, and between `$` and
 * `(`, breaks both syntaxes (neither has an escape that works everywhere) while the words read the same.
 */
export function plain(text: string): string {
  return text.replace(/\](?=\()/g, `]${ZWSP}`).replace(/\$(?=\()/g, `$${ZWSP}`);
}

/** At most `max` characters, with an ellipsis when cut (status-bar text has little room). */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The priority word, localised (the names in files and settings stay English). */
export function priorityName(p: Priority): string {
  switch (p) {
    case 'urgent':
      return vscode.l10n.t('urgent');
    case 'high':
      return vscode.l10n.t('high');
    case 'normal':
      return vscode.l10n.t('normal');
    case 'low':
      return vscode.l10n.t('low');
  }
}
