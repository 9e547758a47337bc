// The sender's view and staleness rules, pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dispatch } from '../../src/core/format/dispatch';
import { shortAge } from '../../src/core/format/age';
import { ageMs, formatSentLine, isStale, lifecycleStatus, oldestNew, parseDays, sentBy } from '../../src/core/lifecycle/sent';
import { formatSummary } from '../../src/core/lifecycle/summary';

const NOW = Date.parse('2026-02-05T12:00:00Z');
const d = (team: string, box: 'new' | 'cur', name: string, status?: string) => {
  const x = new Dispatch('/r', team, box, name);
  if (status !== undefined)
    x.meta = { kind: 'yaml', data: { status }, bodyStart: '', size: 1, warnings: [], heading: 'Update the site for the new resume skill' };
  return x;
};
const old = '2026-01-31T12-00-00Z_normal_engineering_update-site.md'; // 5 days before NOW
const young = '2026-02-04T12-00-00Z_normal_engineering_fresh.md'; // 1 day

test('stale: in new/ longer than the days given (default 3); cur/ never; unknown age never', () => {
  assert.equal(isStale(d('web_ops', 'new', old), 3, NOW), true);
  assert.equal(isStale(d('web_ops', 'new', young), 3, NOW), false);
  assert.equal(isStale(d('web_ops', 'new', young), 0.5, NOW), true);
  assert.equal(isStale(d('web_ops', 'cur', old), 3, NOW), false);
  assert.equal(isStale(d('web_ops', 'new', 'notes.md'), 3, NOW), false);
  assert.equal(isStale(d('web_ops', 'new', old), undefined, NOW), true);
});

test('status: the front matter when it names a lifecycle status, else what the box says', () => {
  assert.equal(lifecycleStatus(d('q', 'new', old)), 'pending');
  assert.equal(lifecycleStatus(d('q', 'cur', old)), 'accepted');
  assert.equal(lifecycleStatus(d('q', 'cur', old, 'completed')), 'completed');
  assert.equal(lifecycleStatus(d('q', 'cur', old, 'pending')), 'accepted'); // a tool that moved without writing
  assert.equal(lifecycleStatus(d('q', 'cur', old, 'weird')), 'accepted');
});

test('sentBy: what the team sent, in other teams only; the human line', () => {
  const ds = [d('web_ops', 'new', old, 'pending'), d('engineering', 'new', old), d('qa', 'new', '2026-01-31T12-00-00Z_normal_qa_x.md')];
  assert.deepEqual(
    sentBy(ds, 'engineering').map((x) => x.team),
    ['web_ops'],
  );
  assert.equal(formatSentLine(ds[0], 3, NOW), 'web_ops       pending      5d  Update the site for the new resume skill  stale');
  assert.equal(formatSentLine(ds[0], 10, NOW), 'web_ops       pending      5d  Update the site for the new resume skill');
});

test('ages: minutes, hours, days, then weeks; the oldest new one', () => {
  assert.deepEqual(
    [shortAge(59 * 60_000), shortAge(3 * 3600_000), shortAge(86_400_000), shortAge(100 * 86_400_000), shortAge(undefined)],
    ['59m', '3h', '1d', '14w', '?'],
  );
  assert.equal(ageMs(d('q', 'new', old), NOW), 5 * 86_400_000);
  assert.equal(oldestNew([d('q', 'new', young), d('q', 'new', old), d('q', 'cur', '2020-01-01T00-00-00Z_low_a_b.md')])?.fileName, old);
  assert.deepEqual(
    [parseDays('3'), parseDays('0.5'), parseDays(''), parseDays('-1'), parseDays('x'), parseDays(7)],
    [3, 0.5, undefined, undefined, undefined, 7],
  );
});

test('summary: "(1 stale)" only when stale days are given and some are stale', () => {
  const ds = [d('web_ops', 'new', old), d('web_ops', 'new', young)];
  assert.equal(formatSummary(['web_ops', 'qa'], ds, '/r', 3, NOW), 'dispatch: web_ops 2 new (1 stale) · qa 0 new');
  assert.equal(formatSummary(['web_ops'], ds, '/r', undefined, NOW), 'dispatch: web_ops 2 new');
});
