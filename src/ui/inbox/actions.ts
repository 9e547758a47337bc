// What the user does to dispatches: acknowledge, mark as new (undo), reroute, delete. Each one calls
// the store and says in one line how it went; the tree learns the result from the index, like any
// change made by another window or an agent. A race lost to someone else is a message, not an error.
// Titles come from files other agents wrote: every one goes through plain() before it is shown.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Dispatch, MoveOutcome } from '../../core/api';
import { hasRawBytes } from '../../core/fs/rawname';
import { Confirmation } from './confirm';
import { Prompts } from '../common/prompts';
import { InboxSession } from '../common/session';
import { plain } from '../common/text';

export interface Outcome {
  /** Moved (or deleted) by us; for moves, the dispatch at its new place. */
  done: Dispatch[];
  /** Someone else did the same first: nothing lost. */
  already: Dispatch[];
  /** No longer where it was: moved elsewhere or deleted by someone else. */
  gone: Dispatch[];
  failed: { dispatch: Dispatch; message: string }[];
}

export class Actions {
  constructor(
    private readonly session: InboxSession,
    private readonly prompts: Prompts,
    private readonly confirmation: Confirmation,
  ) {}

  async acknowledge(ds: Dispatch[]): Promise<Outcome> {
    const todo = ds.filter((d) => d.box === 'new');
    const r = await this.settle(todo, (d) => this.session.store.acknowledge(d));
    const head = headline(
      r.done,
      (t) => vscode.l10n.t('Acknowledged “{0}”.', t),
      (k) => vscode.l10n.t('Acknowledged {0} dispatches.', k),
    );
    this.report(head, r, vscode.l10n.t('acknowledged'), { brief: true, undo: r.done.length ? () => this.markAsNew(r.done, true) : undefined });
    return r;
  }

  /** cur/ → new/: "Mark as New", and the Undo of an acknowledge. */
  async markAsNew(ds: Dispatch[], undo = false): Promise<Outcome> {
    const todo = ds.filter((d) => d.box === 'cur');
    const r = await this.settle(
      todo,
      (d) => this.session.store.unacknowledge(d),
      (d) => d.team,
    );
    const head = undo
      ? headline(
          r.done,
          (t) => vscode.l10n.t('Moved {0} back to New.', `“${t}”`),
          (k) => vscode.l10n.t('Moved {0} back to New.', k),
        )
      : headline(
          r.done,
          (t) => vscode.l10n.t('Marked “{0}” as new.', t),
          (k) => vscode.l10n.t('Marked {0} dispatches as new.', k),
        );
    this.report(head, r, vscode.l10n.t('in New'), { brief: true, undo: !undo && r.done.length ? () => this.acknowledge(r.done) : undefined });
    return r;
  }

  /** `status: completed` (acknowledging first what is still new): Mark Completed. */
  async complete(ds: Dispatch[]): Promise<Outcome> {
    const r = await this.settle(ds, (d) => this.session.store.complete(d));
    const head = headline(
      r.done,
      (t) => vscode.l10n.t('Marked “{0}” completed.', t),
      (k) => vscode.l10n.t('Marked {0} dispatches completed.', k),
    );
    this.report(head, r, vscode.l10n.t('completed'), { brief: true });
    return r;
  }

  /** The sender's Verify & Archive: into `<root>/.archive/<team>/<YYYY-MM>/`, never deleted. */
  async archive(ds: Dispatch[]): Promise<Outcome> {
    const r = await this.settle(ds, async (d) => {
      await this.session.store.archive(d);
      return { status: 'moved', dispatch: d };
    });
    const head = headline(
      r.done,
      (t) => vscode.l10n.t('Verified and archived “{0}”.', t),
      (k) => vscode.l10n.t('Verified and archived {0} dispatches.', k),
    );
    this.report(head, r, '', { brief: true });
    return r;
  }

  /** Into another team's new/ (the seed's rule: a misrouted dispatch is routed correctly, not reassigned). */
  async reroute(ds: Dispatch[], toTeam?: string): Promise<Outcome | undefined> {
    if (!ds.length) return undefined;
    const from = new Set(ds.map((d) => d.team));
    const team =
      toTeam ??
      (await this.prompts.pickTeam({
        title: ds.length === 1 ? vscode.l10n.t('Reroute “{0}”', plain(ds[0].title)) : vscode.l10n.t('Reroute {0} dispatches', ds.length),
        placeholder: vscode.l10n.t('Team to send it to (type a new name to create one)'),
        teams: this.session.teamChoices().filter((t) => !(from.size === 1 && from.has(t.name))),
      }));
    if (!team) return undefined;
    const todo = ds.filter((d) => d.team !== team || d.box !== 'new');
    const r = await this.settle(
      todo,
      (d) => this.session.store.reroute(d, team),
      () => team,
    );
    const head = headline(
      r.done,
      (t) => vscode.l10n.t('Rerouted “{0}” to {1}.', t, team),
      (k) => vscode.l10n.t('Rerouted {0} dispatches to {1}.', k, team),
    );
    this.report(head, r, vscode.l10n.t('in {0}', team));
    return r;
  }

  /**
   * To the OS trash after a modal confirmation. Where there is none (code-server's file service has
   * no trash), into the root's own `.trash/` folder: what a person deletes stays recoverable.
   */
  async delete(ds: Dispatch[]): Promise<Outcome | undefined> {
    if (!ds.length) return undefined;
    const what = ds.length === 1 ? vscode.l10n.t('Delete “{0}”?', plain(ds[0].title)) : vscode.l10n.t('Delete {0} dispatches?', ds.length);
    if (!(await this.prompts.confirm(what, vscode.l10n.t('The files go to the trash.'), vscode.l10n.t('Move to Trash')))) return undefined;
    const r: Outcome = { done: [], already: [], gone: [], failed: [] };
    const ownTrash: string[] = [];
    await Promise.all(
      ds.map(async (d) => {
        try {
          // VS Code reaches files by UTF-8 paths: a name that is not UTF-8 goes to the root's own trash.
          if (hasRawBytes(d.fileName)) throw new Error('not a UTF-8 name');
          await vscode.workspace.fs.delete(vscode.Uri.file(d.path), { useTrash: true, recursive: false });
          r.done.push(d);
        } catch (e) {
          if (isNotFound(e)) return void r.gone.push(d);
          try {
            ownTrash.push(await this.session.store.trash(d));
            r.done.push(d);
          } catch (e2) {
            if (isNotFound(e2)) r.gone.push(d);
            else r.failed.push({ dispatch: d, message: (e2 as Error).message });
          }
        }
      }),
    );
    const head = headline(
      r.done,
      (t) => vscode.l10n.t('Deleted “{0}”.', t),
      (k) => vscode.l10n.t('Deleted {0} dispatches.', k),
    );
    const where = ownTrash.length ? ' ' + vscode.l10n.t('No system trash here: moved to {0}.', plain(path.dirname(path.dirname(ownTrash[0])))) : '';
    this.report(head && head + where, r, '');
    return r;
  }

  /**
   * Runs `op` on each dispatch and sorts the outcomes. With `into` (moves into a team's new/), the
   * arrival each move causes is not announced: the name is hushed before the move (the watcher may
   * report it before the move returns), then swapped for the name the file really got, or dropped
   * when nothing moved.
   */
  private async settle(ds: Dispatch[], op: (d: Dispatch) => Promise<MoveOutcome>, into?: (d: Dispatch) => string): Promise<Outcome> {
    const r: Outcome = { done: [], already: [], gone: [], failed: [] };
    await Promise.all(
      ds.map(async (d) => {
        const expected = into && `${into(d)}/new/${d.fileName}`;
        if (expected) this.session.quiet.add(expected);
        let moved: Dispatch | undefined;
        try {
          const o = await op(d);
          if (o.status === 'moved') moved = o.dispatch;
          (o.status === 'moved' ? r.done : r.already).push(o.dispatch);
        } catch (e) {
          if (isDispatchError(e, 'not-found')) r.gone.push(d);
          else r.failed.push({ dispatch: d, message: (e as Error).message });
        } finally {
          const actual = moved && `${moved.team}/new/${moved.fileName}`;
          if (expected && actual !== expected) this.session.quiet.delete(expected);
          if (actual && into) this.session.quiet.add(actual);
        }
      }),
    );
    return r;
  }

  /**
   * One line for the whole batch: what was done, then what others had already done or removed.
   * `brief`: a plain success on one dispatch is a status-bar confirmation that the next one replaces
   * (with `undo` as its Undo), not a toast. Otherwise a notification, with an Undo button when `undo` is given.
   */
  private report(head: string, r: Outcome, alreadyWhat: string, o: { brief?: boolean; undo?: () => unknown } = {}): void {
    const tail: string[] = [];
    if (r.already.length) {
      tail.push(
        r.already.length === 1
          ? vscode.l10n.t('“{0}” was already {1} (another window or agent got there first).', plain(r.already[0].title), alreadyWhat)
          : vscode.l10n.t('{0} were already {1} (another window or agent got there first).', r.already.length, alreadyWhat),
      );
    }
    if (r.gone.length) {
      tail.push(
        r.gone.length === 1
          ? vscode.l10n.t('“{0}” is no longer there: it was moved or deleted by someone else.', plain(r.gone[0].title))
          : vscode.l10n.t('{0} are no longer there: moved or deleted by someone else.', r.gone.length),
      );
    }
    for (const f of r.failed.slice(0, 3)) tail.push(`“${plain(f.dispatch.title)}”: ${plain(f.message)}`);
    const text = [head, ...tail].filter(Boolean).join(' ');
    if (!text) return;
    if (o.brief && r.done.length === 1 && !tail.length) return this.confirmation.show(head, o.undo);
    for (const d of r.gone) this.session.recheck(d);
    const undo = vscode.l10n.t('Undo');
    const show = r.failed.length || r.gone.length ? this.prompts.warn : this.prompts.info;
    void show.call(this.prompts, text, ...(o.undo ? [undo] : [])).then((choice) => {
      if (choice === undo) void o.undo?.();
    });
  }
}

function isNotFound(e: unknown): boolean {
  return (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') || (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** The core is loaded lazily, so its error class is recognised by name rather than by instanceof. */
function isDispatchError(e: unknown, code: string): boolean {
  return (e as Error | undefined)?.name === 'DispatchError' && (e as { code?: string }).code === code;
}

/** The first words of a report: the one dispatch done, by its title (made plain), or how many, or nothing. */
function headline(done: Dispatch[], one: (title: string) => string, many: (n: number) => string): string {
  return done.length === 1 ? one(plain(done[0].title)) : done.length ? many(done.length) : '';
}
