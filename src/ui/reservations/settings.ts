// Settings and secrets of the Agent Mail reservations item: the `dispatchInbox.agentMail.*` settings,
// the command ids, and the tokens, which live in SecretStorage, never in settings.
import * as vscode from 'vscode';

export const SECTION = 'dispatchInbox.agentMail';
export const TOKEN_KEY = 'dispatchInbox.agentMail.token';
export const REGISTRATION_TOKEN_KEY = 'dispatchInbox.agentMail.registrationToken';
export const COMMANDS = {
  show: 'dispatchInbox.showReservations',
  setToken: 'dispatchInbox.setAgentMailToken',
  clearToken: 'dispatchInbox.clearAgentMailToken',
  setRegistrationToken: 'dispatchInbox.setAgentMailRegistrationToken',
  // Internal (no palette entry): the same paths the quick pick takes, for tests and keybindings.
  state: 'dispatchInbox.reservations.state',
  release: 'dispatchInbox.reservations.release',
  renew: 'dispatchInbox.reservations.renew',
  forceRelease: 'dispatchInbox.reservations.forceRelease',
};

export interface Settings {
  enabled: boolean;
  url: string;
  project: string;
  agentName: string;
  pollIntervalMs: number;
  timeoutMs: number;
  hideWhenOffline: boolean;
}

export function readSettings(): Settings {
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

/** Both tokens, read from SecretStorage. */
export function readTokens(secrets: vscode.SecretStorage): Promise<[string | undefined, string | undefined]> {
  return Promise.all([secrets.get(TOKEN_KEY), secrets.get(REGISTRATION_TOKEN_KEY)]);
}

export function workspaceFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri;
}

/** Stores a token in SecretStorage (an argument, or asked for with a password box; empty clears it), then reloads. */
export async function setSecret(secrets: vscode.SecretStorage, reload: () => Promise<void>, key: string, value?: unknown): Promise<void> {
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
  if (v) await secrets.store(key, v);
  else await secrets.delete(key);
  await reload();
}

export async function clearToken(secrets: vscode.SecretStorage, reload: () => Promise<void>): Promise<void> {
  await secrets.delete(TOKEN_KEY);
  await reload();
  vscode.window.setStatusBarMessage(vscode.l10n.t('Agent Mail token cleared'), 3000);
}
