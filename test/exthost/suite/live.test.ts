// Outside changes (another window, a terminal, an agent) reach the tree, the badge and notifications;
// a missing root shows the welcome state and can be created.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import type { InboxApi } from '../../../src/extension';
import { answer, boxLabels, children, inboxSuite, label, listen, minutesAgo, tempRoot, TempRoot, waitFor } from './ui-fixture';

suite('live updates', () => {
  const s = inboxSuite(['engineering', 'qa'], { myTeams: ['engineering'] });
  let api: InboxApi;
  let t: TempRoot;
  suiteSetup(() => ({ api, t } = s));

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
    await waitFor('moved', () => boxLabels(api, 'engineering', 'cur').includes('From a terminal') && !boxLabels(api, 'engineering', 'new').includes('From a terminal'));
    await waitFor('no badge', () => api.view.view.badge === undefined);
  });

  test('a burst of 500 arrivals is one refresh at a time and all counted', async () => {
    let fired = 0;
    const sub = api.tree.onDidChangeTreeData(() => fired++);
    try {
      await Promise.all(Array.from({ length: 500 }, (_, i) => t.store.deliver({ to: 'qa', from: 'engineering', priority: 'low', title: `Bulk ${i}`, created: minutesAgo(i) })));
      await waitFor('500 in qa/new', () => api.session.index?.count('qa', 'new') === 500, 15_000);
      await new Promise((r) => setTimeout(r, 400));
      assert.ok(fired < 60, `the tree refreshed ${fired} times for 500 arrivals`);
      assert.match(String(api.tree.getTreeItem(api.tree.teamNode('qa')).description), /^500 new/);
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
      const s = await waitFor('the notification', () => heard.said.find((x) => x.text.includes('Prod is down')));
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
      await waitFor('indexed', () => boxLabels(api, 'engineering', 'new').includes('Quiet one') && api.session.index?.list('qa', 'new').some((d) => d.title === 'Not mine'));
      await new Promise((r) => setTimeout(r, 800));
      assert.deepEqual(heard.said.map((s) => s.text), []);
    } finally {
      heard.restore();
    }
  });

  test('the summary line is the CLI\'s, and pops up only when it changed', async () => {
    const heard = listen(api);
    try {
      const line = await api.notifier.summarise();
      assert.match(line!, /^dispatch: engineering 1 new$/);
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
