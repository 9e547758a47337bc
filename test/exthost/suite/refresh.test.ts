// Targeted refreshes (#14): an arrival refreshes its team at once (no throttle wait) and nothing else,
// an acknowledged dispatch its team too, a front-matter read that leaves a row as it was repaints
// nothing, one that changes its title repaints that row only, the age tick repaints nothing when no
// age text changed, and Refresh repaints only what it found changed (a repaint under the mouse closes
// the hover a person has open: the E2E hover step failed so).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite, suiteSetup, test } from 'mocha';
import type { InboxApi } from '../../../src/extension';
import type { InboxNode } from '../../../src/ui/common/nodes';
import { boxLabels, children, inboxSuite, TempRoot, waitFor } from './ui-fixture';

type Fired = InboxNode | InboxNode[] | undefined;

function describe(f: Fired): string {
  if (f === undefined) return 'all';
  const one = (n: InboxNode) =>
    n.kind === 'dispatch' ? `dispatch:${n.dispatch.title}` : n.kind === 'more' ? 'more' : n.kind === 'box' ? `box:${n.team}/${n.box}` : `team:${n.team}`;
  return Array.isArray(f) ? f.map(one).join(',') : one(f);
}

suite('targeted refresh', () => {
  const s = inboxSuite(['engineering', 'qa']);
  let api: InboxApi;
  let t: TempRoot;
  suiteSetup(() => ({ api, t } = s));

  async function record(fn: () => Promise<void>): Promise<string[]> {
    const fired: string[] = [];
    const sub = api.tree.onDidChangeTreeData((f) => fired.push(describe(f as Fired)));
    try {
      await fn();
      await new Promise((r) => setTimeout(r, 400)); // the trailing throttle window and a front-matter read
    } finally {
      sub.dispose();
    }
    return fired;
  }

  test('an arrival refreshes only its team, at once; the read of its front matter repaints nothing', async () => {
    for (const team of ['engineering', 'qa']) children(api, api.tree.boxNode(team, 'new')); // rows handed out
    let at = 0;
    let seen = 0;
    const fired = await record(async () => {
      const sub = api.tree.onDidChangeTreeData(() => (seen ||= performance.now()));
      await t.store.deliver({ to: 'qa', from: 'engineering', priority: 'normal', title: 'Lone arrival' });
      at = performance.now(); // the rename into new/ is the last thing deliver does
      await waitFor('the row', () => boxLabels(api, 'qa', 'new').includes('Lone arrival'));
      sub.dispose();
    });
    assert.deepEqual(fired, ['team:qa'], fired.join(' | '));
    assert.ok(seen - at < 100, `the refresh came ${(seen - at).toFixed(0)} ms after the delivery (it must not wait for the 120 ms throttle)`);
  });

  test('a front-matter title that differs from the name repaints that row only', async () => {
    const file = path.join(t.root, 'engineering', 'new', '2026-01-01T00-00-00Z_normal_qa_short-name.md');
    const fired = await record(async () => {
      fs.writeFileSync(file, '---\nfrom: qa\n---\n# A much longer heading\n');
      await waitFor('the row with its heading', () => boxLabels(api, 'engineering', 'new').includes('A much longer heading'));
    });
    assert.equal(fired[0], 'team:engineering');
    assert.ok(
      fired.slice(1).every((f) => f === 'dispatch:A much longer heading'),
      fired.join(' | '),
    );
  });

  test('the age tick repaints nothing when no age text changed', async () => {
    children(api, api.tree.boxNode('engineering', 'new'));
    const fired = await record(async () => api.tree.refreshAges());
    assert.deepEqual(fired, []);
  });

  test('Refresh with nothing changed repaints nothing', async () => {
    children(api, api.tree.boxNode('engineering', 'new'));
    assert.deepEqual(await record(() => api.session.refresh()), []);
  });
});
