// What the user does to dispatches: acknowledge, mark as new (undo), reroute, delete. Each one calls
// the store and says in one line how it went; the tree learns the result from the index, like any
// change made by another window or an agent. A race lost to someone else is a message, not an error.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Dispatch, MoveOutcome } from '../core/api';
import { Prompts } from './prompts';
import { InboxSession } from './session';

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
  /** Arrivals in new/ that we caused ourselves (undo, mark as new, reroute): not announced. */
  readonly quiet = new Set<string>();

  constructor(
    private readonly session: InboxSession,
    private readonly prompts: Prompts,
  ) {}

  async acknowledge(ds: Dispatch[]): Promise<Outcome> {
    const todo = ds.filter((d) => d.box === 'new');
    const r = await this.settle(todo, (d) => this.session.store.acknowledge(d));
    const head =
      r.done.length === 1 ? vscode.l10n.t('Acknowledged “{0}”.', r.done[0].title) : r.done.length ? vscode.l10n.t('Acknowledged {0} dispatches.', r.done.length) : '';
    this.report(head, r, vscode.l10n.t('acknowledged'), r.done.length ? [vscode.l10n.t('Undo')] : []).then((choice) => {
      if (choice) void this.markAsNew(r.done, true);
    });
    return r;
  }

  /** cur/ → new/: "Mark as New", and the Undo of an acknowledge. */
  async markAsNew(ds: Dispatch[], undo = false): Promise<Outcome> {
    const todo = ds.filter((d) => d.box === 'cur');
    for (const d of todo) this.quiet.add(`${d.team}/new/${d.fileName}`);
    const r = await this.settle(todo, (d) => this.session.store.unacknowledge(d));
    const head = undo
      ? r.done.length
        ? vscode.l10n.t('Moved {0} back to New.', r.done.length === 1 ? `“${r.done[0].title}”` : r.done.length)
        : ''
      : r.done.length === 1
        ? vscode.l10n.t('Marked “{0}” as new.', r.done[0].title)
        : r.done.length
          ? vscode.l10n.t('Marked {0} dispatches as new.', r.done.length)
          : '';
    void this.report(head, r, vscode.l10n.t('in New'), []);
    return r;
  }

  /** Into another team's new/ (the seed's rule: a misrouted dispatch is routed correctly, not reassigned). */
  async reroute(ds: Dispatch[], toTeam?: string): Promise<Outcome | undefined> {
    if (!ds.length) return undefined;
    const from = new Set(ds.map((d) => d.team));
    const team =
      toTeam ??
      (await this.prompts.pickTeam({
        title: ds.length === 1 ? vscode.l10n.t('Reroute “{0}”', ds[0].title) : vscode.l10n.t('Reroute {0} dispatches', ds.length),
        placeholder: vscode.l10n.t('Team to send it to (type a new name to create one)'),
        teams: this.teamChoices().filter((t) => !(from.size === 1 && from.has(t.name))),
      }));
    if (!team) return undefined;
    const todo = ds.filter((d) => d.team !== team || d.box !== 'new');
    for (const d of todo) this.quiet.add(`${team}/new/${d.fileName}`);
    const r = await this.settle(todo, (d) => this.session.store.reroute(d, team));
    const head =
      r.done.length === 1 ? vscode.l10n.t('Rerouted “{0}” to {1}.', r.done[0].title, team) : r.done.length ? vscode.l10n.t('Rerouted {0} dispatches to {1}.', r.done.length, team) : '';
    void this.report(head, r, vscode.l10n.t('in {0}', team), []);
    return r;
  }

  /**
   * To the OS trash after a modal confirmation. Where there is none (code-server's file service has
   * no trash), into the root's own `.trash/` folder: what a person deletes stays recoverable.
   */
  async delete(ds: Dispatch[]): Promise<Outcome | undefined> {
    if (!ds.length) return undefined;
    const what = ds.length === 1 ? vscode.l10n.t('Delete “{0}”?', ds[0].title) : vscode.l10n.t('Delete {0} dispatches?', ds.length);
    if (!(await this.prompts.confirm(what, vscode.l10n.t('The files go to the trash.'), vscode.l10n.t('Move to Trash')))) return undefined;
    const r: Outcome = { done: [], already: [], gone: [], failed: [] };
    const ownTrash: string[] = [];
    await Promise.all(
      ds.map(async (d) => {
        try {
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
    const head = r.done.length === 1 ? vscode.l10n.t('Deleted “{0}”.', r.done[0].title) : r.done.length ? vscode.l10n.t('Deleted {0} dispatches.', r.done.length) : '';
    const where = ownTrash.length ? ' ' + vscode.l10n.t('No system trash here: moved to {0}.', path.dirname(path.dirname(ownTrash[0]))) : '';
    void this.report(head && head + where, r, '', []);
    return r;
  }

  /** Teams for a picker, with their new counts. */
  teamChoices(): { name: string; description?: string }[] {
    const index = this.session.index;
    return this.session.teams().map((t) => ({
      name: t,
      description: [this.session.isMine(t) ? vscode.l10n.t('my team') : '', vscode.l10n.t('{0} new', index?.count(t, 'new') ?? 0)].filter(Boolean).join(' · '),
    }));
  }

  private async settle(ds: Dispatch[], op: (d: Dispatch) => Promise<MoveOutcome>): Promise<Outcome> {
    const r: Outcome = { done: [], already: [], gone: [], failed: [] };
    await Promise.all(
      ds.map(async (d) => {
        try {
          const o = await op(d);
          (o.status === 'moved' ? r.done : r.already).push(o.dispatch);
        } catch (e) {
          if (isDispatchError(e, 'not-found')) r.gone.push(d);
          else r.failed.push({ dispatch: d, message: (e as Error).message });
        }
      }),
    );
    return r;
  }

  /** One line for the whole batch: what was done, then what others had already done or removed. */
  private report(head: string, r: Outcome, alreadyWhat: string, actions: string[]): Thenable<string | undefined> {
    const tail: string[] = [];
    if (r.already.length) {
      tail.push(
        r.already.length === 1
          ? vscode.l10n.t('“{0}” was already {1} (another window or agent got there first).', r.already[0].title, alreadyWhat)
          : vscode.l10n.t('{0} were already {1} (another window or agent got there first).', r.already.length, alreadyWhat),
      );
    }
    if (r.gone.length) {
      tail.push(
        r.gone.length === 1
          ? vscode.l10n.t('“{0}” is no longer there: it was moved or deleted by someone else.', r.gone[0].title)
          : vscode.l10n.t('{0} are no longer there: moved or deleted by someone else.', r.gone.length),
      );
    }
    for (const f of r.failed.slice(0, 3)) tail.push(`“${f.dispatch.title}”: ${f.message}`);
    const text = [head, ...tail].filter(Boolean).join(' ');
    if (!text) return Promise.resolve(undefined);
    if (r.gone.length || r.failed.length) this.session.fire(true);
    return r.failed.length || r.gone.length ? this.prompts.warn(text, ...actions) : this.prompts.info(text, ...actions);
  }
}

function isNotFound(e: unknown): boolean {
  return (e instanceof vscode.FileSystemError && e.code === 'FileNotFound') || (e as NodeJS.ErrnoException)?.code === 'ENOENT';
}

/** The core is loaded lazily, so its error class is recognised by name rather than by instanceof. */
function isDispatchError(e: unknown, code: string): boolean {
  return (e as Error | undefined)?.name === 'DispatchError' && (e as { code?: string }).code === code;
}
