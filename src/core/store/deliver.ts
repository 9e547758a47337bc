// The write path: a dispatch written whole into tmp/, fsynced, then placed into new/ under a name nobody
// holds (move/place.ts), never replacing one.
import { randomBytes } from 'node:crypto';
import * as fs from '../fs/rawfs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { MAX_BODY } from '../defaults';
import { Dispatch, metaFromHead } from '../format/dispatch';
import { buildName, isPriority, isSlug, Priority, slugify } from '../format/format';
import { place, writeNew } from '../move';
import { isShared, SHARED_FILE_MODE } from '../fs/shared';
import { checkTeam, DispatchError, ioError, Root } from './root';

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

const MAX_TITLE = 200;

export async function deliver(r: Root, init: (teams: string[]) => Promise<void>, o: DeliverOptions): Promise<Dispatch> {
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

  await init([to]);
  const text = render({ from, to, priority, created, bead: o.bead, title, body, extra: o.extra });
  const name = buildName({ created, priority, from, slug });
  const tmpDir = await r.openBox(to, 'tmp', false);
  const newDir = await r.openBox(to, 'new', false).catch(async (e) => {
    await tmpDir.close();
    throw e;
  });
  const tmpName = `${Date.now()}.${process.pid}.${randomBytes(6).toString('hex')}.${name}`;
  try {
    // A shared root's files are group-writable whatever the sender's umask.
    const shared = await isShared(r.root);
    await writeNew(path.join(tmpDir.path, tmpName), text, { mode: shared ? SHARED_FILE_MODE : 0o644, exact: shared, durable: true });
    const curDir = r.boxDir(to, 'cur');
    const placed = await place(tmpDir.path, tmpName, newDir.path, name, {
      size: Buffer.byteLength(text),
      from: path.join('..', 'tmp'),
      skip: (c) => exists(path.join(curDir, c)),
    });
    const d = new Dispatch(r.root, to, 'new', placed);
    d.meta = metaFromHead({ text, size: Buffer.byteLength(text), truncated: false, binary: false });
    return d;
  } catch (e) {
    // The file of a failed send (ENOSPC…) is removed on the way out, not left to a 36 h sweep; a placement
    // that failed left it in tmp/ (place() never leaves it half placed).
    await fs.unlink(path.join(tmpDir.path, tmpName)).catch(() => undefined);
    throw ioError(e, `cannot deliver ${name} into ${to}/new/`);
  } finally {
    await tmpDir.close();
    await newDir.close();
  }
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

function firstLine(s: string): string {
  return (/^\s*#*\s*(.*)$/m.exec(s)?.[1] ?? '').slice(0, MAX_TITLE);
}

export async function exists(p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}
