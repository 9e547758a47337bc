// Listing and resolving: which teams and dispatches a root holds, one dispatch by id or path, its content.
import * as fs from '../fs/rawfs';
import * as path from 'node:path';
import { Dispatch, metaFromHead } from '../format/dispatch';
import { Box, BOXES, isTeamName, Priority } from '../format/format';
import { parseFrontMatter, readHead } from '../format/frontmatter';
import { claimPart, errnoOf, FileSeen, headHash, hiddenPlaceholders, pendingClaims } from '../move';
import { NotAFolder, withBox } from '../fs/pin';
import { unescapeRef } from '../fs/rawname';
import { listBox, readMeta } from './boxes';
import { ARCHIVE, boxPathParts, checkTeam, DispatchError, ioError, refusal, Root } from './root';

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
/** Dispatches resolved from a path, as seen then: a racer's "already" must be this very file. */
const seenFile = new WeakMap<Dispatch, FileSeen>();

export const seenOf = (d: Dispatch): FileSeen | undefined => seenFile.get(d);

type Names = Map<string, Dispatch[]>;

export class Lister {
  constructor(private readonly r: Root) {}

  private get root(): string {
    return this.r.root;
  }

  /** Team folders under the root (names that pass the team rule and hold a new/ or cur/). */
  async teams(warnings?: string[]): Promise<string[]> {
    await this.r.checkRoot();
    let entries;
    try {
      entries = await fs.readdir(this.root, { withFileTypes: true });
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return [];
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

  /**
   * Every dispatch in the chosen teams and boxes (names only: no file is opened), with a warning per box
   * or folder that could not be read: one bad box is said, and every other box is still listed.
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
      const ours = names.filter((n) => claimPart(n));
      // Placeholders of a move in flight (or one a kill interrupted) are not dispatches: the dispatch is
      // listed where it still is.
      const hidden = ours.length ? await hiddenPlaceholders(dir.path, ours, path.join(this.root, team, box)) : undefined;
      const out: Dispatch[] = [];
      for (const name of names) if (!claimPart(name) && !hidden?.has(name)) out.push(new Dispatch(this.root, team, box, name));
      // A claim is never invisible: until it lands or is put back, it is listed where it was.
      if (ours.some((n) => ['claim', 'old'].includes(claimPart(n)?.part ?? ''))) {
        for (const c of await pendingClaims(dir.path, names)) {
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

  async resolveOne(ref: string): Promise<Dispatch> {
    if (typeof ref !== 'string' || !ref || ref.includes('\0')) throw new DispatchError('invalid', 'no dispatch given');
    if (isPathRef(ref)) return this.fromPath(ref);
    return this.match(byName(await this.scan().then((l) => l.dispatches)), ref);
  }

  /**
   * A ref as people and agents copy it from `list` or `--json`: in its printed form (`\xff` for a byte
   * that is not UTF-8, `\n`, `\\`; see rawname.ts) it names the file that form stands for; when no such
   * file is found, the text is taken as it is. Applied once per ref (unescaping twice is not the same).
   */
  async eitherForm<T>(ref: string, f: (r: string) => Promise<T>): Promise<T> {
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
        if (isPathRef(r)) return this.fromPath(r);
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
    const parts = boxPathParts(this.root, p);
    if (!parts) throw new DispatchError('invalid', `${p} is not a dispatch in ${path.join(this.root, '<team>', 'new|cur')}${path.sep}`);
    const abs = path.join(this.root, parts.team, parts.box, parts.file);
    const st = await this.statIn(parts.team, parts.box, parts.file);
    if (!st) throw new DispatchError('not-found', `no such dispatch: ${abs}`);
    if (!st.isFile()) throw new DispatchError('invalid', `${abs} is not a regular file`);
    if (st.size === 0 && (await this.isPlaceholder(parts.team, parts.box, parts.file)))
      throw new DispatchError(
        'invalid',
        `${abs} is the empty placeholder of a move in progress (or an interrupted one: dispatch sweep removes it), not a dispatch`,
      );
    const d = new Dispatch(this.root, parts.team, parts.box, parts.file);
    const head = await withBox(this.root, parts.team, parts.box, false, (dir) => headHash(path.join(dir.path, parts.file))).catch(() => undefined);
    seenFile.set(d, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, head });
    return d;
  }

  /** An empty file a marker names as the placeholder of a placement (move/place.ts). */
  private isPlaceholder(team: string, box: Box, name: string): Promise<boolean> {
    return withBox(this.root, team, box, false, async (dir) => {
      const names = await listBox(dir.path, true);
      return (await hiddenPlaceholders(dir.path, names, path.join(this.root, team, box))).has(name);
    });
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
    const gone = () => new DispatchError('not-found', `${d.id} is no longer in ${d.team}/${d.box}/`);
    const head = await withBox(this.root, d.team, d.box, false, async (dir) => {
      const st = await fs.lstat(path.join(dir.path, file)).catch(() => undefined);
      if (!st) throw gone();
      if (!st.isFile()) throw new DispatchError('invalid', `${d.path} is not a regular file; not read`);
      return readHead(path.join(dir.path, file), READ_LIMIT);
    }).catch((e) => {
      throw e instanceof DispatchError ? e : errnoOf(e) === 'ENOENT' ? gone() : refusal(ioError(e, `cannot read ${d.id}`), `${d.team}/${d.box}`);
    });
    d.meta = metaFromHead(head);
    if (head.binary) return { dispatch: d, data: Object.create(null), body: '', truncated: head.truncated };
    const fm = parseFrontMatter(head.text, head.truncated);
    return { dispatch: d, data: fm.data, body: fm.body, truncated: head.truncated };
  }
}

/** A ref that is a path rather than an id. */
export const isPathRef = (ref: string) => ref.includes('/') || ref.includes(path.sep);

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

function byName(ds: Dispatch[]): Names {
  const m: Names = new Map();
  for (const d of ds) {
    const l = m.get(d.fileName);
    if (l) l.push(d);
    else m.set(d.fileName, [d]);
  }
  return m;
}

export interface Archived {
  team: string;
  month: string;
  fileName: string;
  path: string;
}

/** Archived dispatches of the chosen teams (all when none), names only, placeholders of moves in flight left out. */
export async function listArchived(root: string, teams?: string[]): Promise<Archived[]> {
  const base = path.join(root, ARCHIVE);
  const all = teams?.length
    ? teams.map(checkTeam)
    : await fs.readdir(base, { withFileTypes: true }).then(
        (es) => es.filter((e) => e.isDirectory() && isTeamName(e.name)).map((e) => e.name),
        () => [],
      );
  const out: Archived[] = [];
  for (const team of all.sort()) {
    const months = await fs.readdir(path.join(base, team), { withFileTypes: true }).catch(() => []);
    for (const m of months
      .filter((e) => e.isDirectory() && /^\d{4}-\d{2}$/.test(e.name))
      .map((e) => e.name)
      .sort()) {
      const dir = path.join(base, team, m);
      const names = await listBox(dir, true);
      const hidden = await hiddenPlaceholders(dir, names);
      for (const fileName of names) if (!claimPart(fileName) && !hidden.has(fileName)) out.push({ team, month: m, fileName, path: path.join(dir, fileName) });
    }
  }
  return out;
}
