// How one dispatch looks in the tree: label, `from · 2h ago`, a priority-coloured icon, a tooltip.
// Everything shown comes from files other agents wrote, so the tooltip never renders their Markdown.
import * as vscode from 'vscode';
import type { Dispatch, DispatchMeta } from '../../core/api';
import { age, AgeUnit } from '../../core/format/age';
import { priorityName } from '../common/priority';
import { statusOf } from '../../core/lifecycle/status';
import { COMMANDS } from '../common/ids';
import { itemUri } from './uri';
import { oneLine } from '../../core/format/text';
import { waitingSince } from '../../core/lifecycle/waiting';
import { priorityColor } from '../common/priority';

/** `2h ago` since it started waiting (core/lifecycle/waiting.ts: the sender's time, or when it landed here if earlier). */
export function agoText(d: Dispatch, now = Date.now()): string | undefined {
  const a = age(waitingSince(d), now);
  if (!a) return undefined;
  const [n, unit] = a;
  // Only the unit asked for is formatted: the age tick asks this of every row on screen each minute.
  const fmt: Record<AgeUnit, () => string> = {
    now: () => vscode.l10n.t('just now'),
    m: () => vscode.l10n.t('{0}m ago', n),
    h: () => vscode.l10n.t('{0}h ago', n),
    d: () => vscode.l10n.t('{0}d ago', n),
    w: () => vscode.l10n.t('{0}w ago', n),
    y: () => vscode.l10n.t('{0}y ago', n),
  };
  return fmt[unit]();
}

export function dispatchItem(d: Dispatch): vscode.TreeItem {
  const item = new vscode.TreeItem(d.title, vscode.TreeItemCollapsibleState.None);
  item.id = `dispatch:${d.team}/${d.box}/${d.fileName}`;
  item.resourceUri = itemUri(d);
  const when = agoText(d);
  // Acknowledged rows say how far the receiver got: accepted, or completed (once the front matter is read).
  const status = d.box === 'cur' && d.meta ? (statusOf(d.meta.data) === 'completed' ? vscode.l10n.t('completed') : vscode.l10n.t('accepted')) : undefined;
  item.description = [d.from, when, status].filter(Boolean).join(' · ');
  const warned = d.meta !== undefined && d.warnings.length > 0;
  item.iconPath = warned
    ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'))
    : new vscode.ThemeIcon(d.box === 'new' ? 'mail' : statusOf(d.meta?.data) === 'completed' ? 'pass' : 'mail-read', priorityColor(d.priority));
  item.contextValue = d.conflict ? `dispatch:${d.box}:conflict` : `dispatch:${d.box}`;
  item.command = { command: COMMANDS.open, title: vscode.l10n.t('Open Dispatch'), arguments: [d, { preserveFocus: true }] };
  item.accessibilityInformation = {
    label: vscode.l10n.t('{0}, {1} priority, from {2}, {3}', d.title, priorityName(d.priority), d.from ?? vscode.l10n.t('unknown sender'), when ?? ''),
  };
  return item;
}

const MAX_KEYS = 12;

export function dispatchTooltip(d: Dispatch, meta: DispatchMeta): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.appendMarkdown('**');
  md.appendText(d.title);
  md.appendMarkdown(`**  \n${d.priority} · ${d.team}/${d.box}/`);
  const keys = Object.keys(meta.data);
  if (keys.length) {
    const lines = keys.slice(0, MAX_KEYS).map((k) => `${k}: ${scalar(meta.data[k])}`);
    if (keys.length > MAX_KEYS) lines.push(`… (${keys.length - MAX_KEYS} more)`);
    appendFenced(md, lines.join('\n'), 'yaml');
  }
  if (meta.bodyStart.trim()) appendFenced(md, meta.bodyStart.trim().slice(0, 600), 'markdown');
  for (const w of d.warnings) {
    md.appendMarkdown('\n\n$(warning) ');
    md.appendText(w);
  }
  md.appendMarkdown('\n\n');
  md.appendText(d.fileName);
  return md;
}

function scalar(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return oneLine(s, 120);
}

/** A code block whose fence is longer than any backtick run inside, so the text cannot break out of it. */
function appendFenced(md: vscode.MarkdownString, text: string, lang: string): void {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  md.appendMarkdown(`\n${fence}${lang}\n${text}\n${fence}\n`);
}
