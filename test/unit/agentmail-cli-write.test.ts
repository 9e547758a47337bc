// `dispatch reservations release|renew` against the loopback double: mine released, someone else's refused
// without --force (one line, nothing changed), force-released with --force (the holder notified unless
// --no-notify), the server's refusals as one line, exit 1; --json for agents; usage errors exit 2.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, beforeEach, describe, it } from 'node:test';
import { main } from '../../src/cli/main';
import { AgentMailDouble, startAgentMailDouble } from '../agentmail-double/server';
import { DoubleReservationInput } from '../agentmail-double/store';
import { capture } from '../helpers/streams';

const PROJECT = '/work/demo-project';
const ME = 'tester';
const ROWS: DoubleReservationInput[] = [
  { id: 1, agent: 'CrashedAgent', path_pattern: 'src/core/**', reason: 'index refactor', ttlSeconds: 1800, stale: true },
  { id: 2, agent: 'GreenCastle', path_pattern: 'README.md', ttlSeconds: 1800 },
  { id: 3, agent: ME, path_pattern: 'docs/*.md', ttlSeconds: 300 },
  { id: 4, agent: ME, path_pattern: 'notes.txt', ttlSeconds: 1800 },
];

let dbl: AgentMailDouble;

/** The real entry point (`dispatch …`), as an agent in a terminal runs it. */
async function run(args: string[], env: NodeJS.ProcessEnv = { BEADS_AGENT_NAME: ME }): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const base = { HOME: '/nonexistent-home', BEADS_AGENT_MAIL_URL: dbl.url, BEADS_PROJECT_ID: PROJECT };
  const code = await main(['reservations', ...args], { out: io.out, err: io.err, env: { ...base, ...env }, stdin: new PassThrough() });
  return { code, ...io.text() };
}

const active = (): number[] => (dbl.store.list(true) as { id: number }[]).map((r) => r.id);
const toolCalls = () =>
  dbl.calls.filter((c) => c.rpc?.method === 'tools/call').map((c) => c.rpc?.params as { name: string; arguments: Record<string, unknown> });

before(async () => {
  dbl = await startAgentMailDouble({ project: PROJECT, reservations: ROWS });
});
after(() => dbl.close());
beforeEach(() => dbl.reset(ROWS));

describe('dispatch reservations list', () => {
  it('shows ids, and marks stale and expiring reservations', async () => {
    for (const args of [[], ['list']]) {
      const r = await run(args);
      assert.equal(r.code, 0, r.err);
      const lines = r.out.split('\n');
      assert.match(lines[1], /^\s+1\s+CrashedAgent\s+src\/core\/\*\*\s+exclusive\s+in 29 min\s+stale\s+index refactor$/);
      assert.match(lines[3], /^\*\s+3\s+tester\s+docs\/\*\.md\s+exclusive\s+in 4 min\s+expiring$/);
    }
  });
});

describe('dispatch reservations release', () => {
  it('releases mine through release_file_reservations', async () => {
    const r = await run(['release', '3']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'released #3 docs/*.md\n');
    assert.equal(r.err, '');
    assert.deepEqual(toolCalls(), [{ name: 'release_file_reservations', arguments: { project_key: PROJECT, agent_name: ME, file_reservation_ids: [3] } }]);
    assert.deepEqual(active(), [1, 2, 4]);
  });

  it("someone else's without --force: exit 1, one line naming the holder and what --force does; nothing changes", async () => {
    const r = await run(['release', '4', '1']);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.equal(r.err.split('\n').length, 2, r.err);
    assert.match(
      r.err,
      /^dispatch: #1 src\/core\/\*\*: held by CrashedAgent, not tester; --force asks Agent Mail to force-release it \(it looks stale: agent inactive > 30 min, no recent mail activity > 15 min\) and notifies CrashedAgent unless --no-notify\n$/,
    );
    assert.deepEqual(toolCalls(), [], 'no write for any id, not even my own #4');
    assert.deepEqual(active(), [1, 2, 3, 4]);
  });

  it('--force on a stale one: force_release_file_reservation, the holder notified with the note, gone from the listing', async () => {
    const r = await run(['release', '1', '--force', '--note', 'crashed overnight']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'force-released #1 src/core/** held by CrashedAgent (CrashedAgent notified)\n');
    assert.deepEqual(toolCalls(), [
      {
        name: 'force_release_file_reservation',
        arguments: { project_key: PROJECT, agent_name: ME, file_reservation_id: 1, notify_previous: true, note: 'crashed overnight' },
      },
    ]);
    assert.deepEqual(active(), [2, 3, 4]);
    assert.equal(dbl.store.notifications.length, 1);
    assert.equal(dbl.store.notifications[0].to, 'CrashedAgent');
    assert.match(dbl.store.notifications[0].body, /crashed overnight/);
    const list = await run(['--json']);
    assert.deepEqual(
      (JSON.parse(list.out) as { id: number }[]).map((x) => x.id),
      [2, 3, 4],
    );
  });

  it('--force --no-notify: notify_previous false, nobody mailed', async () => {
    const r = await run(['release', '1', '--force', '--no-notify']);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, 'force-released #1 src/core/** held by CrashedAgent (not notified)\n');
    assert.equal(toolCalls()[0].arguments.notify_previous, false);
    assert.equal(dbl.store.notifications.length, 0);
  });

  it('--force on an active holder: the server refuses (RESERVATION_ACTIVE), one line, exit 1, still held', async () => {
    const r = await run(['release', '2', '--force']);
    assert.equal(r.code, 1);
    assert.equal(
      r.err,
      'dispatch: #2 README.md: Agent Mail refused: GreenCastle still shows recent activity (only stale reservations can be force-released)\n',
    );
    assert.deepEqual(active(), [1, 2, 3, 4]);
  });

  it('an unknown id: refused before any write; with --force the server says it does not know it', async () => {
    const r = await run(['release', '99']);
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /^dispatch: #99: no active reservation #99 in \/work\/demo-project \(released, expired or unknown; --force asks the server anyway\)\n$/,
    );
    const f = await run(['release', '99', '--force']);
    assert.equal(f.code, 1);
    assert.equal(f.err, 'dispatch: #99: Agent Mail does not know reservation #99 in this project\n');
  });

  it('a read-only client (403 on tools): one line, exit 1, nothing changed', async () => {
    await dbl.setMode('read-only');
    const r = await run(['release', '3']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^dispatch: #3 docs\/\*\.md: POST \/mcp\/: forbidden \(403\) — this client may only read\n$/);
    const f = await run(['release', '1', '--force']);
    assert.equal(f.code, 1);
    assert.equal(f.err.split('\n').length, 2);
    assert.deepEqual(active(), [1, 2, 3, 4]);
  });

  it('--json: one object per id, for agents (also on failure, with the line on stderr)', async () => {
    const r = await run(['release', '3', '1', '--force', '--json']);
    assert.equal(r.code, 0, r.err);
    const rows = JSON.parse(r.out) as Record<string, unknown>[];
    assert.deepEqual(
      rows.map((x) => [x.id, x.ok, x.action, x.holder]),
      [
        [3, true, 'release', ME],
        [1, true, 'force-release', 'CrashedAgent'],
      ],
    );
    assert.equal(rows[1].notified, true);
    assert.equal(rows[1].released, 1);
    const again = await run(['release', '1', '--force', '--json']);
    assert.equal(again.code, 0, again.err);
    assert.equal((JSON.parse(again.out) as Record<string, unknown>[])[0].already_released, true);
    const bad = await run(['release', '2', '--json']);
    assert.equal(bad.code, 1);
    const e = (JSON.parse(bad.out) as { ok: boolean; holder: string; error: { kind: string } }[])[0];
    assert.deepEqual([e.ok, e.holder, e.error.kind], [false, 'GreenCastle', 'refused']);
    assert.match(bad.err, /^dispatch: #2 README\.md: held by GreenCastle/);
  });
});

describe('dispatch reservations renew', () => {
  it('renews mine by --minutes through renew_file_reservations', async () => {
    const r = await run(['renew', '3', '4', '--minutes', '90']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^renewed #3 docs\/\*\.md, expires in 1 h 3[45] min\nrenewed #4 notes\.txt, expires in 1 h 59 min\n$/);
    assert.deepEqual(toolCalls(), [
      { name: 'renew_file_reservations', arguments: { project_key: PROJECT, agent_name: ME, file_reservation_ids: [3, 4], extend_seconds: 5400 } },
    ]);
  });

  it('defaults to 30 minutes; someone else’s is refused, one line, nothing renewed', async () => {
    const r = await run(['renew', '3']);
    assert.equal(r.code, 0, r.err);
    assert.equal(toolCalls()[0].arguments.extend_seconds, 1800);
    const other = await run(['renew', '2']);
    assert.equal(other.code, 1);
    assert.equal(other.err, 'dispatch: #2 README.md: held by GreenCastle, not tester; only its holder can renew it\n');
    assert.equal(toolCalls().length, 1);
  });
});

describe('usage and refusals', () => {
  for (const args of [
    ['release'],
    ['renew'],
    ['release', 'abc'],
    ['release', '0'],
    ['release', '3', '--note', 'x'],
    ['release', '3', '--no-notify'],
    ['renew', '3', '--force'],
    ['renew', '3', '--minutes', '0'],
    ['renew', '3', '--minutes', 'soon'],
    ['list', '--minutes', '5'],
    ['frobnicate'],
  ]) {
    it(`${args.join(' ')} → exit 2 with the usage`, async () => {
      const r = await run(args);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /^dispatch: .*\nusage: dispatch reservations/);
      assert.deepEqual(toolCalls(), []);
    });
  }

  it('no agent name: exit 1, one line', async () => {
    const r = await run(['release', '3'], {});
    assert.equal(r.code, 1);
    assert.equal(r.err, 'dispatch: release needs your agent name: --agent NAME or BEADS_AGENT_NAME\n');
  });

  it('the registration token comes from AGENT_MAIL_REGISTRATION_TOKEN; without it a strict server refuses, one line', async () => {
    const strict = await startAgentMailDouble({ project: PROJECT, reservations: ROWS, registrationTokens: { [ME]: 'reg-9' } });
    try {
      const env = { BEADS_AGENT_NAME: ME, BEADS_AGENT_MAIL_URL: strict.url };
      const without = await run(['release', '1', '--force'], env);
      assert.equal(without.code, 1);
      assert.equal(without.err, "dispatch: #1 src/core/**: force_release_file_reservation: registration_token missing or invalid for agent 'tester'\n");
      const withTok = await run(['release', '1', '--force'], { ...env, AGENT_MAIL_REGISTRATION_TOKEN: 'reg-9' });
      assert.equal(withTok.code, 0, withTok.err);
      const call = strict.calls.filter((c) => c.rpc?.method === 'tools/call').at(-1)?.rpc?.params as { arguments: Record<string, unknown> };
      assert.equal(call.arguments.registration_token, 'reg-9');
      assert.ok(!withTok.out.includes('reg-9') && !withTok.err.includes('reg-9'), 'the token is never printed');
    } finally {
      await strict.close();
    }
  });

  it('a legacy server cannot release: exit 1, one line', async () => {
    await dbl.setMode('legacy');
    const r = await run(['release', '3']);
    assert.equal(r.code, 1);
    assert.match(r.err, /^dispatch: this server only speaks the legacy \/api\/reservations shape, which cannot release\n$/);
  });
});
