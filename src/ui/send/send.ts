// Send Dispatch: recipient, priority and title in quick inputs, then the body in a Markdown editor
// that lives in memory (scheme `dispatch-draft`), delivered with one action. Until "Deliver" nothing
// touches the dispatch folders: closing the draft, or cancelling any step, writes nothing.
import * as vscode from 'vscode';
import type { Dispatch } from '../../core/api';
import { isPriority, isTeamName, Priority } from '../../core/format/format';
import { COMMANDS } from '../common/ids';
import { Disposable } from '../common/lifecycle';
import { DraftFiles } from './drafts';
import { Prompts } from '../common/prompts';
import { InboxSession } from '../common/session';
import { plain } from '../common/text';
import { priorityName } from '../common/priority';
import type { InboxNode } from '../common/nodes';

export const DRAFT_SCHEME = 'dispatch-draft';

export interface DraftHeader {
  to: string;
  from: string;
  priority: Priority;
  title: string;
}

/** What `dispatchInbox.sendDispatch` accepts besides a team node: any field given is not asked for. */
export interface SendArgs extends Partial<DraftHeader> {
  body?: string;
}

export class Sender extends Disposable {
  private readonly files = this.register(new DraftFiles());
  private readonly drafts = new Map<string, DraftHeader>();
  /** Drafts being delivered: out of `drafts`, so a second Deliver cannot send them again. */
  private readonly delivering = new Set<string>();
  private seq = 0;
  private hint: vscode.Disposable | undefined;

  constructor(
    private readonly session: InboxSession,
    private readonly prompts: Prompts,
  ) {
    super();
    this.register(vscode.workspace.registerFileSystemProvider(DRAFT_SCHEME, this.files, { isCaseSensitive: true }));
    this.register(vscode.languages.registerCodeLensProvider({ scheme: DRAFT_SCHEME }, { provideCodeLenses: (doc) => this.lenses(doc) }));
    this.register(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        if (doc.uri.scheme !== DRAFT_SCHEME) return;
        // A language change "closes" and reopens the document in place (it is still open): keep the draft.
        const key = doc.uri.toString();
        if (vscode.workspace.textDocuments.some((t) => t.uri.toString() === key)) return;
        this.drafts.delete(key);
        this.files.remove(doc.uri);
      }),
    );
  }

  /** Asks what is missing, then opens the draft editor. Undefined when the user cancelled. */
  async compose(arg?: InboxNode | SendArgs): Promise<vscode.Uri | undefined> {
    const given: SendArgs = arg && 'kind' in arg ? (arg.kind === 'team' ? { to: arg.team } : {}) : (arg ?? {});
    const to =
      given.to ??
      (await this.prompts.pickTeam({
        title: vscode.l10n.t('Send Dispatch (1/3): to which team?'),
        placeholder: vscode.l10n.t('Pick a team, or type a new team name'),
        teams: this.session.teamChoices(),
      }));
    if (!to || !isTeamName(to)) return undefined;
    const priority = given.priority ?? (await this.prompts.pickPriority('normal', vscode.l10n.t('Send Dispatch (2/3): priority')));
    if (!priority || !isPriority(priority)) return undefined;
    const title =
      given.title ??
      (await this.prompts.input({
        title: vscode.l10n.t('Send Dispatch (3/3): title'),
        prompt: vscode.l10n.t('One line that says what {0} should do', to),
        validateInput: (v) => (v.trim() ? undefined : vscode.l10n.t('A dispatch needs a title')),
      }));
    if (!title?.trim()) return undefined;
    const from = given.from ?? (await this.sender(to));
    if (!from || !isTeamName(from)) return undefined;

    const uri = vscode.Uri.from({ scheme: DRAFT_SCHEME, path: `/${++this.seq}/${vscode.l10n.t('Dispatch to {0}', to)}.md` });
    this.files.put(uri, given.body ?? '');
    this.drafts.set(uri.toString(), { to, from, priority, title: title.trim() });
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== 'markdown') doc = await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: false });
    this.hint?.dispose();
    this.hint = vscode.window.setStatusBarMessage(vscode.l10n.t('Write the body, then Deliver (Ctrl+Enter) or Discard.'), 15_000);
    return uri;
  }

  /** Writes the draft into the recipient's new/ (tmp → new, via the store) and closes it. */
  async deliver(uri = this.activeDraft()): Promise<Dispatch | undefined> {
    const key = uri?.toString() ?? '';
    // A second Deliver while the first is under way (Ctrl+Enter twice, the CodeLens and the key) does nothing.
    if (this.delivering.has(key)) return undefined;
    const h = this.drafts.get(key);
    if (!uri || !h) {
      void this.prompts.warn(vscode.l10n.t('No dispatch draft is open.'));
      return undefined;
    }
    // Taken out before the first await; put back if the delivery fails, so it can be tried again.
    this.drafts.delete(key);
    this.delivering.add(key);
    let d: Dispatch;
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      await this.session.whenLoaded();
      d = await this.session.store.deliver({ to: h.to, from: h.from, priority: h.priority, title: h.title, body: doc.getText() });
    } catch (e) {
      if (vscode.workspace.textDocuments.some((t) => t.uri.toString() === key)) this.drafts.set(key, h);
      void this.prompts.warn(vscode.l10n.t('Not delivered: {0}', plain((e as Error).message)));
      return undefined;
    } finally {
      this.delivering.delete(key);
    }
    await this.close(uri);
    const open = vscode.l10n.t('Open');
    void this.prompts.info(vscode.l10n.t('Delivered “{0}” to {1} ({2}).', plain(h.title), h.to, priorityName(h.priority)), open).then((c) => {
      if (c === open) void vscode.commands.executeCommand(COMMANDS.open, d);
    });
    return d;
  }

  /** Closes the draft without delivering. */
  async discard(uri = this.activeDraft()): Promise<void> {
    if (uri && this.drafts.has(uri.toString())) await this.close(uri);
  }

  private async close(uri: vscode.Uri): Promise<void> {
    this.drafts.delete(uri.toString());
    this.hint?.dispose();
    const doc = vscode.workspace.textDocuments.find((t) => t.uri.toString() === uri.toString());
    // Saving into memory first closes it without a "save changes?" question; nothing reaches the disk.
    if (doc?.isDirty) await doc.save();
    const tabs = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
    await vscode.window.tabGroups.close(tabs);
    this.files.remove(uri);
  }

  private activeDraft(): vscode.Uri | undefined {
    const uri = vscode.window.activeTextEditor?.document.uri;
    return uri?.scheme === DRAFT_SCHEME ? uri : undefined;
  }

  /** My team, or the one I pick when I have several or none configured. */
  private async sender(to: string): Promise<string | undefined> {
    const mine = this.session.config.myTeams;
    if (mine.length === 1) return mine[0];
    const choices = mine.length ? mine.map((name) => ({ name })) : this.session.teamChoices();
    return this.prompts.pickTeam({
      title: vscode.l10n.t('Send Dispatch: from which team?'),
      placeholder: mine.length
        ? vscode.l10n.t('Your teams (setting dispatchInbox.myTeams)')
        : vscode.l10n.t('Your team (set dispatchInbox.myTeams to skip this)'),
      teams: choices.filter((t) => t.name !== to || mine.length > 0),
      active: mine[0],
    });
  }

  private lenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    const h = this.drafts.get(doc.uri.toString());
    if (!h) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, {
        title: `$(send) ${vscode.l10n.t('Deliver to {0} · {1} · “{2}”', h.to, priorityName(h.priority), plain(h.title))}`,
        command: COMMANDS.deliverDraft,
        arguments: [doc.uri],
      }),
      new vscode.CodeLens(top, { title: `$(close) ${vscode.l10n.t('Discard')}`, command: COMMANDS.discardDraft, arguments: [doc.uri] }),
    ];
  }

  override dispose(): void {
    this.hint?.dispose();
    super.dispose();
  }
}
