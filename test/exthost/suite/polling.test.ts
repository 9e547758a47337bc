// A root on a filesystem without events from other machines (sshfs, mounted twice over loopback as two
// machines): the index polls by itself, the view says so once and shows what the other machine sent;
// `dispatchInbox.watcher.poll: false` overrides it, with a warning.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import { DispatchStore } from '../../../src/core/api';
import type { InboxApi } from '../../../src/extension';
import { Sshfs, sshfsMissing, startSshfs } from '../../helpers/sshfs';
import { boxLabels, inboxApi, listen, setting, waitFor } from './ui-fixture';

const missing = sshfsMissing();

suite('a root on sshfs', function () {
  let api: InboxApi;
  let net: Sshfs | undefined;
  const undo: (() => Promise<void>)[] = [];
  let there: DispatchStore;
  let here: string;

  suiteSetup(async function () {
    if (missing) {
      console.log(`sshfs polling suite skipped: ${missing}`);
      return this.skip();
    }
    api = await inboxApi();
    net = await startSshfs();
    there = new DispatchStore(path.join(net.mount(), 'root'));
    await there.init(['qa']);
    here = path.join(net.mount(), 'root');
    undo.push(await setting('watcher.interval', 300));
  });
  suiteTeardown(async () => {
    for (const u of undo.reverse()) await u();
    net?.close();
  });

  test('polls by itself, says once why and how late, and shows what the other machine sent', async () => {
    const heard = listen(api);
    try {
      undo.push(await setting('root', here));
      await waitFor('the root opened', () => api.session.store.root === here && api.session.state === 'ready');
      assert.equal(api.session.polling, true);
      await waitFor('the notice', () => heard.said.some((s) => s.text.includes('polling')));
      const notices = heard.said.filter((s) => s.text.includes('polling'));
      assert.equal(notices.length, 1);
      assert.equal(notices[0].level, 'info');
      assert.match(notices[0].text, /^polling .* every 300 ms: it is on sshfs: .*arrivals show within 20\.3 s .*-o dir_cache=no/);
      assert.match(String(api.view.view.description), / · polling$/);
      await there.deliver({ to: 'qa', from: 'eng', title: 'From the other machine' });
      await waitFor('the arrival', () => boxLabels(api, 'qa', 'new').includes('From the other machine'));
      await api.session.refresh();
      assert.equal(heard.said.filter((s) => s.text.includes('polling')).length, 1, 'said once');
    } finally {
      heard.restore();
    }
  });

  test('watcher.poll false overrides it, with a warning that arrivals from elsewhere need a refresh', async () => {
    const heard = listen(api);
    try {
      undo.push(await setting('watcher.poll', false));
      await waitFor('the index restarted without polling', () => api.session.state === 'ready' && !api.session.polling);
      await waitFor('the warning', () => heard.said.some((s) => s.level === 'warn' && s.text.includes('polling is turned off')));
      assert.doesNotMatch(String(api.view.view.description), /polling/);
    } finally {
      heard.restore();
    }
  });
});
