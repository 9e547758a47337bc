// What the reservations indicator shows, decided without VS Code: the state an outcome maps to, whose
// reservations are whose, and who holds the file in the active editor.
import * as path from 'node:path';
import { projectSlug } from './config';
import { AgentMailErrorKind } from './errors';
import { matchesPath } from './glob';
import { Reservation } from './reservation';

/** One state per distinct thing the user can do something about. */
export type ReservationState =
  | 'loading'
  | 'ok'
  | 'offline' // nothing answers: quiet, retried with backoff
  | 'unauthorized' // 401/403: set the token
  | 'bad-response' // something answers, but not as Agent Mail (HTML, garbage, redirect, too large, 404)
  | 'server-error' // Agent Mail answers with an error (5xx, 429, JSON-RPC error)
  | 'unknown-project' // the server does not know this project (no agent registered it yet)
  | 'insecure-token' // a token would go over plain http to another machine: refused, use https
  | 'no-project' // no project key and no workspace folder: nothing to ask for
  | 'config'; // invalid URL

/** `reason`: the error's details.reason, which tells config errors apart. */
export function stateForError(kind: AgentMailErrorKind, reason?: string): ReservationState {
  if (kind === 'config' && reason === 'insecure-token') return 'insecure-token';
  if (kind === 'config' && reason === 'no-project') return 'no-project';
  switch (kind) {
    case 'offline':
      return 'offline';
    case 'unauthorized':
    case 'forbidden':
      return 'unauthorized';
    case 'bad-response':
    case 'too-large':
    case 'redirect':
    case 'not-found':
      return 'bad-response';
    case 'unknown-project':
      return 'unknown-project';
    case 'config':
      return 'config';
    default:
      return 'server-error';
  }
}

export interface ReservationSummary {
  mine: Reservation[];
  others: Reservation[];
  /** Others' exclusive reservations covering the active file, soonest-expiring last. */
  conflicts: Reservation[];
}

export function summariseReservations(rows: Reservation[], agent: string | undefined, activePath: string | undefined): ReservationSummary {
  const mine = agent ? rows.filter((r) => r.agent === agent) : [];
  const others = agent ? rows.filter((r) => r.agent !== agent) : rows;
  const conflicts = activePath ? others.filter((r) => r.exclusive && matchesPath(r.path_pattern, activePath)) : [];
  return { mine, others, conflicts };
}

/** "Expiring soon": within this of its expiry, a reservation is marked (and mine offer Renew first). */
export const EXPIRING_SOON_MS = 10 * 60 * 1000;

export function expiringSoon(r: Reservation, now: number): boolean {
  const at = r.expires_ts ? Date.parse(r.expires_ts) : NaN;
  return Number.isFinite(at) && at > now && at - now <= EXPIRING_SOON_MS;
}

/** Another agent's reservation the server calls stale: the one case where Force Release is offered. */
export function forceReleasable(r: Reservation, agent: string | undefined): boolean {
  return r.stale && r.id !== null && agent !== undefined && r.agent !== agent;
}

/** Distinct holders' names, in order, for "held by a, b". */
export function holdersOf(rows: Reservation[]): string[] {
  return [...new Set(rows.map((r) => r.agent))];
}

/** The server's reservations page, `{base}/mail/{slug}/file_reservations` (`{base}/mail` without a project). */
export function reservationsPageUrl(baseUrl: URL, project: string | undefined): string {
  const base = baseUrl.href.replace(/\/+$/, '');
  return project ? `${base}/mail/${projectSlug(project)}/file_reservations` : `${base}/mail`;
}

/** `path` relative to `root` with '/' separators, or undefined when it is not inside `root`. */
export function relativeInside(root: string, file: string): string | undefined {
  // Windows drive letters come in either case (VS Code's fsPath lowercases them).
  const norm = (p: string): string =>
    p
      .replace(/\\/g, '/')
      .replace(/\/+$/, '')
      .replace(/^[A-Z]:/, (d) => d.toLowerCase());
  const r = norm(root);
  const f = norm(file);
  if (!r || !f.startsWith(`${r}/`)) return undefined;
  return f.slice(r.length + 1);
}

/**
 * The path reservations are matched against for `file`. A project key that is an absolute path is the
 * project's folder: only files inside it are matched, relative to it (a file of another workspace folder
 * gets no warning). Any other key (a slug, BEADS_PROJECT_ID): relative to the file's own workspace folder.
 */
export function reservationPathFor(
  project: string | undefined,
  file: string,
  fileFolder: string | undefined,
  isAbsolute: (p: string) => boolean = path.isAbsolute,
): string | undefined {
  if (project && isAbsolute(project)) return relativeInside(project, file);
  return fileFolder ? relativeInside(fileFolder, file) : undefined;
}

export interface VisibilityInput {
  state: ReservationState | 'disabled';
  /** The URL was set by the user (setting or BEADS_AGENT_MAIL_URL / AGENT_MAIL_URL), not the built-in default. */
  explicitUrl: boolean;
  /** The server has answered successfully at least once (for this URL and project). */
  seenOnline: boolean;
  hideWhenOffline: boolean;
}

/**
 * Whether the status-bar item shows. Quiet for people who do not use Agent Mail: with the default URL
 * nothing shows until the server has answered once; a window without a project shows nothing.
 */
export function reservationsItemVisible(v: VisibilityInput): boolean {
  if (v.state === 'disabled' || v.state === 'no-project') return false;
  if (v.state === 'ok') return true;
  if (!v.explicitUrl && !v.seenOnline) return false;
  return !(v.state === 'offline' && v.hideWhenOffline);
}
