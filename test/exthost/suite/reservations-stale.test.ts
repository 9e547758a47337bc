// Stale and expiring Agent Mail reservations in a real VS Code, against the loopback double: marked in the
// hover and the pick; another agent's stale one offers Force Release… (modal confirmation naming the agent,
// the pattern and why it is stale) which goes through force_release_file_reservation, the holder notified;
// my own expiring one offers Renew first. The quick pick and the modal are answered by stubs that record
// what the extension offered, so the real code path runs from the item's command to the server.
import * as assert from 'node:assert/strict';
import { setup, suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ReservationsSnapshot } from '../../../src/ui/reservations/indicator';
import { AgentMailDouble, startAgentMailDouble } from '../../agentmail-double/server';
import type { DoubleReservationInput } from '../../agentmail-double/store';
import { activateExtension, waitFor } from '../helpers';

const ME = 'stale-tester';
const STALE = 41;
const ROWS: DoubleReservationInput[] = [
  { id: STALE, agent: 'CrashedAgent', path_pattern: 'src/legacy/**', reason: 'porting the parser', ttlSeconds: 1800, stale: true },
  { id: 42, agent: 'GreenCastle', path_pattern: 'lib/**', ttlSeconds: 1800 },
  { id: 43, agent: ME, path_pattern: 'docs/*.md', ttlSeconds: 5 * 60 },
  { id: 44, agent: ME, path_pattern: 'notes.md', ttlSeconds: 3600 },
];
const section = () => vscode.workspace.getConfiguration('dispatchInbox.agentMail');

type PickItem = vscode.QuickPickItem & { reservation?: { id: number | null } };
type Stubbed = { picks: PickItem[][]; warnings: { text: string; options: unknown; buttons: string[] }[]; errors: string[] };

/**
 * Answers the quick picks in turn (`choose[i]` picks from the i-th list) and the modal (`confirm`), and
 * records what was offered; notifications are recorded, never shown.
 */
function stubUi(choose: ((items: PickItem[]) => PickItem | undefined)[], confirm: string | undefined): { seen: Stubbed; restore: () => void } {
  const w = vscode.window as unknown as Record<string, unknown>;
  const saved = Object.fromEntries(['showQuickPick', 'showWarningMessage', 'showErrorMessage', 'showInformationMessage'].map((k) => [k, w[k]]));
  const seen: Stubbed = { picks: [], warnings: [], errors: [] };
  w.showQuickPick = async (items: PickItem[] | Thenable<PickItem[]>) => {
    const list = await items;
    const pick = choose[seen.picks.length];
    seen.picks.push(list);
    return pick?.(list);
  };
  w.showWarningMessage = (text: string, options: unknown, ...buttons: string[]) => {
    seen.warnings.push({ text, options, buttons });
    return Promise.resolve(typeof options === 'object' && options && (options as { modal?: boolean }).modal ? confirm : undefined);
  };
  w.showErrorMessage = (text: string) => {
    seen.errors.push(text);
    return Promise.resolve(undefined);
  };
  w.showInformationMessage = () => Promise.resolve(undefined);
  return { seen, restore: () => Object.assign(w, saved) };
}

const byId = (id: number) => (items: PickItem[]) => items.find((i) => i.reservation?.id === id);
const byLabel = (re: RegExp) => (items: PickItem[]) => items.find((i) => re.test(i.label));
const labels = (items: PickItem[]) => items.map((i) => i.label.replace(/^\$\([^)]*\)\s*/, ''));

function state(refresh = true): Thenable<ReservationsSnapshot> {
  return vscode.commands.executeCommand<ReservationsSnapshot>('dispatchInbox.reservations.state', { refresh });
}

suite('Agent Mail stale reservations', () => {
  let dbl: AgentMailDouble;
  let folder: string;
  let ui: ReturnType<typeof stubUi> | undefined;

  async function until(what: string, ok: (s: ReservationsSnapshot) => boolean): Promise<ReservationsSnapshot> {
    return waitFor(
      what,
      async () => {
        const s = await state();
        return ok(s) ? s : undefined;
      },
      15_000,
    );
  }

  suiteSetup(async () => {
    await activateExtension();
    folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    dbl = await startAgentMailDouble({ project: folder, reservations: ROWS });
    await section().update('pollInterval', 60, vscode.ConfigurationTarget.Global);
    await section().update('agentName', ME, vscode.ConfigurationTarget.Global);
    await section().update('url', dbl.url, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    for (const key of ['pollInterval', 'agentName', 'url']) await section().update(key, undefined, vscode.ConfigurationTarget.Global);
    await dbl?.close();
  });

  setup(async () => {
    await dbl.reset(ROWS);
    await until('the four reservations', (s) => s.state === 'ok' && s.url === dbl.url && s.count === 4);
  });
  teardown(() => {
    ui?.restore();
    ui = undefined;
  });

  test('the hover marks the stale one with the server’s reasons, and my expiring one', async () => {
    const s = await state(false);
    const others = s.tooltip.split("Others'")[1];
    assert.match(others, /\*\*CrashedAgent\*\* · ` src\/legacy\/\*\* ` .* \$\(history\) stale: agent inactive \\> 30 min, no recent mail activity \\> 15 min/);
    assert.doesNotMatch(others.split('\n').find((l) => l.includes('GreenCastle')) ?? '', /stale|expiring/);
    const yours = s.tooltip.split("Others'")[0];
    assert.match(yours.split('\n').find((l) => l.includes('docs/')) ?? '', /\$\(watch\) expiring soon/);
    assert.doesNotMatch(yours.split('\n').find((l) => l.includes('notes.md')) ?? '', /expiring/);
  });

  test("Force Release… on another agent's stale reservation: modal naming agent, pattern and reason; released on the server, holder notified, count drops", async () => {
    ui = stubUi([byId(STALE), byLabel(/Force Release…/)], 'Force Release');
    await vscode.commands.executeCommand('dispatchInbox.showReservations');
    const [list, actions] = ui.seen.picks;
    const row = list.find((i) => i.reservation?.id === STALE);
    assert.match(row?.description ?? '', /CrashedAgent · exclusive · in (29|30) min · stale/);
    assert.match(row?.detail ?? '', /porting the parser — stale: agent inactive > 30 min, no recent mail activity > 15 min/);
    assert.match(list.find((i) => i.reservation?.id === 43)?.description ?? '', /expiring soon/);
    assert.deepEqual(labels(actions).slice(0, 1), ['Force Release…']);
    assert.equal(ui.seen.warnings.length, 1);
    const modal = ui.seen.warnings[0];
    assert.equal(modal.text, "Force-release CrashedAgent's reservation of src/legacy/**?");
    assert.equal((modal.options as { modal: boolean }).modal, true);
    assert.match(
      (modal.options as { detail: string }).detail,
      /stale: agent inactive > 30 min, no recent mail activity > 15 min\..*tells CrashedAgent by mail/,
    );
    assert.deepEqual(modal.buttons, ['Force Release']);
    const call = dbl.calls.filter((c) => c.rpc?.method === 'tools/call').at(-1)?.rpc?.params as { name: string; arguments: Record<string, unknown> };
    assert.equal(call.name, 'force_release_file_reservation');
    assert.deepEqual(call.arguments, { project_key: folder, agent_name: ME, file_reservation_id: STALE, notify_previous: true });
    assert.ok(!(dbl.store.list(true) as { id: number }[]).some((r) => r.id === STALE), 'released on the server');
    assert.deepEqual(
      dbl.store.notifications.map((n) => [n.to, n.from]),
      [['CrashedAgent', ME]],
    );
    const after = await state(false);
    assert.equal(after.count, 3, 'the item refreshed at once');
    assert.deepEqual(ui.seen.errors, []);
  });

  test('cancelling the modal changes nothing; an active holder is not offered Force Release', async () => {
    ui = stubUi([byId(STALE), byLabel(/Force Release…/)], undefined);
    await vscode.commands.executeCommand('dispatchInbox.showReservations');
    assert.equal(ui.seen.warnings.length, 1);
    assert.equal(dbl.calls.filter((c) => c.rpc?.method === 'tools/call').length, 0);
    ui.restore();
    ui = stubUi([byId(42), () => undefined], undefined);
    await vscode.commands.executeCommand('dispatchInbox.showReservations');
    assert.ok(!labels(ui.seen.picks[1]).some((l) => /Force Release/.test(l)), labels(ui.seen.picks[1]).join(', '));
    assert.equal((await state(false)).count, 4);
  });

  test('my expiring reservation offers Renew first; my other one offers Release first', async () => {
    ui = stubUi([byId(43), () => undefined], undefined);
    await vscode.commands.executeCommand('dispatchInbox.showReservations');
    assert.deepEqual(labels(ui.seen.picks[1]).slice(0, 3), ['Renew for 30 min', 'Renew for 1 h', 'Release']);
    ui.restore();
    ui = stubUi([byId(44), () => undefined], undefined);
    await vscode.commands.executeCommand('dispatchInbox.showReservations');
    assert.deepEqual(labels(ui.seen.picks[1]).slice(0, 3), ['Release', 'Renew for 30 min', 'Renew for 1 h']);
  });

  test('the server refusing (the holder came back) is one error message; the reservation stays', async () => {
    // The item still lists it as stale; the server now sees activity.
    dbl.store.set(ROWS.map((r) => ({ ...r, stale: false })));
    ui = stubUi([], 'Force Release');
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('dispatchInbox.reservations.forceRelease', STALE)), /refusing forced release/);
    assert.equal(ui.seen.errors.length, 1);
    assert.match(ui.seen.errors[0], /^Could not force-release src\/legacy\/\*\*: .*refusing forced release/);
    assert.ok((dbl.store.list(true) as { id: number }[]).some((r) => r.id === STALE));
    assert.equal(dbl.store.notifications.length, 0);
  });
});
