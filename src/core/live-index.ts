// The live index: every team's new/ and cur/, kept true by watching, and typed change events.
//
// chokidar watches the root for team and box folders (depth 1, tmp/ ignored). Inside a box we
// watch the folder itself with one fs.watch and lstat only the name an event carries: chokidar
// watches every file of a folder (measured at 100k files: 7.7 s to ready, 252 MB heap, 3.5 s per
// arrival), which an inbox of that size cannot afford. Polling mode (network filesystems) diffs a
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
import { DEFAULT_POLL_INTERVAL_MS } from './defaults';
import chokidar, { FSWatcher } from 'chokidar';
import { BigIntStats, watch as fsWatch, FSWatcher as NodeWatcher, Stats } from 'node:fs';
import * as fs from './rawfs';
import { fromFsName } from './rawname';
import * as path from 'node:path';
import { Dispatch, DispatchMeta } from './dispatch';
import { Box, BOXES, isTeamName } from './format';
import { listBox, readMeta } from './store';
import { claimPart, hiddenPlaceholders, pendingClaims, placeholderOf } from './move';
import { isSyncTemp } from './names';

export type IndexEvent =
  | { type: 'add'; dispatch: Dispatch }
  | { type: 'remove'; dispatch: Dispatch }
  /** The file changed on disk or its front matter was read: re-render it. */
  | { type: 'change'; dispatch: Dispatch }
  | { type: 'teams'; teams: string[] }
  /** Many things may have changed at once (rescan): re-read everything. */
  | { type: 'reset' }
  /** `recovery`: what the index does about it — a full rescan, or polling a box it cannot watch. */
  | { type: 'error'; error: Error; recovery?: 'rescan' | 'poll' };

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

/** Events in one box within BURST_MS that make a listing worth doing once they stop. */
const BURST_EVENTS = 2000;
const BURST_MS = 1000;
/** A claim older than this is no longer "just in flight": it is shown where it was. */
const CLAIM_SHOWN_MS = 1500;

type Listener = (e: IndexEvent) => void;

/** Errors of a running fs.watch on one box before it is polled instead. */
const MAX_WATCH_ERRORS = 3;

class BoxState {
  readonly items = new Map<string, Dispatch>();
  watcher: NodeWatcher | undefined;
  timer: NodeJS.Timeout | undefined;
  /** Identity of the folder when last scanned (folderId): a box replaced by a new folder needs a new watch. */
  id: string | undefined;
  /** fs.watch failed here (or kept failing): this box is polled from now on. */
  pollFallback = false;
  watchErrors = 0;
  /** A readdir of the box is in flight; `pollAgain`: an event asked for one more after it. */
  polling = false;
  pollAgain = false;
  pending = new Set<string>();
  draining: Promise<void> | undefined;
  /** The folder's stamp (stamp()) before its last listing: a different one means something may be unseen. */
  listedStamp: string | undefined;
  burstStart = 0;
  burstEvents = 0;
  burstTimer: NodeJS.Timeout | undefined;
  claimTimer: NodeJS.Timeout | undefined;
  /** Markers of placements into this box (move/place.ts), with the placeholder each names when read. */
  markers = new Map<string, string | undefined>();
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
    const boxes = [...this.boxes.values()].filter((b) => b.watcher && !b.polling);
    const stamps = await Promise.all(boxes.map((b) => fs.stat(b.dir, { bigint: true }).then(stamp, () => undefined)));
    let found = false;
    for (const [i, b] of boxes.entries()) {
      if (this.disposed || !b.watcher || b.polling || b.draining || !stamps[i] || stamps[i] === b.listedStamp) continue;
      found = true;
      const before = b.items.size;
      await this.pollBox(b, true);
      if (b.items.size !== before) this.recovered++;
    }
    return found;
  }

  /** Counts events; a burst that could overflow the OS queue gets a listing once it calms down. */
  private burst(b: BoxState): void {
    const now = Date.now();
    if (now - b.burstStart > BURST_MS) {
      b.burstStart = now;
      b.burstEvents = 0;
    }
    if (++b.burstEvents < BURST_EVENTS) return;
    if (b.burstTimer) clearTimeout(b.burstTimer);
    b.burstTimer = setTimeout(() => {
      b.burstTimer = undefined;
      const before = b.items.size;
      void this.pollBox(b, true).then(() => b.items.size !== before && this.recovered++);
    }, 300);
    b.burstTimer.unref?.();
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
    const b = this.boxes.get(key(d.team, d.box));
    if (b) await this.check(b, d.fileName);
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
    for (const b of this.boxes.values()) this.stopBox(b);
    this.boxes.clear();
    this.listeners.clear();
    this.metaQueue = [];
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
      if (replaced && (b.watcher || b.timer)) {
        this.stopBox(b);
        this.watchBox(b);
      }
    }
    b.listedStamp = listed;
    await this.reconcile(b, names, announce);
    return true;
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
  private async reconcile(b: BoxState, all: string[], announce: boolean): Promise<void> {
    const marks = all.filter((n) => claimPart(n)?.part === 'marker');
    for (const m of [...b.markers.keys()]) if (!marks.includes(m)) b.markers.delete(m);
    for (const m of marks) if (!b.markers.has(m)) b.markers.set(m, undefined);
    // An empty placeholder of a placement in flight (or a killed one) is not a dispatch: not listed.
    const hidden = marks.length ? await hiddenPlaceholders(b.dir, marks) : undefined;
    const names = all.filter((n) => !claimPart(n) && !hidden?.has(n));
    const seen = new Set(names);
    if (!announce) {
      for (const name of names) if (!b.items.has(name)) b.items.set(name, new Dispatch(this.root, b.team, b.box, name));
      if (names.length !== all.length) await this.showClaims(b, all, false);
      return;
    }
    for (const [name, d] of b.items) if (!seen.has(name) && !d.claim) b.pending.add(name);
    for (const name of names) if (!b.items.has(name) || b.items.get(name)!.claim) b.pending.add(name);
    await this.drain(b);
    await this.showClaims(b, all, true);
  }

  /**
   * A claim that outlives a moment is a move still in flight or one that was killed: either way the
   * dispatch is shown where it was (as being moved) rather than nowhere. Claims gone are dropped.
   */
  private async showClaims(b: BoxState, names: string[] | undefined, announce: boolean): Promise<void> {
    const pending = await pendingClaims(b.dir, names);
    if (this.disposed || this.boxes.get(key(b.team, b.box)) !== b) return;
    const held = new Map(pending.map((c) => [c.name, c]));
    for (const [name, d] of [...b.items]) {
      if (!d.claim || held.get(name)?.claim === d.claim) continue;
      b.items.delete(name);
      if (announce) this.emit({ type: 'remove', dispatch: d });
      b.pending.add(name); // restored under its name, maybe: look
    }
    let young = false;
    for (const c of pending) {
      if (c.ageMs < CLAIM_SHOWN_MS) {
        young = true;
        continue;
      }
      if (b.items.has(c.name)) continue;
      const d = new Dispatch(this.root, b.team, b.box, c.name);
      d.claim = c.claim;
      b.items.set(c.name, d);
      if (announce) this.emit({ type: 'add', dispatch: d });
    }
    if (b.pending.size) await this.drain(b);
    if (young) this.checkClaimsSoon(b);
  }

  private checkClaimsSoon(b: BoxState): void {
    if (b.claimTimer || this.disposed) return;
    b.claimTimer = setTimeout(() => {
      b.claimTimer = undefined;
      void this.showClaims(b, undefined, true);
    }, CLAIM_SHOWN_MS);
    b.claimTimer.unref?.();
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
      interval: this.opts.interval ?? DEFAULT_POLL_INTERVAL_MS,
    });
    this.dirWatcher = w;
    const structural = () => void this.rescanSoon();
    w.on('addDir', structural);
    w.on('unlinkDir', structural);
    w.on('error', (e) => this.lost(e as Error));
    // Folders made between the cold scan and chokidar's ready raise no event: reconcile once.
    w.on('ready', () => void this.rescanSoon().then(onReady, onReady));
    for (const b of this.boxes.values()) this.watchBox(b);
  }

  private watchBox(b: BoxState): void {
    if (this.disposed || b.watcher || b.timer) return;
    if (this.opts.poll || b.pollFallback) {
      b.timer = setInterval(() => void this.pollBox(b), this.interval);
      b.timer.unref?.();
      return;
    }
    try {
      b.watcher = fsWatch(b.dir, { persistent: false, encoding: 'buffer' }, (_event, name) => {
        this.hear();
        if (name == null) return void this.pollBox(b, true); // the OS did not say which: re-read the box
        this.burst(b);
        const n = fromFsName(name); // the name's bytes, kept (rawname.ts)
        const part = claimPart(n)?.part;
        if (part === 'marker') return void this.marked(b, n);
        if (part) {
          if (part === 'claim') this.checkClaimsSoon(b);
          return;
        }
        b.pending.add(n);
        void this.drain(b);
      });
      b.watcher.on('error', (e) => {
        this.stopBox(b);
        if (++b.watchErrors >= MAX_WATCH_ERRORS) this.fallBackToPolling(b, e);
        else this.lost(e);
      });
    } catch (e) {
      // Retrying would fail the same way (ENOSPC, EMFILE…) and loop lost → rescan → watch: poll instead.
      this.fallBackToPolling(b, e as Error);
    }
  }

  private get interval(): number {
    return this.opts.interval ?? DEFAULT_POLL_INTERVAL_MS;
  }

  private fallBackToPolling(b: BoxState, error: Error): void {
    b.pollFallback = true;
    this.stopBox(b);
    this.watchBox(b);
    void this.pollBox(b, true); // whatever happened while it was not watched
    const code = (error as NodeJS.ErrnoException).code ?? error.message;
    if (this.watchFailures.has(code)) return;
    this.watchFailures.add(code);
    const e = new Error(`cannot watch ${b.dir}: ${error.message}; polling every ${this.interval} ms instead (further such boxes too)`, { cause: error });
    this.emit({ type: 'error', error: e, recovery: 'poll' });
  }

  private stopBox(b: BoxState): void {
    b.watcher?.close();
    b.watcher = undefined;
    if (b.burstTimer) clearTimeout(b.burstTimer);
    if (b.claimTimer) clearTimeout(b.claimTimer);
    b.burstTimer = b.claimTimer = undefined;
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

  /** A marker came or went: the placeholder it names is looked at again (shown once it holds the dispatch). */
  private async marked(b: BoxState, marker: string): Promise<void> {
    const ph = (await placeholderOf(b.dir, marker)) ?? b.markers.get(marker);
    if (ph === undefined && !(await fs.lstat(path.join(b.dir, marker)).catch(() => undefined))) b.markers.delete(marker);
    else b.markers.set(marker, ph);
    if (ph === undefined) return;
    b.pending.add(ph);
    void this.drain(b);
  }

  private async check(b: BoxState, name: string): Promise<void> {
    if (name[0] === '.' || name.includes('/') || isSyncTemp(name)) return;
    let st;
    try {
      st = await fs.lstat(path.join(b.dir, name));
    } catch {
      st = undefined;
    }
    // A placeholder its marker names is not a dispatch (yet): as if nothing were there.
    if (st?.isFile() && st.size === 0 && b.markers.size && (await hiddenPlaceholders(b.dir, [...b.markers.keys()])).has(name)) st = undefined;
    if (this.disposed || this.boxes.get(key(b.team, b.box)) !== b) return;
    let had = b.items.get(name);
    if (had?.claim) {
      if (!st) return; // still claimed: its entry stays until showClaims sees the claim go
      b.items.delete(name); // put back under its name: the real file replaces the "being moved" entry
      this.emit({ type: 'remove', dispatch: had });
      had = undefined;
    }
    if (!st || st.isDirectory()) {
      if (had) {
        b.items.delete(name);
        this.emit({ type: 'remove', dispatch: had });
      }
      // The box itself went away, or was replaced by another folder its watch does not see.
      if (!st && (await boxId(b.dir)) !== b.id) void this.rescanSoon();
      return;
    }
    if (!had) {
      const d = new Dispatch(this.root, b.team, b.box, name);
      b.items.set(name, d);
      this.added(d);
    } else {
      this.touched(had, st);
    }
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

  /**
   * Re-reads a box's listing. Never two at once: a timer tick while one is in flight is skipped, and
   * an event (`again`) that arrives meanwhile asks for one more listing after it.
   */
  private async pollBox(b: BoxState, again = false): Promise<void> {
    if (b.polling) {
      if (again) b.pollAgain = true;
      return;
    }
    b.polling = true;
    try {
      do {
        b.pollAgain = false;
        const listed = await fs.stat(b.dir, { bigint: true }).then(stamp, () => undefined);
        const names = await listBox(b.dir, true);
        b.listedStamp = listed;
        if (this.disposed || this.boxes.get(key(b.team, b.box)) !== b) return;
        await this.reconcile(b, names, true);
      } while (b.pollAgain);
    } catch (e) {
      this.lost(e as Error);
    } finally {
      b.polling = false;
    }
  }

  private lost(error: Error): void {
    if (this.disposed) return;
    this.emit({ type: 'error', error, recovery: 'rescan' });
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
        await Promise.all(batch.filter((d) => !d.meta).map((d) => this.meta(d)));
      }
      this.metaRunning = false;
    };
    setImmediate(() => void step());
  }
}

/** What a folder's listing may differ by: mtime, and ctime too (`touch -d` can set an mtime back, never a ctime). */
function stamp(st: BigIntStats): string {
  return `${st.mtimeNs}:${st.ctimeNs}`;
}

function key(team: string, box: Box): string {
  return `${team}/${box}`;
}

/**
 * Which folder this is: the inode, and the birth time because ext4 hands a freed inode straight to
 * the next mkdir (`rm -rf qa/new; mkdir qa/new` keeps the number).
 */
function folderId(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.birthtimeMs}`;
}

/** The identity of the folder at `p`, or undefined when there is no folder there. */
async function boxId(p: string): Promise<string | undefined> {
  try {
    const st = await fs.stat(p);
    return st.isDirectory() ? folderId(st) : undefined;
  } catch {
    return undefined;
  }
}
