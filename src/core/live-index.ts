// The live index: every team's new/ and cur/, kept true by watching, and typed change events.
//
// chokidar watches the root for team and box folders (depth 1, tmp/ ignored). Inside a box we
// watch the folder itself with one fs.watch and lstat only the name an event carries: chokidar
// watches every file of a folder (measured at 100k files: 7.7 s to ready, 252 MB heap, 3.5 s per
// arrival), which an inbox of that size cannot afford. Polling mode (network filesystems) diffs a
// readdir per box instead. Any watcher error triggers a rescan, so the index never stays wrong.
import chokidar, { FSWatcher } from 'chokidar';
import { watch as fsWatch, FSWatcher as NodeWatcher } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Dispatch, DispatchMeta } from './dispatch';
import { Box, BOXES, isTeamName } from './format';
import { listBox, readMeta } from './store';

export type IndexEvent =
  | { type: 'add'; dispatch: Dispatch }
  | { type: 'remove'; dispatch: Dispatch }
  /** The file changed on disk or its front matter was read: re-render it. */
  | { type: 'change'; dispatch: Dispatch }
  | { type: 'teams'; teams: string[] }
  /** Many things may have changed at once (rescan): re-read everything. */
  | { type: 'reset' }
  | { type: 'error'; error: Error };

export interface IndexOptions {
  /** Poll instead of relying on filesystem events (network filesystems). */
  poll?: boolean;
  /** Polling interval in ms (default 2000). */
  interval?: number;
  /** Read front matter of new/ dispatches in the background after the cold scan (default true). */
  loadNewMeta?: boolean;
}

type Listener = (e: IndexEvent) => void;

class BoxState {
  readonly items = new Map<string, Dispatch>();
  watcher: NodeWatcher | undefined;
  timer: NodeJS.Timeout | undefined;
  pending = new Set<string>();
  draining: Promise<void> | undefined;
  constructor(
    readonly team: string,
    readonly box: Box,
    readonly dir: string,
  ) {}
}

export class DispatchIndex {
  readonly root: string;
  private readonly boxes = new Map<string, BoxState>();
  private readonly listeners = new Set<Listener>();
  private dirWatcher: FSWatcher | undefined;
  private disposed = false;
  private metaQueue: Dispatch[] = [];
  private metaRunning = false;
  private scanRunning: Promise<void> | undefined;
  private scanQueued: Promise<void> | undefined;
  /** Resolves when watching has begun and caught up with changes made during start(). */
  watching: Promise<void> = Promise.resolve();

  constructor(
    root: string,
    private readonly opts: IndexOptions = {},
  ) {
    this.root = path.resolve(root);
  }

  onEvent(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private emit(e: IndexEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // A listener's failure must not stop the others or the index.
      }
    }
  }

  /**
   * Cold scan (names only: no file is opened), then watching. Resolves when the index is complete;
   * `watching` resolves once folders created meanwhile have been reconciled too.
   */
  async start(): Promise<void> {
    await this.scanAll(false);
    if (this.disposed) return;
    this.watching = new Promise((resolve) => this.watchRoot(resolve));
    if (this.opts.loadNewMeta !== false) this.queueMeta(this.list(undefined, 'new'));
  }

  teams(): string[] {
    const t = new Set<string>();
    for (const b of this.boxes.values()) t.add(b.team);
    return [...t].sort();
  }

  /** Dispatches of one team (or all), optionally of one box. Order is unspecified. */
  list(team?: string, box?: Box): Dispatch[] {
    const out: Dispatch[] = [];
    for (const b of this.boxes.values()) {
      if ((team && b.team !== team) || (box && b.box !== box)) continue;
      for (const d of b.items.values()) out.push(d);
    }
    return out;
  }

  count(team?: string, box?: Box): number {
    let n = 0;
    for (const b of this.boxes.values()) if ((!team || b.team === team) && (!box || b.box === box)) n += b.items.size;
    return n;
  }

  get(team: string, box: Box, fileName: string): Dispatch | undefined {
    return this.boxes.get(key(team, box))?.items.get(fileName);
  }

  /** The dispatch at an absolute path, if indexed. */
  byPath(p: string): Dispatch | undefined {
    const rel = path.relative(this.root, path.resolve(p)).split(path.sep);
    if (rel.length !== 3 || (rel[1] !== 'new' && rel[1] !== 'cur')) return undefined;
    return this.get(rel[0], rel[1] as Box, rel[2]);
  }

  /** Front matter of one dispatch, read on first need. */
  async meta(d: Dispatch): Promise<DispatchMeta> {
    if (!d.meta) {
      d.meta = await readMeta(d.path);
      if (this.get(d.team, d.box, d.fileName) === d) this.emit({ type: 'change', dispatch: d });
    }
    return d.meta!;
  }

  /** Re-reads every folder and emits what differs. Call after lost events or on "Refresh". */
  async rescan(): Promise<void> {
    await this.scanAll(true);
    this.emit({ type: 'reset' });
  }

  /** Coalesces rescans: a burst of structural events costs one scan running and at most one queued. */
  private rescanSoon(): Promise<void> {
    this.scanQueued ??= (this.scanRunning ?? Promise.resolve()).then(() => {
      this.scanQueued = undefined;
      return (this.scanRunning = this.scanAll(true).finally(() => (this.scanRunning = undefined)));
    });
    return this.scanQueued;
  }

  dispose(): void {
    this.disposed = true;
    void this.dirWatcher?.close();
    for (const b of this.boxes.values()) this.stopBox(b);
    this.boxes.clear();
    this.listeners.clear();
    this.metaQueue = [];
  }

  private async scanAll(announce: boolean): Promise<void> {
    const found = new Set<string>();
    let teams: string[] = [];
    try {
      teams = (await fs.readdir(this.root, { withFileTypes: true })).filter((e) => e.isDirectory() && isTeamName(e.name)).map((e) => e.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.emit({ type: 'error', error: e as Error });
    }
    const before = this.teams().join('\n');
    await Promise.all(
      teams.flatMap((team) =>
        BOXES.map(async (box) => {
          const dir = path.join(this.root, team, box);
          let names: string[];
          try {
            if (!(await fs.stat(dir)).isDirectory()) return;
            names = await listBox(dir);
          } catch {
            return;
          }
          found.add(key(team, box));
          await this.reconcile(this.boxFor(team, box), names, announce);
        }),
      ),
    );
    for (const [k, b] of this.boxes) {
      if (!found.has(k)) this.dropBox(b, announce);
    }
    if (announce && before !== this.teams().join('\n')) this.emit({ type: 'teams', teams: this.teams() });
  }

  private boxFor(team: string, box: Box): BoxState {
    const k = key(team, box);
    let b = this.boxes.get(k);
    if (!b) {
      b = new BoxState(team, box, path.join(this.root, team, box));
      this.boxes.set(k, b);
      if (this.dirWatcher) this.watchBox(b);
    }
    return b;
  }

  /**
   * Makes a box's items equal to `names`. A cold scan trusts the listing; later, a listing may be
   * older than an event already applied, so each difference is checked with lstat before it counts.
   */
  private async reconcile(b: BoxState, names: string[], announce: boolean): Promise<void> {
    const seen = new Set(names);
    if (!announce) {
      for (const name of names) if (!b.items.has(name)) b.items.set(name, new Dispatch(this.root, b.team, b.box, name));
      return;
    }
    for (const name of b.items.keys()) if (!seen.has(name)) b.pending.add(name);
    for (const name of names) if (!b.items.has(name)) b.pending.add(name);
    await this.drain(b);
  }

  private added(d: Dispatch): void {
    this.emit({ type: 'add', dispatch: d });
    if (d.box === 'new' && this.opts.loadNewMeta !== false) this.queueMeta([d]);
  }

  private dropBox(b: BoxState, announce: boolean): void {
    this.stopBox(b);
    this.boxes.delete(key(b.team, b.box));
    if (announce) for (const d of b.items.values()) this.emit({ type: 'remove', dispatch: d });
  }

  private watchRoot(onReady: () => void): void {
    const root = this.root;
    // Team folders and their new/ and cur/ only: files and tmp/ are never chokidar's business.
    const ignored = (p: string) => {
      const rel = path.relative(root, p);
      if (!rel) return false;
      const parts = rel.split(path.sep);
      if (parts.length === 1) return !isTeamName(parts[0]);
      return parts.length > 2 || (parts[1] !== 'new' && parts[1] !== 'cur');
    };
    const w = chokidar.watch(root, {
      ignoreInitial: true,
      depth: 1,
      ignored,
      usePolling: !!this.opts.poll,
      interval: this.opts.interval ?? 2000,
    });
    this.dirWatcher = w;
    const structural = () => void this.rescanSoon();
    w.on('addDir', structural);
    w.on('unlinkDir', structural);
    w.on('error', (e) => this.lost(e as Error));
    // Folders made between the cold scan and chokidar's ready raise no event: reconcile once.
    w.on('ready', () => void this.scanAll(true).then(onReady, onReady));
    for (const b of this.boxes.values()) this.watchBox(b);
  }

  private watchBox(b: BoxState): void {
    if (this.disposed || b.watcher || b.timer) return;
    if (this.opts.poll) {
      b.timer = setInterval(() => void this.pollBox(b), this.opts.interval ?? 2000);
      b.timer.unref?.();
      return;
    }
    try {
      b.watcher = fsWatch(b.dir, { persistent: false }, (_event, name) => {
        if (name == null) return void this.pollBox(b); // the OS did not say which: re-read the box
        b.pending.add(name.toString());
        void this.drain(b);
      });
      b.watcher.on('error', (e) => {
        this.stopBox(b);
        this.lost(e);
      });
    } catch (e) {
      this.lost(e as Error);
    }
  }

  private stopBox(b: BoxState): void {
    b.watcher?.close();
    b.watcher = undefined;
    if (b.timer) clearInterval(b.timer);
    b.timer = undefined;
  }

  /** Applies the names events reported, checking each one's state now (so order cannot mislead). */
  private drain(b: BoxState): Promise<void> {
    // `.finally` runs after the assignment even when there is nothing to do.
    b.draining ??= this.drainLoop(b).finally(() => (b.draining = undefined));
    return b.draining;
  }

  private async drainLoop(b: BoxState): Promise<void> {
    while (b.pending.size && !this.disposed) {
      const batch = [...b.pending];
      b.pending.clear();
      await Promise.all(batch.map((name) => this.check(b, name)));
    }
  }

  private async check(b: BoxState, name: string): Promise<void> {
    if (name[0] === '.' || name.includes('/')) return;
    let st;
    try {
      st = await fs.lstat(path.join(b.dir, name));
    } catch {
      st = undefined;
    }
    if (this.disposed || this.boxes.get(key(b.team, b.box)) !== b) return;
    const had = b.items.get(name);
    if (!st || st.isDirectory()) {
      if (had) {
        b.items.delete(name);
        this.emit({ type: 'remove', dispatch: had });
      }
      if (!st && !(await isDir(b.dir))) void this.rescanSoon(); // the box itself went away
      return;
    }
    if (!had) {
      const d = new Dispatch(this.root, b.team, b.box, name);
      b.items.set(name, d);
      this.added(d);
    } else if (had.meta && st.size !== had.meta.size) {
      had.meta = undefined; // content changed: read again on next need
      this.emit({ type: 'change', dispatch: had });
    }
  }

  private async pollBox(b: BoxState): Promise<void> {
    try {
      await this.reconcile(b, await listBox(b.dir), true);
    } catch (e) {
      this.lost(e as Error);
    }
  }

  private lost(error: Error): void {
    if (this.disposed) return;
    this.emit({ type: 'error', error });
    void this.rescan().then(() => {
      for (const b of this.boxes.values()) this.watchBox(b);
    });
  }

  private queueMeta(ds: Dispatch[]): void {
    for (const d of ds) this.metaQueue.push(d);
    if (this.metaRunning) return;
    this.metaRunning = true;
    const step = async () => {
      while (this.metaQueue.length && !this.disposed) {
        const batch = this.metaQueue.splice(0, 16);
        await Promise.all(batch.map((d) => (d.meta ? undefined : this.meta(d))));
      }
      this.metaRunning = false;
    };
    setImmediate(() => void step());
  }
}

function key(team: string, box: Box): string {
  return `${team}/${box}`;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isDirectory();
  } catch {
    return false;
  }
}
