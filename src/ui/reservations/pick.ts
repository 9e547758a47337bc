// The Agent Mail reservations quick pick (the item's click) and what it can do with a reservation:
// release, renew (first when it expires soon), force-release another agent's stale one, copy, open the
// server's page. Errors of actions the user asked for are shown here.
import * as vscode from 'vscode';
import {
  AgentMailClient,
  AgentMailError,
  DEFAULT_AGENT_MAIL_URL,
  describeError,
  isAgentMailError,
  Reservation,
  ReservationList,
  ReservationSelector,
  staleReasonsText,
} from '../../core/agentmail';
import { expiringSoon, forceReleasable, ReservationState, reservationsPageUrl, summariseReservations } from '../../core/agentmail/status';
import { oneLine } from '../../core/format/text';
import { confirmAndForceRelease } from './force';
import { COMMANDS } from './settings';
import { AGENT_MAIL_SECTION } from '../common/ids';
import { expiresText } from './tooltip';

/** Selects a reservation by id or pattern (the internal commands' argument). */
export type Selector = number | string | { id?: number | null; path_pattern?: string };

/** The status-bar item's live state, as the actions need it. */
export interface ReservationsHost {
  readonly client: AgentMailClient | undefined;
  readonly list: ReservationList | undefined;
  readonly state: ReservationState | 'disabled';
  /** The item's current text (the pick's title when there is no list). */
  readonly itemText: string;
  activePath(): string | undefined;
  reload(): Promise<void>;
  pollNow(): Promise<void>;
}

export class ReservationActions {
  constructor(private readonly host: ReservationsHost) {}

  find(sel: Selector): Reservation {
    const rows = this.host.list?.reservations ?? [];
    const id = typeof sel === 'number' ? sel : typeof sel === 'object' && sel ? sel.id : undefined;
    const pattern = typeof sel === 'string' ? sel : typeof sel === 'object' && sel ? sel.path_pattern : undefined;
    const agent = this.host.client?.config.agent;
    const hit = rows.find((r) => (id != null ? r.id === id : r.path_pattern === pattern && r.agent === agent));
    if (!hit) throw new Error(vscode.l10n.t('No such reservation in the current list: {0}', String(id ?? pattern)));
    return hit;
  }

  /** Releases one of mine through the real tool; the item refreshes at once. Returns how many were released. */
  release(r: Reservation): Promise<number> {
    return this.write(r, 'release', (c, sel) => c.releaseReservations(sel).then((o) => o.released));
  }

  /** Another agent's stale reservation, after a modal confirmation. */
  forceRelease(r: Reservation): Promise<number> {
    return confirmAndForceRelease({ client: this.requireClient(), failed: (what, e) => this.actionFailed(what, e), pollNow: () => this.host.pollNow() }, r);
  }

  renew(r: Reservation, seconds: number): Promise<number> {
    return this.write(r, 'renew', (c, sel) => c.renewReservations({ ...sel, extendSeconds: seconds }).then((o) => o.renewed));
  }

  /** One write tool call for `r`, its outcome told to the user, then a poll so the item shows the result. */
  private async write(r: Reservation, what: 'release' | 'renew', call: (c: AgentMailClient, sel: ReservationSelector) => Promise<number>): Promise<number> {
    const client = this.requireClient();
    const pattern = oneLine(r.path_pattern, 60);
    try {
      const n = await call(client, r.id !== null ? { ids: [r.id] } : { paths: [r.path_pattern] });
      if (n > 0)
        vscode.window.setStatusBarMessage(
          what === 'release' ? vscode.l10n.t('$(unlock) Released {0}', pattern) : vscode.l10n.t('$(lock) Renewed {0}', pattern),
          4000,
        );
      else
        void vscode.window.showWarningMessage(
          vscode.l10n.t('Agent Mail changed nothing for {0}: it may have expired, or it is not held by {1}.', pattern, client.config.agent ?? '?'),
        );
      return n;
    } catch (e) {
      void this.actionFailed(what === 'release' ? vscode.l10n.t('Could not release {0}', pattern) : vscode.l10n.t('Could not renew {0}', pattern), e);
      throw e;
    } finally {
      await this.host.pollNow();
    }
  }

  private requireClient(): AgentMailClient {
    if (!this.host.client) throw new AgentMailError('config', vscode.l10n.t('Agent Mail is disabled or not configured'));
    return this.host.client;
  }

  /** Errors of actions the user asked for are shown; polling errors never are. */
  private async actionFailed(what: string, e: unknown): Promise<void> {
    const kind = isAgentMailError(e) ? e.kind : undefined;
    const setToken = vscode.l10n.t('Set Agent Mail Token');
    const setRegistration = vscode.l10n.t('Set Registration Token');
    // A refusal about the reservation itself (still active, unknown id) is not fixed by a token.
    const aboutReservation = isAgentMailError(e) && ['RESERVATION_ACTIVE', 'NOT_FOUND'].includes(e.details.errorType ?? '');
    const actions = kind === 'unauthorized' || kind === 'forbidden' ? [setToken] : kind === 'tool-error' && !aboutReservation ? [setRegistration] : [];
    const pick = await vscode.window.showErrorMessage(`${what}: ${describeError(e, this.host.client?.config.baseUrl.origin)}`, ...actions);
    if (pick === setToken) await vscode.commands.executeCommand(COMMANDS.setToken);
    if (pick === setRegistration) await vscode.commands.executeCommand(COMMANDS.setRegistrationToken);
  }

  private openPage(): Thenable<boolean> {
    const cfg = this.host.client?.config;
    const base = cfg?.baseUrl ?? new URL(DEFAULT_AGENT_MAIL_URL);
    return vscode.env.openExternal(vscode.Uri.parse(reservationsPageUrl(base, cfg?.project)));
  }

  private async copy(text: string): Promise<void> {
    await vscode.env.clipboard.writeText(text);
    vscode.window.setStatusBarMessage(vscode.l10n.t('$(copy) Copied'), 2000);
  }

  async showPick(): Promise<void> {
    type Item = vscode.QuickPickItem & { run?: () => unknown; reservation?: Reservation };
    const { client, state, list } = this.host;
    const agent = client?.config.agent;
    const actions: Item[] = [];
    if (state === 'unauthorized')
      actions.push({ label: `$(key) ${vscode.l10n.t('Set Agent Mail Token…')}`, run: () => vscode.commands.executeCommand(COMMANDS.setToken) });
    actions.push({ label: `$(refresh) ${vscode.l10n.t('Refresh')}`, run: () => this.host.reload() });
    if (state === 'ok')
      actions.push({
        label: `$(link-external) ${vscode.l10n.t('Open reservations page')}`,
        description: reservationsPageUrl(client!.config.baseUrl, client!.config.project),
        run: () => this.openPage(),
      });
    if (state !== 'ok' && state !== 'loading')
      actions.push({
        label: `$(gear) ${vscode.l10n.t('Open Agent Mail settings')}`,
        run: () => vscode.commands.executeCommand('workbench.action.openSettings', AGENT_MAIL_SECTION),
      });
    const sum = summariseReservations(list?.reservations ?? [], agent, this.host.activePath());
    const now = Date.now();
    const asItem = (r: Reservation): Item => {
      const marks = [...(r.stale ? [vscode.l10n.t('stale')] : []), ...(expiringSoon(r, now) ? [vscode.l10n.t('expiring soon')] : [])];
      const why = r.stale ? vscode.l10n.t('stale: {0}', staleReasonsText(r.stale_reasons)) : '';
      return {
        label: `${sum.conflicts.includes(r) ? '$(warning)' : r.stale ? '$(history)' : r.exclusive ? '$(lock)' : '$(unlock)'} ${oneLine(r.path_pattern, 200)}`,
        description: [oneLine(r.agent, 40), r.exclusive ? vscode.l10n.t('exclusive') : vscode.l10n.t('shared'), expiresText(r.expires_ts, now), ...marks].join(
          ' · ',
        ),
        detail: [r.reason ? oneLine(r.reason, 200) : '', why].filter(Boolean).join(' — ') || undefined,
        reservation: r,
      };
    };
    const sep = (label: string): Item => ({ label, kind: vscode.QuickPickItemKind.Separator });
    const items: Item[] = [...actions];
    if (agent && sum.mine.length) items.push(sep(vscode.l10n.t('Yours (as {0})', oneLine(agent, 40))), ...sum.mine.map(asItem));
    if (sum.others.length) items.push(sep(agent ? vscode.l10n.t("Others'") : vscode.l10n.t('Reservations')), ...sum.others.map(asItem));
    const title =
      state === 'ok' ? vscode.l10n.t('Agent Mail reservations ({0})', sum.mine.length + sum.others.length) : this.host.itemText.replace(/\$\([^)]*\)\s*/g, '');
    const picked = await vscode.window.showQuickPick(items, {
      title,
      placeHolder: vscode.l10n.t('Pick a reservation for its actions'),
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) return;
    if (picked.run) return void (await picked.run());
    if (picked.reservation) await this.showActions(picked.reservation, agent);
  }

  private async showActions(r: Reservation, agent: string | undefined): Promise<void> {
    type Action = vscode.QuickPickItem & { run: () => unknown };
    const details = `${r.agent}\t${r.path_pattern}\t${r.exclusive ? 'exclusive' : 'shared'}\texpires ${r.expires_ts ?? '-'}${r.reason ? `\t${r.reason}` : ''}`;
    const actions: Action[] = [];
    const legacy = this.host.list?.source === 'legacy';
    const mine = agent !== undefined && r.agent === agent;
    if (mine && !legacy) {
      const release: Action = { label: `$(unlock) ${vscode.l10n.t('Release')}`, run: () => this.release(r) };
      const renew: Action[] = [
        { label: `$(history) ${vscode.l10n.t('Renew for 30 min')}`, run: () => this.renew(r, 1800) },
        { label: `$(history) ${vscode.l10n.t('Renew for 1 h')}`, run: () => this.renew(r, 3600) },
      ];
      // About to expire: renewing is what is most likely wanted.
      actions.push(...(expiringSoon(r, Date.now()) ? [...renew, release] : [release, ...renew]));
    }
    if (forceReleasable(r, agent) && !legacy) {
      actions.push({
        label: `$(unlock) ${vscode.l10n.t('Force Release…')}`,
        description: vscode.l10n.t('stale: {0}', staleReasonsText(r.stale_reasons)),
        run: () => this.forceRelease(r),
      });
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
