// Priorities as the user sees them: the word in the user's language, its colour (a theme colour the
// package contributes), and what it asks of the receiver. The names in files and settings stay English.
import * as vscode from 'vscode';
import type { Priority } from '../../core/format/format';
import { priorityColorId } from './ids';

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

export function priorityColor(p: Priority): vscode.ThemeColor {
  return new vscode.ThemeColor(priorityColorId(p));
}

export function priorityHelp(p: Priority): string {
  if (p === 'urgent') return vscode.l10n.t('drop everything');
  if (p === 'high') return vscode.l10n.t('next in line');
  if (p === 'normal') return vscode.l10n.t('in the usual order');
  return vscode.l10n.t('when there is time');
}
