// Every identifier the extension shares with package.json, the workbench or its storage, defined once:
// command ids, views, context keys, status-bar items, storage keys, and the settings with their
// defaults and limits. No VS Code import, so test/unit/ids.test.ts checks package.json against it.
import { DEFAULT_TIMEOUT_MS } from '../../core/agentmail/config';
import { DEFAULT_RESERVATIONS_POLL_MS } from '../../core/agentmail/poller';
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_STALE_DAYS } from '../../core/defaults';
import { PRIORITIES, Priority } from '../../core/format/format';

export const SECTION = 'dispatchInbox';
export const AGENT_MAIL_SECTION = `${SECTION}.agentMail`;

export const VIEWS = {
  container: 'dispatchInbox',
  inbox: 'dispatchInbox.inbox',
  sent: 'dispatchInbox.sent',
  cadences: 'dispatchInbox.cadences',
} as const;

/** Contributed in package.json (palette, menus, keys). */
export const COMMANDS = {
  refresh: 'dispatchInbox.refresh',
  open: 'dispatchInbox.open',
  acknowledge: 'dispatchInbox.acknowledge',
  acknowledgeAll: 'dispatchInbox.acknowledgeAll',
  markAsNew: 'dispatchInbox.markAsNew',
  markCompleted: 'dispatchInbox.markCompleted',
  verifyArchive: 'dispatchInbox.verifyArchive',
  reroute: 'dispatchInbox.reroute',
  delete: 'dispatchInbox.delete',
  resolveConflict: 'dispatchInbox.resolveConflict',
  revealInOS: 'dispatchInbox.revealInOS',
  copyPath: 'dispatchInbox.copyPath',
  showMore: 'dispatchInbox.showMore',
  filter: 'dispatchInbox.filter',
  clearFilter: 'dispatchInbox.clearFilter',
  sendDispatch: 'dispatchInbox.sendDispatch',
  deliverDraft: 'dispatchInbox.deliverDraft',
  discardDraft: 'dispatchInbox.discardDraft',
  createRoot: 'dispatchInbox.createRoot',
  chooseRoot: 'dispatchInbox.chooseRoot',
  sendDueCadences: 'dispatchInbox.sendDueCadences',
  openCadence: 'dispatchInbox.openCadence',
  refreshCadences: 'dispatchInbox.refreshCadences',
  showReservations: 'dispatchInbox.showReservations',
  setAgentMailToken: 'dispatchInbox.setAgentMailToken',
  clearAgentMailToken: 'dispatchInbox.clearAgentMailToken',
  setAgentMailRegistrationToken: 'dispatchInbox.setAgentMailRegistrationToken',
  setUpAgents: 'dispatchInbox.setUpAgents',
  installCli: 'dispatchInbox.installCli',
} as const;

/** Registered but not contributed: a status-bar click, and the paths the reservations pick takes (for tests and keybindings). */
export const INTERNAL_COMMANDS = {
  undoLast: 'dispatchInbox.undoLast',
  reservationsState: 'dispatchInbox.reservations.state',
  reservationsRelease: 'dispatchInbox.reservations.release',
  reservationsRenew: 'dispatchInbox.reservations.renew',
  reservationsForceRelease: 'dispatchInbox.reservations.forceRelease',
} as const;

/** The `.focus` command VS Code makes for each view. */
export function focusCommand(view: (typeof VIEWS)[keyof typeof VIEWS]): string {
  return `${view}.focus`;
}

/** Context keys the extension sets for `when` clauses in package.json. */
export const CONTEXT = {
  /** 'loading' | 'ready' | 'rootMissing' (the Inbox's welcome views). */
  state: 'dispatchInbox.state',
  /** Ready, and the root really holds no team inbox. */
  empty: 'dispatchInbox.empty',
  filtered: 'dispatchInbox.filtered',
  selectionDispatch: 'dispatchInbox.selection.dispatch',
  selectionNew: 'dispatchInbox.selection.new',
  selectionCur: 'dispatchInbox.selection.cur',
  cadencesDue: 'dispatchInbox.cadencesDue',
} as const;

/** The theme colour package.json contributes for each priority. */
export function priorityColorId(p: Priority): string {
  return `${SECTION}.priority.${p}`;
}

export const STATUS_ITEMS = {
  confirmation: 'dispatchInbox.confirmation',
  reservations: 'dispatchInbox.reservations',
} as const;

/** Keys in the extension's global state and secret storage. */
export const STORAGE = {
  lastSummary: 'dispatchInbox.lastSummary',
  agentMailToken: 'dispatchInbox.agentMail.token',
  agentMailRegistrationToken: 'dispatchInbox.agentMail.registrationToken',
} as const;

interface Setting<T> {
  /** Under SECTION: `dispatchInbox.<key>`. */
  key: string;
  default: T;
  min?: number;
  max?: number;
  /** The only values accepted (package.json's `enum`). */
  values?: readonly T[];
}

const setting = <T>(s: Setting<T>): Setting<T> => s;

/** Every `dispatchInbox.*` setting: package.json must say the same (defaults, limits, values). */
export const SETTINGS = {
  root: setting({ key: 'root', default: '' }),
  teams: setting<string[]>({ key: 'teams', default: [] }),
  myTeams: setting<string[]>({ key: 'myTeams', default: [] }),
  notifyAtPriority: setting<string>({ key: 'notifyAtPriority', default: 'high', values: [...PRIORITIES, 'off'] }),
  openWith: setting<string>({ key: 'openWith', default: 'preview', values: ['preview', 'editor'] }),
  acknowledgedLimit: setting({ key: 'acknowledgedLimit', default: 50, min: 5, max: 5000 }),
  summary: setting<string>({ key: 'summary', default: 'changed', values: ['changed', 'always', 'off'] }),
  staleAfterDays: setting({ key: 'staleAfterDays', default: DEFAULT_STALE_DAYS, min: 0, max: 3650 }),
  watcherPoll: setting<string | boolean>({ key: 'watcher.poll', default: 'auto', values: ['auto', true, false] }),
  watcherInterval: setting({ key: 'watcher.interval', default: DEFAULT_POLL_INTERVAL_MS, min: 100, max: 600_000 }),
  agentMailEnabled: setting({ key: 'agentMail.enabled', default: true }),
  agentMailUrl: setting({ key: 'agentMail.url', default: '' }),
  agentMailProject: setting({ key: 'agentMail.project', default: '' }),
  agentMailAgentName: setting({ key: 'agentMail.agentName', default: '' }),
  /** Seconds. */
  agentMailPollInterval: setting({ key: 'agentMail.pollInterval', default: DEFAULT_RESERVATIONS_POLL_MS / 1000, min: 1, max: 3600 }),
  /** Milliseconds. */
  agentMailTimeout: setting({ key: 'agentMail.timeout', default: DEFAULT_TIMEOUT_MS, min: 100, max: 60_000 }),
  agentMailHideWhenOffline: setting({ key: 'agentMail.hideWhenOffline', default: false }),
} as const;

/** The full id of a setting, for `affectsConfiguration`. */
export function settingId(s: Setting<unknown>): string {
  return `${SECTION}.${s.key}`;
}

/** A number setting as configured, clamped to its limits; its default when it is not a number. */
export function clampSetting(s: Setting<number>, v: unknown, round = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) return s.default;
  const n = Math.min(s.max ?? Infinity, Math.max(s.min ?? -Infinity, v));
  return round ? Math.round(n) : n;
}

/** A string setting, if it is one of its values; else its default. */
export function oneOf<T extends string>(s: Setting<T>, v: unknown): T {
  return typeof v === 'string' && (s.values ?? []).includes(v as T) ? (v as T) : s.default;
}
