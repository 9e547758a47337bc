// Settings and secrets of the Agent Mail reservations item: the `dispatchInbox.agentMail.*` settings,
// the command ids, and the tokens, which live in SecretStorage, never in settings.
import * as vscode from 'vscode';
import { clampSetting, COMMANDS as ids, INTERNAL_COMMANDS, SECTION as ROOT_SECTION, SETTINGS, STORAGE } from '../common/ids';

export const TOKEN_KEY = STORAGE.agentMailToken;
export const REGISTRATION_TOKEN_KEY = STORAGE.agentMailRegistrationToken;
/** The reservations item's commands, by short name (the ids are in ids.ts). */
export const COMMANDS = {
  show: ids.showReservations,
  setToken: ids.setAgentMailToken,
  clearToken: ids.clearAgentMailToken,
  setRegistrationToken: ids.setAgentMailRegistrationToken,
  state: INTERNAL_COMMANDS.reservationsState,
  release: INTERNAL_COMMANDS.reservationsRelease,
  renew: INTERNAL_COMMANDS.reservationsRenew,
  forceRelease: INTERNAL_COMMANDS.reservationsForceRelease,
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
  const c = vscode.workspace.getConfiguration(ROOT_SECTION);
  const S = SETTINGS;
  const str = (s: { key: string }): string => {
    const v = c.get(s.key);
    return typeof v === 'string' ? v.trim() : '';
  };
  return {
    enabled: c.get(S.agentMailEnabled.key) !== false,
    url: str(S.agentMailUrl),
    project: str(S.agentMailProject),
    agentName: str(S.agentMailAgentName),
    pollIntervalMs: clampSetting(S.agentMailPollInterval, c.get(S.agentMailPollInterval.key)) * 1000,
    timeoutMs: clampSetting(S.agentMailTimeout, c.get(S.agentMailTimeout.key)),
    hideWhenOffline: c.get(S.agentMailHideWhenOffline.key) === true,
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
