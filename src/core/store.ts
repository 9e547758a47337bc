// The Maildir store: deliver (tmp → new), acknowledge (new → cur), reroute, list, read, sweep.
// No locks: every step is a whole-file write or a no-clobber move, so racing processes all end well.
import { MAX_BODY } from './defaults';
import { randomBytes } from 'node:crypto';
import * as fs from './rawfs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { Dispatch, metaFromHead } from './dispatch';
import { Box, BOXES, buildName, isPriority, isSlug, isTeamName, Priority, slugify } from './format';
import { parseFrontMatter, readHead } from './frontmatter';
import {
  claimPart,
  errnoOf,
  FileSeen,
  fsyncDir,
  headHash,
  isPlaceholder,
  moveNoClobber,
  MoveResult,
  pendingClaims,
  placeFree,
  repairClaims,
  sameFile,
} from './fsmove';
import { NotAFolder, pinBox, PinnedDir, withBox } from './pin';
import { groupId, isShared, shareFolder, SHARED_FILE_MODE, sharedPaths } from './shared';
import { Status, statusOf, statusRewrite } from './lifecycle';
import { unescapeRef } from './rawname';
import { isSyncTemp, unusableName } from './names';
import { landedAt, StatusChange, UNREADABLE } from './rewrite-move';

export type DispatchErrorCode = 'invalid' | 'not-found' | 'ambiguous' | 'io';

/** A refused or failed operation, with a message fit for a person. */
export class DispatchError extends Error {
  constructor(
    readonly code: DispatchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DispatchError';
  }
}

export interface DeliverOptions {
  to: string;
  from: string;
  priority?: Priority;
  title?: string;
  slug?: string;
  bead?: string;
  body?: string;
  /** Defaults to now. */
  created?: Date;
  /** More front matter (e.g. `cadence: <slug>`), after the standard fields; it never replaces one. */
  extra?: Record<string, string>;
}

export interface MoveOutcome {
  /** `already`: another process (or window) did the same move first; nothing was lost. */
  status: 'moved' | 'already';
  dispatch: Dispatch;
  /** Why the front matter's status was not written (the move still happened). */
  warnings?: string[];
}

export interface Listing {
  dispatches: Dispatch[];
  /** Boxes or folders not read, one line each. */
  warnings: string[];
}

export interface ListFilter {
  teams?: string[];
  box?: Box;
  priority?: Priority;
  from?: string;
}

/** The whole file, read for `show`: front matter and body. */
export interface DispatchContent {
  dispatch: Dispatch;
  data: Record<string, unknown>;
  body: string;
  truncated: boolean;
}

const READ_LIMIT = 1024 * 1024;
const CLAIM_STALE_MS = 10 * 60_000;
/** Dispatches resolved from a path, as seen then: a racer's "already" must be this very file. */
const seenFile = new WeakMap<Dispatch, FileSeen>();
/** Not a valid team name, so neither the store nor the index ever lists it as an inbox. */
export const TRASH = '.trash';
/** Verified dispatches, `<root>/.archive/<team>/<YYYY-MM>/`: never deleted, never listed as an inbox. */
export const ARCHIVE = '.archive';
const MAX_TITLE = 200;
const ARRIVING_MS = 5000;

export function defaultRoot(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.DISPATCH_ROOT?.trim();
  if (fromEnv) return path.resolve(expandHome(fromEnv));
  return path.join(os.homedir(), '.team', 'dispatch');
}

export function expandHome(p: string): string {
  // `~\x` too where `\` separates names (Windows).
  return p === '~' || p.startsWith('~/') || (path.sep === '\\' && p.startsWith('~\\')) ? path.join(os.homedir(), p.slice(1)) : p;
}

export function checkTeam(team: string): string {
  if (typeof team !== 'string' || !isTeamName(team)) {
    throw new DispatchError('invalid', `invalid team name ${JSON.stringify(String(team).slice(0, 80))}: use lowercase letters, digits, "_" and "-"`);
  }
  return team;
}

export class DispatchStore {
  readonly root: string;
  /** Folders whose fsync is owed at the end of a batch (see `batch`). */
  private owed: Set<string> | undefined;

  constructor(root: string = defaultRoot()) {
    this.root = path.resolve(expandHome(root));
  }

  boxDir(team: string, box: Box | 'tmp'): string {
    return path.join(this.root, checkTeam(team), box);
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
      for (const box of ['tmp', 'new', 'cur'] as const) await this.ensureDir(t, box);
      if (gid !== undefined)
        for (const p of sharedPaths(this.root, t))
          await shareFolder(p, gid).catch((e: unknown) => {
            throw ioError(e, `cannot share ${p} with group ${shared}`);
          });
    }
  }

  /**
   * `<root>/<team>/<box>`, made when missing, held open (see pin.ts). A team or box folder that is a
   * symbolic link is refused: whoever can write the root must not be able to make a move write outside it.
   */
  private async openBox(team: string, box: string, create: boolean): Promise<PinnedDir> {
    try {
      if (create) await this.checkRoot();
      return await pinBox(this.root, team, box, create);
    } catch (e) {
      throw refusal(e, `${team}/${box}`);
    }
  }

  private async ensureDir(team: string, box: string): Promise<string> {
    await (await this.openBox(team, box, true)).close();
    return path.join(this.root, team, box);
  }

  /** A root that exists but is not a folder is said so, not as mkdir's EEXIST. */
  private async checkRoot(): Promise<void> {
    const st = await fs.stat(this.root).catch(() => undefined);
    if (st && !st.isDirectory()) throw new DispatchError('invalid', `the dispatch root ${this.root} is not a folder`);
  }

  async exists(): Promise<boolean> {
    try {
      return (await fs.stat(this.root)).isDirectory();
    } catch {
      return false;
    }
  }

  /** Team folders under the root (names that pass the team rule and hold a new/ or cur/). */
  async teams(warnings?: string[]): Promise<string[]> {
    await this.checkRoot();
    let entries;
    try {
      entries = await fs.readdir(this.root, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw ioError(e, `cannot read the dispatch root ${this.root}`);
    }
    const out: string[] = [];
    for (const e of entries) {
      if (e.name[0] === '.') continue; // .trash and other private folders
      if (e.isSymbolicLink() && isTeamName(e.name)) {
        warnings?.push(`team folder ${e.name} is a symbolic link; not read`);
        continue;
      }
      if (!e.isDirectory()) continue;
      if (!isTeamName(e.name)) {
        warnings?.push(`folder ${JSON.stringify(e.name.slice(0, 80))} is not a valid team name (lowercase letters, digits, "_", "-"); ignored`);
        continue;
      }
      const boxes = await Promise.all(BOXES.map((b) => isDir(path.join(this.root, e.name, b))));
      if (boxes.some(Boolean)) out.push(e.name);
    }
    return out.sort();
  }

  /** Writes the whole file into tmp/, fsyncs it, then links it into new/ under a name nobody holds. */
  async deliver(o: DeliverOptions): Promise<Dispatch> {
    const to = checkTeam(o.to);
    const from = checkTeam(o.from);
    const priority = o.priority ?? 'normal';
    if (!isPriority(priority)) throw new DispatchError('invalid', `invalid priority "${String(priority)}": use urgent, high, normal or low`);
    const title = (o.title ?? '')
      .replace(/[\r\n]+/g, ' ')
      .trim()
      .slice(0, MAX_TITLE);
    const slug = o.slug !== undefined ? o.slug : slugify(title || firstLine(o.body ?? '') || 'dispatch');
    if (!isSlug(slug)) throw new DispatchError('invalid', `invalid slug "${slug.slice(0, 80)}": lowercase letters and digits joined by "-", at most 60`);
    const body = o.body ?? '';
    if (Buffer.byteLength(body) > MAX_BODY) throw new DispatchError('invalid', 'body larger than 10 MiB');
    const created = o.created ?? new Date();
    if (isNaN(created.getTime())) throw new DispatchError('invalid', 'invalid creation time');

    await this.init([to]);
    const text = render({ from, to, priority, created, bead: o.bead, title, body, extra: o.extra });
    const name = buildName({ created, priority, from, slug });
    const tmpDir = await this.openBox(to, 'tmp', false);
    const newDir = await this.openBox(to, 'new', false).catch(async (e) => {
      await tmpDir.close();
      throw e;
    });
    const tmp = path.join(tmpDir.path, `${Date.now()}.${process.pid}.${randomBytes(6).toString('hex')}.${name}`);
    try {
      // The partial file of a failed write (ENOSPC…) is removed on the way out, not left to a 36 h sweep.
      const fh = await fs.open(tmp, 'wx', 0o644);
      try {
        if (await isShared(this.root)) await fh.chmod(SHARED_FILE_MODE); // whatever the sender's umask
        await fh.writeFile(text, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      const curDir = this.boxDir(to, 'cur');
      const target = await placeFree(tmp, newDir.path, name, (c) => exists(path.join(curDir, c)));
      const d = new Dispatch(this.root, to, 'new', target);
      d.meta = metaFromHead({ text, size: Buffer.byteLength(text), truncated: false, binary: false });
      return d;
    } catch (e) {
      throw ioError(e, `cannot deliver ${name} into ${to}/new/`);
    } finally {
      await fs.unlink(tmp).catch(() => undefined);
      await tmpDir.close();
      await newDir.close();
    }
  }

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
    const warnings: string[] = [];
    return this.move(
      ref,
      'new',
      (d) => [d.team, 'cur'],
      'acknowledge',
      { rewrite: statusRewrite('accepted', warnings), done: ['accepted', 'completed'], warn: (w) => warnings.push(w) },
      warnings,
    );
  }

  /** cur/ → new/, `status: pending`: "mark as new", and the undo of acknowledge. */
  unacknowledge(ref: string | Dispatch): Promise<MoveOutcome> {
    const warnings: string[] = [];
    return this.move(
      ref,
      'cur',
      (d) => [d.team, 'new'],
      'mark as new',
      { rewrite: statusRewrite('pending', warnings), done: ['pending'], warn: (w) => warnings.push(w) },
      warnings,
    );
  }

  /**
   * `status: completed` and `completed: <now>` (and `completion_note:`), in cur/; a dispatch still in
   * new/ is acknowledged by the same move. One already completed is left as it is ("already").
   */
  async complete(ref: string | Dispatch, note?: string, now = new Date()): Promise<MoveOutcome> {
    let d = typeof ref === 'string' ? await this.eitherForm(ref, (r) => this.resolveOne(r).catch((e) => this.acknowledgedInstead(r, e))) : ref;
    for (let attempt = 0; ; attempt++) {
      if (d.box === 'cur' && statusOf((await readMeta(d.path))?.data) === 'completed') return { status: 'already', dispatch: d };
      const warnings: string[] = [];
      let r: MoveResult;
      try {
        r = await this.relocate(d, d.team, 'cur', {
          rewrite: statusRewrite('completed', warnings, now, note),
          done: ['completed'],
          warn: (w) => warnings.push(w),
        });
      } catch (e) {
        if (!(e instanceof DispatchError) || e.code !== 'not-found' || d.box !== 'new' || attempt > 1) throw e;
        r = { status: 'already', path: path.join(this.root, d.team, 'cur', d.fileName) };
      }
      const there = d.moved(d.team, 'cur', path.basename(r.path));
      if (r.status === 'moved') return { status: 'moved', dispatch: there, warnings: warnings.length ? warnings : undefined };
      // Acknowledged by someone else meanwhile: complete it where it went.
      if (attempt > 1) throw new DispatchError('not-found', `${d.id} kept moving while being completed; try again`);
      d = there;
    }
  }

  /** A path into new/ whose file is gone: the same name in cur/ if it is there (acknowledged meanwhile). */
  private async acknowledgedInstead(ref: string, e: unknown): Promise<Dispatch> {
    if (!(e instanceof DispatchError) || e.code !== 'not-found' || !ref.includes('/')) throw e;
    const rel = path.relative(this.root, path.resolve(expandHome(ref))).split(path.sep);
    if (rel.length !== 3 || rel[1] !== 'new' || !isTeamName(rel[0])) throw e;
    const cur = path.join(this.root, rel[0], 'cur');
    await landedAt(path.join(this.root, rel[0], 'new'), rel[2]); // waits out an acknowledge in flight
    if (!(await exists(path.join(cur, rel[2]))) && !(await landedAt(cur, rel[2]))) throw e;
    return new Dispatch(this.root, rel[0], 'cur', rel[2]);
  }

  /**
   * The sender's verify: into `<root>/.archive/<team>/<YYYY-MM>/` (the month it was created). Only
   * acknowledged dispatches: one still in new/ has not been seen by its team, and archiving would hide it.
   */
  async archive(ref: string | Dispatch, now = new Date()): Promise<string> {
    const d = typeof ref === 'string' ? await this.resolve(ref) : ref;
    if (d.box !== 'cur') throw new DispatchError('invalid', `cannot archive ${d.id}: it is still in ${d.team}/new/ (not acknowledged yet)`);
    const month = (d.created && /^\d{4}-\d{2}/.exec(d.created)?.[0]) || now.toISOString().slice(0, 7);
    // `.archive/<team>` opened without following links first; the month folder is made inside it.
    await (await this.openBox(ARCHIVE, checkTeam(d.team), true)).close();
    return (await this.relocate(d, ARCHIVE, path.join(d.team, month))).path;
  }

  /** Archived dispatches of the chosen teams (all when none), names only. */
  async listArchived(teams?: string[]): Promise<{ team: string; month: string; fileName: string; path: string }[]> {
    const base = path.join(this.root, ARCHIVE);
    const all = teams?.length
      ? teams.map(checkTeam)
      : await fs.readdir(base, { withFileTypes: true }).then(
          (es) => es.filter((e) => e.isDirectory() && isTeamName(e.name)).map((e) => e.name),
          () => [],
        );
    const out: { team: string; month: string; fileName: string; path: string }[] = [];
    for (const team of all.sort()) {
      const months = await fs.readdir(path.join(base, team), { withFileTypes: true }).catch(() => []);
      for (const m of months
        .filter((e) => e.isDirectory() && /^\d{4}-\d{2}$/.test(e.name))
        .map((e) => e.name)
        .sort()) {
        for (const fileName of await listBox(path.join(base, team, m))) out.push({ team, month: m, fileName, path: path.join(base, team, m, fileName) });
      }
    }
    return out;
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
    const d = typeof ref === 'string' ? await this.resolve(ref) : ref;
    return (await this.relocate(d, TRASH, checkTeam(d.team))).path;
  }

  /**
   * The move primitive for lifecycle changes (status in the front matter and the like): `ref` to
   * `<team>/<box>` — its own box for a rewrite in place — with `rewrite` giving the placed file's new
   * bytes (undefined: the same file). Same guarantees as every move: one winner, never clobbered, never
   * hidden or doubled, repaired by sweep after a kill. `already` only when nothing was to be done.
   */
  async transition(ref: string | Dispatch, team: string, box: Box, rewrite?: (content: Buffer) => Buffer | undefined): Promise<MoveOutcome> {
    checkTeam(team);
    const d = typeof ref === 'string' ? await this.resolve(ref) : ref;
    if (!rewrite && d.team === team && d.box === box) return { status: 'already', dispatch: d };
    const r = await this.relocate(d, team, box, rewrite && { rewrite, done: [] });
    const moved = d.moved(team, box, path.basename(r.path));
    if (rewrite) moved.meta = undefined; // new bytes: read them again
    return { status: r.status, dispatch: moved };
  }

  private async move(
    ref: string | Dispatch,
    from: Box | undefined,
    dest: (d: Dispatch) => [string, Box],
    verb: string,
    change?: StatusChange,
    warnings?: string[],
  ): Promise<MoveOutcome> {
    const d = typeof ref === 'string' ? await this.eitherForm(ref, (r) => this.resolveForMove(r, from, dest)) : ref;
    const [team, box] = dest(d);
    if (from && d.box !== from) {
      if (d.box === box) return { status: 'already', dispatch: d };
      throw new DispatchError('invalid', `cannot ${verb} ${d.id}: it is in ${d.box}/`);
    }
    if (d.team === team && d.box === box) return { status: 'already', dispatch: d };
    const r = await this.relocate(d, team, box, change);
    return { status: r.status, dispatch: d.moved(team, box, path.basename(r.path)), warnings: warnings?.length ? warnings : undefined };
  }

  /**
   * The one place a dispatch changes folder: both folders held open (nothing can swap them for a
   * symlink meanwhile), claim, place without clobbering, errors in people's words. Returns logical paths.
   */
  private async relocate(d: Dispatch, team: string, box: string, change?: StatusChange): Promise<MoveResult> {
    const unusable = unusableName(d.fileName); // a Linux sender's `a<b>.md` on Windows: refused, not "moved by someone else"
    if (unusable) throw new DispatchError('invalid', `${d.id}: ${unusable}`);
    if (d.claim) throw new DispatchError('io', `${d.id} is being moved by another process (or its move was interrupted: dispatch sweep puts it back)`);
    const src = await this.openBox(d.team, d.box, false).catch((e) => {
      throw e instanceof DispatchError || errnoOf(e) !== 'ENOENT'
        ? e
        : new DispatchError('not-found', `${d.id} is no longer in ${d.team}/${d.box}/: the folder is gone`);
    });
    try {
      const dst = await this.openBox(team, box, true);
      try {
        const logicalDst = path.join(this.root, team, box);
        // A file still linked by an interrupted move's claim (link count > 1) keeps its inode: sweep
        // recognises that claim as placed by the inode, and a rewrite would make it look unplaced.
        const linked = change && ((await fs.lstat(path.join(src.path, d.fileName)).catch(() => undefined))?.nlink ?? 1) > 1;
        if (linked) change?.warn?.('status not written: an interrupted move still links this file (dispatch sweep clears it)');
        const r = await moveNoClobber(path.join(src.path, d.fileName), dst.path, d.fileName, {
          rewrite: linked ? undefined : change?.rewrite,
          seen: seenFile.get(d),
          recordDst: path.relative(path.join(this.root, d.team, d.box), logicalDst),
          sync: !this.owed,
        });
        this.owed?.add(logicalDst).add(path.join(this.root, d.team, d.box));
        // The bytes may have changed: what was read of the file before no longer describes it.
        if (change && !linked && r.status === 'moved') d.meta = undefined;
        return { status: r.status, path: path.join(logicalDst, path.basename(r.path)) };
      } finally {
        await dst.close();
      }
    } catch (e) {
      if (e instanceof DispatchError) throw e;
      const code = errnoOf(e);
      if (change && code && UNREADABLE.has(code)) {
        // The move put the file back; it goes on without the status, which it could not read to write.
        change.warn?.(`status not written: the file cannot be read (${code})`);
        return this.relocate(d, team, box);
      }
      if (code === 'ENOENT') {
        const late = await this.doneByOther(d, path.join(this.root, team, box), change?.done);
        if (late) return { status: 'already', path: late };
        throw new DispatchError('not-found', `${d.id} is no longer in ${d.team}/${d.box}/: it was moved or deleted by someone else`);
      }
      throw ioError(e, `cannot move ${d.id} to ${team}/${box}/`);
    } finally {
      await src.close();
    }
  }

  /**
   * The source is gone and fsmove found nothing it recognised at the destination. A rewrite places a new
   * file (another inode), so a racer's own change is recognised by name and status instead: the name
   * is there (after any claim in flight on it lands) in the status this move would have written.
   */
  private async doneByOther(d: Dispatch, dstDir: string, done?: Status[]): Promise<string | undefined> {
    const there = await landedAt(dstDir, d.fileName);
    if (!there) return undefined;
    const seen = seenFile.get(d);
    if (!seen) return there;
    const st = await fs.lstat(there).catch(() => undefined);
    if (st && (await sameFile(there, st, seen))) return there;
    const status = statusOf((await readMeta(there))?.data);
    return status && done?.includes(status) ? there : undefined;
  }

  /** A path whose file already went where we would move it resolves to that place ("already"). */
  private async resolveForMove(ref: string, from: Box | undefined, dest: (d: Dispatch) => [string, Box]): Promise<Dispatch> {
    try {
      return await this.resolveOne(ref);
    } catch (e) {
      if (!(e instanceof DispatchError) || e.code !== 'not-found' || !from || !(ref.includes('/') || ref.includes(path.sep))) throw e;
      const rel = path.relative(this.root, path.resolve(expandHome(ref))).split(path.sep);
      if (rel.length !== 3 || rel[1] !== from || !isTeamName(rel[0])) throw e;
      const gone = new Dispatch(this.root, rel[0], from, rel[2]);
      const [team, box] = dest(gone);
      // The source is gone: relocate() waits for a racer's claim and finds where it went, or says so.
      const r = await this.relocate(gone, team, box);
      return new Dispatch(this.root, team, box, path.basename(r.path));
    }
  }

  /** Every dispatch in the chosen teams and boxes, names only (no file is opened). */
  async list(filter: ListFilter = {}): Promise<Dispatch[]> {
    return (await this.scan(filter)).dispatches;
  }

  /**
   * `list`, with a warning per box (or folder) that could not be read: one bad box (a symlink, a loop,
   * no permission) is said, and every other box is still listed.
   */
  async scan(filter: ListFilter = {}): Promise<Listing> {
    const warnings: string[] = [];
    const teams = filter.teams?.length ? filter.teams.map(checkTeam) : await this.teams(warnings);
    const boxes = filter.box ? [filter.box] : BOXES;
    const out: Dispatch[] = [];
    for (const team of teams) {
      for (const box of boxes) {
        try {
          out.push(...(await this.listOne(team, box)));
        } catch (e) {
          if (errnoOf(e) === 'ENOENT') continue;
          const why = e instanceof NotAFolder ? (e.symlink ? 'a symbolic link' : 'not a folder') : `unreadable (${errnoOf(e) ?? String(e)})`;
          warnings.push(`${team}/${box} is ${why}; nothing listed from it`);
        }
      }
    }
    if (!filter.priority && !filter.from) return { dispatches: out, warnings };
    await this.loadMeta(out.filter((d) => !d.name));
    return { dispatches: out.filter((d) => (!filter.priority || d.priority === filter.priority) && (!filter.from || d.from === filter.from)), warnings };
  }

  private listOne(team: string, box: Box): Promise<Dispatch[]> {
    return withBox(this.root, team, box, false, async (dir) => {
      const names = await listBox(dir.path, true);
      const out: Dispatch[] = [];
      for (const name of names) if (!claimPart(name)) out.push(new Dispatch(this.root, team, box, name));
      // A claim is never invisible: until it lands or is put back, it is listed where it was.
      if (names.some((n) => claimPart(n)?.part === 'claim')) {
        for (const c of await pendingClaims(path.join(this.root, team, box), names)) {
          const d = new Dispatch(this.root, team, box, c.name);
          d.claim = c.claim;
          out.push(d);
        }
      }
      if (!(await dir.verify())) throw new NotAFolder(`${team}/${box}`, true);
      return out;
    });
  }

  /** Reads front matter (a bounded prefix) for dispatches that have none loaded yet. */
  async loadMeta(ds: Dispatch[], concurrency = 16): Promise<void> {
    let i = 0;
    const worker = async () => {
      while (i < ds.length) {
        const d = ds[i++];
        if (!d.meta) d.meta = await readMeta(d.claim ? path.join(path.dirname(d.path), d.claim) : d.path);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, ds.length) }, worker));
  }

  /**
   * A dispatch by path (must lie in `<root>/<team>/new|cur/`) or by id (file name without `.md`,
   * or a unique prefix of one).
   */
  resolve(ref: string): Promise<Dispatch> {
    return this.eitherForm(ref, (r) => this.resolveOne(r));
  }

  private async resolveOne(ref: string): Promise<Dispatch> {
    if (typeof ref !== 'string' || !ref || ref.includes('\0')) throw new DispatchError('invalid', 'no dispatch given');
    if (ref.includes('/') || ref.includes(path.sep)) return this.fromPath(ref);
    return this.match(byName(await this.list()), ref);
  }

  /**
   * A ref as people and agents copy it from `list` or `--json`: in its printed form (`\xff` for a byte
   * that is not UTF-8, `\n`, `\\`; see rawname.ts) it names the file that form stands for; when no such
   * file is found, the text is taken as it is. Applied once per ref (unescaping twice is not the same).
   */
  private async eitherForm<T>(ref: string, f: (r: string) => Promise<T>): Promise<T> {
    const u = typeof ref === 'string' ? unescapeRef(ref) : ref;
    if (u === ref) return f(ref);
    try {
      return await f(u);
    } catch (e) {
      if (!(e instanceof DispatchError) || e.code !== 'not-found') throw e;
      return f(ref);
    }
  }

  /**
   * A resolver for many refs that lists the root once (on first need): `ack` of 10,000 ids costs one
   * listing, not 10,000. A dispatch moved since is then reported by the move, as with any race.
   */
  resolver(onWarnings?: (warnings: string[]) => void): (ref: string) => Promise<Dispatch> {
    let names: Promise<Names> | undefined;
    return (ref) =>
      this.eitherForm(ref, async (r) => {
        if (typeof r !== 'string' || !r || r.includes('\0')) throw new DispatchError('invalid', 'no dispatch given');
        if (r.includes('/') || r.includes(path.sep)) return this.fromPath(r);
        names ??= this.scan().then((l) => {
          if (l.warnings.length) onWarnings?.(l.warnings);
          return byName(l.dispatches);
        });
        return this.match(await names, r);
      });
  }

  private match(names: Names, ref: string): Dispatch {
    const file = ref.endsWith('.md') ? ref : `${ref}.md`;
    const exact = [...(names.get(file) ?? []), ...(file !== ref ? (names.get(ref) ?? []) : [])];
    if (exact.length === 1) return exact[0];
    const found = exact.length ? exact : [...names.values()].flat().filter((d) => d.fileName.startsWith(ref));
    if (found.length === 1) return found[0];
    if (!found.length) throw new DispatchError('not-found', `no dispatch "${ref.slice(0, 120)}" under ${this.root}`);
    const where = found.slice(0, 5).map((d) => `${d.team}/${d.box}/${d.fileName}`);
    throw new DispatchError('ambiguous', `"${ref.slice(0, 120)}" matches ${found.length} dispatches: ${where.join(', ')}${found.length > 5 ? ', …' : ''}`);
  }

  private async fromPath(p: string): Promise<Dispatch> {
    const abs = path.resolve(expandHome(p));
    const rel = path.relative(this.root, abs);
    const parts = rel.split(path.sep);
    if (rel.startsWith('..') || path.isAbsolute(rel) || parts.length !== 3 || !isTeamName(parts[0]) || (parts[1] !== 'new' && parts[1] !== 'cur')) {
      throw new DispatchError('invalid', `${p} is not a dispatch in ${path.join(this.root, '<team>', 'new|cur')}${path.sep}`);
    }
    const st = await this.statIn(parts[0], parts[1] as Box, parts[2]);
    if (!st) throw new DispatchError('not-found', `no such dispatch: ${abs}`);
    if (!st.isFile()) throw new DispatchError('invalid', `${abs} is not a regular file`);
    const d = new Dispatch(this.root, parts[0], parts[1] as Box, parts[2]);
    const head = await withBox(this.root, parts[0], parts[1], false, (dir) => headHash(path.join(dir.path, parts[2]))).catch(() => undefined);
    seenFile.set(d, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, head });
    return d;
  }

  /** lstat of a file in a box, through the box held open (never through a symlinked box). */
  private async statIn(team: string, box: Box, name: string) {
    try {
      return await withBox(this.root, team, box, false, (dir) => fs.lstat(path.join(dir.path, name)).catch(() => undefined));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return undefined;
      throw refusal(e, `${team}/${box}`);
    }
  }

  /** Front matter and (up to 1 MiB of) body of one dispatch. */
  async read(ref: string | Dispatch): Promise<DispatchContent> {
    const d = typeof ref === 'string' ? await this.resolve(ref) : ref;
    const file = d.claim ?? d.fileName;
    const head = await withBox(this.root, d.team, d.box, false, async (dir) => {
      const st = await fs.lstat(path.join(dir.path, file)).catch(() => undefined);
      if (!st) throw new DispatchError('not-found', `${d.id} is no longer in ${d.team}/${d.box}/`);
      if (!st.isFile()) throw new DispatchError('invalid', `${d.path} is not a regular file; not read`);
      return readHead(path.join(dir.path, file), READ_LIMIT);
    }).catch((e) => {
      throw e instanceof DispatchError
        ? e
        : errnoOf(e) === 'ENOENT'
          ? new DispatchError('not-found', `${d.id} is no longer in ${d.team}/${d.box}/`)
          : refusal(ioError(e, `cannot read ${d.id}`), `${d.team}/${d.box}`);
    });
    d.meta = metaFromHead(head);
    if (head.binary) return { dispatch: d, data: Object.create(null), body: '', truncated: head.truncated };
    const fm = parseFrontMatter(head.text, head.truncated);
    return { dispatch: d, data: fm.data, body: fm.body, truncated: head.truncated };
  }

  /**
   * Deletes files in tmp/ older than `hours` (Maildir's 36 h rule): leftovers of crashed senders. Also
   * repairs claims (`.claim.*`) that a process killed mid-move left for over 10 minutes: finished if the
   * dispatch already reached its destination, put back otherwise.
   */
  async sweep(hours = 36, now = Date.now()): Promise<string[]> {
    if (!(hours >= 0)) throw new DispatchError('invalid', 'hours must be a number ≥ 0');
    const removed: string[] = [];
    for (const team of await this.teams()) {
      // Through the folder held open: a tmp/ swapped for a symlink cannot make sweep delete elsewhere.
      await withBox(this.root, team, 'tmp', false, async (dir) => {
        for (const n of await fs.readdir(dir.path)) {
          const st = await fs.lstat(path.join(dir.path, n)).catch(() => undefined);
          if (!st?.isFile() || now - st.mtimeMs < hours * 3600_000) continue;
          if (
            await fs.unlink(path.join(dir.path, n)).then(
              () => true,
              () => false,
            )
          )
            removed.push(path.join(this.root, team, 'tmp', n));
        }
      }).catch(() => undefined);
      for (const box of BOXES) {
        const dir = path.join(this.root, team, box);
        // Claims are repaired only in real folders (a record's paths are relative to its box).
        if (!(await withBox(this.root, team, box, false, async () => true).catch(() => false))) continue;
        await repairClaims(dir, CLAIM_STALE_MS, now);
        removed.push(...(await this.removePlaceholders(team, box, now)));
      }
    }
    return removed;
  }

  /**
   * Empty placeholders older than the claim bound: left by a process killed between making one and
   * renaming its file onto it (a sender's file is then still in tmp/, a mover's claim is put back).
   * Only files with the placeholder's mark (isPlaceholder): never a file with content, never an empty
   * file someone wrote.
   */
  private async removePlaceholders(team: string, box: Box, now: number): Promise<string[]> {
    const out: string[] = [];
    await withBox(this.root, team, box, false, async (dir) => {
      for (const n of await listBox(dir.path)) {
        const p = path.join(dir.path, n);
        const st = await fs.lstat(p).catch(() => undefined);
        if (!st || !isPlaceholder(st) || now - st.ctimeMs < CLAIM_STALE_MS) continue;
        if (
          await fs.unlink(p).then(
            () => true,
            () => false,
          )
        )
          out.push(path.join(this.root, team, box, n));
      }
    }).catch(() => undefined);
    return out;
  }
}

/** Dispatch file names in one box: regular entries, not dotfiles (claims too with `claims`). Missing box → none. */
export async function listBox(dir: string, claims = false): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    const c = (e as NodeJS.ErrnoException).code;
    if (c === 'ENOENT' || c === 'ENOTDIR') return [];
    throw e;
  }
  const out: string[] = [];
  // A sync tool's file in flight (`~syncthing~*.tmp`) is nobody's dispatch (names.ts).
  for (const e of entries) if (!e.isDirectory() && (e.name[0] !== '.' || (claims && claimPart(e.name))) && !isSyncTemp(e.name)) out.push(e.name);
  return out;
}

/** Metadata of one file; never throws (unreadable files become a warning). */
export async function readMeta(p: string): Promise<Dispatch['meta']> {
  try {
    const st = await fs.lstat(p);
    if (st.isSymbolicLink()) return warnOnly('symbolic link; not followed', st);
    if (!st.isFile()) return warnOnly('not a regular file', st);
    // The exclusive placeholder a no-hardlink placement renames onto: in flight, not a broken dispatch.
    if (st.size === 0 && Date.now() - st.ctimeMs < ARRIVING_MS) return warnOnly('arriving (an empty placeholder a move fills in a moment)', st);
    if (isPlaceholder(st)) return warnOnly('empty placeholder left by an interrupted move, not a dispatch (dispatch sweep removes it)', st);
    return metaFromHead(await readHead(p));
  } catch (e) {
    return warnOnly(`unreadable: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

/** Metadata that is only a warning; the stat still lets the index notice the entry change. */
function warnOnly(w: string, st?: { size: number; mtimeMs: number; ino: number }): Dispatch['meta'] {
  return { kind: 'none', data: Object.create(null), bodyStart: '', size: st?.size ?? 0, mtimeMs: st?.mtimeMs, ino: st?.ino, warnings: [w] };
}

function render(o: {
  from: string;
  to: string;
  priority: Priority;
  created: Date;
  bead?: string;
  title: string;
  body: string;
  extra?: Record<string, string>;
}): string {
  const fm: Record<string, string> = {
    from: o.from,
    to: o.to,
    priority: o.priority,
    status: 'pending',
    created: o.created.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
  if (o.bead) fm.related_bead = o.bead.replace(/[\r\n]+/g, ' ').slice(0, 200);
  for (const [k, v] of Object.entries(o.extra ?? {}))
    if (/^[a-z][a-z0-9_]{0,40}$/.test(k) && !(k in fm))
      fm[k] = String(v)
        .replace(/[\r\n]+/g, ' ')
        .slice(0, 200);
  const head = yaml.dump(fm, { lineWidth: -1 });
  let body = o.body.replace(/\r\n?/g, '\n');
  if (o.title && !/^\s*#{1,6}\s/.test(body)) body = `# ${o.title}\n\n${body}`;
  if (!body.endsWith('\n')) body += '\n';
  return `---\n${head}---\n${body}`;
}

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the filesystem (blocks or inodes)',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the filesystem is read-only',
  EXDEV: 'the folders are on different filesystems (tmp/, new/ and cur/ must share one)',
  EIO: 'input/output error',
  ENAMETOOLONG: 'name too long for the filesystem',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many levels of symbolic links',
};

/** One line naming the dispatch and the cause, never an internal (claim) path. */
export function ioError(e: unknown, what: string): unknown {
  const code = errnoOf(e);
  if (!code) return e;
  return new DispatchError('io', `${what}: ${CAUSES[code] ?? 'failed'} (${code})`);
}

function firstLine(s: string): string {
  return (/^\s*#*\s*(.*)$/m.exec(s)?.[1] ?? '').slice(0, MAX_TITLE);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch {
    return false;
  }
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

type Names = Map<string, Dispatch[]>;

function byName(ds: Dispatch[]): Names {
  const m: Names = new Map();
  for (const d of ds) {
    const l = m.get(d.fileName);
    if (l) l.push(d);
    else m.set(d.fileName, [d]);
  }
  return m;
}

/** A folder refused for being a symlink or not a folder, in a person's words; other errors as they are. */
function refusal(e: unknown, where: string): unknown {
  if (!(e instanceof NotAFolder)) return e;
  return new DispatchError(
    'invalid',
    `${where} is ${e.symlink ? 'a symbolic link' : 'not a folder'}; refused: dispatches live only in real folders under the root`,
  );
}
