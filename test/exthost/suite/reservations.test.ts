// The Agent Mail reservations status-bar item in a real VS Code, against the loopback Agent Mail double
// started here in the extension host: count, states (offline, 401/403, not Agent Mail, 5xx), the
// warning colour for another agent's exclusive hold on the active file, tokens from SecretStorage, and
// release/renew through the real tools; quiet with the default URL until Agent Mail has answered once.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setup, suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ReservationsSnapshot } from '../../../src/ui/reservations/indicator';
import { AgentMailDouble, startAgentMailDouble } from '../../agentmail-double/server';
import { activateExtension, waitFor } from '../helpers';

const ME = 'tester';
const WARNING = 'statusBarItem.warningBackground';
const section = () => vscode.workspace.getConfiguration('dispatchInbox.agentMail');

function state(refresh = true): Thenable<ReservationsSnapshot> {
  return vscode.commands.executeCommand<ReservationsSnapshot>('dispatchInbox.reservations.state', { refresh });
}

/** Waits until the item shows what `ok` accepts (each probe polls the server afresh). */
async function until(what: string, ok: (s: ReservationsSnapshot) => boolean, timeoutMs = 15_000): Promise<ReservationsSnapshot> {
  let last: ReservationsSnapshot | undefined;
  try {
    return await waitFor(
      what,
      async () => {
        last = await state();
        return ok(last) ? last : undefined;
      },
      timeoutMs,
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}; last state: ${JSON.stringify(last, null, 1)}`);
  }
}

type Shown = { level: string; text: string };

/** Records every notification the extension shows (none should come from polling). */
function spyNotifications(): { shown: Shown[]; restore: () => void } {
  const shown: Shown[] = [];
  const w = vscode.window as unknown as Record<string, unknown>;
  const saved: Record<string, unknown> = {};
  for (const name of ['showInformationMessage', 'showWarningMessage', 'showErrorMessage']) {
    saved[name] = w[name];
    w[name] = (text: string) => {
      shown.push({ level: name, text });
      return Promise.resolve(undefined);
    };
  }
  return { shown, restore: () => Object.assign(w, saved) };
}

suite('Agent Mail reservations', () => {
  let dbl: AgentMailDouble;
  let folder: string;
  let spy: ReturnType<typeof spyNotifications>;
  const settingsSet = new Set<string>();

  async function set(key: string, value: unknown): Promise<void> {
    settingsSet.add(key);
    await section().update(key, value, vscode.ConfigurationTarget.Global);
  }

  async function open(rel: string): Promise<void> {
    const file = path.join(folder, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    if (!fs.existsSync(file)) fs.writeFileSync(file, `// ${rel}\n`);
    await vscode.window.showTextDocument(vscode.Uri.file(file));
  }

  suiteSetup(async () => {
    await activateExtension();
    const ws = vscode.workspace.workspaceFolders?.[0];
    assert.ok(ws, 'the test workspace has no folder');
    folder = ws.uri.fsPath;
    dbl = await startAgentMailDouble({
      project: folder,
      registrationTokens: { [ME]: 'reg-tester' },
      reservations: [
        { agent: 'claude-alpha', path_pattern: 'src/core/**', reason: 'refactoring the index', ttlSeconds: 1800 },
        { agent: 'BlueLake', path_pattern: 'notes.txt', exclusive: false, reason: 'docs pass', ttlSeconds: 600 },
        { agent: ME, path_pattern: 'docs/*.md', reason: 'writing the guide', ttlSeconds: 900 },
      ],
    });
    // A long interval: every check below asks for its own poll, so nothing depends on timing.
    await set('pollInterval', 60);
    await set('agentName', ME);
    await set('url', dbl.url);
  });

  suiteTeardown(async () => {
    for (const key of settingsSet) await section().update(key, undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('dispatchInbox.clearAgentMailToken');
    await vscode.commands.executeCommand('dispatchInbox.setAgentMailRegistrationToken', '');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await dbl?.close();
  });

  setup(() => {
    spy = spyNotifications();
  });
  teardown(async () => {
    spy.restore();
    await dbl.setMode('normal');
  });

  test('shows $(lock) N from the server, with mine apart from others in the tooltip', async () => {
    const t0 = Date.now();
    const s = await until('3 reservations', (x) => x.state === 'ok' && x.count === 3);
    console.log(`[exthost]     (first answer after the URL setting: ≤ ${Date.now() - t0} ms)`);
    assert.equal(s.text, '$(lock) 3');
    assert.equal(s.visible, true);
    assert.equal(s.background, undefined);
    assert.equal(s.mine, 1);
    assert.equal(s.project, folder, 'the project defaults to the workspace folder');
    assert.equal(s.agent, ME);
    const [yours, others] = s.tooltip.split("Others'");
    assert.match(yours, /Yours \\\(1, as tester\\\)/);
    assert.match(yours, /docs\/\*\.md/);
    assert.match(yours, /writing the guide/);
    assert.doesNotMatch(yours, /claude-alpha/);
    assert.match(others, /\*\*claude-alpha\*\* · ` src\/core\/\*\* ` · exclusive · expires in (29|30) min · \*refactoring the index\*/);
    assert.match(others, /BlueLake\*\* · ` notes\.txt ` · shared/);
    const list = dbl.calls.filter((c) => c.rpc?.method === 'resources/read');
    assert.ok(list.length > 0, 'the real resources/read was used');
    assert.equal(spy.shown.length, 0);
  });

  test('the warning colour and "held by" when another agent holds the active file exclusively', async () => {
    await open('src/core/index.ts');
    const s = await until('the warning state', (x) => x.background === WARNING);
    assert.equal(s.text, '$(lock) 3 · held by claude-alpha');
    assert.deepEqual(s.holders, ['claude-alpha']);
    assert.equal(s.activePath, 'src/core/index.ts');
    assert.match(s.tooltip, /is held exclusively by \*\*claude-alpha\*\*/);
    // A shared reservation by someone else, and my own exclusive one: no warning.
    await open('notes.txt');
    assert.equal((await until('notes.txt active', (x) => x.activePath === 'notes.txt')).background, undefined);
    await open('docs/guide.md');
    const mine = await until('docs/guide.md active', (x) => x.activePath === 'docs/guide.md');
    assert.equal(mine.background, undefined);
    assert.equal(mine.text, '$(lock) 3');
  });

  test('offline: a quiet "Agent Mail offline", no notification; hidden with hideWhenOffline', async () => {
    await dbl.setMode('down');
    const s = await until('offline', (x) => x.state === 'offline');
    assert.equal(s.text, '$(circle-slash) Agent Mail offline');
    assert.equal(s.visible, true);
    assert.equal(s.background, undefined);
    assert.equal(s.count, 0, 'reservations seen before are not shown as current');
    assert.match(s.tooltip, /cannot reach Agent Mail/);
    await set('hideWhenOffline', true);
    await until('hidden while offline', (x) => x.state === 'offline' && !x.visible);
    await dbl.setMode('normal');
    const back = await until('back online', (x) => x.state === 'ok');
    assert.equal(back.visible, true);
    await set('hideWhenOffline', false);
    assert.deepEqual(spy.shown, [], 'polling never shows a notification');
  });

  test('401 and 403: the unauthorized state, whose tooltip links "Set Agent Mail Token"', async () => {
    await dbl.setMode('401');
    const s = await until('unauthorized', (x) => x.state === 'unauthorized');
    assert.equal(s.text, '$(key) Agent Mail: token needed');
    assert.match(s.tooltip, /\(command:dispatchInbox\.setAgentMailToken\)/);
    await dbl.setMode('403');
    const f = await until('forbidden', (x) => x.state === 'unauthorized' && x.error?.kind === 'forbidden');
    assert.equal(f.text, '$(key) Agent Mail: access denied');
    assert.deepEqual(spy.shown, []);
  });

  test('the token set by "Set Agent Mail Token" (SecretStorage) is sent; "Clear" takes it back', async () => {
    const guarded = await startAgentMailDouble({ project: folder, token: 'sekret', reservations: [{ agent: 'x', path_pattern: 'a.txt' }] });
    try {
      await set('url', guarded.url);
      await until('unauthorized without a token', (x) => x.url === guarded.url && x.state === 'unauthorized');
      await vscode.commands.executeCommand('dispatchInbox.setAgentMailToken', 'sekret');
      const s = await until('ok with the token', (x) => x.state === 'ok' && x.count === 1);
      assert.equal(s.url, guarded.url);
      assert.equal(guarded.calls.at(-1)?.headers.authorization, 'Bearer sekret');
      const settingsText = JSON.stringify(vscode.workspace.getConfiguration('dispatchInbox'));
      assert.ok(!settingsText.includes('sekret'), 'the token is not in the settings');
      await vscode.commands.executeCommand('dispatchInbox.clearAgentMailToken');
      await until('unauthorized again', (x) => x.state === 'unauthorized');
    } finally {
      await set('url', dbl.url);
      await guarded.close();
    }
    await until('back on the main double', (x) => x.url === dbl.url && x.state === 'ok');
  });

  test('HTML (an SPA fallback) and garbage are "not Agent Mail"; 5xx is a server error', async () => {
    await dbl.setMode('html');
    const html = await until('bad-response for HTML', (x) => x.state === 'bad-response');
    assert.equal(html.text, '$(warning) Agent Mail: unexpected reply');
    await dbl.setMode('normal');
    await until('ok', (x) => x.state === 'ok');
    await dbl.setMode('garbage');
    const garbage = await until('bad-response for garbage', (x) => x.state === 'bad-response');
    assert.equal(garbage.error?.kind, 'bad-response');
    await dbl.setMode('500');
    const s = await until('server error', (x) => x.state === 'server-error');
    assert.equal(s.text, '$(warning) Agent Mail: server error');
    assert.deepEqual(spy.shown, []);
  });

  test('an invalid URL setting: "check settings"; fixing it recovers at once', async () => {
    await set('url', 'ftp://example.invalid');
    const s = await until('config', (x) => x.state === 'config');
    assert.equal(s.text, '$(gear) Agent Mail: check settings');
    await set('url', dbl.url);
    await until('ok', (x) => x.state === 'ok' && x.url === dbl.url);
  });

  test('a token is never sent over plain http to another machine: its own state, no request', async () => {
    await vscode.commands.executeCommand('dispatchInbox.setAgentMailToken', 'sekret');
    try {
      // 192.0.2.1 (TEST-NET-1) is not loopback; nothing would answer there anyway.
      await set('url', 'http://192.0.2.1:8765');
      const s = await until('insecure-token', (x) => x.state === 'insecure-token');
      assert.equal(s.text, '$(shield) Agent Mail: use https');
      assert.equal(s.visible, true);
      assert.equal(s.error?.kind, 'config');
      assert.match(s.tooltip, /token not sent over http to a non-loopback host; use https/i);
      // Loopback http keeps working with the token.
      await set('url', dbl.url);
      await until('ok on loopback with the token', (x) => x.state === 'ok' && x.url === dbl.url);
      assert.equal(dbl.calls.at(-1)?.headers.authorization, 'Bearer sekret');
    } finally {
      await vscode.commands.executeCommand('dispatchInbox.clearAgentMailToken');
      await set('url', dbl.url);
    }
    assert.deepEqual(spy.shown, []);
  });

  test('an absolute-path project: a file outside it (another workspace folder) gets no "held by"', async () => {
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'am-project-b-'));
    const other = await startAgentMailDouble({ project: elsewhere, reservations: [{ agent: 'claude-alpha', path_pattern: 'src/core/**' }] });
    try {
      await set('url', other.url);
      await set('project', elsewhere);
      // Same relative path, but in the workspace folder, not in the project: not held.
      await open('src/core/index.ts');
      const s = await until('the other project listed', (x) => x.state === 'ok' && x.url === other.url && x.count === 1);
      assert.equal(s.project, elsewhere);
      assert.equal(s.activePath, undefined);
      assert.deepEqual(s.holders, []);
      assert.equal(s.background, undefined);
      // The same path inside the project is held.
      const inside = path.join(elsewhere, 'src', 'core', 'index.ts');
      fs.mkdirSync(path.dirname(inside), { recursive: true });
      fs.writeFileSync(inside, '// held\n');
      await vscode.window.showTextDocument(vscode.Uri.file(inside));
      const held = await until('held inside the project', (x) => x.background === WARNING);
      assert.equal(held.activePath, 'src/core/index.ts');
      assert.deepEqual(held.holders, ['claude-alpha']);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await set('project', undefined);
      await set('url', dbl.url);
      await other.close();
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
    await until('back on the main double', (x) => x.url === dbl.url && x.project === folder && x.state === 'ok');
  });

  test('the default URL: hidden until Agent Mail has answered once, then its outages show', async function () {
    if (process.env.BEADS_AGENT_MAIL_URL || process.env.AGENT_MAIL_URL) this.skip();
    // The default address is fixed (127.0.0.1:8765): the double takes it, unless something else has.
    let home: AgentMailDouble;
    try {
      home = await startAgentMailDouble({ port: 8765, project: folder, mode: 'down', reservations: [{ agent: 'x', path_pattern: 'a.txt' }] });
    } catch {
      console.log('[exthost]     (127.0.0.1:8765 is taken: skipped)');
      return this.skip();
    }
    try {
      await set('url', undefined);
      const quiet = await until('offline on the default URL', (x) => x.state === 'offline' && x.url === 'http://127.0.0.1:8765');
      assert.equal(quiet.visible, false, 'nothing shows for someone who does not use Agent Mail');
      assert.equal(quiet.text, '$(circle-slash) Agent Mail offline');
      await home.setMode('normal');
      const up = await until('the first answer', (x) => x.state === 'ok' && x.count === 1);
      assert.equal(up.visible, true);
      await home.setMode('down');
      const down = await until('offline after being online', (x) => x.state === 'offline');
      assert.equal(down.visible, true, 'once it has been online, an outage shows');
    } finally {
      await set('url', dbl.url);
      await home.close();
    }
    await until('back on the main double', (x) => x.url === dbl.url && x.state === 'ok');
    assert.deepEqual(spy.shown, []);
  });

  test('releasing my reservation goes through release_file_reservations (with the registration token) and refreshes the item', async () => {
    const before = await until('3 reservations', (x) => x.state === 'ok' && x.count === 3);
    const mine = (dbl.store.list(true) as { id: number; agent: string }[]).find((r) => r.agent === ME);
    assert.ok(mine);
    // Without the registration token the server refuses: the user is told, nothing changes.
    await assert.rejects(Promise.resolve(vscode.commands.executeCommand('dispatchInbox.reservations.release', mine.id)), /registration_token/);
    assert.equal(spy.shown.length, 1);
    assert.match(spy.shown[0].text, /Could not release docs\/\*\.md/);
    assert.equal(dbl.store.list(true).length, 3);

    await vscode.commands.executeCommand('dispatchInbox.setAgentMailRegistrationToken', 'reg-tester');
    const released = await vscode.commands.executeCommand<number>('dispatchInbox.reservations.release', mine.id);
    assert.equal(released, 1);
    const call = dbl.calls.filter((c) => c.rpc?.method === 'tools/call').at(-1);
    const args = call?.rpc?.params as { name: string; arguments: Record<string, unknown> } | undefined;
    assert.equal(args?.name, 'release_file_reservations');
    assert.deepEqual(args?.arguments, { project_key: folder, agent_name: ME, file_reservation_ids: [mine.id], registration_token: 'reg-tester' });
    assert.equal(dbl.store.list(true).length, 2, "the server's state changed");
    const after = await state(false);
    assert.equal(after.count, before.count - 1, 'the item refreshed without waiting for the next poll');
    assert.equal(after.mine, 0);
  });

  test('renewing my reservation extends it on the server', async () => {
    dbl.setReservations([
      { agent: ME, path_pattern: 'docs/*.md', ttlSeconds: 120 },
      { agent: 'claude-alpha', path_pattern: 'src/core/**', ttlSeconds: 1800 },
    ]);
    const s = await until('my short reservation', (x) => x.state === 'ok' && x.mine === 1 && x.count === 2);
    assert.match(s.tooltip, /docs\/\*\.md ` · exclusive · expires in (1|2) min/);
    const renewed = await vscode.commands.executeCommand<number>('dispatchInbox.reservations.renew', 'docs/*.md', 3600);
    assert.equal(renewed, 1);
    assert.match((await state(false)).tooltip, /docs\/\*\.md ` · exclusive · expires in 1 h (1|2) min/);
  });

  test('disabled: the item is hidden and nothing is polled', async () => {
    await set('enabled', false);
    const s = await until('disabled', (x) => x.state === 'disabled');
    assert.equal(s.visible, false);
    const calls = dbl.calls.length;
    await state(true);
    assert.equal(dbl.calls.length, calls);
    await set('enabled', true);
    await until('enabled again', (x) => x.state === 'ok');
  });
});
