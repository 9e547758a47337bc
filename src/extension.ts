// Dispatch Inbox: wires the core's live index to VS Code (src/ui/, one folder per surface).
// Activation stays cheap: the first scan of the root runs after activate() has returned.
import { loadStart } from './ui/common/clock';
import * as vscode from 'vscode';
import { COMMANDS } from './ui/common/ids';
import { Actions } from './ui/inbox/actions';
import { CadenceView } from './ui/cadences/cadences';
import { registerCommands } from './ui/inbox/commands';
import { Confirmation } from './ui/inbox/confirm';
import { PriorityDecorations } from './ui/inbox/decorations';
import { Notifier } from './ui/notify/notify';
import { prompts } from './ui/common/prompts';
import { registerRootCommands } from './ui/inbox/root';
import { registerReservations } from './ui/reservations/indicator';
import { Sender } from './ui/send/send';
import { SentTree, SentView } from './ui/sent/sent';
import { InboxSession } from './ui/common/session';
import { InboxTree } from './ui/inbox/tree';
import { InboxView } from './ui/inbox/view';
import { AgentSetup, registerAgentCommands } from './ui/agents/setup';
import { registerLanguageModelTools } from './ui/agents/tools';

/** The bundle's top level has run (imports evaluated); the heavy core is not among them. */
const loadEnd = performance.now();

export interface Timings {
  /** Evaluating this bundle's top level (imports included), ms. */
  load: number;
  /** Between the bundle's evaluation and the call of activate() (VS Code preparing the context), ms. */
  host: number;
  /** The body of activate(), ms. */
  activate: number;
  /** From the start of activate() to the first complete index of the root, ms (undefined until then). */
  firstIndex?: number;
}

/** What the extension returns from activate(): for the extension-host tests, not a public API. */
export interface InboxApi {
  session: InboxSession;
  tree: InboxTree;
  view: InboxView;
  actions: Actions;
  confirmation: Confirmation;
  sender: Sender;
  notifier: Notifier;
  decorations: PriorityDecorations;
  prompts: typeof prompts;
  cadences: CadenceView;
  timings: Timings;
  sent: SentTree;
  agents: AgentSetup;
}

export function activate(context: vscode.ExtensionContext): InboxApi {
  const t0 = performance.now();
  const log = vscode.window.createOutputChannel('Dispatch Inbox', { log: true });
  const session = new InboxSession(log);
  const tree = new InboxTree(session);
  const view = new InboxView(session, tree);
  const confirmation = new Confirmation();
  const actions = new Actions(session, prompts, confirmation);
  const sender = new Sender(session, prompts);
  const decorations = new PriorityDecorations();
  const cadences = new CadenceView(session, prompts);
  const sent = new SentView(session, actions);
  const agents = new AgentSetup(session, prompts, context.extensionPath, log);
  const notifier = new Notifier(session, prompts, context.globalState, log, (d) => vscode.commands.executeCommand(COMMANDS.open, d));
  context.subscriptions.push(
    log,
    session,
    tree,
    view,
    confirmation,
    sender,
    notifier,
    vscode.window.registerFileDecorationProvider(decorations),
    cadences,
    ...registerCommands(session, view, actions, sender, prompts),
    ...registerRootCommands(session, prompts),
    sent,
    ...registerAgentCommands(agents),
    ...registerLanguageModelTools(session),
  );
  registerReservations(context);

  const timings: Timings = { load: loadEnd - loadStart, host: t0 - loadEnd, activate: 0 };
  const ready = session.onDidBecomeReady(() => {
    timings.firstIndex = performance.now() - t0;
    log.info(`first index ready ${timings.firstIndex.toFixed(1)} ms after activation`);
    ready.dispose();
  });
  context.subscriptions.push(ready);
  void session.start();
  timings.activate = performance.now() - t0;
  log.info(`activated in ${timings.activate.toFixed(1)} ms (bundle top level ${timings.load.toFixed(1)} ms)`);
  return { session, tree, view, actions, confirmation, sender, notifier, decorations, prompts, cadences, timings, sent: sent.tree, agents };
}

export function deactivate(): void {}
