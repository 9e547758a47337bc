// The dispatch file name: `<UTC YYYY-MM-DDTHH-MM-SSZ>_<priority>_<from>_<slug>.md`.
// `ls` sorts by time and triages without parsing YAML; a `.N` after the slug keeps names unique.

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export type Box = 'new' | 'cur';
export const BOXES: readonly Box[] = ['new', 'cur'];

/** Lower is more pressing: urgent 0 … low 3. */
export function priorityRank(p: Priority): number {
  return PRIORITIES.indexOf(p);
}

export function isPriority(v: unknown): v is Priority {
  return typeof v === 'string' && (PRIORITIES as readonly string[]).includes(v);
}

/** Team names (and senders) as in the seed and AMQ: `^[a-z0-9_-]+$`, bounded so paths stay sane. */
export const TEAM_RE = /^[a-z0-9_-]{1,64}$/;
export function isTeamName(v: string): boolean {
  return TEAM_RE.test(v) && v !== '-' && v !== '_';
}

/** Slugs never contain `_` (the field separator) or `.` (the uniqueness suffix). */
export const SLUG_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const MAX_SLUG = 60;
export function isSlug(v: string): boolean {
  return v.length <= MAX_SLUG && SLUG_RE.test(v);
}

export interface NameParts {
  /** ISO 8601, e.g. `2026-01-31T14:30:00Z`. */
  created: string;
  /** As written in the name; may be outside PRIORITIES. */
  priority: string;
  from: string;
  slug: string;
  /** The uniqueness suffix (`.2` → 2), 0 when absent. */
  variant: number;
}

const NAME_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})(\.\d{1,3})?Z_([a-z]+)_([a-z0-9_-]+)_([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.(\d{1,12}))?\.md$/;

/** Parses a conforming file name; undefined for anything else (still a dispatch, just not named by the rule). */
export function parseName(fileName: string): NameParts | undefined {
  const m = NAME_RE.exec(fileName);
  if (!m) return undefined;
  return {
    created: `${m[1]}T${m[2]}:${m[3]}:${m[4]}${m[5] ?? ''}Z`,
    priority: m[6],
    from: m[7],
    slug: m[8],
    variant: m[9] ? Number(m[9]) : 0,
  };
}

/** `2026-01-31T14-30-00Z`: UTC, one-second resolution, colons replaced for every filesystem. */
export function nameTimestamp(d: Date): string {
  return d
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

export function buildName(p: { created: Date; priority: Priority; from: string; slug: string; variant?: number }): string {
  const v = p.variant && p.variant > 1 ? `.${p.variant}` : '';
  return `${nameTimestamp(p.created)}_${p.priority}_${p.from}_${p.slug}${v}.md`;
}

/** The same name with a uniqueness suffix: `…_slug.md` → `…_slug.N.md`; other names get `.N` before the extension. */
export function variantName(fileName: string, n: number): string {
  const parts = parseName(fileName);
  if (parts) {
    const base = fileName.slice(0, fileName.length - '.md'.length).replace(/\.\d+$/, '');
    return `${base}.${n}.md`;
  }
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? `${fileName.slice(0, dot)}.${n}${fileName.slice(dot)}` : `${fileName}.${n}`;
}

/** A slug from free text: lowercase ASCII words joined by `-`, at most 60 characters. */
export function slugify(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/g, '');
  return s || 'dispatch';
}

/** `update-site` → `Update site`. */
export function humanise(slug: string): string {
  const words = slug.replace(/[-_]+/g, ' ').trim();
  return words ? words[0].toUpperCase() + words.slice(1) : slug;
}

/** The id a person types: the file name without `.md`. */
export function idOf(fileName: string): string {
  return fileName.endsWith('.md') ? fileName.slice(0, -3) : fileName;
}
