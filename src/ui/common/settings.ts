// The `dispatchInbox.*` settings of the inbox, read in one place (keys, defaults and limits are in ids.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isTeamName, Priority } from '../../core/format/format';
import { clampSetting, oneOf, SECTION, settingId, SETTINGS } from './ids';

export interface InboxConfig {
  /** The root setting as written (resolved by the session, which has the core loaded). */
  root: string;
  /** Teams to show; empty = all. */
  teams: string[];
  /** The user's own teams: the badge counts them, and the first is the default sender. */
  myTeams: string[];
  notifyAt: Priority | 'off';
  openWith: 'preview' | 'editor';
  acknowledgedLimit: number;
  /** `auto`: poll where the root's filesystem raises no events for changes made elsewhere (core/fs/fstype.ts). */
  poll: boolean | 'auto';
  interval: number;
  summary: 'changed' | 'always' | 'off';
  /** Days in new/ after which a dispatch is stale (its team has not run a session since). */
  staleAfterDays: number;
}

export function readConfig(): InboxConfig {
  const c = vscode.workspace.getConfiguration(SECTION);
  const get = (s: { key: string }): unknown => c.get(s.key);
  const S = SETTINGS;
  const days = get(S.staleAfterDays);
  return {
    root: typeof get(S.root) === 'string' ? (get(S.root) as string) : S.root.default,
    teams: teamList(get(S.teams)),
    myTeams: teamList(get(S.myTeams)),
    notifyAt: oneOf(S.notifyAtPriority, get(S.notifyAtPriority)) as Priority | 'off',
    openWith: oneOf(S.openWith, get(S.openWith)) as InboxConfig['openWith'],
    acknowledgedLimit: clampSetting(S.acknowledgedLimit, get(S.acknowledgedLimit), true),
    poll: typeof get(S.watcherPoll) === 'boolean' ? (get(S.watcherPoll) as boolean) : 'auto',
    interval: clampSetting(S.watcherInterval, get(S.watcherInterval), true),
    summary: oneOf(S.summary, get(S.summary)) as InboxConfig['summary'],
    // A negative number of days is a mistake, not "everything is stale": the default then.
    staleAfterDays: typeof days === 'number' && days < 0 ? S.staleAfterDays.default : clampSetting(S.staleAfterDays, days),
  };
}

/** '' → $DISPATCH_ROOT or ~/.team/dispatch; `~` expands; a relative path is taken from the first workspace folder. */
export function resolveRoot(raw: string, core: { defaultRoot(env: NodeJS.ProcessEnv): string; expandHome(p: string): string }): string {
  const v = raw.trim();
  if (!v) return core.defaultRoot(process.env);
  const p = core.expandHome(v);
  if (path.isAbsolute(p)) return path.normalize(p);
  const base = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  return path.resolve(base ?? process.cwd(), p);
}

function teamList(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  return [
    ...new Set(
      v
        .filter((t): t is string => typeof t === 'string')
        .map((t) => t.trim())
        .filter(isTeamName),
    ),
  ];
}

/** Does this change affect the index (a new root or watcher mode) rather than only the views? */
export function affectsIndex(e: vscode.ConfigurationChangeEvent): boolean {
  return [SETTINGS.root, SETTINGS.watcherPoll, SETTINGS.watcherInterval].some((s) => e.affectsConfiguration(settingId(s)));
}
