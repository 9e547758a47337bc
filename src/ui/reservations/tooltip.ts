// What the Agent Mail reservations item shows: its text, warning colour, accessible label and the
// Markdown tooltip (who holds what, or why the server cannot be read). Pure rendering of a view.
import * as vscode from 'vscode';
import { AgentMailConfig, describeError, expiresIn, isAgentMailError, Reservation, ReservationList, staleReasonsText } from '../../core/agentmail';
import { expiringSoon, holdersOf, ReservationState, summariseReservations } from '../../core/agentmail/status';
import { oneLine } from '../../core/format/text';
import { COMMANDS } from './settings';
import { AGENT_MAIL_SECTION } from '../common/ids';

const WARNING = 'statusBarItem.warningBackground';
const TOOLTIP_ROWS = 15;

/** The item's state, as the renderer needs it. */
export interface ReservationsView {
  state: ReservationState | 'disabled';
  config: AgentMailConfig | undefined;
  list: ReservationList | undefined;
  error: unknown;
  /** The URL setting, for errors raised before a client exists. */
  url: string;
  checkedAt: Date | undefined;
  /** When the current run of failures began (minutes precision). */
  failingSince: string | undefined;
}

export interface ItemLook {
  text: string;
  background: string | undefined;
  tooltip: vscode.MarkdownString;
  label: string;
  count: number;
  mine: number;
  holders: string[];
}

export function renderItem(v: ReservationsView, activePath: string | undefined): ItemLook {
  const rows = v.list?.reservations ?? [];
  const sum = summariseReservations(rows, v.config?.agent, activePath);
  const holders = holdersOf(sum.conflicts);
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: [COMMANDS.setToken, COMMANDS.show, 'workbench.action.openSettings'] };
  let text: string;
  let background: string | undefined;
  switch (v.state) {
    case 'disabled':
    case 'no-project':
      text = '';
      break;
    case 'loading':
      text = '$(lock) …';
      md.appendMarkdown(vscode.l10n.t('Reading Agent Mail reservations…'));
      break;
    case 'ok':
      text = `$(lock) ${rows.length}`;
      if (holders.length) {
        text += ` · ${vscode.l10n.t('held by {0}', holders.map((h) => oneLine(h, 40)).join(', '))}`;
        background = WARNING;
      }
      okTooltip(md, v, sum.mine, sum.others, sum.conflicts, activePath);
      break;
    default: {
      const failed = failedView(v);
      text = failed.text;
      md.appendMarkdown(`**${esc(failed.title)}**\n\n${esc(describeError(v.error, v.config?.baseUrl.origin ?? v.url))}\n\n`);
      if (failed.hint) md.appendMarkdown(`${failed.hint}\n\n`);
      footer(md, v);
    }
  }
  return { text, background, tooltip: md, label: accessibleLabel(v, rows.length, holders, text), count: rows.length, mine: sum.mine.length, holders };
}

function failedView(v: ReservationsView): { text: string; title: string; hint?: string } {
  const settingsLink = `[${esc(vscode.l10n.t('Open settings'))}](${commandUri('workbench.action.openSettings', [AGENT_MAIL_SECTION])})`;
  const kind = isAgentMailError(v.error) ? v.error.kind : undefined;
  switch (v.state) {
    case 'offline':
      return { text: `$(circle-slash) ${vscode.l10n.t('Agent Mail offline')}`, title: vscode.l10n.t('Agent Mail offline'), hint: settingsLink };
    case 'unauthorized': {
      const link = `[${esc(vscode.l10n.t('Set Agent Mail Token'))}](${commandUri(COMMANDS.setToken)})`;
      const title = kind === 'forbidden' ? vscode.l10n.t('Agent Mail: access denied') : vscode.l10n.t('Agent Mail: token needed');
      return { text: `$(key) ${title}`, title, hint: link };
    }
    case 'bad-response':
      return {
        text: `$(warning) ${vscode.l10n.t('Agent Mail: unexpected reply')}`,
        title: vscode.l10n.t('Not an Agent Mail answer'),
        hint: `${esc(vscode.l10n.t('Something answers at this address, but not as Agent Mail does. Check the URL.'))} ${settingsLink}`,
      };
    case 'unknown-project':
      return {
        text: `$(question) ${vscode.l10n.t('Agent Mail: unknown project')}`,
        title: vscode.l10n.t('Agent Mail does not know this project'),
        hint: `${esc(vscode.l10n.t('No agent has registered {0} yet; or set the project key.', oneLine(v.config?.project ?? '', 200)))} ${settingsLink}`,
      };
    case 'insecure-token':
      return {
        text: `$(shield) ${vscode.l10n.t('Agent Mail: use https')}`,
        title: vscode.l10n.t('Token not sent over http to a non-loopback host; use https'),
        hint: `${esc(vscode.l10n.t('The bearer token would cross the network in clear text. Use an https URL, or clear the token.'))} ${settingsLink}`,
      };
    case 'config':
      return { text: `$(gear) ${vscode.l10n.t('Agent Mail: check settings')}`, title: vscode.l10n.t('Agent Mail settings'), hint: settingsLink };
    default:
      return { text: `$(warning) ${vscode.l10n.t('Agent Mail: server error')}`, title: vscode.l10n.t('Agent Mail answered with an error') };
  }
}

function okTooltip(
  md: vscode.MarkdownString,
  v: ReservationsView,
  mine: Reservation[],
  others: Reservation[],
  conflicts: Reservation[],
  activePath: string | undefined,
): void {
  const cfg = v.config;
  md.appendMarkdown(`**${esc(vscode.l10n.t('Agent Mail reservations'))}** · ${code(cfg?.project ?? '')}\n\n`);
  if (activePath && conflicts.length) {
    const who = holdersOf(conflicts)
      .map((h) => `**${esc(oneLine(h, 40))}**`)
      .join(', ');
    md.appendMarkdown(`$(warning) ${code(activePath)} ${esc(vscode.l10n.t('is held exclusively by'))} ${who}\n\n`);
  }
  const agent = cfg?.agent;
  if (agent) {
    md.appendMarkdown(`**${esc(vscode.l10n.t('Yours ({0}, as {1})', mine.length, oneLine(agent, 40)))}**\n\n`);
    md.appendMarkdown(mine.length ? rowsMarkdown(mine, false) : `${esc(vscode.l10n.t('none'))}\n\n`);
  }
  md.appendMarkdown(`**${esc(agent ? vscode.l10n.t("Others' ({0})", others.length) : vscode.l10n.t('All ({0})', others.length))}**\n\n`);
  md.appendMarkdown(others.length ? rowsMarkdown(others, true) : `${esc(vscode.l10n.t('none'))}\n\n`);
  if (!agent)
    md.appendMarkdown(`${esc(vscode.l10n.t('Set dispatchInbox.agentMail.agentName (or BEADS_AGENT_NAME) to tell yours apart and release them.'))}\n\n`);
  if (v.list?.dropped) md.appendMarkdown(`${esc(vscode.l10n.t('{0} malformed row(s) from the server ignored.', v.list.dropped))}\n\n`);
  if (v.list?.source === 'legacy') md.appendMarkdown(`${esc(vscode.l10n.t('Legacy /api/reservations server: read-only.'))}\n\n`);
  footer(md, v);
}

function rowsMarkdown(list: Reservation[], withAgent: boolean): string {
  const now = Date.now();
  const lines = list.slice(0, TOOLTIP_ROWS).map((r) => {
    const parts = [
      ...(withAgent ? [`**${esc(oneLine(r.agent, 40))}**`] : []),
      code(r.path_pattern),
      esc(r.exclusive ? vscode.l10n.t('exclusive') : vscode.l10n.t('shared')),
      esc(vscode.l10n.t('expires {0}', expiresText(r.expires_ts, now))),
    ];
    if (r.reason) parts.push(`*${esc(oneLine(r.reason, 80))}*`);
    if (r.stale) parts.push(`$(history) ${esc(vscode.l10n.t('stale: {0}', staleReasonsText(r.stale_reasons)))}`);
    if (expiringSoon(r, now)) parts.push(`$(watch) ${esc(vscode.l10n.t('expiring soon'))}`);
    return `- ${parts.join(' · ')}`;
  });
  if (list.length > TOOLTIP_ROWS) lines.push(`- ${esc(vscode.l10n.t('… and {0} more', list.length - TOOLTIP_ROWS))}`);
  return `${lines.join('\n')}\n\n`;
}

/** No seconds-level content (a "checked at" clock, a countdown): an open hover must not be redrawn at every poll. */
function footer(md: vscode.MarkdownString, v: ReservationsView): void {
  const parts: string[] = [];
  if (v.state !== 'ok' && v.state !== 'loading' && v.checkedAt) parts.push(vscode.l10n.t('Retrying on its own since {0}', v.failingSince ?? ''));
  parts.push(vscode.l10n.t('Click for actions'));
  md.appendMarkdown(`---\n\n${esc(parts.join(' · '))}`);
}

function accessibleLabel(v: ReservationsView, count: number, holders: string[], text: string): string {
  if (v.state !== 'ok') return text.replace(/\$\([^)]*\)\s*/g, '');
  const base = vscode.l10n.t('{0} Agent Mail reservations', count);
  return holders.length ? `${base}, ${vscode.l10n.t('the active file is held by {0}', holders.join(', '))}` : base;
}

/** "in 12 min", "expired"… in the display language. */
export function expiresText(expires: string | null, now: number): string {
  const e = expiresIn(expires, now);
  switch (e.kind) {
    case 'none':
      return vscode.l10n.t('no expiry');
    case 'unknown':
      return vscode.l10n.t('unknown');
    case 'expired':
      return vscode.l10n.t('expired');
    case 'seconds':
      return vscode.l10n.t('in {0} s', e.seconds);
    case 'minutes':
      return vscode.l10n.t('in {0} min', e.minutes);
    case 'hours':
      return e.minutes ? vscode.l10n.t('in {0} h {1} min', e.hours, e.minutes) : vscode.l10n.t('in {0} h', e.hours);
    case 'days':
      return vscode.l10n.t('in {0} d', e.days);
  }
}

/** Escapes server or UI text for Markdown inline use (links, emphasis, HTML, theme icons, line starts). */
function esc(text: string): string {
  return oneLine(text, 2000)
    .replace(/[\\`*_[\]()<>|~$&]/g, '\\$&')
    .replace(/^[#+\-=]/, '\\$&')
    .replace(/^(\d+)\./, '$1\\.');
}

/** An inline code span holding any text (fenced with more backticks than it contains). */
function code(text: string): string {
  const t = oneLine(text, 200);
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence} ${t} ${fence}`;
}

function commandUri(command: string, args?: unknown[]): string {
  return `command:${command}${args ? `?${encodeURIComponent(JSON.stringify(args))}` : ''}`;
}
