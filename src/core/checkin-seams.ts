// What checkin needs from the lifecycle (completing, stale and completed sent dispatches, a safe
// front matter rewrite) and from cadences (due rows, sending them). They are built elsewhere; this is
// the one place that connects them, so checkin and the MCP server say "unavailable" cleanly without them.
import type { Dispatch } from './dispatch';
import type { DispatchStore } from './store';

export interface DueCadence {
  /** The Dispatch cell, as written in TEAM.md. */
  dispatch: string;
  to: string;
  frequency: string;
  last_sent: string | null;
  due: boolean;
  next?: string | null;
  skip_reason?: string | null;
}

export interface CadenceReport {
  rows: DueCadence[];
  /** Ids (or paths) of what `send` delivered. */
  sent: string[];
  warnings: string[];
}

export interface Seams {
  /** `dispatch complete`: status completed (a dispatch still in new/ is acknowledged first). */
  complete?(store: DispatchStore, ref: string, note?: string): Promise<{ status: string; dispatch: Dispatch }>;
  /** My dispatches still unread in other teams' new/ after the stale limit. */
  staleSent?(store: DispatchStore, from: string, now: number): Promise<Dispatch[]>;
  /** My dispatches the receiver marked completed: waiting for me to verify (and archive). */
  awaitingVerification?(store: DispatchStore, from: string): Promise<Dispatch[]>;
  /** Writes one front matter key of a dispatch, every other byte kept. */
  setField?(store: DispatchStore, d: Dispatch, key: string, value: string): Promise<Dispatch>;
  /** Cadences of the team in TEAM.md; with `send`, the due ones are delivered. */
  cadences?(store: DispatchStore, o: { from: string; cwd: string; env: NodeJS.ProcessEnv; send: boolean }): Promise<CadenceReport>;
}

export const seams: Seams = {};

export const UNAVAILABLE = {
  lifecycle: 'not available in this build (needs the dispatch lifecycle)',
  cadences: 'not available in this build (needs cadences)',
};
