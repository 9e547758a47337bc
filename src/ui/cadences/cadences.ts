// The Cadences view: the recurring dispatches of the workspace's TEAM.md, due ones highlighted, one
// quiet notification when some are due (at startup, when TEAM.md changes, when a new day starts), and
// "Send Due Cadences". Everything is computed by the core (src/core/cadence-*.ts); this file only finds
// the text (an open editor's, else the disk's), shows it, and writes Last Sent into a dirty editor
// through a WorkspaceEdit instead of behind its back.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CadenceCheck, CadenceSendResult, CadenceSource, CadenceStatus } from '../../core/cadences/send';
import { BadRow, localDate } from '../../core/cadences/table';
import type { RowKey, UpdateResult } from '../../core/cadences/file';
import { COMMANDS, CONTEXT, focusCommand, settingId, SETTINGS, VIEWS } from '../common/ids';
import { Disposable, Timer, toDisposable } from '../common/lifecycle';
import { Prompts } from '../common/prompts';
import { InboxSession, onlyFilter } from '../common/session';
import { plain } from '../common/text';
import { tildify } from '../common/text';

const EDIT_DEBOUNCE_MS = 400;
const INDEX_THROTTLE_MS = 1000;

type CadenceCore = typeof import('../../core/cadences/send') & typeof import('../../core/cadences/file') & typeof import('../../core/cadences/table');
let core: Promise<CadenceCore> | undefined;
function loadCadenceCore(): Promise<CadenceCore> {
  return (core ??= Promise.all([import('../../core/cadences/send'), import('../../core/cadences/file'), import('../../core/cadences/table')]).then(
    ([a, b, c]) => ({
      ...a,
      ...b,
      ...c,
    }),
  ));
}

export type CadenceNode = { kind: 'cadence'; c: CadenceStatus } | { kind: 'bad'; b: BadRow };

/** Why a check runs: only the first three may notify. */
type Reason = 'startup' | 'file' | 'day' | 'edit' | 'index' | 'settings';

export class CadenceView extends Disposable implements vscode.TreeDataProvider<CadenceNode> {
  file: string | undefined;
  check: CadenceCheck | undefined;
  error: string | undefined;
  /** Home for `~/.team/TEAM.md` (replaced by the tests). */
  home = os.homedir();
  /** Today's local date (replaced by the tests). */
  today = (): string => localDate();
  private readonly changed = this.register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<CadenceNode>;
  private watchers: vscode.Disposable[] = [];
  private lastNotified = '';
  private running: Promise<void> = Promise.resolve();
  private readonly editTimer = this.register(new Timer());
  private readonly indexTimer = this.register(new Timer());
  private readonly dayTimer = this.register(new Timer());
  private sending = false;

  constructor(
    private readonly session: InboxSession,
    private readonly prompts: Prompts,
  ) {
    super();
    this.view = this.register(vscode.window.createTreeView(VIEWS.cadences, { treeDataProvider: this }));
    this.register(toDisposable(() => this.watchers.forEach((w) => w.dispose())));
    const subs = [
      session.onDidBecomeReady(() => void this.refresh('startup')),
      session.onDidChange((c) => onlyFilter(c) || this.soon('index')),
      vscode.workspace.onDidChangeWorkspaceFolders(() => {
        this.watch();
        void this.refresh('file');
      }),
      vscode.workspace.onDidChangeTextDocument((e) => e.document.uri.fsPath === this.file && e.contentChanges.length && this.soon('edit')),
      vscode.workspace.onDidCloseTextDocument((d) => d.uri.fsPath === this.file && this.soon('edit')),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(settingId(SETTINGS.myTeams)) && void this.refresh('settings')),
      vscode.commands.registerCommand(COMMANDS.sendDueCadences, () => this.send()),
      vscode.commands.registerCommand(COMMANDS.openCadence, (n?: CadenceNode) => this.open(n)),
      vscode.commands.registerCommand(COMMANDS.refreshCadences, () => this.refresh('file')),
    ];
    for (const s of subs) this.register(s);
    this.watch();
    this.scheduleDay();
  }

  /** TEAM.md in each workspace folder (`.team/TEAM.md`, `TEAM.md`) and `~/.team/TEAM.md`: a change re-checks (and may notify). */
  private watch(): void {
    for (const w of this.watchers) w.dispose();
    const patterns = (vscode.workspace.workspaceFolders ?? [])
      .filter((f) => f.uri.scheme === 'file')
      .map((f) => new vscode.RelativePattern(f, '{TEAM.md,.team/TEAM.md}'));
    patterns.push(new vscode.RelativePattern(vscode.Uri.file(path.join(this.home, '.team')), 'TEAM.md'));
    this.watchers = patterns.map((p) => {
      const w = vscode.workspace.createFileSystemWatcher(p);
      const on = () => void this.refresh('file');
      w.onDidCreate(on);
      w.onDidChange(on);
      w.onDidDelete(on);
      return w;
    });
  }

  /** A new day can make rows due while the window stays open. */
  private scheduleDay(): void {
    const now = new Date();
    const next = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1, 0, 0, 5);
    this.dayTimer.start(next.getTime() - now.getTime(), () => {
      void this.refresh('day');
      this.scheduleDay();
    });
  }

  private soon(reason: 'edit' | 'index'): void {
    if (reason === 'edit') this.editTimer.start(EDIT_DEBOUNCE_MS, () => void this.refresh('edit'));
    else this.indexTimer.startIfIdle(INDEX_THROTTLE_MS, () => this.file && void this.refresh('index'));
  }

  private folders(): string[] {
    return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
  }

  /** What the rows come from: a dirty editor's text (what the user sees and will save), else the file. */
  private source(file: string): CadenceSource {
    const doc = openDocument(file);
    return doc?.isDirty ? { file, text: doc.getText() } : file;
  }

  /** Re-checks; checks never overlap (each waits for the one before). Resolves when this one is done. */
  refresh(reason: Reason = 'file'): Promise<void> {
    this.running = this.running.then(() => this.run(reason)).catch(() => undefined);
    return this.running;
  }

  private async run(reason: Reason): Promise<void> {
    await this.session.whenLoaded();
    const c = await loadCadenceCore();
    try {
      this.file = await c.findTeamFile(this.folders(), this.home);
      this.check = this.file ? await c.checkCadences(this.session.store, this.source(this.file), this.session.config.myTeams[0], this.today()) : undefined;
      this.error = undefined;
    } catch (e) {
      this.check = undefined;
      this.error = (e as Error).message;
    }
    this.render();
    if (reason === 'startup' || reason === 'file' || reason === 'day') this.maybeNotify();
  }

  /** The rows that `Send` would send now. */
  due(): CadenceStatus[] {
    return this.check?.cadences.filter((r) => r.due && !r.skip_reason) ?? [];
  }

  private render(): void {
    const due = this.due().length;
    this.view.badge = due ? { value: due, tooltip: vscode.l10n.t('{0} recurring dispatches due', due) } : undefined;
    this.view.description = this.file ? tildify(this.file) : undefined;
    void vscode.commands.executeCommand('setContext', CONTEXT.cadencesDue, due > 0);
    if (this.error) this.view.message = vscode.l10n.t('TEAM.md could not be read: {0}', this.error);
    else if (!this.file) this.view.message = vscode.l10n.t('No TEAM.md in the workspace folders (.team/TEAM.md, TEAM.md) or in ~/.team/.');
    else if (!this.check?.found) this.view.message = vscode.l10n.t('{0} has no "Cadences" heading with a table.', path.basename(this.file));
    else if (!this.check.cadences.length && !this.check.bad_rows.length) this.view.message = vscode.l10n.t('The Cadences table has no rows.');
    else this.view.message = undefined;
    this.changed.fire();
  }

  /** One quiet toast per distinct set of due rows (not again for the same set, e.g. on every save). */
  private maybeNotify(): void {
    const due = this.due();
    const key = due.length ? `${this.session.root}\n${this.file}\n${this.today()}\n${due.map((r) => `${r.cadence}>${r.to}`).join(',')}` : '';
    if (!due.length || key === this.lastNotified) {
      if (!due.length) this.lastNotified = '';
      return;
    }
    this.lastNotified = key;
    const send = vscode.l10n.t('Send');
    const review = vscode.l10n.t('Review');
    const text = due.length === 1 ? vscode.l10n.t('1 recurring dispatch is due') : vscode.l10n.t('{0} recurring dispatches are due', due.length);
    void this.prompts.info(text, send, review).then((choice) => {
      if (choice === send) void this.send();
      if (choice === review) void vscode.commands.executeCommand(focusCommand(VIEWS.cadences));
    });
  }

  /** Sends every due row (as the first of myTeams, else the team picked), then sets their Last Sent. */
  async send(): Promise<CadenceSendResult | undefined> {
    if (this.sending) return undefined;
    this.sending = true;
    try {
      await this.refresh('settings');
      const file = this.file;
      if (!file || !this.check) {
        void this.prompts.warn(
          this.error ? vscode.l10n.t('TEAM.md could not be read: {0}', plain(this.error)) : vscode.l10n.t('No TEAM.md with a Cadences table was found.'),
        );
        return undefined;
      }
      if (!this.due().length) {
        void this.prompts.info(vscode.l10n.t('No recurring dispatch is due.'));
        return undefined;
      }
      const from = this.session.config.myTeams[0] ?? (await this.askSender());
      if (!from) return undefined;
      const c = await loadCadenceCore();
      const r = await c.sendDueCadences(this.session.store, this.source(file), {
        from,
        today: this.today(),
        writeLastSent: (keys, date) => this.writeLastSent(file, keys, date),
      });
      // The view shows the new state before the report says what happened.
      await this.refresh('index');
      this.report(r);
      return r;
    } catch (e) {
      await this.refresh('index');
      void this.prompts.warn(vscode.l10n.t('Cadences not sent: {0}', plain((e as Error).message)));
      return undefined;
    } finally {
      this.sending = false;
    }
  }

  private askSender(): Thenable<string | undefined> {
    const teams = this.session.teams().map((name) => ({ name }));
    return this.prompts.pickTeam({
      title: vscode.l10n.t('Send Due Cadences: from which team?'),
      placeholder: vscode.l10n.t('Your team (set dispatchInbox.myTeams to skip this)'),
      teams,
    });
  }

  /** A dirty editor gets a WorkspaceEdit (it stays unsaved: the user's other edits are theirs to save); otherwise the file is rewritten safely. */
  private async writeLastSent(file: string, keys: RowKey[], date: string): Promise<UpdateResult> {
    const c = await loadCadenceCore();
    const doc = openDocument(file);
    if (!doc?.isDirty) return c.updateLastSent(file, keys, date);
    const { edits, missing } = c.lastSentEdits(doc.getText(), keys, date);
    const we = new vscode.WorkspaceEdit();
    for (const e of edits) we.replace(doc.uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.text);
    if (edits.length && !(await vscode.workspace.applyEdit(we))) throw new Error(vscode.l10n.t('the editor refused the edit'));
    return { updated: keys.filter((k) => !missing.includes(k)), missing };
  }

  private report(r: CadenceSendResult): void {
    const sent = r.cadences.filter((c) => c.result === 'sent');
    const failed = r.cadences.filter((c) => c.result === 'failed');
    const skipped = r.cadences.filter((c) => c.result === 'skipped');
    const list = sent.map((c) => `${plain(c.dispatch)} → ${c.to}`).join(', ');
    const parts = [
      sent.length === 1 ? vscode.l10n.t('Sent 1 recurring dispatch: {0}.', list) : vscode.l10n.t('Sent {0} recurring dispatches: {1}.', sent.length, list),
    ];
    if (skipped.length) parts.push(vscode.l10n.t('{0} skipped (see the Cadences view).', skipped.length));
    if (!sent.length) parts[0] = vscode.l10n.t('Nothing sent.');
    if (failed.length || r.last_sent.error) {
      const why = [
        ...failed.map((c) => `${plain(c.dispatch)}: ${plain(c.error ?? '')}`),
        r.last_sent.error ? vscode.l10n.t('Last Sent not updated: {0}', plain(r.last_sent.error)) : '',
      ].filter(Boolean);
      void this.prompts.warn([...parts, ...why].join(' '));
    } else void this.prompts.info(parts.join(' '));
  }

  private async open(n?: CadenceNode): Promise<void> {
    if (!this.file) return;
    const line = Math.max(0, (n?.kind === 'cadence' ? n.c.line : n?.kind === 'bad' ? n.b.line : 1) - 1);
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(this.file));
    await vscode.window.showTextDocument(doc, { selection: new vscode.Range(line, 0, line, 0), preview: true });
  }

  getChildren(node?: CadenceNode): CadenceNode[] {
    if (node || !this.check) return [];
    return [...this.check.cadences.map((c) => ({ kind: 'cadence' as const, c })), ...this.check.bad_rows.map((b) => ({ kind: 'bad' as const, b }))];
  }

  getTreeItem(n: CadenceNode): vscode.TreeItem {
    const command = { command: COMMANDS.openCadence, title: vscode.l10n.t('Open TEAM.md'), arguments: [n] };
    if (n.kind === 'bad') {
      const item = new vscode.TreeItem(vscode.l10n.t('line {0}: not read', n.b.line));
      item.description = n.b.reason;
      item.tooltip = vscode.l10n.t('Line {0} of TEAM.md is skipped: {1}', n.b.line, n.b.reason);
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
      item.contextValue = 'cadence:bad';
      item.command = command;
      return item;
    }
    const c = n.c;
    const sendable = c.due && !c.skip_reason;
    // Due ones are highlighted: the whole label, and a coloured bell.
    const item = new vscode.TreeItem(sendable ? { label: c.dispatch, highlights: [[0, c.dispatch.length]] } : c.dispatch);
    const when = sendable ? vscode.l10n.t('due') : c.skip_reason ? vscode.l10n.t('skipped') : vscode.l10n.t('next {0}', c.next);
    item.description = `→ ${c.to} · ${c.frequency} · ${when}`;
    const lines = [
      `${c.dispatch} → ${c.to} (${c.priority})`,
      vscode.l10n.t('Frequency: {0}', c.frequency),
      vscode.l10n.t('Last sent: {0}', c.last_sent ?? vscode.l10n.t('never')),
      vscode.l10n.t('Due: {0}', c.next),
    ];
    if (c.skip_reason) lines.push(vscode.l10n.t('Not sent: {0}', c.skip_reason));
    item.tooltip = lines.join('\n');
    item.iconPath = sendable
      ? new vscode.ThemeIcon('bell-dot', new vscode.ThemeColor('charts.orange'))
      : c.skip_reason
        ? new vscode.ThemeIcon('circle-slash')
        : new vscode.ThemeIcon('history');
    item.contextValue = sendable ? 'cadence:due' : c.skip_reason ? 'cadence:skipped' : 'cadence';
    item.command = command;
    return item;
  }
}

/** The open editor document of a file; a just-closed one can linger in the list, and a dirty one counts first. */
function openDocument(file: string): vscode.TextDocument | undefined {
  const docs = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'file' && d.uri.fsPath === file && !d.isClosed);
  return docs.find((d) => d.isDirty) ?? docs[0];
}
