// Outside changes (another window, a terminal, an agent) reach the tree, the badge and notifications;
// a missing root shows the welcome state and can be created.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { InboxApi } from '../../../src/extension';
import { answer, boxLabels, children, inboxSuite, label, listen, minutesAgo, Said, tempRoot, TempRoot, waitFor } from './ui-fixture';

/** Link syntax a notification would render (`[label](command:…)`), and codicon syntax (`$(icon)`). */
const ACTIVE_TEXT = /\]\(|\$\(/;

suite('live updates', () => {
  const s = inboxSuite(['engineering', 'qa'], { myTeams: ['engineering'] });
  let api: InboxApi;
  let t: TempRoot;
  let saved: Pick<InboxApi['notifier'], 'focused' | 'minInterval'>;
  suiteSetup(() => {
    ({ api, t } = s);
    // This window counts as focused, and toasts are not spaced out, unless a test says otherwise.
    saved = { focused: api.notifier.focused, minInterval: api.notifier.minInterval };
    Object.assign(api.notifier, { focused: () => true, minInterval: 0 });
  });
  suiteTeardown(() => void Object.assign(api.notifier, saved));

  /** Records the notifications of `fn`, with this window focused or not and toasts spaced `minInterval` ms. */
  async function notifications(o: { focused?: boolean; minInterval?: number }, fn: (said: Said[]) => Promise<void>): Promise<void> {
    const heard = listen(api);
    Object.assign(api.notifier, { focused: () => o.focused ?? true, minInterval: o.minInterval ?? 0 });
    try {
      await fn(heard.said);
    } finally {
      heard.restore();
      Object.assign(api.notifier, { focused: () => true, minInterval: 0 });
    }
  }
  const quietFor = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test('a dispatch delivered from outside appears, with the badge and the tree refreshed', async () => {
    let fired = 0;
    const sub = api.tree.onDidChangeTreeData(() => fired++);
    try {
      await t.store.deliver({ to: 'engineering', from: 'qa', priority: 'normal', title: 'From a terminal' });
      await waitFor('the row', () => boxLabels(api, 'engineering', 'new').includes('From a terminal'));
      await waitFor('the badge', () => api.view.view.badge?.value === 1);
      await waitFor('a tree refresh', () => fired > 0);
    } finally {
      sub.dispose();
    }
  });

  test('acknowledged elsewhere: the row moves to Acknowledged', async () => {
    const d = api.session.index!.list('engineering', 'new')[0];
    await t.store.acknowledge(d.path);
    await waitFor(
      'moved',
      () => boxLabels(api, 'engineering', 'cur').includes('From a terminal') && !boxLabels(api, 'engineering', 'new').includes('From a terminal'),
    );
    await waitFor('no badge', () => api.view.view.badge === undefined);
  });

  test('a burst of 500 arrivals is one refresh at a time and all counted', async () => {
    let fired = 0;
    const sub = api.tree.onDidChangeTreeData(() => fired++);
    try {
      await Promise.all(
        Array.from({ length: 500 }, (_, i) => t.store.deliver({ to: 'qa', from: 'engineering', priority: 'low', title: `Bulk ${i}`, created: minutesAgo(i) })),
      );
      await waitFor('500 in qa/new', () => api.session.index?.count('qa', 'new') === 500, 15_000);
      await new Promise((r) => setTimeout(r, 400));
      assert.ok(fired < 60, `the tree refreshed ${fired} times for 500 arrivals`);
      assert.match(String(api.tree.getTreeItem(api.tree.teamNode('qa')).description), /^500 new/);
      // The host reads their front matter in the background for a while: the next tests start once it is done.
      await waitFor('the 500 read', () => api.session.index?.list('qa', 'new').every((d) => d.meta), 30_000);
    } finally {
      sub.dispose();
    }
  });

  test('a team folder made outside appears', async () => {
    await t.store.init(['design']);
    await waitFor('design', () => children(api).some((n) => label(api, n) === 'design'));
  });

  test('an urgent arrival for my team notifies, with Open and Acknowledge that work', async () => {
    const heard = listen(api, (s) => (s.actions.includes('Acknowledge') ? 'Acknowledge' : undefined));
    try {
      const d = await t.store.deliver({ to: 'engineering', from: 'qa', priority: 'urgent', title: 'Prod is down' });
      const s = await waitFor('the notification', () => heard.said.find((x) => x.text.includes('Prod is down')), 15_000);
      assert.equal(s.text, 'urgent dispatch for engineering from qa: “Prod is down”');
      assert.deepEqual(s.actions, ['Open', 'Acknowledge']);
      await waitFor('acknowledged from the notification', () => fs.existsSync(path.join(t.root, 'engineering', 'cur', d.fileName)));
    } finally {
      heard.restore();
    }
  });

  test('below the threshold, or for other teams: no notification', async () => {
    const heard = listen(api);
    try {
      await t.store.deliver({ to: 'engineering', from: 'qa', priority: 'normal', title: 'Quiet one' });
      await t.store.deliver({ to: 'qa', from: 'engineering', priority: 'urgent', title: 'Not mine' });
      await waitFor(
        'indexed',
        () => boxLabels(api, 'engineering', 'new').includes('Quiet one') && api.session.index?.list('qa', 'new').some((d) => d.title === 'Not mine'),
      );
      await new Promise((r) => setTimeout(r, 800));
      assert.deepEqual(
        heard.said.map((s) => s.text),
        [],
      );
    } finally {
      heard.restore();
    }
  });

  test('titles and senders from files cannot put links or icons into a notification', async () => {
    await notifications({}, async (said) => {
      // A file that does not follow the naming rule: priority and sender come from its front matter.
      const file = path.join(t.root, 'engineering', 'new', 'hostile.md');
      fs.writeFileSync(
        file,
        '---\npriority: urgent\nfrom: "[qa](command:workbench.action.quit)"\n---\n# Done [click](command:workbench.action.quit) $(alert)\n',
      );
      const s = await waitFor('the notification', () => said.find((x) => x.text.includes('click')), 15_000);
      assert.doesNotMatch(s.text, ACTIVE_TEXT, s.text);
      assert.match(s.text, /Done \[click\]\u200b\(command:workbench\.action\.quit\) \$\u200b\(alert\)/, 'the words are all still there');
      fs.unlinkSync(file);
    });
  });

  test('a window in the background announces only urgent arrivals (the focused window announces the rest)', async () => {
    await notifications({ focused: false }, async (said) => {
      await t.store.deliver({ to: 'engineering', from: 'qa', priority: 'high', title: 'Background high' });
      await t.store.deliver({ to: 'engineering', from: 'qa', priority: 'urgent', title: 'Background urgent' });
      await waitFor('the urgent one', () => said.find((x) => x.text.includes('Background urgent')), 15_000);
      await quietFor(600);
      assert.deepEqual(
        said.map((x) => x.text),
        ['urgent dispatch for engineering from qa: “Background urgent”'],
      );
    });
  });

  test('a steady trickle of arrivals is one toast per interval; the rest are counted in the next', async () => {
    await notifications({ minInterval: 3000 }, async (said) => {
      await quietFor(3000); // the interval since the previous test's toast
      for (const title of ['Trickle 1', 'Trickle 2', 'Trickle 3']) {
        await t.store.deliver({ to: 'engineering', from: 'qa', priority: 'high', title });
        await quietFor(500);
      }
      assert.deepEqual(
        said.map((x) => x.text),
        ['high dispatch for engineering from qa: “Trickle 1”'],
        'one toast within the interval',
      );
      await waitFor('the batch', () => said.length === 2, 4000);
      assert.equal(said[1].text, '2 dispatches arrived for engineering.');
      await quietFor(600);
      assert.equal(said.length, 2);
    });
  });

  test('a move that did not happen does not hush a genuine later arrival of that name', async () => {
    await notifications({}, async (said) => {
      const d = await t.store.deliver({ to: 'engineering', from: 'qa', priority: 'urgent', title: 'Comes back' });
      await waitFor('announced', () => said.some((x) => x.text.includes('Comes back')));
      const cur = (await t.store.acknowledge(d)).dispatch;
      const text = fs.readFileSync(cur.path, 'utf8');
      fs.unlinkSync(cur.path); // an agent removed it, and this window has not noticed yet
      const r = await api.actions.markAsNew([cur]);
      assert.equal(r.gone.length, 1);
      said.length = 0;
      fs.writeFileSync(path.join(t.root, 'engineering', 'new', d.fileName), text); // and later delivers it again
      await waitFor('announced again', () => said.some((x) => x.text.includes('Comes back')));
    });
  });

  test('overlapping starts (Create Dispatch Folders during the root poll, fast root edits) leave one index watching', async () => {
    type Proto = Record<'start' | 'dispose' | 'exists', (this: object) => unknown>;
    const indexProto = Object.getPrototypeOf(api.session.index!) as Proto;
    const storeProto = Object.getPrototypeOf(api.session.store) as Proto;
    const orig = { start: indexProto.start, dispose: indexProto.dispose, exists: storeProto.exists };
    const live = new Set<object>();
    let second: Promise<void> | undefined;
    indexProto.start = function () {
      live.add(this);
      return orig.start.call(this);
    };
    indexProto.dispose = function () {
      live.delete(this);
      return orig.dispose.call(this);
    };
    // The second start begins while the first waits for the disk to say whether the root exists.
    storeProto.exists = function () {
      second ??= api.session.start();
      return orig.exists.call(this);
    };
    try {
      await api.session.start();
      await waitFor('the second start', () => second !== undefined);
      await second;
      assert.equal(api.session.state, 'ready');
      assert.equal(live.size, 1, `${live.size} indexes are watching`);
      assert.ok(live.has(api.session.index!), "the one watching is the session's");
    } finally {
      Object.assign(indexProto, { start: orig.start, dispose: orig.dispose });
      storeProto.exists = orig.exists;
      for (const i of live) if (i !== api.session.index) (i as { dispose(): void }).dispose();
    }
  });

  test("the summary line is the CLI's, and pops up only when it changed", async () => {
    const heard = listen(api);
    try {
      const line = await api.notifier.summarise();
      assert.match(line!, /^dispatch: engineering \d+ new( \(\d+ urgent(, \d+ high)?\)| \(\d+ high\))?$/);
      const again = await api.notifier.summarise();
      assert.equal(again, line);
      assert.ok(heard.said.filter((s) => s.text === line).length <= 1, 'the same summary is not shown twice');
    } finally {
      heard.restore();
    }
  });

  test('a missing root: welcome state; "Create Dispatch Folders" creates it and the teams', async () => {
    const missing = await tempRoot(api, [], false);
    const restore = answer(api, { input: async () => 'alpha, beta' });
    try {
      assert.equal(api.session.state, 'rootMissing');
      assert.deepEqual(children(api), []);
      assert.equal(await vscode.commands.executeCommand('dispatchInbox.createRoot'), true);
      for (const team of ['alpha', 'beta']) assert.ok(fs.existsSync(path.join(missing.root, team, 'new')));
      await waitFor('ready with two teams', () => api.session.state === 'ready' && children(api).length === 2);
    } finally {
      restore();
      await missing.restore();
    }
    await waitFor('back on the suite root', () => api.session.store.root === t.root && api.session.state === 'ready');
  });

  test('a root created by someone else is picked up without a reload', async () => {
    const missing = await tempRoot(api, [], false);
    try {
      await missing.store.init(['late']);
      await waitFor('the root appears', () => api.session.state === 'ready' && children(api).some((n) => label(api, n) === 'late'), 8000);
    } finally {
      await missing.restore();
    }
  });
});
