// The priority badge on each dispatch row, on our own URI scheme only (see uri.ts).
import * as vscode from 'vscode';
import type { Priority } from '../../core/format/format';
import { priorityName } from '../common/priority';
import { priorityOf } from './uri';
import { priorityColor } from '../common/priority';

/** One letter, like the SCM badges; the colour says the rest. */
const BADGES: Record<Priority, string> = { urgent: 'U', high: 'H', normal: 'N', low: 'L' };

export class PriorityDecorations implements vscode.FileDecorationProvider {
  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const p = priorityOf(uri);
    if (!p) return undefined;
    const d = new vscode.FileDecoration(BADGES[p], vscode.l10n.t('Priority: {0}', priorityName(p)));
    if (p !== 'normal') d.color = priorityColor(p);
    return d;
  }
}
