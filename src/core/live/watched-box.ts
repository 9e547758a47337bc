// One box of the live index: its dispatches, and how it is kept true — one fs.watch on the folder (an
// event's name is looked at with one lstat), or a readdir per interval where it cannot be watched or
// the root is polled; a listing after a burst that may have overflowed the OS queue; claims (moves in
// flight, or killed) shown where they were after a moment; placeholders their markers name never shown.
import { watch as fsWatch, FSWatcher as NodeWatcher, Stats } from 'node:fs';
import * as path from 'node:path';
import * as fs from '../fs/rawfs';
import { fromFsName } from '../fs/rawname';
import { Dispatch } from '../format/dispatch';
import { Box } from '../format/format';
import { claimPart, hiddenPlaceholders, pendingClaims, placeholderOf } from '../move';
import { isSyncTemp } from '../format/names';
import { listBox } from '../store';
import { boxId, IndexEvent, stamp } from './events';

/** What a box asks of the index that holds it. */
export interface BoxHost {
  readonly root: string;
  /** The index was disposed: nothing more is done or announced. */
  disposed(): boolean;
  /** Poll every box (a root whose filesystem sends no events), every `interval` ms. */
  readonly poll: boolean;
  readonly interval: number;
  /** Whether `b` is still the box the index holds for its team and box (else its results are stale). */
  current(b: WatchedBox): boolean;
  emit(e: IndexEvent): void;
  /** A dispatch newly seen (announced, and its front matter queued for reading). */
  added(d: Dispatch): void;
  /** An event for a known dispatch whose file may have changed. */
  touched(d: Dispatch, st: Stats): void;
  /** An event was heard (lost-event checks come back to their shortest interval). */
  hear(): void;
  /** The folders may have changed: scan again. */
  rescanSoon(): void;
  /** The watch failed: say so and rescan. */
  lost(e: Error): void;
  /** Whether a watch failure of this kind (its code) is the first: said once for all boxes. */
  firstFailure(code: string): boolean;
  /** A listing found what events had not said. */
  recovered(): void;
}

/** Events within BURST_MS that make a listing worth doing once they stop. */
const BURST_EVENTS = 2000;
const BURST_MS = 1000;
/** A claim older than this is no longer "just in flight": it is shown where it was. */
const CLAIM_SHOWN_MS = 1500;
/** Errors of a running fs.watch before the box is polled instead. */
const MAX_WATCH_ERRORS = 3;

export class WatchedBox {
  readonly items = new Map<string, Dispatch>();
  /** Identity of the folder when last scanned (folderId): a box replaced by a new folder needs a new watch. */
  id: string | undefined;
  /** The folder's stamp before its last listing: a different one means something may be unseen. */
  listedStamp: string | undefined;
  private watcher: NodeWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** fs.watch failed here (or kept failing): this box is polled from now on. */
  private pollFallback = false;
  private watchErrors = 0;
  /** A readdir of the box is in flight; `pollAgain`: an event asked for one more after it. */
  private polling = false;
  private pollAgain = false;
  private readonly pending = new Set<string>();
  private draining: Promise<void> | undefined;
  private burstStart = 0;
  private burstEvents = 0;
  private burstTimer: NodeJS.Timeout | undefined;
  private claimTimer: NodeJS.Timeout | undefined;
  /** Markers of placements into this box (move/place.ts), with the placeholder each names when read. */
  private readonly markers = new Map<string, string | undefined>();

  constructor(
    private readonly host: BoxHost,
    readonly team: string,
    readonly box: Box,
    readonly dir: string,
  ) {}

  /** Watched by events (not polled), and no listing or event work in flight: a lost-event check may list it. */
  get quiet(): boolean {
    return !!this.watcher && !this.polling && !this.draining;
  }

  get watched(): boolean {
    return !!this.watcher || !!this.timer;
  }

  watch(): void {
    if (this.host.disposed() || this.watched) return;
    if (this.host.poll || this.pollFallback) {
      this.timer = setInterval(() => void this.poll(), this.host.interval);
      this.timer.unref?.();
      return;
    }
    try {
      this.watcher = fsWatch(this.dir, { persistent: false, encoding: 'buffer' }, (_event, name) => {
        this.host.hear();
        if (name == null) return void this.poll(true); // the OS did not say which: re-read the box
        this.burst();
        const n = fromFsName(name); // the name's bytes, kept (rawname.ts)
        const part = claimPart(n)?.part;
        if (part === 'marker') return void this.marked(n);
        if (part) {
          if (part === 'claim' || part === 'old') this.checkClaimsSoon();
          return;
        }
        this.pending.add(n);
        void this.drain();
      });
      this.watcher.on('error', (e) => {
        this.stop();
        if (++this.watchErrors >= MAX_WATCH_ERRORS) this.fallBackToPolling(e);
        else this.host.lost(e);
      });
    } catch (e) {
      // Retrying would fail the same way (ENOSPC, EMFILE…) and loop lost → rescan → watch: poll instead.
      this.fallBackToPolling(e as Error);
    }
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.burstTimer) clearTimeout(this.burstTimer);
    if (this.claimTimer) clearTimeout(this.claimTimer);
    this.burstTimer = this.claimTimer = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private fallBackToPolling(error: Error): void {
    this.pollFallback = true;
    this.stop();
    this.watch();
    void this.poll(true); // whatever happened while it was not watched
    const code = (error as NodeJS.ErrnoException).code ?? error.message;
    if (!this.host.firstFailure(code)) return;
    const e = new Error(`cannot watch ${this.dir}: ${error.message}; polling every ${this.host.interval} ms instead (further such boxes too)`, {
      cause: error,
    });
    this.host.emit({ type: 'error', error: e, recovery: 'poll' });
  }

  /** Counts events; a burst that could overflow the OS queue gets a listing once it calms down. */
  private burst(): void {
    const now = Date.now();
    if (now - this.burstStart > BURST_MS) {
      this.burstStart = now;
      this.burstEvents = 0;
    }
    if (++this.burstEvents < BURST_EVENTS) return;
    if (this.burstTimer) clearTimeout(this.burstTimer);
    this.burstTimer = setTimeout(() => {
      this.burstTimer = undefined;
      void this.pollCounting();
    }, 300);
    this.burstTimer.unref?.();
  }

  /** A listing asked for because events may have been lost; counted when it found something. */
  async pollCounting(): Promise<void> {
    const before = this.items.size;
    await this.poll(true);
    if (this.items.size !== before) this.host.recovered();
  }

  /**
   * Re-reads the box's listing. Never two at once: a timer tick while one is in flight is skipped, and
   * an event (`again`) that arrives meanwhile asks for one more listing after it.
   */
  async poll(again = false): Promise<void> {
    if (this.polling) {
      if (again) this.pollAgain = true;
      return;
    }
    this.polling = true;
    try {
      do {
        this.pollAgain = false;
        const listed = await fs.stat(this.dir, { bigint: true }).then(stamp, () => undefined);
        const names = await listBox(this.dir, true);
        this.listedStamp = listed;
        if (!this.host.current(this)) return;
        await this.reconcile(names, true);
      } while (this.pollAgain);
    } catch (e) {
      this.host.lost(e as Error);
    } finally {
      this.polling = false;
    }
  }

  /**
   * Makes the items equal to `all` (the box's listing, ours included). A cold scan trusts the listing;
   * later, a listing may be older than an event already applied, so each difference is checked with
   * lstat before it counts.
   */
  async reconcile(all: string[], announce: boolean): Promise<void> {
    const marks = all.filter((n) => claimPart(n)?.part === 'marker');
    for (const m of [...this.markers.keys()]) if (!marks.includes(m)) this.markers.delete(m);
    for (const m of marks) if (!this.markers.has(m)) this.markers.set(m, undefined);
    // An empty placeholder of a placement in flight (or a killed one) is not a dispatch: not listed.
    const hidden = marks.length ? await hiddenPlaceholders(this.dir, marks) : undefined;
    const names = all.filter((n) => !claimPart(n) && !hidden?.has(n));
    const seen = new Set(names);
    if (!announce) {
      for (const name of names) if (!this.items.has(name)) this.items.set(name, new Dispatch(this.host.root, this.team, this.box, name));
      if (names.length !== all.length) await this.showClaims(all, false);
      return;
    }
    for (const [name, d] of this.items) if (!seen.has(name) && !d.claim) this.pending.add(name);
    for (const name of names) if (!this.items.has(name) || this.items.get(name)!.claim) this.pending.add(name);
    await this.drain();
    await this.showClaims(all, true);
  }

  /**
   * A claim that outlives a moment is a move still in flight or one that was killed: either way the
   * dispatch is shown where it was (as being moved) rather than nowhere. Claims gone are dropped.
   */
  private async showClaims(names: string[] | undefined, announce: boolean): Promise<void> {
    const pending = await pendingClaims(this.dir, names);
    if (!this.host.current(this)) return;
    const held = new Map(pending.map((c) => [c.name, c]));
    for (const [name, d] of [...this.items]) {
      if (!d.claim || held.get(name)?.claim === d.claim) continue;
      this.items.delete(name);
      if (announce) this.host.emit({ type: 'remove', dispatch: d });
      this.pending.add(name); // restored under its name, maybe: look
    }
    let young = false;
    for (const c of pending) {
      if (c.ageMs < CLAIM_SHOWN_MS) {
        young = true;
        continue;
      }
      if (this.items.has(c.name)) continue;
      const d = new Dispatch(this.host.root, this.team, this.box, c.name);
      d.claim = c.claim;
      this.items.set(c.name, d);
      if (announce) this.host.emit({ type: 'add', dispatch: d });
    }
    if (this.pending.size) await this.drain();
    if (young) this.checkClaimsSoon();
  }

  private checkClaimsSoon(): void {
    if (this.claimTimer || this.host.disposed()) return;
    this.claimTimer = setTimeout(() => {
      this.claimTimer = undefined;
      void this.showClaims(undefined, true);
    }, CLAIM_SHOWN_MS);
    this.claimTimer.unref?.();
  }

  /** Applies the names events reported, checking each one's state now (so order cannot mislead). */
  private drain(): Promise<void> {
    // `.finally` runs after the assignment even when there is nothing to do.
    this.draining ??= this.drainLoop().finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drainLoop(): Promise<void> {
    while (this.pending.size && !this.host.disposed()) {
      const batch = [...this.pending];
      this.pending.clear();
      await Promise.all(batch.map((name) => this.check(name)));
    }
  }

  /** A marker came or went: the placeholder it names is looked at again (shown once it holds the dispatch). */
  private async marked(marker: string): Promise<void> {
    const ph = (await placeholderOf(this.dir, marker)) ?? this.markers.get(marker);
    if (ph === undefined && !(await fs.lstat(path.join(this.dir, marker)).catch(() => undefined))) this.markers.delete(marker);
    else this.markers.set(marker, ph);
    if (ph === undefined) return;
    this.pending.add(ph);
    void this.drain();
  }

  /** Looks at one name now and announces what changed. */
  async check(name: string): Promise<void> {
    if (name[0] === '.' || name.includes('/') || isSyncTemp(name)) return;
    let st;
    try {
      st = await fs.lstat(path.join(this.dir, name));
    } catch {
      st = undefined;
    }
    // A placeholder its marker names is not a dispatch (yet): as if nothing were there.
    if (st?.isFile() && st.size === 0 && this.markers.size && (await hiddenPlaceholders(this.dir, [...this.markers.keys()])).has(name)) st = undefined;
    if (!this.host.current(this)) return;
    let had = this.items.get(name);
    if (had?.claim) {
      if (!st) return; // still claimed: its entry stays until showClaims sees the claim go
      this.items.delete(name); // put back under its name: the real file replaces the "being moved" entry
      this.host.emit({ type: 'remove', dispatch: had });
      had = undefined;
    }
    if (!st || st.isDirectory()) {
      if (had) {
        this.items.delete(name);
        this.host.emit({ type: 'remove', dispatch: had });
      }
      // The box itself went away, or was replaced by another folder its watch does not see.
      if (!st && (await boxId(this.dir)) !== this.id) this.host.rescanSoon();
      return;
    }
    if (!had) {
      const d = new Dispatch(this.host.root, this.team, this.box, name);
      this.items.set(name, d);
      this.host.added(d);
    } else {
      this.host.touched(had, st);
    }
  }
}
