// Resolve Conflict: a sync tool's conflict copy and its dispatch (core/store/synced.ts). Both versions can be
// compared side by side; keeping one sends the other to the root's own trash, `<root>/.trash/<team>/`.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Dispatch } from '../../core/api';
import { Prompts } from '../common/prompts';
import { InboxSession, loadCore } from '../common/session';
import { plain } from '../common/text';

type Choice = 'compare' | 'original' | 'copy';

export async function resolveConflict(session: InboxSession, prompts: Prompts, d: Dispatch): Promise<void> {
  const core = await loadCore();
  let c;
  try {
    c = await core.findConflict(session.store, d.path);
  } catch (e) {
    session.recheck(d);
    return void prompts.warn(plain((e as Error).message));
  }
  const { original, copy } = c;
  for (;;) {
    const items: { label: string; detail?: string; value: Choice }[] = [];
    if (original) {
      items.push({ label: vscode.l10n.t('Compare the two versions'), value: 'compare' });
      items.push({ label: vscode.l10n.t('Keep the original'), detail: plain(original.fileName), value: 'original' });
    }
    items.push({ label: vscode.l10n.t('Keep the {0} copy', c.tool), detail: plain(copy.fileName), value: 'copy' });
    const choice = await prompts.pickOne(vscode.l10n.t('“{0}” has two versions ({1} conflict)', plain(copy.title), c.tool), items);
    if (!choice) return;
    if (choice === 'compare' && original) {
      await vscode.commands.executeCommand(
        'vscode.diff',
        vscode.Uri.file(original.path),
        vscode.Uri.file(copy.path),
        vscode.l10n.t('{0} ↔ {1} copy', plain(original.fileName), c.tool),
      );
      continue;
    }
    try {
      const r = await core.keepVersion(session.store, c, choice === 'copy' ? 'copy' : 'original');
      const trash = r.trashed ? ' ' + vscode.l10n.t('The other version is in {0}.', plain(path.dirname(r.trashed))) : '';
      void prompts.info(vscode.l10n.t('Kept “{0}”.', plain(r.kept.fileName)) + trash);
    } catch (e) {
      for (const x of [copy, original]) if (x) session.recheck(x);
      void prompts.warn(plain((e as Error).message));
    }
    return;
  }
}
