// The live index: every team's new/ and cur/, kept true by watching, and typed change events.
//
// chokidar watches the root for team and box folders (depth 1, tmp/ ignored). Inside a box we
// watch the folder itself with one fs.watch and lstat only the name an event carries: chokidar
// watches every file of a folder, which an inbox of 100k cannot afford (seconds to ready, hundreds of
// MB; bench/README.md). Polling mode (network filesystems) diffs a
// readdir per box instead. Any watcher error triggers a rescan, so the index never stays wrong; a box
// whose fs.watch cannot be set up (ENOSPC: the inotify limit) is polled instead of retried forever.
// Every scan runs through one serial queue, so an older listing never undoes a newer one.
// inotify drops events without a word when its queue overflows (fs.watch never says so): every
// `reconcile` ms each watched box's mtime and ctime are compared with the ones its last listing saw
// (one stat per box, no listing), and a box that changed gets one more listing; a burst of events asks
// for that listing as soon as it calms. While no event comes the checks thin out (up to
// RECONCILE_BACKOFF times the interval: an idle window costs next to nothing); the first event
// brings the interval back.
// A claim (a move in flight) that is still there after a moment is shown in its box as being moved.
import { DEFAULT_POLL_INTERVAL_MS } from '../defaults';
import chokidar, { FSWatcher } from 'chokidar';
import { Stats } from 'node:fs';
import * as fs from '../fs/rawfs';
import * as path from 'node:path';
import { Dispatch, DispatchMeta } from '../format/dispatch';
import { Box, BOXES, isTeamName } from '../format/format';
import { boxPathParts, listBox, readMeta } from '../store';
import { folderId, IndexEvent, stamp } from './events';
import { BoxHost, WatchedBox } from './watched-box';

export type { IndexEvent } from './events';

export interface IndexOptions {
  /** Poll instead of relying on filesystem events (network filesystems). */
  poll?: boolean;
  /** Polling interval in ms (default 2000), also for boxes that cannot be watched. */
  interval?: number;
  /** Read front matter of new/ dispatches in the background after the cold scan (default true). */
  loadNewMeta?: boolean;
  /** How often watched boxes are checked for events the OS dropped (ms, default 5000; 0: never). */
  reconcile?: number;
}

/** While nothing is heard or found, each check doubles the wait for the next, up to this many intervals. */
const RECONCILE_BACKOFF = 6;

/** A view may hold the background reads this long without a break, then they run for BACKGROUND_TURN_MS. */
const MAX_HOLD_MS = 3000;
const BACKGROUND_TURN_MS = 1000;

type Listener = (e: IndexEvent) => void;

export class DispatchIndex {
  readonly root: string;
  private readonly boxes = new Map<string, WatchedBox>();
  private readonly listeners = new Set<Listener>();
  private dirWatcher: FSWatcher | undefined;
  private disposed = false;
  private metaQueue: Dispatch[] = [];
  private metaRunning = false;
  /** Reads that go before the queue and are never held (readFirst). */
  private metaFirst: Dispatch[] = [];
  /** Background front-matter reads wait until then: a view is asking for rows (see holdBackground). */
  private metaHeldUntil = 0;
  private metaHeldSince = 0;
  private metaFreeUntil = 0;
  private metaWait: NodeJS.Timeout | undefined;
  private scanRunning: Promise<void> | undefined;
  private scanQueued: Promise<void> | undefined;
  /** Bumped when a file is seen to change: a front matter read begun before then is not kept. */
  private readonly generation = new WeakMap<Dispatch, number>();
  /** Watch failures already reported (by code): a persistent ENOSPC is said once, not per box or tick. */
  private readonly watchFailures = new Set<string>();
  /** How front matter is read (a field so tests can hold a read in flight). */
  private read: (p: string) => Promise<DispatchMeta | undefined> = readMeta;
  /** Resolves when watching has begun and caught up with changes made during start(). */
  watching: Promise<void> = Promise.resolve();
  private reconcileTimer: NodeJS.Timeout | undefined;
  /** The wait before the next check for lost events (ms), and whether an event came since the last. */
  private reconcileWait = 0;
  private heard = false;
  /** Listings done because a box changed without events to match (lost events), for tests and bench. */
  recovered = 0;
  /** What each box asks of the index (see watched-box.ts). */
  private readonly host: BoxHost;

  constructor(
    root: string,
    private readonly opts: IndexOptions = {},
  ) {
    this.root = path.resolve(root);
    this.host = {
      root: this.root,
      disposed: () => this.disposed,
      poll: !!opts.poll,
      interval: opts.interval ?? DEFAULT_POLL_INTERVAL_MS,
      current: (b) => this.boxes.get(key(b.team, b.box)) === b,
      emit: (e) => this.emit(e),
      added: (d) => this.added(d),
      touched: (d, st) => this.touched(d, st),
      hear: () => this.hear(),
      rescanSoon: () => void this.rescanSoon(),
      lost: (e) => this.lost(e),
      firstFailure: (code) => !this.watchFailures.has(code) && !!this.watchFailures.add(code),
      recovered: () => void this.recovered++,
    };
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
    const cold = (this.scanRunning = this.scanAll(false).finally(() => (this.scanRunning = undefined)));
    await cold;
    if (this.disposed) return;
    this.watching = new Promise((resolve) => this.watchRoot(resolve));
    if (this.opts.loadNewMeta !== false) this.queueMeta(this.list(undefined, 'new'));
    if (this.reconcileEvery > 0 && !this.opts.poll) this.reconcileIn(this.reconcileEvery);
  }

  private get reconcileEvery(): number {
    return this.opts.reconcile ?? 5000;
  }

  private reconcileIn(ms: number): void {
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    this.reconcileWait = ms;
    this.reconcileTimer = setTimeout(() => {
      this.reconcileTimer = undefined;
      // A check that fails counts as having found something: the chain of checks must never stop.
      void this.reconcileAll()
        .catch(() => true)
        .then((found) => {
          const quiet = !found && !this.heard;
          this.heard = false;
          if (!this.disposed && !this.reconcileTimer)
            this.reconcileIn(quiet ? Math.min(this.reconcileWait * 2, this.reconcileEvery * RECONCILE_BACKOFF) : this.reconcileEvery);
        });
    }, ms);
    this.reconcileTimer.unref?.();
  }

  /** An event in a box: events may be being lost now, so the next check is at most one interval away. */
  private hear(): void {
    if (this.heard) return;
    this.heard = true;
    if (this.reconcileTimer && this.reconcileWait > this.reconcileEvery) this.reconcileIn(this.reconcileEvery);
  }

  /**
   * Lists again each watched box whose folder changed since its last listing (one stat per box, all
   * at once); true when some box had changed.
   */
  private async reconcileAll(): Promise<boolean> {
    const boxes = [...this.boxes.values()].filter((b) => b.quiet);
    const stamps = await Promise.all(boxes.map((b) => fs.stat(b.dir, { bigint: true }).then(stamp, () => undefined)));
    let found = false;
    for (const [i, b] of boxes.entries()) {
      if (this.disposed || !b.quiet || !stamps[i] || stamps[i] === b.listedStamp) continue;
      found = true;
      await b.pollCounting();
    }
    return found;
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
    const parts = boxPathParts(this.root, p);
    return parts && this.get(parts.team, parts.box, parts.file);
  }

  /**
   * Front matter of one dispatch, read on first need. A read that the file changed under (its
   * generation moved on meanwhile) is not kept: it is read again, and after three tries returned
   * without being stored.
   */
  async meta(d: Dispatch): Promise<DispatchMeta> {
    for (let attempt = 1; !d.meta; attempt++) {
      const gen = this.generation.get(d) ?? 0;
      const m = (await this.read(d.path))!; // never undefined: unreadable files become a warning
      if (d.meta) break; // another read of the same generation was kept first
      if ((this.generation.get(d) ?? 0) !== gen) {
        if (attempt < 3) continue;
        return m;
      }
      d.meta = m;
      if (this.get(d.team, d.box, d.fileName) === d) this.emit({ type: 'change', dispatch: d });
    }
    return d.meta!;
  }

  /** Someone found `d` gone from where the index has it: look at its name again now (an event may lag or be lost). */
  async recheck(d: Dispatch): Promise<void> {
    await this.boxes.get(key(d.team, d.box))?.check(d.fileName);
  }

  /** Re-reads every folder and emits what differs. Call after lost events or on "Refresh". */
  async rescan(): Promise<void> {
    await this.rescanSoon();
    this.emit({ type: 'reset' });
  }

  /**
   * The one way to scan after start: scans run one at a time, and a burst of requests costs one scan
   * running and at most one queued (a queued scan has not listed anything yet, so joining it is as good
   * as a scan of one's own).
   */
  private rescanSoon(): Promise<void> {
    const previous = (this.scanRunning ?? Promise.resolve()).catch(() => undefined);
    this.scanQueued ??= previous.then(() => {
      this.scanQueued = undefined;
      return (this.scanRunning = this.scanAll(true).finally(() => (this.scanRunning = undefined)));
    });
    return this.scanQueued;
  }

  dispose(): void {
    this.disposed = true;
    void this.dirWatcher?.close();
    if (this.reconcileTimer) clearTimeout(this.reconcileTimer);
    for (const b of this.boxes.values()) b.stop();
    this.boxes.clear();
    this.listeners.clear();
    this.metaQueue = [];
    this.metaFirst = [];
    if (this.metaWait) clearTimeout(this.metaWait);
  }

  private async scanAll(announce: boolean): Promise<void> {
    if (this.disposed) return;
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
          if (await this.scanBox(team, box, announce)) found.add(key(team, box));
        }),
      ),
    );
    for (const [k, b] of [...this.boxes]) {
      if (found.has(k) || this.boxes.get(k) !== b) continue;
      // The root's listing may be older than a box made since: look at the box itself before dropping it.
      if (await this.scanBox(b.team, b.box, announce)) continue;
      if (this.boxes.get(k) === b) this.dropBox(b, announce);
    }
    if (announce && before !== this.teams().join('\n')) this.emit({ type: 'teams', teams: this.teams() });
  }

  /** Lists one box and reconciles it; false when it is not (or no longer) a readable folder. */
  private async scanBox(team: string, box: Box, announce: boolean): Promise<boolean> {
    const dir = path.join(this.root, team, box);
    let st: Stats;
    let names: string[];
    let listed: string | undefined;
    try {
      st = await fs.lstat(dir); // a symlinked box is not read (nothing outside the root is indexed)
      if (!st.isDirectory()) return false;
      listed = stamp(await fs.stat(dir, { bigint: true }));
      names = await listBox(dir, true);
    } catch {
      return false;
    }
    if (this.disposed) return true;
    const b = this.boxFor(team, box);
    if (b.id !== folderId(st)) {
      // Not the folder the watch was set on (`rm -rf qa/new; mkdir qa/new`): that watch sees nothing now.
      const replaced = b.id !== undefined;
      b.id = folderId(st);
      if (replaced && b.watched) {
        b.stop();
        b.watch();
      }
    }
    b.listedStamp = listed;
    await b.reconcile(names, announce);
    return true;
  }

  private boxFor(team: string, box: Box): WatchedBox {
    const k = key(team, box);
    let b = this.boxes.get(k);
    if (!b) {
      b = new WatchedBox(this.host, team, box, path.join(this.root, team, box));
      this.boxes.set(k, b);
      if (this.dirWatcher) b.watch();
    }
    return b;
  }

  private added(d: Dispatch): void {
    this.emit({ type: 'add', dispatch: d });
    if (d.box === 'new' && this.opts.loadNewMeta !== false) this.queueMeta([d]);
  }

  private dropBox(b: WatchedBox, announce: boolean): void {
    b.stop();
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
      interval: this.opts.interval ?? DEFAULT_POLL_INTERVAL_MS,
    });
    this.dirWatcher = w;
    const structural = () => void this.rescanSoon();
    w.on('addDir', structural);
    w.on('unlinkDir', structural);
    w.on('error', (e) => this.lost(e as Error));
    // Folders made between the cold scan and chokidar's ready raise no event: reconcile once.
    w.on('ready', () => void this.rescanSoon().then(onReady, onReady));
    for (const b of this.boxes.values()) b.watch();
  }

  /** An event for a known file: if it is not the file its metadata was read from, read it again. */
  private touched(d: Dispatch, st: Stats): void {
    const m = d.meta;
    if (m && m.size === st.size && (m.mtimeMs === undefined || m.mtimeMs === st.mtimeMs) && (m.ino === undefined || m.ino === st.ino)) return;
    this.generation.set(d, (this.generation.get(d) ?? 0) + 1); // a read in flight is of the old content
    if (!m) return;
    d.meta = undefined; // content changed: read again on next need
    this.emit({ type: 'change', dispatch: d });
    if (d.box === 'new' && this.opts.loadNewMeta !== false) this.queueMeta([d]);
  }

  private lost(error: Error): void {
    if (this.disposed) return;
    this.emit({ type: 'error', error, recovery: 'rescan' });
    void this.rescan().then(() => {
      for (const b of this.boxes.values()) b.watch();
    });
  }

  /**
   * Holds the background front-matter reads for `ms` from now (extended by each call). A view calls it
   * while it asks for rows: 30k reads at startup take a core for seconds, and the rows a person waits for
   * must not queue behind them.
   */
  holdBackground(ms: number): void {
    const now = performance.now();
    if (now < this.metaFreeUntil) return;
    if (now >= this.metaHeldUntil) this.metaHeldSince = now;
    else if (now - this.metaHeldSince > MAX_HOLD_MS) {
      // Held all along (arrivals keep the view asking): the background gets its turn, then may be held again.
      this.metaFreeUntil = this.metaHeldUntil + BACKGROUND_TURN_MS;
      return;
    }
    this.metaHeldUntil = Math.max(this.metaHeldUntil, now + ms);
  }

  /** Background reads are queued and waiting for a hold to end. */
  get backgroundHeld(): boolean {
    return this.metaWait !== undefined;
  }

  /** Reads these front matters next, held or not: the rows about to be shown. */
  readFirst(ds: readonly Dispatch[]): void {
    for (const d of ds) if (!d.meta) this.metaFirst.push(d);
    if (this.metaFirst.length) this.wakeMeta();
  }

  private queueMeta(ds: Dispatch[]): void {
    for (const d of ds) this.metaQueue.push(d);
    this.wakeMeta();
  }

  /** Starts the reading loop, or wakes it from a hold. */
  private wakeMeta(): void {
    if (this.metaWait) {
      clearTimeout(this.metaWait);
      this.metaWait = undefined;
    } else if (this.metaRunning) return;
    this.metaRunning = true;
    setImmediate(() => void this.readMeta());
  }

  private async readMeta(): Promise<void> {
    while (!this.disposed) {
      let batch = this.metaFirst.splice(0, 16);
      if (!batch.length) {
        const held = this.metaHeldUntil - performance.now();
        if (held > 0 && this.metaQueue.length) {
          this.metaWait = setTimeout(() => {
            this.metaWait = undefined;
            void this.readMeta();
          }, held);
          return;
        }
        batch = this.metaQueue.splice(0, 16);
      }
      if (!batch.length) break;
      // A read that throws must not stop the loop for good (meta() turns unreadable files into warnings).
      await Promise.all(batch.filter((d) => !d.meta).map((d) => this.meta(d).catch(() => undefined)));
    }
    this.metaRunning = false;
  }
}

function key(team: string, box: Box): string {
  return `${team}/${box}`;
}
