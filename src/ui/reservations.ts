// The Agent Mail reservations status-bar item: `$(lock) N` (who holds what), a warning colour when
// another agent holds the file in the active editor exclusively, and quiet states when the server is
// offline, refuses us or is not Agent Mail. Polling rules live in core (ReservationPoller); the token
// lives in SecretStorage, never in settings.
import * as vscode from 'vscode';
import {
  AgentMailClient,
  AgentMailConfig,
  AgentMailError,
  agentMailUrlSource,
  describeError,
  expiresIn,
  isAgentMailError,
  Reservation,
  ReservationList,
  ReservationSelector,
  resolveAgentMailConfig,
} from '../core/agentmail';
import { PollOutcome, ReservationPoller } from '../core/agentmail/poller';
import {
  holdersOf,
  oneLine,
  reservationPathFor,
  ReservationState,
  reservationsItemVisible,
  reservationsPageUrl,
  stateForError,
  summariseReservations,
} from '../core/agentmail/status';

const SECTION = 'dispatchInbox.agentMail';
const ITEM_ID = 'dispatchInbox.reservations';
export const TOKEN_KEY = 'dispatchInbox.agentMail.token';
export const REGISTRATION_TOKEN_KEY = 'dispatchInbox.agentMail.registrationToken';
const WARNING = 'statusBarItem.warningBackground';
const TOOLTIP_ROWS = 15;
const COMMANDS = {
  show: 'dispatchInbox.showReservations',
  setToken: 'dispatchInbox.setAgentMailToken',
  clearToken: 'dispatchInbox.clearAgentMailToken',
  setRegistrationToken: 'dispatchInbox.setAgentMailRegistrationToken',
  // Internal (no palette entry): the same paths the quick pick takes, for tests and keybindings.
  state: 'dispatchInbox.reservations.state',
  release: 'dispatchInbox.reservations.release',
  renew: 'dispatchInbox.reservations.renew',
};

interface Settings {
  enabled: boolean;
  url: string;
  project: string;
  agentName: string;
  pollIntervalMs: number;
  timeoutMs: number;
  hideWhenOffline: boolean;
}

function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const num = (key: string, dflt: number, lo: number, hi: number): number => {
    const v = c.get<number>(key, dflt);
    return typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : dflt;
  };
  const str = (key: string): string => (c.get<string>(key, '') ?? '').trim();
  return {
    enabled: c.get<boolean>('enabled', true) !== false,
    url: str('url'),
    project: str('project'),
    agentName: str('agentName'),
    pollIntervalMs: num('pollInterval', 5, 1, 3600) * 1000,
    timeoutMs: num('timeout', 3000, 100, 60_000),
    hideWhenOffline: c.get<boolean>('hideWhenOffline', false) === true,
  };
}

/** What the item shows, as plain data: rendered to the item, and returned to the tests. */
export interface ReservationsSnapshot {
  state: ReservationState | 'disabled';
  visible: boolean;
  text: string;
  tooltip: string;
  background: string | undefined;
  count: number;
  mine: number;
  /** Other agents holding the active editor's file exclusively. */
  holders: string[];
  activePath: string | undefined;
  error: { kind: string; message: string } | undefined;
  url: string | undefined;
  project: string | undefined;
  agent: string | undefined;
  polls: number;
  nextPollMs: number | undefined;
}

/** Selects a reservation by id or pattern (the internal commands' argument). */
type Selector = number | string | { id?: number | null; path_pattern?: string };

export function registerReservations(context: vscode.ExtensionContext): void {
  context.subscriptions.push(new ReservationsIndicator(context));
}

class ReservationsIndicator implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private settings = readSettings();
  private client: AgentMailClient | undefined;
  private poller: ReservationPoller | undefined;
  /** Bumped by every reload: answers to older clients are dropped. */
  private generation = 0;
  private state: ReservationState | 'disabled' = 'loading';
  private list: ReservationList | undefined;
  private error: unknown;
  private checkedAt: Date | undefined;
  /** When the current run of failures began (minutes precision, for the tooltip). */
  private failingSince: string | undefined;
  private polls = 0;
  /** The URL comes from a setting or the environment, not the built-in default. */
  private explicitUrl = false;
  /** The server and project that last answered successfully: with the default URL, nothing shows before that. */
  private onlineFor: string | undefined;
  private snapshot!: ReservationsSnapshot;
  private reloading: Promise<void> = Promise.resolve();

  constructor(private readonly context: vscode.ExtensionContext) {
    this.item = vscode.window.createStatusBarItem(ITEM_ID, vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('Agent Mail Reservations');
    this.item.command = COMMANDS.show;
    this.disposables.push(
      this.item,
      vscode.commands.registerCommand(COMMANDS.show, () => this.showPick()),
      vscode.commands.registerCommand(COMMANDS.setToken, (value?: unknown) => this.setSecret(TOKEN_KEY, value)),
      vscode.commands.registerCommand(COMMANDS.clearToken, () => this.clearToken()),
      vscode.commands.registerCommand(COMMANDS.setRegistrationToken, (value?: unknown) => this.setSecret(REGISTRATION_TOKEN_KEY, value)),
      vscode.commands.registerCommand(COMMANDS.state, (o?: { refresh?: boolean }) => this.currentState(o?.refresh === true)),
      vscode.commands.registerCommand(COMMANDS.release, (sel: Selector) => this.release(this.find(sel))),
      vscode.commands.registerCommand(COMMANDS.renew, (sel: Selector, seconds?: number) => this.renew(this.find(sel), seconds ?? 1800)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SECTION)) void this.reload();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reload()),
      context.secrets.onDidChange((e) => {
        if (e.key === TOKEN_KEY || e.key === REGISTRATION_TOKEN_KEY) void this.reload();
      }),
      vscode.window.onDidChangeWindowState((e) => this.poller?.setFocused(e.focused)),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
    );
    this.render();
    void this.reload();
  }

  dispose(): void {
    this.generation++;
    this.poller?.dispose();
    this.poller = undefined;
    for (const d of this.disposables) d.dispose();
  }

  // ---- configuration and polling ----

  /** Settings, secrets or folders changed: a new client, the backoff forgotten, a poll at once. */
  private reload(): Promise<void> {
    this.reloading = this.reloading.then(() => this.doReload(), () => this.doReload());
    return this.reloading;
  }

  private async doReload(): Promise<void> {
    const gen = ++this.generation;
    this.settings = readSettings();
    if (!this.settings.enabled) {
      this.poller?.dispose();
      this.poller = undefined;
      this.client = undefined;
      this.state = 'disabled';
      return this.render();
    }
    const [token, registrationToken] = await Promise.all([this.context.secrets.get(TOKEN_KEY), this.context.secrets.get(REGISTRATION_TOKEN_KEY)]);
    if (gen !== this.generation) return;
    const s = this.settings;
    this.explicitUrl = agentMailUrlSource({ url: s.url }, process.env) !== 'default';
    try {
      const opts = { url: s.url, project: s.project, agent: s.agentName, token, registrationToken, timeoutMs: s.timeoutMs };
      this.client = new AgentMailClient(resolveAgentMailConfig(opts, { env: process.env, workspaceFolder: workspaceFolder()?.fsPath }));
    } catch (e) {
      this.client = undefined;
      this.poller?.dispose();
      this.poller = undefined;
      this.fail(e);
      return;
    }
    if (!this.client.config.project) {
      // An empty window with no project configured: nothing to ask for, nothing to show.
      this.poller?.dispose();
      this.poller = undefined;
      this.list = undefined;
      this.error = undefined;
      this.failingSince = undefined;
      this.state = 'no-project';
      return this.render();
    }
    if (!this.poller) {
      this.poller = new ReservationPoller(() => this.poll(), { intervalMs: s.pollIntervalMs, focused: vscode.window.state.focused });
      await this.poller.start();
    } else {
      await this.poller.reset(s.pollIntervalMs);
    }
  }

  private async poll(): Promise<PollOutcome> {
    const client = this.client;
    const gen = this.generation;
    if (!client) return { ok: false };
    try {
      const list = await client.listReservations();
      if (gen !== this.generation) return { ok: true };
      this.list = list;
      this.error = undefined;
      this.failingSince = undefined;
      this.state = 'ok';
      this.onlineFor = onlineKey(client.config);
      return { ok: true };
    } catch (e) {
      if (gen !== this.generation) return { ok: true };
      this.fail(e, false);
      const retryAfter = isAgentMailError(e) ? e.details.retryAfter : undefined;
      return { ok: false, retryAfterMs: retryAfter !== undefined ? retryAfter * 1000 : undefined };
    } finally {
      if (gen === this.generation) {
        this.polls++;
        this.checkedAt = new Date();
        this.render();
      }
    }
  }

  private fail(e: unknown, render = true): void {
    this.failingSince ??= new Date().toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
    this.error = e;
    this.state = isAgentMailError(e) ? stateForError(e.kind, e.details.reason) : 'bad-response';
    // Reservations seen before the server went away are no longer known: never show them as current.
    this.list = undefined;
    if (render) this.render();
  }

  private async currentState(refresh: boolean): Promise<ReservationsSnapshot> {
    await this.reloading;
    if (refresh) await this.poller?.pollNow();
    return this.snapshot;
  }

  // ---- rendering ----

  /** The active editor's file relative to the project (when its key is a folder) or else to its own workspace folder. */
  private activePath(): string | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    if (!uri || uri.scheme !== 'file') return undefined;
    return reservationPathFor(this.client?.config.project, uri.fsPath, vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath);
  }

  private render(): void {
    const agent = this.client?.config.agent;
    const activePath = this.activePath();
    const rows = this.list?.reservations ?? [];
    const sum = summariseReservations(rows, agent, activePath);
    const holders = holdersOf(sum.conflicts);
    const md = new vscode.MarkdownString(undefined, true);
    md.isTrusted = { enabledCommands: [COMMANDS.setToken, COMMANDS.show, 'workbench.action.openSettings'] };
    let text: string;
    let background: string | undefined;
    switch (this.state) {
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
        this.okTooltip(md, sum.mine, sum.others, sum.conflicts, activePath);
        break;
      default: {
        const failed = this.failedView();
        text = failed.text;
        md.appendMarkdown(`**${esc(failed.title)}**\n\n${esc(describeError(this.error, this.client?.config.baseUrl.origin ?? this.settings.url))}\n\n`);
        if (failed.hint) md.appendMarkdown(`${failed.hint}\n\n`);
        this.footer(md);
      }
    }
    const visible = reservationsItemVisible({
      state: this.state,
      explicitUrl: this.explicitUrl,
      seenOnline: this.client !== undefined && this.onlineFor === onlineKey(this.client.config),
      hideWhenOffline: this.settings.hideWhenOffline,
    });
    // Only what changed reaches the item: every assignment re-renders it and closes an open hover.
    const prev = this.snapshot;
    if (prev?.text !== text) this.item.text = text;
    if (prev?.tooltip !== md.value) this.item.tooltip = md;
    if (prev?.background !== background) this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
    const label = this.accessibleLabel(rows.length, holders, text);
    if (this.item.accessibilityInformation?.label !== label) this.item.accessibilityInformation = { label };
    if (prev?.visible !== visible) {
      if (visible) this.item.show();
      else this.item.hide();
    }
    this.snapshot = {
      state: this.state,
      visible,
      text,
      tooltip: md.value,
      background,
      count: rows.length,
      mine: sum.mine.length,
      holders,
      activePath,
      error: this.error === undefined ? undefined : { kind: isAgentMailError(this.error) ? this.error.kind : 'unknown', message: describeError(this.error) },
      url: this.client?.config.baseUrl.origin,
      project: this.client?.config.project,
      agent,
      polls: this.polls,
      nextPollMs: this.poller?.lastDelayMs,
    };
  }

  private failedView(): { text: string; title: string; hint?: string } {
    const settingsLink = `[${esc(vscode.l10n.t('Open settings'))}](${commandUri('workbench.action.openSettings', [SECTION])})`;
    const kind = isAgentMailError(this.error) ? this.error.kind : undefined;
    switch (this.state) {
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
          hint: `${esc(vscode.l10n.t('No agent has registered {0} yet; or set the project key.', oneLine(this.client?.config.project ?? '', 200)))} ${settingsLink}`,
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

  private okTooltip(md: vscode.MarkdownString, mine: Reservation[], others: Reservation[], conflicts: Reservation[], activePath: string | undefined): void {
    const cfg = this.client?.config;
    md.appendMarkdown(`**${esc(vscode.l10n.t('Agent Mail reservations'))}** · ${code(cfg?.project ?? '')}\n\n`);
    if (activePath && conflicts.length) {
      const who = holdersOf(conflicts).map((h) => `**${esc(oneLine(h, 40))}**`).join(', ');
      md.appendMarkdown(`$(warning) ${code(activePath)} ${esc(vscode.l10n.t('is held exclusively by'))} ${who}\n\n`);
    }
    const agent = cfg?.agent;
    if (agent) {
      md.appendMarkdown(`**${esc(vscode.l10n.t('Yours ({0}, as {1})', mine.length, oneLine(agent, 40)))}**\n\n`);
      md.appendMarkdown(mine.length ? this.rows(mine, false) : `${esc(vscode.l10n.t('none'))}\n\n`);
    }
    md.appendMarkdown(`**${esc(agent ? vscode.l10n.t("Others' ({0})", others.length) : vscode.l10n.t('All ({0})', others.length))}**\n\n`);
    md.appendMarkdown(others.length ? this.rows(others, true) : `${esc(vscode.l10n.t('none'))}\n\n`);
    if (!agent) md.appendMarkdown(`${esc(vscode.l10n.t('Set dispatchInbox.agentMail.agentName (or BEADS_AGENT_NAME) to tell yours apart and release them.'))}\n\n`);
    if (this.list?.dropped) md.appendMarkdown(`${esc(vscode.l10n.t('{0} malformed row(s) from the server ignored.', this.list.dropped))}\n\n`);
    if (this.list?.source === 'legacy') md.appendMarkdown(`${esc(vscode.l10n.t('Legacy /api/reservations server: read-only.'))}\n\n`);
    this.footer(md);
  }

  private rows(list: Reservation[], withAgent: boolean): string {
    const now = Date.now();
    const lines = list.slice(0, TOOLTIP_ROWS).map((r) => {
      const parts = [
        ...(withAgent ? [`**${esc(oneLine(r.agent, 40))}**`] : []),
        code(r.path_pattern),
        esc(r.exclusive ? vscode.l10n.t('exclusive') : vscode.l10n.t('shared')),
        esc(vscode.l10n.t('expires {0}', expiresText(r.expires_ts, now))),
      ];
      if (r.reason) parts.push(`*${esc(oneLine(r.reason, 80))}*`);
      if (r.stale) parts.push(`$(history) ${esc(vscode.l10n.t('stale'))}`);
      return `- ${parts.join(' · ')}`;
    });
    if (list.length > TOOLTIP_ROWS) lines.push(`- ${esc(vscode.l10n.t('… and {0} more', list.length - TOOLTIP_ROWS))}`);
    return `${lines.join('\n')}\n\n`;
  }

  /** No seconds-level content (a "checked at" clock, a countdown): an open hover must not be redrawn at every poll. */
  private footer(md: vscode.MarkdownString): void {
    const parts: string[] = [];
    if (this.state !== 'ok' && this.state !== 'loading' && this.checkedAt) parts.push(vscode.l10n.t('Retrying on its own since {0}', this.failingSince ?? ''));
    parts.push(vscode.l10n.t('Click for actions'));
    md.appendMarkdown(`---\n\n${esc(parts.join(' · '))}`);
  }

  private accessibleLabel(count: number, holders: string[], text: string): string {
    if (this.state !== 'ok') return text.replace(/\$\([^)]*\)\s*/g, '');
    const base = vscode.l10n.t('{0} Agent Mail reservations', count);
    return holders.length ? `${base}, ${vscode.l10n.t('the active file is held by {0}', holders.join(', '))}` : base;
  }

  // ---- actions ----

  private find(sel: Selector): Reservation {
    const rows = this.list?.reservations ?? [];
    const id = typeof sel === 'number' ? sel : typeof sel === 'object' && sel ? sel.id : undefined;
    const pattern = typeof sel === 'string' ? sel : typeof sel === 'object' && sel ? sel.path_pattern : undefined;
    const agent = this.client?.config.agent;
    const hit = rows.find((r) => (id != null ? r.id === id : r.path_pattern === pattern && r.agent === agent));
    if (!hit) throw new Error(vscode.l10n.t('No such reservation in the current list: {0}', String(id ?? pattern)));
    return hit;
  }

  /** Releases one of mine through the real tool; the item refreshes at once. Returns how many were released. */
  private release(r: Reservation): Promise<number> {
    return this.write(r, 'release', (c, sel) => c.releaseReservations(sel).then((o) => o.released));
  }

  private renew(r: Reservation, seconds: number): Promise<number> {
    return this.write(r, 'renew', (c, sel) => c.renewReservations({ ...sel, extendSeconds: seconds }).then((o) => o.renewed));
  }

  /** One write tool call for `r`, its outcome told to the user, then a poll so the item shows the result. */
  private async write(r: Reservation, what: 'release' | 'renew', call: (c: AgentMailClient, sel: ReservationSelector) => Promise<number>): Promise<number> {
    const client = this.requireClient();
    const pattern = oneLine(r.path_pattern, 60);
    try {
      const n = await call(client, r.id !== null ? { ids: [r.id] } : { paths: [r.path_pattern] });
      if (n > 0) vscode.window.setStatusBarMessage(what === 'release' ? vscode.l10n.t('$(unlock) Released {0}', pattern) : vscode.l10n.t('$(lock) Renewed {0}', pattern), 4000);
      else void vscode.window.showWarningMessage(vscode.l10n.t('Agent Mail changed nothing for {0}: it may have expired, or it is not held by {1}.', pattern, client.config.agent ?? '?'));
      return n;
    } catch (e) {
      void this.actionFailed(what === 'release' ? vscode.l10n.t('Could not release {0}', pattern) : vscode.l10n.t('Could not renew {0}', pattern), e);
      throw e;
    } finally {
      await this.poller?.pollNow();
    }
  }

  private requireClient(): AgentMailClient {
    if (!this.client) throw new AgentMailError('config', vscode.l10n.t('Agent Mail is disabled or not configured'));
    return this.client;
  }

  /** Errors of actions the user asked for are shown; polling errors never are. */
  private async actionFailed(what: string, e: unknown): Promise<void> {
    const kind = isAgentMailError(e) ? e.kind : undefined;
    const setToken = vscode.l10n.t('Set Agent Mail Token');
    const setRegistration = vscode.l10n.t('Set Registration Token');
    const actions = kind === 'unauthorized' || kind === 'forbidden' ? [setToken] : kind === 'tool-error' ? [setRegistration] : [];
    const pick = await vscode.window.showErrorMessage(`${what}: ${describeError(e, this.client?.config.baseUrl.origin)}`, ...actions);
    if (pick === setToken) await vscode.commands.executeCommand(COMMANDS.setToken);
    if (pick === setRegistration) await vscode.commands.executeCommand(COMMANDS.setRegistrationToken);
  }

  private openPage(): Thenable<boolean> {
    const cfg = this.client?.config;
    const base = cfg?.baseUrl ?? new URL('http://127.0.0.1:8765');
    return vscode.env.openExternal(vscode.Uri.parse(reservationsPageUrl(base, cfg?.project)));
  }

  private async copy(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(vscode.l10n.t('$(copy) Copied'), 2000);
  }

  // ---- tokens ----

  /** Stores a token in SecretStorage (an argument, or asked for with a password box; empty clears it). */
  private async setSecret(key: string, value?: unknown): Promise<void> {
    const registration = key === REGISTRATION_TOKEN_KEY;
    let v = typeof value === 'string' ? value : undefined;
    if (v === undefined) {
      v = await vscode.window.showInputBox({
        title: registration ? vscode.l10n.t('Agent Mail Registration Token') : vscode.l10n.t('Agent Mail Token'),
        prompt: registration
          ? vscode.l10n.t('The registration_token register_agent returned for your agent; newer servers require it to release or renew. Empty clears it.')
          : vscode.l10n.t("The server's HTTP_BEARER_TOKEN. Stored in VS Code's secret storage, never in settings. Empty clears it."),
        password: true,
        ignoreFocusOut: true,
      });
      if (v === undefined) return;
    }
    v = v.trim();
    if (v) await this.context.secrets.store(key, v);
    else await this.context.secrets.delete(key);
    await this.reload();
  }

  private async clearToken(): Promise<void> {
    await this.context.secrets.delete(TOKEN_KEY);
    await this.reload();
    vscode.window.setStatusBarMessage(vscode.l10n.t('Agent Mail token cleared'), 3000);
  }

  // ---- the quick pick ----

  private async showPick(): Promise<void> {
    type Item = vscode.QuickPickItem & { run?: () => unknown; reservation?: Reservation };
    const agent = this.client?.config.agent;
    const actions: Item[] = [];
    if (this.state === 'unauthorized') actions.push({ label: `$(key) ${vscode.l10n.t('Set Agent Mail Token…')}`, run: () => vscode.commands.executeCommand(COMMANDS.setToken) });
    actions.push({ label: `$(refresh) ${vscode.l10n.t('Refresh')}`, run: () => this.reload() });
    if (this.state === 'ok') actions.push({ label: `$(link-external) ${vscode.l10n.t('Open reservations page')}`, description: reservationsPageUrl(this.client!.config.baseUrl, this.client!.config.project), run: () => this.openPage() });
    if (this.state !== 'ok' && this.state !== 'loading') actions.push({ label: `$(gear) ${vscode.l10n.t('Open Agent Mail settings')}`, run: () => vscode.commands.executeCommand('workbench.action.openSettings', SECTION) });
    const sum = summariseReservations(this.list?.reservations ?? [], agent, this.activePath());
    const now = Date.now();
    const asItem = (r: Reservation): Item => ({
      label: `${sum.conflicts.includes(r) ? '$(warning)' : r.exclusive ? '$(lock)' : '$(unlock)'} ${oneLine(r.path_pattern, 200)}`,
      description: [oneLine(r.agent, 40), r.exclusive ? vscode.l10n.t('exclusive') : vscode.l10n.t('shared'), expiresText(r.expires_ts, now), ...(r.stale ? [vscode.l10n.t('stale')] : [])].join(' · '),
      detail: r.reason ? oneLine(r.reason, 200) : undefined,
      reservation: r,
    });
    const sep = (label: string): Item => ({ label, kind: vscode.QuickPickItemKind.Separator });
    const items: Item[] = [...actions];
    if (agent && sum.mine.length) items.push(sep(vscode.l10n.t('Yours (as {0})', oneLine(agent, 40))), ...sum.mine.map(asItem));
    if (sum.others.length) items.push(sep(agent ? vscode.l10n.t("Others'") : vscode.l10n.t('Reservations')), ...sum.others.map(asItem));
    const title = this.state === 'ok' ? vscode.l10n.t('Agent Mail reservations ({0})', sum.mine.length + sum.others.length) : this.item.text.replace(/\$\([^)]*\)\s*/g, '');
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: vscode.l10n.t('Pick a reservation for its actions'), matchOnDescription: true, matchOnDetail: true });
    if (!picked) return;
    if (picked.run) return void (await picked.run());
    if (picked.reservation) await this.showActions(picked.reservation, agent !== undefined && picked.reservation.agent === agent);
  }

  private async showActions(r: Reservation, mine: boolean): Promise<void> {
    type Action = vscode.QuickPickItem & { run: () => unknown };
    const details = `${r.agent}\t${r.path_pattern}\t${r.exclusive ? 'exclusive' : 'shared'}\texpires ${r.expires_ts ?? '-'}${r.reason ? `\t${r.reason}` : ''}`;
    const actions: Action[] = [];
    const legacy = this.list?.source === 'legacy';
    if (mine && !legacy) {
      actions.push(
        { label: `$(unlock) ${vscode.l10n.t('Release')}`, run: () => this.release(r) },
        { label: `$(history) ${vscode.l10n.t('Renew for 30 min')}`, run: () => this.renew(r, 1800) },
        { label: `$(history) ${vscode.l10n.t('Renew for 1 h')}`, run: () => this.renew(r, 3600) },
      );
    }
    actions.push(
      { label: `$(copy) ${vscode.l10n.t('Copy pattern')}`, description: oneLine(r.path_pattern, 80), run: () => this.copy(r.path_pattern) },
      { label: `$(copy) ${vscode.l10n.t('Copy details')}`, run: () => this.copy(details) },
      { label: `$(link-external) ${vscode.l10n.t('Open reservations page')}`, run: () => this.openPage() },
    );
    const picked = await vscode.window.showQuickPick(actions, { title: `${oneLine(r.path_pattern, 80)} · ${oneLine(r.agent, 40)}` });
    // Errors were already shown by release/renew; the quick pick must not reject into the command service.
    if (picked) await Promise.resolve(picked.run()).catch(() => undefined);
  }
}

/** Which server and project "has answered once" is about. */
function onlineKey(cfg: AgentMailConfig): string {
  return `${cfg.baseUrl.href}\n${cfg.project ?? ''}`;
}

/** "in 12 min", "expired"… in the display language. */
function expiresText(expires: string | null, now: number): string {
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

function workspaceFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
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
