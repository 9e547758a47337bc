// One dispatch: what its location and name say at once, and what its front matter says once read.
// Kept small (a handful of fields, parsing on demand) because an index holds 100k of them.
import * as path from 'node:path';
import { Box, humanise, idOf, isPriority, NameParts, parseName, Priority } from './format';
import { hasRawBytes, printable, printablePath } from '../fs/rawname';
import { oneLine } from './text';
import { ConflictCopy, conflictCopy, unusableName } from './names';
import { bodyStart, firstHeading, FrontMatter, FrontMatterKind, Head, parseFrontMatter } from './frontmatter';

export interface DispatchMeta {
  kind: FrontMatterKind;
  data: Record<string, unknown>;
  /** First heading of the body, else front matter `title`/`subject`. */
  heading?: string;
  /** The start of the body, for tooltips and `show`. */
  bodyStart: string;
  size: number;
  /** The file's modification time and inode when it was read, if known: with size, they tell an edit. */
  mtimeMs?: number;
  ino?: number;
  /** Its ctime when read: when it landed in its box by this machine's clock (core/lifecycle/waiting.ts). */
  ctimeMs?: number;
  warnings: string[];
}

/** The JSON shape printed by `--json` and shared with the extension. */
export interface DispatchJSON {
  id: string;
  team: string;
  box: Box;
  path: string;
  created: string | null;
  priority: Priority;
  from: string | null;
  slug: string;
  title: string;
  warnings: string[];
  to?: string[];
  status?: string;
  related_bead?: string;
  size?: number;
  /** A sync tool's conflict copy: the id of the dispatch it is a version of, and the tool. */
  conflict_of?: string;
  sync_tool?: string;
}

export class Dispatch {
  private parts: NameParts | null | undefined;
  meta: DispatchMeta | undefined;
  /** Set while a move holds the file under this private name (`.claim.*`): it is still here, being moved. */
  claim: string | undefined;

  constructor(
    readonly root: string,
    readonly team: string,
    readonly box: Box,
    readonly fileName: string,
  ) {}

  get id(): string {
    return idOf(this.fileName);
  }
  get path(): string {
    return path.join(this.root, this.team, this.box, this.fileName);
  }
  /** What the name says (a sync tool's conflict copy: its original's name), or null when it does not follow the rule. */
  get name(): NameParts | null {
    if (this.parts === undefined) {
      this.parts = parseName(this.fileName) ?? null;
      const c = this.parts ? undefined : this.conflict; // only names off the rule can be conflict copies
      if (c) this.parts = parseName(c.original) ?? null;
    }
    return this.parts;
  }
  /** A sync tool's conflict copy of the dispatch `original` in the same box (names.ts), else undefined. */
  get conflict(): ConflictCopy | undefined {
    return conflictCopy(this.fileName);
  }
  get created(): string | undefined {
    return this.name?.created ?? str(this.meta?.data.created);
  }
  get priority(): Priority {
    const p = this.name?.priority ?? str(this.meta?.data.priority);
    return isPriority(p) ? p : 'normal';
  }
  get from(): string | undefined {
    return this.name?.from ?? str(this.meta?.data.from);
  }
  get slug(): string {
    return this.name?.slug ?? this.id;
  }
  get title(): string {
    return this.meta?.heading ?? humanise(this.slug);
  }
  get warnings(): string[] {
    const w: string[] = [];
    const n = this.name;
    if (!n) {
      w.push('file name does not follow <time>_<priority>_<from>_<slug>.md');
      if (this.meta && !this.created) w.push('creation time unknown');
      if (this.meta && !this.from) w.push('sender unknown');
    }
    const p = n?.priority ?? str(this.meta?.data.priority);
    if (p !== undefined && !isPriority(p)) w.push(`unknown priority "${oneLine(p, 20)}"; treated as normal`);
    if (n && this.meta) {
      const fp = str(this.meta.data.priority);
      if (fp !== undefined && fp !== n.priority) w.push(`front matter priority "${oneLine(fp, 20)}" differs from the name's "${n.priority}"`);
    }
    if (this.meta) w.push(...this.meta.warnings);
    // Kept as its bytes (rawname.ts); its id and path print with `\xNN` escapes and are accepted so.
    if (hasRawBytes(this.fileName)) w.push('file name is not valid UTF-8: id and path shown with \\xNN escapes (give them so)');
    const c = this.conflict;
    if (c) w.push(`${c.tool} conflict copy of ${printable(idOf(c.original))}: two versions of one dispatch; keep one (dispatch conflict, or Resolve Conflict)`);
    const unusable = unusableName(this.fileName);
    if (unusable) w.push(unusable);
    if (this.claim) w.push('being moved (or its move was interrupted: dispatch sweep puts it back)');
    return w;
  }
  /** Same dispatch in another place (after a move). */
  moved(team: string, box: Box, fileName: string): Dispatch {
    const d = new Dispatch(this.root, team, box, fileName);
    d.meta = this.meta;
    return d;
  }

  toJSON(): DispatchJSON {
    const data = this.meta?.data;
    const to = data?.to;
    const j: DispatchJSON = {
      // A name with raw bytes has no exact JSON string: its printable form, which every command accepts.
      id: printable(this.id),
      team: this.team,
      box: this.box,
      path: printablePath(this.path),
      created: this.created ?? null,
      priority: this.priority,
      from: this.from ?? null,
      slug: printable(this.slug),
      title: this.title,
      warnings: this.warnings,
    };
    if (typeof to === 'string') j.to = [to];
    else if (Array.isArray(to)) j.to = to.filter((t): t is string => typeof t === 'string');
    const status = str(data?.status);
    if (status !== undefined) j.status = status;
    const bead = str(data?.related_bead);
    if (bead !== undefined) j.related_bead = bead;
    if (this.meta) j.size = this.meta.size;
    const c = this.conflict;
    if (c) Object.assign(j, { conflict_of: printable(idOf(c.original)), sync_tool: c.tool });
    return j;
  }
}

/** Scalars as the author wrote them; anything else is not a usable value. */
function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Front matter and heading of a file's head, as metadata. */
export function metaFromHead(head: Head): DispatchMeta {
  const stat = { size: head.size, mtimeMs: head.mtimeMs, ino: head.ino, ctimeMs: head.ctimeMs };
  if (head.binary) {
    return { kind: 'none', data: Object.create(null), bodyStart: '', ...stat, warnings: ['binary content; not parsed'] };
  }
  const fm: FrontMatter = parseFrontMatter(head.text, head.truncated);
  const heading = firstHeading(fm.body) ?? str(fm.data.title) ?? str(fm.data.subject);
  const warnings = fm.warnings.filter((w) => w !== 'no front matter' || !heading);
  if (head.truncated) warnings.push(`large file (${head.size} bytes); only the start was read`);
  return { kind: fm.kind, data: fm.data, heading: heading?.slice(0, 200), bodyStart: bodyStart(fm.body), ...stat, warnings };
}
