// The markers that keep a cadence from being sent twice without a daemon: before a process sends a
// row it creates `<root>/.cadences/<today>.<from>.<to>.<slug>`, which only one process can. The marker
// is written whole (whole-file.ts): first `{pid, host, created}` (the time the dispatch will carry),
// then, once delivered, the dispatch's path too. A marker without a dispatch whose writer is gone (a
// dead pid on this host, or 10 minutes without a word from another) is taken over by one later run,
// which first looks for what the dead writer may already have delivered under that time.
//
// The folder is opened once without following links and every read, write and removal goes through
// it: a `.cadences` that is a symlink is refused, and nothing outside the root is ever read or deleted.
import { constants } from 'node:fs';
import * as fs from '../fs/rawfs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addDays } from './table';
import { NotAFolder, pinDir, PinnedDir } from '../fs/pin';
import { DispatchError } from '../store';
import { alive, sweepTemps, tempName, writeWhole } from './whole-file';

export const MARKER_DIR = '.cadences';
/** A marker without a dispatch and without a live writer on this host is taken over after this long. */
export const MARKER_STALE_MS = 10 * 60_000;
const KEEP_DAYS = 7;
const MAX_RECORD = 4096;
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export interface MarkerRecord {
  pid?: number;
  host?: string;
  /** The time the dispatch carries (its name's), set before it is sent: how a taker finds it. */
  created?: string;
  /** Set once delivered. */
  dispatch?: string;
}

/** What a marker says about its row today. */
export type MarkerState = { sent: string } | { abandoned: MarkerRecord } | { busy: true };

export function markerName(today: string, from: string, row: { to: string; slug: string }): string {
  // `.` is in neither team names nor slugs: the name cannot be read two ways.
  return `${today}.${from}.${row.to}.${row.slug}`;
}

/** A marker's own record for this process, for a dispatch to be created at `created`. */
export function ownRecord(created: Date, dispatch?: string): MarkerRecord {
  return { pid: process.pid, host: os.hostname(), created: created.toISOString(), ...(dispatch ? { dispatch } : {}) };
}

export class Markers {
  private constructor(
    private readonly dir: PinnedDir,
    private readonly root: string,
    private readonly made: boolean,
  ) {}

  /** The root's `.cadences/` held open; undefined when it does not exist and `create` is false. */
  static async open(root: string, create: boolean): Promise<Markers | undefined> {
    if (create) await fs.mkdir(root, { recursive: true });
    const made =
      create &&
      (await fs.lstat(path.join(root, MARKER_DIR)).then(
        () => false,
        () => true,
      ));
    try {
      return new Markers(await pinDir(root, MARKER_DIR, root, create), root, made);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && !create) return undefined;
      if (e instanceof NotAFolder)
        throw new DispatchError(
          'invalid',
          `${path.join(root, MARKER_DIR)} is ${e.symlink ? 'a symbolic link' : 'not a folder'}; refused: cadence markers live only in a real folder under the root`,
        );
      throw e;
    }
  }

  /** Today's markers (names). */
  async today(today: string): Promise<string[]> {
    return (await fs.readdir(this.dir.path)).filter((n) => n.startsWith(`${today}.`));
  }

  /** Creates the marker, whole; false when it exists. */
  claim(name: string, rec: MarkerRecord): Promise<boolean> {
    return writeWhole(this.dir.path, name, JSON.stringify(rec) + '\n', { exclusive: true, what: `the cadence marker ${name}` });
  }

  /** Records the delivered dispatch in the marker (replaced whole). */
  async complete(name: string, rec: MarkerRecord): Promise<void> {
    await writeWhole(this.dir.path, name, JSON.stringify(rec) + '\n', { what: `the cadence marker ${name}` });
  }

  async remove(name: string): Promise<void> {
    await fs.unlink(path.join(this.dir.path, name)).catch(() => undefined);
  }

  /** Sent, being sent by a live writer, or abandoned (its writer gone): see the top of this file. */
  async state(name: string, now = Date.now()): Promise<MarkerState | undefined> {
    const p = path.join(this.dir.path, name);
    const st = await fs.lstat(p).catch(() => undefined);
    if (!st) return undefined;
    const rec = await readRecord(p);
    if (rec.dispatch) return { sent: rec.dispatch };
    const gone = rec.host === os.hostname() && rec.pid !== undefined && !alive(rec.pid);
    return gone || now - st.mtimeMs >= MARKER_STALE_MS ? { abandoned: rec } : { busy: true };
  }

  /** Moves an abandoned marker out of the way; only one taker can (one rename succeeds). */
  async takeOver(name: string): Promise<boolean> {
    const away = tempName(this.dir.path, name);
    const ok = await fs.rename(path.join(this.dir.path, name), away).then(
      () => true,
      () => false,
    );
    if (ok) await fs.unlink(away).catch(() => undefined);
    return ok;
  }

  /** Markers only matter on their own day: a week later they go, with temporaries of killed writers. */
  async sweep(today: string, now = Date.now()): Promise<void> {
    const cutoff = addDays(today, -KEEP_DAYS);
    for (const n of await fs.readdir(this.dir.path).catch(() => [] as string[])) {
      const date = /^(\d{4}-\d{2}-\d{2})\./.exec(n)?.[1];
      if (date && date < cutoff) await this.remove(n);
    }
    await sweepTemps(this.dir.path, now);
  }

  /** Lets go of the folder; one this run made and left empty (nothing could be written) goes too. */
  async close(): Promise<void> {
    const empty = this.made && (await fs.readdir(this.dir.path).catch(() => ['?'])).length === 0;
    await this.dir.close();
    if (empty) await fs.rmdir(path.join(this.root, MARKER_DIR)).catch(() => undefined);
  }
}

/** A marker's record, read without following a link or waiting on a FIFO; {} when empty or unreadable. */
async function readRecord(p: string): Promise<MarkerRecord> {
  try {
    const fh = await fs.open(p, READ_FLAGS);
    try {
      if (!(await fh.stat()).isFile()) return {};
      const buf = Buffer.alloc(MAX_RECORD);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      const v = JSON.parse(buf.subarray(0, bytesRead).toString('utf8')) as Record<string, unknown>;
      return {
        pid: typeof v.pid === 'number' ? v.pid : undefined,
        host: typeof v.host === 'string' ? v.host : undefined,
        created: typeof v.created === 'string' ? v.created : undefined,
        dispatch: typeof v.dispatch === 'string' ? v.dispatch : undefined,
      };
    } finally {
      await fh.close();
    }
  } catch {
    return {};
  }
}
