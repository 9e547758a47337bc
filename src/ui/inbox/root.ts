// The root folder: create it (with team inboxes) when it is missing, or choose another one. The view's
// welcome content links here when `dispatchInbox.state == rootMissing`.
import * as vscode from 'vscode';
import { isTeamName } from '../../core/format/format';
import { COMMANDS, SECTION, SETTINGS } from '../common/ids';
import { Prompts } from '../common/prompts';
import { InboxSession } from '../common/session';
import { plain } from '../common/text';

export function registerRootCommands(session: InboxSession, prompts: Prompts): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMMANDS.createRoot, async () => {
      await session.whenLoaded();
      const root = session.store.root;
      const answer = await prompts.input({
        title: vscode.l10n.t('Create dispatch folders in {0}', root),
        prompt: vscode.l10n.t('Team inboxes to create, separated by commas or spaces (may be empty)'),
        value: session.config.myTeams.join(', '),
        validateInput: (v) => {
          const bad = split(v).filter((t) => !isTeamName(t));
          return bad.length ? vscode.l10n.t('Not a valid team name: {0} (use a-z, 0-9, "_" and "-")', bad.join(', ')) : undefined;
        },
      });
      if (answer === undefined) return false;
      try {
        await vscode.workspace.fs.createDirectory(vscode.Uri.file(root));
        await session.store.init(split(answer));
      } catch (e) {
        void prompts.warn(vscode.l10n.t('Could not create {0}: {1}', plain(root), plain((e as Error).message)));
        return false;
      }
      await session.start();
      return true;
    }),
    vscode.commands.registerCommand(COMMANDS.chooseRoot, async () => {
      const picked = await prompts.openFolder(vscode.l10n.t('Use as Dispatch Root'));
      if (!picked?.[0]) return false;
      const c = vscode.workspace.getConfiguration(SECTION);
      // Write where the current value comes from, so the choice takes effect; else the user settings.
      const inWorkspace = c.inspect(SETTINGS.root.key)?.workspaceValue !== undefined && vscode.workspace.isTrusted;
      await c.update(SETTINGS.root.key, picked[0].fsPath, inWorkspace ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);
      return true;
    }),
  ];
}

function split(v: string): string[] {
  return v.split(/[\s,]+/).filter(Boolean);
}
