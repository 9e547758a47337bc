// The `dispatchInbox.*` settings, read in one place with their defaults.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { isPriority, isTeamName, Priority } from '../../core/format';

export const SECTION = 'dispatchInbox';

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
  poll: boolean;
  interval: number;
  summary: 'changed' | 'always' | 'off';
  /** Days in new/ after which a dispatch is stale (its team has not run a session since). */
  staleAfterDays: number;
}

export function readConfig(): InboxConfig {
  const c = vscode.workspace.getConfiguration(SECTION);
  const notify = c.get<string>('notifyAtPriority', 'high');
  const summary = c.get<string>('summary', 'changed');
  return {
    root: c.get<string>('root', '') ?? '',
    teams: teamList(c.get<unknown>('teams')),
    myTeams: teamList(c.get<unknown>('myTeams')),
    notifyAt: isPriority(notify) ? notify : notify === 'off' ? 'off' : 'high',
    openWith: c.get<string>('openWith') === 'editor' ? 'editor' : 'preview',
    acknowledgedLimit: clamp(c.get<number>('acknowledgedLimit', 50), 5, 5000, 50),
    poll: c.get<boolean>('watcher.poll', false) === true,
    interval: clamp(c.get<number>('watcher.interval', 2000), 100, 600_000, 2000),
    summary: summary === 'always' || summary === 'off' ? summary : 'changed',
    staleAfterDays: clampDays(c.get<number>('staleAfterDays', 3)),
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
  return [...new Set(v.filter((t): t is string => typeof t === 'string').map((t) => t.trim()).filter(isTeamName))];
}

function clampDays(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, 3650) : 3;
}

function clamp(v: unknown, lo: number, hi: number, dflt: number): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, Math.round(v))) : dflt;
}

/** Does this change affect the index (a new root or watcher mode) rather than only the views? */
export function affectsIndex(e: vscode.ConfigurationChangeEvent): boolean {
  return ['root', 'watcher'].some((k) => e.affectsConfiguration(`${SECTION}.${k}`));
}
