// Force Release… of another agent's stale reservation: a modal confirmation naming the holder, the pattern
// and why the server calls it stale, then Agent Mail's force_release_file_reservation (which checks again,
// releases only if it still looks abandoned, and mails the holder).
import * as vscode from 'vscode';
import { AgentMailClient, Reservation, staleReasonsText } from '../../core/agentmail';
import { oneLine } from '../../core/format/text';

export interface ForceReleaseDeps {
  client: AgentMailClient;
  /** Shows an error of an action the user asked for. */
  failed(what: string, e: unknown): Promise<void>;
  pollNow(): Promise<void>;
}

/** Returns how many were released (0 when the user cancelled or it was already gone). */
export async function confirmAndForceRelease(deps: ForceReleaseDeps, r: Reservation): Promise<number> {
  if (r.id === null) return 0;
  const agent = oneLine(r.agent, 40);
  const pattern = oneLine(r.path_pattern, 80);
  const reasons = staleReasonsText(r.stale_reasons) || vscode.l10n.t('no reason given');
  const button = vscode.l10n.t('Force Release');
  const answer = await vscode.window.showWarningMessage(
    vscode.l10n.t("Force-release {0}'s reservation of {1}?", agent, pattern),
    {
      modal: true,
      detail: vscode.l10n.t(
        'Agent Mail calls it stale: {0}. The server checks again and releases it only if it still looks abandoned, then tells {1} by mail.',
        reasons,
        agent,
      ),
    },
    button,
  );
  if (answer !== button) return 0;
  try {
    const out = await deps.client.forceRelease({ id: r.id, notify: true });
    if (out.released > 0) {
      const told = out.reservation?.notified ? vscode.l10n.t('{0} notified', agent) : vscode.l10n.t('{0} not notified', agent);
      vscode.window.setStatusBarMessage(vscode.l10n.t('$(unlock) Force-released {0} ({1})', pattern, told), 6000);
    } else {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} was already released.', pattern));
    }
    return out.released;
  } catch (e) {
    void deps.failed(vscode.l10n.t('Could not force-release {0}', pattern), e);
    throw e;
  } finally {
    await deps.pollNow();
  }
}
