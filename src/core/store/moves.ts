// The verbs that move a dispatch (acknowledge, mark as new, complete, reroute, trash, archive, and any
// rewrite in place), all over the one move of move/: here only which folder, which bytes, and what a
// racer's finished move looks like.
import * as path from 'node:path';
import { Dispatch } from '../format/dispatch';
import { Box, isTeamName } from '../format/format';
import { eventlessFilesystem } from '../fs/fstype';
import { Status, statusOf, statusRewrite } from '../lifecycle/lifecycle';
import { errnoOf, fsyncDir, moveNoClobber, MoveResult, Recognise } from '../move';
import { unusableName } from '../format/names';
import { readMeta } from './boxes';
import { isPathRef, Lister, seenOf } from './listing';
import { ARCHIVE, boxPathParts, checkTeam, DispatchError, ioError, Root, TRASH } from './root';

export interface MoveOutcome {
  /** `already`: another process (or window) did the same move first; nothing was lost. */
  status: 'moved' | 'already';
  dispatch: Dispatch;
  /** Why the front matter's status was not written (the move still happened). */
  warnings?: string[];
}

/** A move's content transform, and the statuses that mean a racer already made the same change. */
interface Change {
  rewrite?: (content: Buffer) => Buffer | undefined;
  done: Status[];
  warnings: string[];
}

function statusChange(status: Status, done: Status[], now?: Date, note?: string): Change {
  const warnings: string[] = [];
  return { rewrite: statusRewrite(status, warnings, now, note), done, warnings };
}

export class Mover {
  /** Folders whose fsync is owed at the end of a batch (see `batch`). */
  private owed: Set<string> | undefined;
  private remote: Promise<boolean> | undefined;

  constructor(
    private readonly r: Root,
    private readonly l: Lister,
    private readonly init: (teams: string[]) => Promise<void>,
  ) {}

  /**
   * Runs many moves with each folder fsynced once at the end instead of twice per move: every move is
   * still atomic and repairable; only their durability against power loss is settled together.
   */
  async batch<T>(f: () => Promise<T>): Promise<T> {
    const mine = !this.owed;
    this.owed ??= new Set();
    try {
      return await f();
    } finally {
      if (mine) {
        const dirs = [...this.owed];
        this.owed = undefined;
        for (const d of dirs) await fsyncDir(d);
      }
    }
  }

  /** new/ → cur/, `status: accepted`. If someone acknowledged it first, says so instead of failing. */
  acknowledge(ref: string | Dispatch): Promise<MoveOutcome> {
    return this.move(ref, 'new', (d) => [d.team, 'cur'], 'acknowledge', statusChange('accepted', ['accepted', 'completed']), 'cur');
  }

  /** cur/ → new/, `status: pending`: "mark as new", and the undo of acknowledge. */
  unacknowledge(ref: string | Dispatch): Promise<MoveOutcome> {
    return this.move(ref, 'cur', (d) => [d.team, 'new'], 'mark as new', statusChange('pending', ['pending']), 'new');
  }

  /**
   * `status: completed` and `completed: <now>` (and `completion_note:`), in cur/; a dispatch still in
   * new/ is acknowledged by the same move. One already completed is left as it is ("already").
   */
  async complete(ref: string | Dispatch, note?: string, now = new Date()): Promise<MoveOutcome> {
    let d = typeof ref === 'string' ? await this.resolveOrLanded(ref, 'new', 'cur', { done: [], warnings: [] }) : ref;
    for (let attempt = 0; ; attempt++) {
      if (d.box === 'cur' && statusOf((await readMeta(d.path))?.data) === 'completed') return { status: 'already', dispatch: d };
      const change = statusChange('completed', ['completed'], now, note);
      let r: MoveResult;
      try {
        r = await this.relocate(d, d.team, 'cur', change);
      } catch (e) {
        if (!(e instanceof DispatchError) || e.code !== 'not-found' || d.box !== 'new' || attempt > 1) throw e;
        r = { status: 'already', path: path.join(this.r.root, d.team, 'cur', d.fileName) };
      }
      const there = d.moved(d.team, 'cur', path.basename(r.path));
      if (r.status === 'moved') return { status: 'moved', dispatch: there, warnings: change.warnings.length ? change.warnings : undefined };
      // Acknowledged by someone else meanwhile: complete it where it went.
      if (attempt > 1) throw new DispatchError('not-found', `${d.id} kept moving while being completed; try again`);
      d = there;
    }
  }

  /**
   * The sender's verify: into `<root>/.archive/<team>/<YYYY-MM>/` (the month it was created). Only
   * acknowledged dispatches: one still in new/ has not been seen by its team, and archiving would hide it.
   */
  async archive(ref: string | Dispatch, now = new Date()): Promise<string> {
    const d = typeof ref === 'string' ? await this.l.resolve(ref) : ref;
    if (d.box !== 'cur') throw new DispatchError('invalid', `cannot archive ${d.id}: it is still in ${d.team}/new/ (not acknowledged yet)`);
    const month = (d.created && /^\d{4}-\d{2}/.exec(d.created)?.[0]) || now.toISOString().slice(0, 7);
    // `.archive/<team>` opened without following links first; the month folder is made inside it.
    const at = await this.r.openBox(ARCHIVE, checkTeam(d.team), true).catch((e) => {
      throw e instanceof DispatchError ? e : ioError(e, `cannot archive ${d.id}: cannot make ${path.join(ARCHIVE, d.team)}`);
    });
    await at.close();
    return (await this.relocate(d, ARCHIVE, path.join(d.team, month))).path;
  }

  /** Into another team's new/. The file's bytes are not touched: it stays the sender's words. */
  async reroute(ref: string | Dispatch, toTeam: string): Promise<MoveOutcome> {
    checkTeam(toTeam);
    await this.init([toTeam]);
    return this.move(ref, undefined, () => [toTeam, 'new'], 'reroute');
  }

  /**
   * The root's own trash, `<root>/.trash/<team>/`, for systems without an OS trash: a delete a person
   * asked for stays recoverable. Never replaces a file already there.
   */
  async trash(ref: string | Dispatch): Promise<string> {
    const d = typeof ref === 'string' ? await this.l.resolve(ref) : ref;
    return (await this.relocate(d, TRASH, checkTeam(d.team))).path;
  }

  /**
   * `ref` to `<team>/<box>` — its own box for a rewrite in place — with `rewrite` giving the placed file's
   * new bytes (undefined: the same file). `already` only when nothing was to be done.
   */
  async transition(ref: string | Dispatch, team: string, box: Box, rewrite?: (content: Buffer) => Buffer | undefined): Promise<MoveOutcome> {
    checkTeam(team);
    const d = typeof ref === 'string' ? await this.l.resolve(ref) : ref;
    if (!rewrite && d.team === team && d.box === box) return { status: 'already', dispatch: d };
    const change: Change = { rewrite, done: [], warnings: [] };
    const r = await this.relocate(d, team, box, change);
    const moved = d.moved(team, box, path.basename(r.path));
    if (rewrite) moved.meta = undefined; // new bytes: read them again
    return { status: r.status, dispatch: moved, warnings: change.warnings.length ? change.warnings : undefined };
  }

  /** `landing`: the box a path into `from` whose file is gone may be found in, moved there by a racer. */
  private async move(
    ref: string | Dispatch,
    from: Box | undefined,
    dest: (d: Dispatch) => [string, Box],
    verb: string,
    change?: Change,
    landing?: Box,
  ): Promise<MoveOutcome> {
    const d = typeof ref === 'string' ? await this.resolveOrLanded(ref, from, landing, change) : ref;
    const [team, box] = dest(d);
    if (from && d.box !== from) {
      if (d.box === box && d.team === team) return { status: 'already', dispatch: d };
      throw new DispatchError('invalid', `cannot ${verb} ${d.id}: it is in ${d.box}/`);
    }
    if (d.team === team && d.box === box) return { status: 'already', dispatch: d };
    const r = await this.relocate(d, team, box, change);
    const warnings = change?.warnings.length ? change.warnings : undefined;
    return { status: r.status, dispatch: d.moved(team, box, path.basename(r.path)), warnings };
  }

  /**
   * A ref resolved; a path into `from` whose file is gone resolves to where the same move put it, in the
   * same team's `to` box, when a racer's move is found there (`already`), else the ref's not-found stands.
   */
  private async resolveOrLanded(ref: string, from: Box | undefined, to: Box | undefined, change?: Change): Promise<Dispatch> {
    return this.l.eitherForm(ref, async (r) => {
      try {
        return await this.l.resolveOne(r);
      } catch (e) {
        const parts = isPathRef(r) ? boxPathParts(this.r.root, r) : undefined;
        if (!(e instanceof DispatchError) || e.code !== 'not-found' || !from || !to || parts?.box !== from || !isTeamName(parts.team)) throw e;
        // The source is gone: the move waits for a racer's claim and finds where it went, or says so.
        const gone = new Dispatch(this.r.root, parts.team, from, parts.file);
        const m = await this.relocate(gone, parts.team, to, change && { done: change.done, warnings: [] });
        return new Dispatch(this.r.root, parts.team, to, path.basename(m.path));
      }
    });
  }

  /**
   * The one place a dispatch changes folder: both folders held open (nothing can swap them for a symlink
   * meanwhile), the move, errors in people's words. Returns logical paths.
   */
  private async relocate(d: Dispatch, team: string, box: string, change?: Change): Promise<MoveResult> {
    const unusable = unusableName(d.fileName); // a Linux sender's `a<b>.md` on Windows: refused, not "moved by someone else"
    if (unusable) throw new DispatchError('invalid', `${d.id}: ${unusable}`);
    if (d.claim) throw new DispatchError('io', `${d.id} is being moved by another process (or its move was interrupted: dispatch sweep puts it back)`);
    const src = await this.r.openBox(d.team, d.box, false).catch((e) => {
      throw e instanceof DispatchError || errnoOf(e) !== 'ENOENT'
        ? e
        : new DispatchError('not-found', `${d.id} is no longer in ${d.team}/${d.box}/: the folder is gone`);
    });
    try {
      const dst = await this.r.openBox(team, box, true);
      try {
        const logicalSrc = path.join(this.r.root, d.team, d.box);
        const logicalDst = path.join(this.r.root, team, box);
        const r = await moveNoClobber(path.join(src.path, d.fileName), dst.path, d.fileName, {
          rewrite: change?.rewrite,
          warn: (w) => change?.warnings.push(w),
          recognise: change?.done.length ? byStatus(change.done) : undefined,
          seen: seenOf(d),
          recordDst: path.relative(logicalSrc, logicalDst),
          recordSrc: path.relative(logicalDst, logicalSrc),
          sync: !this.owed,
          remote: () => (this.remote ??= eventlessFilesystem(this.r.root).then(Boolean)),
        });
        this.owed?.add(logicalDst).add(logicalSrc);
        // The bytes may have changed: what was read of the file before no longer describes it.
        if (change?.rewrite && r.status === 'moved') d.meta = undefined;
        return { status: r.status, path: path.join(logicalDst, path.basename(r.path)) };
      } finally {
        await dst.close();
      }
    } catch (e) {
      if (e instanceof DispatchError) throw e;
      if ((e as { committed?: boolean }).committed)
        throw new DispatchError('io', `${d.id}: its move to ${team}/${box}/ stopped halfway (${errnoOf(e) ?? String(e)}); dispatch sweep finishes it`);
      if (errnoOf(e) === 'ENOENT') throw new DispatchError('not-found', `${d.id} is no longer in ${d.team}/${d.box}/: it was moved or deleted by someone else`);
      throw ioError(e, `cannot move ${d.id} to ${team}/${box}/`);
    } finally {
      await src.close();
    }
  }
}

/** A racer's rewrite is a new inode: it is recognised under the name by the status this move would write. */
function byStatus(done: Status[]): Recognise {
  return async (p) => {
    const status = statusOf((await readMeta(p))?.data);
    return !!status && done.includes(status);
  };
}
