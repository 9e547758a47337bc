// The Maildir store: deliver (tmp → new), acknowledge (new → cur), the other moves, list, read, sweep.
// No locks: every step is a whole-file write or a no-clobber move (core/move), so racing processes all
// end well. Its parts: the root and its errors (root.ts), reading a box (boxes.ts), listing and resolving
// (listing.ts), the write path (deliver.ts), the moves (moves.ts) and the repair (sweep.ts).
import * as fs from '../fs/rawfs';
import { Dispatch } from '../format/dispatch';
import { Box } from '../format/format';
import { groupId, shareFolder, sharedPaths } from '../fs/shared';
import { deliver, DeliverOptions } from './deliver';
import { Archived, DispatchContent, listArchived, ListFilter, Lister, Listing } from './listing';
import { MoveOutcome, Mover } from './moves';
import { checkTeam, defaultRoot, DispatchError, ioError, Root } from './root';
import { sweep } from './sweep';

export { ARCHIVE, TRASH, boxPathParts, checkTeam, defaultRoot, DispatchError, expandHome, ioError } from './root';
export type { DispatchErrorCode } from './root';
export { isPlaceholder, listBox, readMeta } from './boxes';
export type { DeliverOptions } from './deliver';
export type { Archived, DispatchContent, ListFilter, Listing } from './listing';
export type { MoveOutcome } from './moves';

export class DispatchStore {
  readonly root: string;
  private readonly r: Root;
  private readonly lister: Lister;
  private readonly mover: Mover;

  constructor(root: string = defaultRoot()) {
    this.r = new Root(root);
    this.root = this.r.root;
    this.lister = new Lister(this.r);
    this.mover = new Mover(this.r, this.lister, (teams) => this.init(teams));
  }

  boxDir(team: string, box: Box | 'tmp'): string {
    return this.r.boxDir(team, box);
  }

  /**
   * Creates `<root>/<team>/{tmp,new,cur}` for each team; existing folders are left as they are.
   * `shared`: a group (name or id) whose members all send and move here (see shared.ts).
   */
  async init(teams: string[], shared?: string): Promise<void> {
    for (const t of teams) checkTeam(t);
    const gid = shared === undefined ? undefined : await groupId(shared);
    if (shared !== undefined && gid === undefined) throw new DispatchError('invalid', `no group ${JSON.stringify(shared.slice(0, 40))} on this machine`);
    for (const t of teams) {
      for (const box of ['tmp', 'new', 'cur'] as const) await (await this.r.openBox(t, box, true)).close();
      if (gid !== undefined)
        for (const p of sharedPaths(this.root, t))
          await shareFolder(p, gid).catch((e: unknown) => {
            throw ioError(e, `cannot share ${p} with group ${shared}`);
          });
    }
  }

  async exists(): Promise<boolean> {
    return fs.stat(this.root).then(
      (s) => s.isDirectory(),
      () => false,
    );
  }

  // The write path.
  deliver(o: DeliverOptions): Promise<Dispatch> {
    return deliver(this.r, (t) => this.init(t), o);
  }

  // Listing and resolving.
  teams(warnings?: string[]): Promise<string[]> {
    return this.lister.teams(warnings);
  }
  list(filter: ListFilter = {}): Promise<Dispatch[]> {
    return this.lister.scan(filter).then((l) => l.dispatches);
  }
  scan(filter: ListFilter = {}): Promise<Listing> {
    return this.lister.scan(filter);
  }
  loadMeta(ds: Dispatch[], concurrency?: number): Promise<void> {
    return this.lister.loadMeta(ds, concurrency);
  }
  resolve(ref: string): Promise<Dispatch> {
    return this.lister.resolve(ref);
  }
  resolver(onWarnings?: (warnings: string[]) => void): (ref: string) => Promise<Dispatch> {
    return this.lister.resolver(onWarnings);
  }
  read(ref: string | Dispatch): Promise<DispatchContent> {
    return this.lister.read(ref);
  }
  listArchived(teams?: string[]): Promise<Archived[]> {
    return listArchived(this.root, teams);
  }

  // The moves.
  batch<T>(f: () => Promise<T>): Promise<T> {
    return this.mover.batch(f);
  }
  acknowledge(ref: string | Dispatch): Promise<MoveOutcome> {
    return this.mover.acknowledge(ref);
  }
  unacknowledge(ref: string | Dispatch): Promise<MoveOutcome> {
    return this.mover.unacknowledge(ref);
  }
  complete(ref: string | Dispatch, note?: string, now?: Date): Promise<MoveOutcome> {
    return this.mover.complete(ref, note, now);
  }
  archive(ref: string | Dispatch, now?: Date): Promise<string> {
    return this.mover.archive(ref, now);
  }
  reroute(ref: string | Dispatch, toTeam: string): Promise<MoveOutcome> {
    return this.mover.reroute(ref, toTeam);
  }
  trash(ref: string | Dispatch): Promise<string> {
    return this.mover.trash(ref);
  }
  transition(ref: string | Dispatch, team: string, box: Box, rewrite?: (content: Buffer) => Buffer | undefined): Promise<MoveOutcome> {
    return this.mover.transition(ref, team, box, rewrite);
  }

  /** `dispatch sweep`: tmp/ leftovers older than `hours`, and what killed moves left (see sweep.ts). */
  async sweep(hours = 36, now = Date.now()): Promise<string[]> {
    if (!(hours >= 0)) throw new DispatchError('invalid', 'hours must be a number ≥ 0');
    return sweep(this.r, await this.teams(), hours, now);
  }
}
