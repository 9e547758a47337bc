// Notifications: one when a pressing dispatch arrives for my teams (batched, so a burst is one
// message), and the one-line summary on activation, which only pops up when it says something new.
// Several windows on one root all see each arrival: only the focused one announces it, except an
// urgent one, which every window announces (nobody may be looking at the focused one). A steady
// trickle is at most one toast per MIN_INTERVAL_MS; what arrives meanwhile is counted in the next.
// One of ours on screen at a time: while a toast is showing (until it is answered or closed, or VS Code
// has surely hidden it into the notification centre), later arrivals wait and are counted in the next.
import * as vscode from 'vscode';
import type { Dispatch } from '../../core/api';
import { priorityRank } from '../../core/format/format';
import { countByPriority } from '../inbox/order';
import { COMMANDS, focusCommand, STORAGE, VIEWS } from '../common/ids';
import { Disposable, Timer } from '../common/lifecycle';
import { Prompts } from '../common/prompts';
import { InboxSession } from '../common/session';
import { plain } from '../common/text';
import { priorityName } from '../common/priority';

const BATCH_MS = 400;
const MIN_INTERVAL_MS = 5000;
/** VS Code hides an info/warning toast after 15-18 s into the notification centre: it is off screen then. */
const ON_SCREEN_MS = 20_000;

export class Notifier extends Disposable {
  /** Whether this window has the focus (replaced by the tests). */
  focused = (): boolean => vscode.window.state.focused;
  /** At least this long between two arrival toasts, ms (lowered by the tests). */
  minInterval = MIN_INTERVAL_MS;
  private pending: Dispatch[] = [];
  private readonly timer = this.register(new Timer());
  /** When the last arrival toast was shown (performance.now()). */
  private lastToast = -Infinity;
  /** Our toast that may still be on screen (its answer pending), if any. */
  private showing: Promise<unknown> | undefined;
  /** A flush is preparing its toast (reading front matter): the next waits for it. */
  private flushing = false;

  constructor(
    private readonly session: InboxSession,
    private readonly prompts: Prompts,
    private readonly state: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
    private readonly open: (d: Dispatch) => unknown,
  ) {
    super();
    this.register(session.onDidArrive((d) => this.arrived(d)));
    this.register(session.onDidBecomeReady(() => void this.summarise()));
  }

  private arrived(d: Dispatch): void {
    const at = this.session.config.notifyAt;
    if (at === 'off' || !this.session.watchedTeams().includes(d.team)) return;
    this.pending.push(d);
    this.schedule();
  }

  private schedule(): void {
    if (this.showing || this.flushing || !this.pending.length) return; // shown() schedules again once it is gone
    const wait = Math.max(BATCH_MS, this.lastToast + this.minInterval - performance.now());
    this.timer.startIfIdle(wait, () => void this.flush());
  }

  /** Tracks a toast of ours: no other is shown until it is answered, closed, or off screen. */
  private shown<T>(toast: Thenable<T>): Thenable<T> {
    const gone = Promise.race([Promise.resolve(toast).catch(() => undefined), new Promise((r) => setTimeout(r, ON_SCREEN_MS).unref?.())]);
    const mark = (this.showing = gone.then(() => {
      if (this.showing !== mark) return;
      this.showing = undefined;
      this.schedule();
    }));
    return toast;
  }

  private async flush(): Promise<void> {
    if (this.showing || this.flushing) return; // arrivals since wait for the toast on screen
    this.flushing = true;
    try {
      await this.announce();
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }

  private async announce(): Promise<void> {
    const batch = this.pending.splice(0);
    const index = this.session.index;
    const at = this.session.config.notifyAt;
    if (!index || at === 'off') return;
    // Names usually carry the priority; files that do not follow the rule need their front matter.
    await Promise.all(batch.filter((d) => !d.name).map((d) => index.meta(d)));
    const focused = this.focused();
    const due = batch.filter((d) => {
      const key = `${d.team}/new/${d.fileName}`;
      if (this.session.quiet.delete(key)) return false;
      if (!focused && d.priority !== 'urgent') return false;
      return priorityRank(d.priority) <= priorityRank(at) && index.get(d.team, 'new', d.fileName) === d;
    });
    if (due.length) this.lastToast = performance.now();
    if (due.length === 1) {
      await index.meta(due[0]); // the title, before the toast is counted as showing
      return void this.one(due[0]);
    }
    if (due.length > 1) {
      const c = countByPriority(due);
      const teams = [...new Set(due.map((d) => d.team))].join(', ');
      const text = c.byPriority.urgent
        ? vscode.l10n.t('{0} dispatches arrived for {1} ({2} urgent).', due.length, teams, c.byPriority.urgent)
        : vscode.l10n.t('{0} dispatches arrived for {1}.', due.length, teams);
      const show = vscode.l10n.t('Show Inbox');
      void this.shown(this.prompts.info(text, show)).then((c) => c === show && vscode.commands.executeCommand(focusCommand(VIEWS.inbox)));
    }
  }

  private async one(d: Dispatch): Promise<void> {
    const text = vscode.l10n.t('{0} dispatch for {1} from {2}: “{3}”', priorityName(d.priority), d.team, plain(d.from ?? '?'), plain(d.title));
    const open = vscode.l10n.t('Open');
    const ack = vscode.l10n.t('Acknowledge');
    const show = d.priority === 'urgent' ? this.prompts.warn : this.prompts.info;
    const choice = await this.shown(show.call(this.prompts, text, open, ack));
    if (choice === open) this.open(d);
    if (choice === ack) void vscode.commands.executeCommand(COMMANDS.acknowledge, d);
  }

  /** Like the CLI's session-start summary. Logged always; shown as a notification only when it changed. */
  async summarise(): Promise<string | undefined> {
    const index = this.session.index;
    if (!index) return undefined;
    const teams = this.session.watchedTeams();
    const fresh = teams.flatMap((t) => index.list(t, 'new'));
    const total = fresh.length;
    // The same line as `dispatch summary`, so a person sees one format in the terminal and here.
    const { formatSummary } = await import('../../core/lifecycle/summary');
    const line = formatSummary(teams, fresh, this.session.store.root, this.session.config.staleAfterDays);
    this.log.info(line);
    const mode = this.session.config.summary;
    const changed = this.state.get<string>(STORAGE.lastSummary) !== line;
    await this.state.update(STORAGE.lastSummary, line);
    if (mode === 'off') return line;
    if (mode === 'always' || (changed && total)) {
      const show = vscode.l10n.t('Show Inbox');
      // The root is in the line when there are no teams, and a path may hold anything.
      void this.prompts.info(plain(line), show).then((c) => c === show && vscode.commands.executeCommand(focusCommand(VIEWS.inbox)));
    } else {
      vscode.window.setStatusBarMessage(plain(line), 8000);
    }
    return line;
  }

  override dispose(): void {
    this.showing = undefined;
    super.dispose();
  }
}
