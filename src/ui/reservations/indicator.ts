// The Agent Mail reservations status-bar item: `$(lock) N` (who holds what), a warning colour when
// another agent holds the file in the active editor exclusively, and quiet states when the server is
// offline, refuses us or is not Agent Mail. Polling rules live in core (ReservationPoller); the token
// lives in SecretStorage, never in settings. This file wires the item, its commands and the polling;
// what it shows is in tooltip.ts, its quick pick in pick.ts, and settings and secrets in settings.ts.
import * as vscode from 'vscode';
import {
  AgentMailClient,
  AgentMailConfig,
  agentMailUrlSource,
  describeError,
  isAgentMailError,
  ReservationList,
  resolveAgentMailConfig,
} from '../../core/agentmail';
import { PollOutcome, ReservationPoller } from '../../core/agentmail/poller';
import { reservationPathFor, ReservationState, reservationsItemVisible, stateForError } from '../../core/agentmail/status';
import { ReservationActions, Selector } from './pick';
import { clearToken, COMMANDS, readSettings, readTokens, REGISTRATION_TOKEN_KEY, setSecret, TOKEN_KEY, workspaceFolder } from './settings';
import { AGENT_MAIL_SECTION, STATUS_ITEMS } from '../common/ids';
import { Disposable } from '../common/lifecycle';
import { renderItem } from './tooltip';

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

export function registerReservations(context: vscode.ExtensionContext): void {
  context.subscriptions.push(new ReservationsIndicator(context));
}

class ReservationsIndicator extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly actions: ReservationActions;
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
    super();
    const self = this;
    this.actions = new ReservationActions({
      get client() {
        return self.client;
      },
      get list() {
        return self.list;
      },
      get state() {
        return self.state;
      },
      get itemText() {
        return self.item.text;
      },
      activePath: () => this.activePath(),
      reload: () => this.reload(),
      pollNow: async () => {
        await this.poller?.pollNow();
      },
    });
    const secrets = context.secrets;
    const reload = (): Promise<void> => this.reload();
    this.item = vscode.window.createStatusBarItem(STATUS_ITEMS.reservations, vscode.StatusBarAlignment.Left, 50);
    this.item.name = vscode.l10n.t('Agent Mail Reservations');
    this.item.command = COMMANDS.show;
    const subs = [
      this.item,
      vscode.commands.registerCommand(COMMANDS.show, () => this.actions.showPick()),
      vscode.commands.registerCommand(COMMANDS.setToken, (value?: unknown) => setSecret(secrets, reload, TOKEN_KEY, value)),
      vscode.commands.registerCommand(COMMANDS.clearToken, () => clearToken(secrets, reload)),
      vscode.commands.registerCommand(COMMANDS.setRegistrationToken, (value?: unknown) => setSecret(secrets, reload, REGISTRATION_TOKEN_KEY, value)),
      vscode.commands.registerCommand(COMMANDS.state, (o?: { refresh?: boolean }) => this.currentState(o?.refresh === true)),
      vscode.commands.registerCommand(COMMANDS.release, (sel: Selector) => this.actions.release(this.actions.find(sel))),
      vscode.commands.registerCommand(COMMANDS.forceRelease, (sel: number) => this.actions.forceRelease(this.actions.find(sel))),
      vscode.commands.registerCommand(COMMANDS.renew, (sel: Selector, seconds?: number) => this.actions.renew(this.actions.find(sel), seconds ?? 1800)),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(AGENT_MAIL_SECTION)) void this.reload();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reload()),
      secrets.onDidChange((e) => {
        if (e.key === TOKEN_KEY || e.key === REGISTRATION_TOKEN_KEY) void this.reload();
      }),
      vscode.window.onDidChangeWindowState((e) => this.poller?.setFocused(e.focused)),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
    ];
    for (const d of subs) this.register(d);
    this.render();
    void this.reload();
  }

  override dispose(): void {
    this.generation++;
    this.poller?.dispose();
    this.poller = undefined;
    super.dispose();
  }

  // ---- configuration and polling ----

  /** Settings, secrets or folders changed: a new client, the backoff forgotten, a poll at once. */
  private reload(): Promise<void> {
    this.reloading = this.reloading.then(
      () => this.doReload(),
      () => this.doReload(),
    );
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
    const [token, registrationToken] = await readTokens(this.context.secrets);
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
    const activePath = this.activePath();
    const look = renderItem(
      {
        state: this.state,
        config: this.client?.config,
        list: this.list,
        error: this.error,
        url: this.settings.url,
        checkedAt: this.checkedAt,
        failingSince: this.failingSince,
      },
      activePath,
    );
    const { text, background, tooltip: md, label, holders } = look;
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
      count: look.count,
      mine: look.mine,
      holders,
      activePath,
      error: this.error === undefined ? undefined : { kind: isAgentMailError(this.error) ? this.error.kind : 'unknown', message: describeError(this.error) },
      url: this.client?.config.baseUrl.origin,
      project: this.client?.config.project,
      agent: this.client?.config.agent,
      polls: this.polls,
      nextPollMs: this.poller?.lastDelayMs,
    };
  }
}

/** Which server and project "has answered once" is about. */
function onlineKey(cfg: AgentMailConfig): string {
  return `${cfg.baseUrl.href}\n${cfg.project ?? ''}`;
}
