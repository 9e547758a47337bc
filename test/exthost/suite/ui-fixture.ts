// Shared by the UI suites: a throw-away dispatch root the extension is pointed at, the extension's
// test API, answers to its prompts, and the tree read as a person sees it.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { InboxApi } from '../../../src/extension';
import type { InboxNode } from '../../../src/ui/common/nodes';
import { suiteSetup, suiteTeardown } from 'mocha';
import { DeliverOptions, DispatchStore } from '../../../src/core/api';
import { activateExtension, waitFor } from '../helpers';

export { waitFor };

export async function inboxApi(): Promise<InboxApi> {
  const ext = await activateExtension();
  return ext.exports as InboxApi;
}

/** Sets a user setting for the test (this extension's, unless `section` says), returning a function that puts the old value back. */
export async function setting(key: string, value: unknown, section = 'dispatchInbox'): Promise<() => Promise<void>> {
  const cfg = () => vscode.workspace.getConfiguration(section);
  const old = cfg().inspect(key)?.globalValue;
  await cfg().update(key, value, vscode.ConfigurationTarget.Global);
  return () => Promise.resolve(cfg().update(key, old, vscode.ConfigurationTarget.Global));
}

export interface TempRoot {
  root: string;
  /** A store of its own: changes made through it are "outside" changes (another window, an agent). */
  store: DispatchStore;
  restore(): Promise<void>;
}

/** A fresh root with `teams`, and the extension pointed at it (waits until it is indexed). */
export async function tempRoot(api: InboxApi, teams: string[], create = true): Promise<TempRoot> {
  const root = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-ui-')), 'root');
  const store = new DispatchStore(root);
  if (create) await store.init(teams);
  const undo = await setting('root', root);
  await waitFor(`the extension to open ${root}`, () => api.session.store.root === root && api.session.state === (create ? 'ready' : 'rootMissing'));
  return {
    root,
    store,
    restore: async () => {
      await undo();
      fs.rmSync(path.dirname(root), { recursive: true, force: true });
    },
  };
}

/**
 * Registers suite hooks: the extension pointed at a fresh root with `teams`, `settings` applied; both
 * undone afterwards. The returned object is filled in by the setup hook.
 */
export function inboxSuite(teams: string[], settings: Record<string, unknown> = {}): { api: InboxApi; t: TempRoot } {
  const ctx = {} as { api: InboxApi; t: TempRoot };
  const undo: (() => Promise<void>)[] = [];
  suiteSetup(async () => {
    ctx.api = await inboxApi();
    for (const [k, v] of Object.entries(settings)) undo.push(await setting(k, v));
    ctx.t = await tempRoot(ctx.api, teams);
  });
  suiteTeardown(async () => {
    await ctx.t?.restore();
    for (const u of undo.reverse()) await u();
  });
  return ctx;
}

type PromptsStub = Partial<InboxApi['prompts']>;

/** Replaces some of the extension's prompts (answers for the user); returns the restorer. */
export function answer(api: InboxApi, stubs: PromptsStub): () => void {
  const saved: PromptsStub = {};
  for (const k of Object.keys(stubs) as (keyof PromptsStub)[]) {
    (saved as Record<string, unknown>)[k] = api.prompts[k];
    (api.prompts as Record<string, unknown>)[k] = stubs[k];
  }
  return () => Object.assign(api.prompts, saved);
}

export interface Said {
  level: 'info' | 'warn';
  text: string;
  actions: string[];
}

/** Records every info/warning message; `reply` picks the button "clicked" (undefined = dismissed). */
export function listen(api: InboxApi, reply: (s: Said) => string | undefined = () => undefined): { said: Said[]; restore: () => void } {
  const said: Said[] = [];
  const mk =
    (level: Said['level']) =>
    (text: string, ...actions: string[]) => {
      const s = { level, text, actions };
      said.push(s);
      return Promise.resolve(reply(s));
    };
  return { said, restore: answer(api, { info: mk('info'), warn: mk('warn') }) };
}

/** Nodes under `node` (or the roots). */
export function children(api: InboxApi, node?: InboxNode): InboxNode[] {
  return api.tree.getChildren(node) as InboxNode[];
}

export function label(api: InboxApi, node: InboxNode): string {
  const l = api.tree.getTreeItem(node).label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

/** Labels of a team's New or Acknowledged box, in tree order. */
export function boxLabels(api: InboxApi, team: string, box: 'new' | 'cur'): string[] {
  return children(api, api.tree.boxNode(team, box)).map((n) => label(api, n));
}

export function dispatchNodes(api: InboxApi, team: string, box: 'new' | 'cur'): Extract<InboxNode, { kind: 'dispatch' }>[] {
  return children(api, api.tree.boxNode(team, box)).filter((n): n is Extract<InboxNode, { kind: 'dispatch' }> => n.kind === 'dispatch');
}

export function nodeTitled(api: InboxApi, team: string, box: 'new' | 'cur', title: string): Extract<InboxNode, { kind: 'dispatch' }> {
  const n = dispatchNodes(api, team, box).find((x) => x.dispatch.title === title);
  assert.ok(n, `no "${title}" in ${team}/${box}: ${boxLabels(api, team, box).join(', ')}`);
  return n;
}

/** Delivers from "outside" and waits until the tree shows it. */
export async function deliver(api: InboxApi, t: TempRoot, o: DeliverOptions): Promise<void> {
  const d = await t.store.deliver(o);
  await waitFor(`${d.fileName} in the tree`, () => api.session.index?.get(d.team, 'new', d.fileName));
}

export function minutesAgo(m: number): Date {
  return new Date(Date.now() - m * 60_000);
}

export function filesIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => !f.startsWith('.')) : [];
}
