// The inbox of one root: a DispatchStore for actions and a live DispatchIndex for everything shown.
// Views never ask the disk; they render the index and re-render when this session says it changed.
import * as vscode from 'vscode';
import type { Dispatch, DispatchIndex, DispatchStore } from '../../core/api';
import type { IndexEvent } from '../../core/live/live-index';
import { Filter, NO_FILTER } from './filter';
import { CONTEXT, SECTION } from './ids';
import { Disposable, Interval, Timer } from './lifecycle';
import { QuietArrivals } from './quiet';
import { plain } from './text';
import { prompts, type TeamChoice } from './prompts';
import { affectsIndex, InboxConfig, readConfig, resolveRoot } from './settings';

type Core = typeof import('../../core/api');
let core: Promise<Core> | undefined;
/**
 * The core (chokidar, gray-matter, js-yaml) is loaded on first use, not with the extension: the
 * bundler turns this import into a deferred initialiser, so activation does not pay for it.
 */
export function loadCore(): Promise<Core> {
  return (core ??= import('../../core/api'));
}

export type SessionState = 'loading' | 'ready' | 'rootMissing';

/** What changed since the last change event: views refresh only these parts. */
export interface InboxChange {
  /** Anything may differ (state, settings, teams, a rescan): re-render everything. */
  all: boolean;
  /** Boxes whose dispatches came or went, as `team/box`. */
  boxes: ReadonlySet<string>;
  /** Dispatches whose file or front matter changed in place (their rows may read differently). */
  dispatches: ReadonlySet<Dispatch>;
  /** The Inbox filter changed: the Inbox shows other rows; nothing else differs. */
  filter: boolean;
}

/** True when only the Inbox filter changed (views that do not filter have nothing to do). */
export function onlyFilter(c: InboxChange): boolean {
  return c.filter && !c.all && !c.boxes.size && !c.dispatches.size;
}

/**
 * The first event refreshes at once; what follows within this many ms is coalesced into one more
 * refresh, so a burst of thousands costs a handful of refreshes and a lone arrival costs no wait.
 */
const THROTTLE_MS = 120;
/** A run of at least this many index events is logged with the number of refreshes it cost. */
const BURST_LOG = 500;
/** How often a missing root is looked for (it may be created by a terminal or an agent). */
const ROOT_POLL_MS = 2000;

/**
 * The state every view renders, owned here and changed only here: the settings, the live index, the
 * loading state, the filter, the arrivals we caused ourselves. Views read it and listen to the events;
 * actions call the store and learn the result from the index, like any change made elsewhere.
 */
export class InboxSession extends Disposable {
  private configValue: InboxConfig = readConfig();
  private indexValue: DispatchIndex | undefined;
  private storeValue: DispatchStore | undefined;
  private markLoaded!: () => void;
  private readonly loaded = new Promise<void>((r) => (this.markLoaded = r));
  private stateValue: SessionState = 'loading';
  private filterValue: Filter = NO_FILTER;
  /** Arrivals our own actions cause (undo, mark as new, reroute): not announced. */
  readonly quiet = new QuietArrivals();

  private readonly changed = this.register(new vscode.EventEmitter<InboxChange>());
  /** Something shown may differ (leading edge, then throttled), and what. */
  readonly onDidChange = this.changed.event;
  private readonly arrived = this.register(new vscode.EventEmitter<Dispatch>());
  /** A dispatch appeared in a new/ after the first scan (delivered, rerouted, marked as new). */
  readonly onDidArrive = this.arrived.event;
  private readonly readied = this.register(new vscode.EventEmitter<void>());
  /** The first scan of a root finished. */
  readonly onDidBecomeReady = this.readied.event;

  private generation = 0;
  private unsubscribe: (() => void) | undefined;
  private readonly timer = this.register(new Timer());
  private leading: NodeJS.Immediate | undefined;
  private pending = { all: false, boxes: new Set<string>(), dispatches: new Set<Dispatch>(), filter: false };
  private hasPending = false;
  /** The current run of events: how many, and how many refreshes they cost (for the burst log line). */
  private run = { events: 0, refreshes: 0, since: 0 };
  /** What the `dispatchInbox.empty` context key was last set to. */
  private emptyKey: boolean | undefined;
  private readonly rootPoll = this.register(new Interval());
  private pollingValue = false;
  /** Notices already shown (they name their root): each is said once a window. */
  private readonly told = new Set<string>();

  constructor(private readonly log: vscode.LogOutputChannel) {
    super();
    this.register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (!e.affectsConfiguration(SECTION)) return;
        this.configValue = readConfig();
        if (affectsIndex(e)) void this.start();
        else this.fire(true);
      }),
    );
    // A relative root starts at the first workspace folder: another first folder may mean another root.
    this.register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rootMoved()));
  }

  get config(): InboxConfig {
    return this.configValue;
  }

  /** The live index of the root; undefined while loading or when the root is missing. */
  get index(): DispatchIndex | undefined {
    return this.indexValue;
  }

  /** The index polls the root instead of trusting its events (the setting, or its filesystem). */
  get polling(): boolean {
    return this.pollingValue;
  }

  get state(): SessionState {
    return this.stateValue;
  }

  /** What the Inbox shows of each box. */
  get filter(): Filter {
    return this.filterValue;
  }

  setFilter(f: Filter): void {
    this.filterValue = f;
    this.pending.filter = true;
    this.flush();
  }

  /**
   * An action or a click found `d` gone from where the index says it is: look at its name again now
   * (an event may still be on its way, or was lost), so every view drops it through the usual events.
   */
  recheck(d: Dispatch): void {
    this.indexValue?.recheck(d).catch((e: unknown) => this.log.warn(`could not look at ${d.fileName} again: ${(e as Error).message}`));
  }

  private async rootMoved(): Promise<void> {
    if (!this.storeValue) return; // not started yet: the start resolves the root as it is then
    const root = resolveRoot(this.config.root, await loadCore());
    if (root !== this.root) {
      this.log.info(`the workspace folders changed: the root is now ${root}`);
      await this.start();
    }
  }

  /** The store of the current root; use after whenLoaded(). */
  get store(): DispatchStore {
    if (!this.storeValue) throw new Error('the dispatch core is not loaded yet');
    return this.storeValue;
  }

  /** The current root, '' until the core is loaded. */
  get root(): string {
    return this.storeValue?.root ?? '';
  }

  /** Resolves once the core is loaded and a store exists (actions wait for this). */
  whenLoaded(): Promise<void> {
    return this.loaded;
  }

  /**
   * (Re)opens the configured root: stops the old index, scans, watches. Starts may overlap (a setting
   * edited twice, "Create Dispatch Folders" while the missing-root poll fires, dispose): after each
   * await, a start that is no longer the latest stops, and disposes the index it made.
   */
  async start(): Promise<void> {
    const gen = ++this.generation;
    this.stopIndex();
    this.setState('loading');
    const { DispatchIndex, DispatchStore, ...c } = await loadCore();
    if (gen !== this.generation) return;
    const store = new DispatchStore(resolveRoot(this.config.root, c));
    this.storeValue = store;
    this.markLoaded();
    const exists = await store.exists();
    if (gen !== this.generation) return;
    if (!exists) return this.rootMissing();
    const mode = await c.watchMode(store.root, this.config.poll);
    if (gen !== this.generation) return;
    this.pollingValue = mode.poll;
    const t0 = performance.now();
    const index = new DispatchIndex(this.store.root, { poll: mode.poll, interval: this.config.interval });
    this.indexValue = index;
    this.unsubscribe = index.onEvent((e) => {
      if (gen !== this.generation) return;
      if (this.log.logLevel === vscode.LogLevel.Trace)
        this.log.trace(`index: ${e.type} ${'dispatch' in e ? `${e.dispatch.team}/${e.dispatch.box}/${e.dispatch.fileName}` : ''}`);
      if (e.type === 'add' && e.dispatch.box === 'new') this.arrived.fire(e.dispatch);
      if (e.type === 'error') this.log.warn(`watcher: ${e.error.message}; rescanning`);
      if (e.type === 'teams' || e.type === 'error') void this.checkRoot(gen);
      this.note(e);
    });
    try {
      await index.start();
    } catch (e) {
      this.log.warn(`could not read ${store.root}: ${(e as Error).message}`);
    }
    if (gen !== this.generation) {
      // A later start (or dispose) has stopped this.index; this one must not outlive it either.
      if (this.indexValue !== index) index.dispose();
      return;
    }
    const heap = (process.memoryUsage().heapUsed / 1048576).toFixed(0);
    this.log.info(
      `indexed ${index.count()} dispatches in ${index.teams().length} teams under ${this.store.root} (${(performance.now() - t0).toFixed(1)} ms; extension host heap ${heap} MB; ready at ${new Date().toISOString()})`,
    );
    // Said once per root and window: why it polls (or should), and how late arrivals can be; a root a
    // sync tool copies between machines (acknowledgements can come back or double).
    const notice = c.pollingNotice(store.root, mode, this.config.interval);
    if (notice) this.tellOnce(notice, mode.poll ? 'info' : 'warn');
    void c.syncedRoot(store.root).then((s) => s && gen === this.generation && this.tellOnce(c.syncedWarning(store.root, s), 'warn'));
    this.setState('ready');
    this.readied.fire();
  }

  private tellOnce(text: string, level: 'info' | 'warn'): void {
    if (this.told.has(text)) return;
    this.told.add(text);
    if (level === 'info') this.log.info(text);
    else this.log.warn(text);
    void (level === 'info' ? prompts.info(plain(text)) : prompts.warn(plain(text)));
  }

  /** Re-reads the disk (the Refresh action, and a way out after lost events). */
  async refresh(): Promise<void> {
    if (this.index && this.storeValue && (await this.storeValue.exists())) await this.index.rescan();
    else await this.start();
  }

  /** Teams for a picker, with their new counts. */
  teamChoices(): TeamChoice[] {
    const index = this.indexValue;
    return this.teams().map((t) => ({
      name: t,
      description: [this.isMine(t) ? vscode.l10n.t('my team') : '', vscode.l10n.t('{0} new', index?.count(t, 'new') ?? 0)].filter(Boolean).join(' · '),
    }));
  }

  /** Teams present and selected by the `teams` setting, the user's own first. */
  teams(): string[] {
    const all = this.index?.teams() ?? [];
    const shown = this.config.teams.length ? all.filter((t) => this.config.teams.includes(t)) : all;
    const mine = new Set(this.config.myTeams);
    return shown.sort((a, b) => Number(mine.has(b)) - Number(mine.has(a)) || (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The teams whose new/ counts towards the badge and notifications: mine, else all shown. */
  watchedTeams(): string[] {
    const shown = this.teams();
    const mine = shown.filter((t) => this.config.myTeams.includes(t));
    return this.config.myTeams.length ? mine : shown;
  }

  isMine(team: string): boolean {
    return this.config.myTeams.includes(team);
  }

  private async checkRoot(gen: number): Promise<void> {
    if (!(await this.store.exists()) && gen === this.generation) {
      this.log.info(`${this.store.root} disappeared`);
      this.stopIndex();
      this.rootMissing();
    }
  }

  private rootMissing(): void {
    this.setState('rootMissing');
    this.rootPoll.start(ROOT_POLL_MS, () => {
      void this.store.exists().then((ok) => {
        if (ok && this.state === 'rootMissing') void this.start();
      });
    });
  }

  private setState(s: SessionState): void {
    const was = this.stateValue;
    this.stateValue = s;
    // The empty welcome is keyed on this, set before the state: between "ready" and the tree's first
    // rows the view is briefly empty, and must not say "no team inboxes" then (a false empty state).
    this.syncEmpty();
    void vscode.commands.executeCommand('setContext', CONTEXT.state, s);
    // The first start goes from "loading" to "loading": the views have nothing new to show, and a refresh
    // now would hold back the one at "ready" (VS Code delays a tree refresh that follows within 200 ms).
    if (s !== was) this.fire(true);
  }

  /** `dispatchInbox.empty`: ready, and the root really holds no team inbox (the view shows its welcome). */
  private syncEmpty(): void {
    const empty = this.state === 'ready' && this.teams().length === 0;
    if (empty === this.emptyKey) return;
    this.emptyKey = empty;
    void vscode.commands.executeCommand('setContext', CONTEXT.empty, empty);
  }

  /** Records what an index event changed and schedules the change event. */
  private note(e: IndexEvent): void {
    // A rescan (Refresh, or recovery from lost events) sends what differs as its own events before its
    // `reset`: repainting every row for it would only re-render rows that did not change, and close the
    // hover a person has open on one.
    if (e.type === 'reset') return;
    const p = this.pending;
    if (e.type === 'add' || e.type === 'remove') p.boxes.add(`${e.dispatch.team}/${e.dispatch.box}`);
    // A file whose name does not follow the rule takes priority and date from its front matter: it may move.
    else if (e.type === 'change' && !e.dispatch.name) p.boxes.add(`${e.dispatch.team}/${e.dispatch.box}`);
    else if (e.type === 'change') p.dispatches.add(e.dispatch);
    else p.all = true;
    this.run.events++;
    this.schedule();
  }

  /** Everything shown may differ: refresh all (`now`: without waiting for the throttle; state changes, settings). */
  private fire(now = false): void {
    this.pending.all = true;
    if (now) this.flush();
    else this.schedule();
  }

  /** Leading edge: the first change goes out on the next turn (events of one I/O callback together), then at most one per THROTTLE_MS. */
  private schedule(): void {
    this.hasPending = true;
    if (this.timer.pending || this.leading) return;
    this.run.since = performance.now();
    this.leading = setImmediate(() => {
      this.leading = undefined;
      this.flush();
    });
  }

  private flush(): void {
    if (this.leading) clearImmediate(this.leading);
    this.leading = undefined;
    const c = this.pending;
    this.pending = { all: false, boxes: new Set(), dispatches: new Set(), filter: false };
    this.hasPending = false;
    if (this.state === 'ready') this.syncEmpty();
    this.run.refreshes++;
    this.changed.fire(c);
    this.timer.start(THROTTLE_MS, () => {
      if (this.hasPending) return this.flush();
      this.endRun();
    });
  }

  /** A quiet THROTTLE_MS ends a run of events: a big one says what it cost (bursts are where a UI stalls). */
  private endRun(): void {
    const r = this.run;
    if (r.events >= BURST_LOG) this.log.info(`${r.events} index events in ${(performance.now() - r.since).toFixed(0)} ms: ${r.refreshes} view refreshes`);
    this.run = { events: 0, refreshes: 0, since: 0 };
  }

  private stopIndex(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.indexValue?.dispose();
    this.indexValue = undefined;
    this.rootPoll.cancel();
  }

  override dispose(): void {
    this.generation++;
    this.stopIndex();
    if (this.leading) clearImmediate(this.leading);
    super.dispose();
  }
}
