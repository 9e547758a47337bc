// Staleness from what this machine observed: a sender whose clock runs ahead writes a `created:` (and
// a name) in the future; the dispatch still ages from when it landed in new/ here (its ctime), the
// earlier of the two. Real files and real ctimes; the core's pure parts with a known landing time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync } from 'node:fs';
import { Dispatch } from '../../src/core/format/dispatch';
import { buildName } from '../../src/core/format/format';
import { ageMs, compareWaiting, formatSentLine, isStale } from '../../src/core/lifecycle/sent';
import { formatSummary } from '../../src/core/lifecycle/summary';
import { formatCheckin } from '../../src/core/agents/checkin-text';
import { DispatchStore } from '../../src/core/store';
import { runMain } from '../helpers/run-main';
import { tempRoot } from '../helpers/tmp';

const DAY = 86_400_000;

/** A dispatch named by a sender's clock `ahead` ms fast, that landed here `waited` ms ago. */
function fastClock(now: number, ahead: number, waited: number, slug = 'ahead'): Dispatch {
  const created = new Date(now - waited + ahead);
  const d = new Dispatch('/r', 'qa', 'new', buildName({ created, priority: 'normal', from: 'engineering', slug }));
  d.meta = { kind: 'yaml', data: Object.create(null), heading: 'Clock ahead', bodyStart: '', size: 1, ctimeMs: now - waited, warnings: [] };
  return d;
}

test('age, stale, sent line, summary and checkin text count from landing when the sender clock runs ahead', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  const d = fastClock(now, 30 * DAY, 10 * DAY);
  assert.equal(d.created, '2026-03-21T12:00:00Z', 'the sender wrote a time 20 days from now');
  assert.equal(ageMs(d, now), 10 * DAY);
  assert.equal(isStale(d, 3, now), true);
  assert.match(formatSentLine(d, 3, now), /^qa +pending +10d  Clock ahead  stale$/);
  assert.equal(formatSummary(['qa'], [d], '/r', 3, now), 'dispatch: qa 1 new (1 stale)');
  // A slow clock is believed (it only makes a dispatch look older); an honest one waits since it was sent.
  const honest = fastClock(now, 0, 5 * DAY, 'honest');
  assert.equal(ageMs(honest, now), 5 * DAY);
  assert.deepEqual([d, honest].sort(compareWaiting), [d, honest], 'the one waiting longest first');
  const text = formatCheckin(
    {
      team: 'engineering',
      root: '/r',
      items: [],
      total: 0,
      urgent: 0,
      warnings: [],
      cadences: { available: true, rows: [] },
      stale: { available: true, rows: [d] },
      verify: { available: true, rows: [] },
    },
    now,
  );
  assert.match(text, /^- qa: Clock ahead — 10d ago/m);
});

test('the CLI: summary, list --stale, sent and checkin see a future created: as stale by its real wait', async () => {
  const root = tempRoot();
  const s = new DispatchStore(root);
  await s.init(['qa', 'engineering']);
  const d = await s.deliver({ to: 'qa', from: 'engineering', title: 'Clock ahead', created: new Date(Date.now() + 30 * DAY) });
  await s.deliver({ to: 'qa', from: 'engineering', title: 'Honest clock' });
  // Stale after ~0.9 s: wait until this machine's clock says the first one has waited that long.
  const limit = '0.00001';
  const landed = lstatSync(d.path).ctimeMs;
  while (Date.now() - landed < 1500) await new Promise((r) => setTimeout(r, 50));

  const summary = await runMain(['--root', root, 'summary', 'qa', '--stale-after', limit], {});
  assert.equal(summary.out, 'dispatch: qa 2 new (2 stale)\n');
  const stale = await runMain(['--root', root, 'list', '--stale', '--stale-after', limit], {});
  assert.match(stale.out, /clock-ahead/);
  const sent = await runMain(['--root', root, 'sent', '--from', 'engineering', '--stale-after', limit, '--json'], {});
  const row = (JSON.parse(sent.out) as { slug: string; stale: boolean }[]).find((r) => r.slug === 'clock-ahead');
  assert.equal(row?.stale, true);
  const checkin = await runMain(['--root', root, 'checkin', '--team', 'engineering', '--stale-after', limit, '--json'], { XDG_STATE_HOME: tempRoot('state-') });
  const rows = JSON.parse(checkin.out).stale_sent.rows as { slug: string }[];
  assert.ok(
    rows.some((r) => r.slug === 'clock-ahead'),
    checkin.out,
  );
});
