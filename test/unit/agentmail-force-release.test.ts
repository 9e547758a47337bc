// The client's force_release_file_reservation call against the loopback double over real HTTP: the
// arguments the real tool takes, its result shapes (released, already released, expired) and its
// refusals (unknown id or agent, still active), worded as either real server words them.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { AgentMailClient, AgentMailOptions, normaliseForceRelease, resolveAgentMailConfig, staleReasonsText } from '../../src/core/agentmail';
import { AgentMailDouble, startAgentMailDouble } from '../agentmail-double/server';
import { DoubleReservationInput } from '../agentmail-double/store';

const PROJECT = '/work/demo-project';
const ROWS: DoubleReservationInput[] = [
  { id: 11, agent: 'CrashedAgent', path_pattern: 'src/core/**', reason: 'index refactor', ttlSeconds: 1800, stale: true },
  { id: 12, agent: 'GreenCastle', path_pattern: 'README.md', ttlSeconds: 1800 },
  { id: 13, agent: 'tester', path_pattern: 'docs/*.md', ttlSeconds: 1800 },
];

let dbl: AgentMailDouble;

function client(d: AgentMailDouble, opts: AgentMailOptions = {}): AgentMailClient {
  return new AgentMailClient(
    resolveAgentMailConfig({ url: d.url, project: PROJECT, agent: 'tester', timeoutMs: 1000, ...opts }, { env: {}, readTextFile: () => undefined }),
  );
}

function lastToolCall(d: AgentMailDouble): { name: string; arguments: Record<string, unknown> } | undefined {
  return d.calls.filter((c) => c.rpc?.method === 'tools/call').at(-1)?.rpc?.params as { name: string; arguments: Record<string, unknown> } | undefined;
}

async function toolErrorOf(p: Promise<unknown>): Promise<{ kind: string; errorType?: string; message: string }> {
  try {
    await p;
  } catch (e) {
    const x = e as { kind: string; details: { errorType?: string }; message: string };
    return { kind: x.kind, errorType: x.details.errorType, message: x.message };
  }
  throw new Error('expected a rejection');
}

before(async () => {
  dbl = await startAgentMailDouble({ project: PROJECT, reservations: ROWS });
});
after(() => dbl.close());
beforeEach(() => dbl.reset(ROWS));

describe('force release', () => {
  it('the listing carries the server’s stale flag and stale_reasons', async () => {
    const rows = (await client(dbl).listReservations()).reservations;
    const crashed = rows.find((r) => r.id === 11);
    assert.equal(crashed?.stale, true);
    assert.deepEqual(crashed?.stale_reasons, ['agent_inactive>1800s', 'no_recent_mail_activity>900s', 'path_pattern_unmatched']);
    assert.equal(rows.find((r) => r.id === 12)?.stale, false);
  });

  it('sends the real arguments, reads the released shape, and the holder is notified', async () => {
    const out = await client(dbl).forceRelease({ id: 11, note: '  crashed overnight ' });
    assert.deepEqual(lastToolCall(dbl), {
      name: 'force_release_file_reservation',
      arguments: { project_key: PROJECT, agent_name: 'tester', file_reservation_id: 11, notify_previous: true, note: 'crashed overnight' },
    });
    assert.equal(out.released, 1);
    assert.match(out.released_at ?? '', /Z$/);
    assert.equal(out.already_released, false);
    assert.equal(out.reservation?.agent, 'CrashedAgent');
    assert.equal(out.reservation?.path_pattern, 'src/core/**');
    assert.equal(out.reservation?.notified, true);
    assert.equal(out.reservation?.notification_error, null);
    assert.deepEqual(out.reservation?.stale_reasons, ['agent_inactive>1800s', 'no_recent_mail_activity>900s', 'path_pattern_unmatched']);
    // The server's state changed, and it mailed the previous holder.
    assert.deepEqual(
      (await client(dbl).listReservations()).reservations.map((r) => r.id),
      [12, 13],
    );
    assert.equal(dbl.store.notifications.length, 1);
    const mail = dbl.store.notifications[0];
    assert.equal(mail.to, 'CrashedAgent');
    assert.equal(mail.from, 'tester');
    assert.equal(mail.subject, '[file-reservations] Released stale lock on src/core/**');
    assert.match(mail.body, /crashed overnight/);
  });

  it('notify: false sends notify_previous false, and nobody is mailed', async () => {
    const out = await client(dbl).forceRelease({ id: 11, notify: false });
    assert.equal(lastToolCall(dbl)?.arguments.notify_previous, false);
    assert.equal(lastToolCall(dbl)?.arguments.note, undefined, 'no empty note is sent');
    assert.equal(out.released, 1);
    assert.equal(out.reservation?.notified, false);
    assert.equal(dbl.store.notifications.length, 0);
  });

  it('a second force release answers already_released, released 0', async () => {
    await client(dbl).forceRelease({ id: 11 });
    const again = await client(dbl).forceRelease({ id: 11 });
    assert.deepEqual({ ...again, released_at: undefined }, { released: 0, released_at: undefined, already_released: true, expired: false, reservation: null });
    assert.match(again.released_at ?? '', /Z$/);
    assert.equal(dbl.store.notifications.length, 1, 'mailed once');
  });

  it('an expired one is marked released by the server: expired, released 0', async () => {
    dbl.setReservations([{ id: 21, agent: 'CrashedAgent', path_pattern: 'a.txt', expires_ts: new Date(Date.now() - 60_000).toISOString(), stale: true }]);
    const out = await client(dbl).forceRelease({ id: 21 });
    assert.equal(out.released, 0);
    assert.equal(out.already_released, true);
    assert.equal(out.expired, true);
  });

  for (const errorStyle of ['json', 'python'] as const) {
    describe(`refusals (${errorStyle === 'json' ? 'the JSON error payload' : "the Python server's prose"})`, () => {
      let d: AgentMailDouble;
      before(async () => {
        d = await startAgentMailDouble({ project: PROJECT, reservations: ROWS, errorStyle });
      });
      after(() => d.close());

      it('unknown id → tool-error NOT_FOUND naming the id and the project', async () => {
        const e = await toolErrorOf(client(d).forceRelease({ id: 999 }));
        assert.deepEqual(e, {
          kind: 'tool-error',
          errorType: 'NOT_FOUND',
          message: `force_release_file_reservation: File reservation id=999 not found for project '${PROJECT}'.`,
        });
      });

      it('a reservation still showing activity → RESERVATION_ACTIVE, and it stays', async () => {
        const e = await toolErrorOf(client(d).forceRelease({ id: 12 }));
        assert.equal(e.errorType, 'RESERVATION_ACTIVE');
        assert.match(e.message, /refusing forced release/);
        assert.ok((await client(d).listReservations()).reservations.some((r) => r.id === 12));
      });

      it('an unknown asking agent → NOT_FOUND', async () => {
        const e = await toolErrorOf(client(d, { agent: 'Nobody' }).forceRelease({ id: 11 }));
        assert.equal(e.errorType, 'NOT_FOUND');
        assert.match(e.message, /Agent 'Nobody' not found/);
      });
    });
  }

  it('sends the registration token when configured; the server refuses without it', async () => {
    const strict = await startAgentMailDouble({ project: PROJECT, reservations: ROWS, registrationTokens: { tester: 'reg-1' } });
    try {
      assert.equal((await toolErrorOf(client(strict).forceRelease({ id: 11 }))).errorType, 'UNAUTHORIZED');
      assert.equal((await client(strict, { registrationToken: 'reg-1' }).forceRelease({ id: 11 })).released, 1);
      assert.equal(lastToolCall(strict)?.arguments.registration_token, 'reg-1');
    } finally {
      await strict.close();
    }
  });

  it('403 (a read-only client) → forbidden; a bad id or no agent name → config, no request', async () => {
    await dbl.setMode('403');
    assert.equal((await toolErrorOf(client(dbl).forceRelease({ id: 11 }))).kind, 'forbidden');
    await dbl.setMode('normal');
    dbl.calls.length = 0;
    for (const id of [0, -1, 1.5, Number.NaN]) assert.equal((await toolErrorOf(client(dbl).forceRelease({ id }))).kind, 'config');
    assert.equal((await toolErrorOf(client(dbl, { agent: '' }).forceRelease({ id: 11 }))).kind, 'config');
    assert.equal(dbl.calls.length, 0);
  });

  it('normalises a Rust-style answer with a failed notification, and garbage, without throwing', () => {
    const rust = normaliseForceRelease({
      released: 1,
      released_at: '2026-12-01T10:00:00.000000+00:00',
      reservation: {
        id: 5,
        project: '/p',
        agent: 'BlueLake',
        path_pattern: 'x/**',
        exclusive: true,
        reason: '',
        stale_reasons: ['agent_missing'],
        notified: false,
        notification_error: { type: 'FILE_RESERVATION_CONFLICT', message: 'inbox reserved' },
      },
    });
    assert.equal(rust.released_at, '2026-12-01T10:00:00.000Z');
    assert.equal(rust.reservation?.notified, false);
    assert.equal(rust.reservation?.notification_error, 'inbox reserved');
    const junk = normaliseForceRelease({ released: 'yes', reservation: [1], already_released: 'true' });
    assert.deepEqual(junk, { released: 0, released_at: null, already_released: false, expired: false, reservation: null });
  });

  it('stale reasons in words: the absent signals only', () => {
    assert.equal(
      staleReasonsText(['agent_inactive>1800s', 'no_recent_mail_activity>900s', 'path_pattern_unmatched']),
      'agent inactive > 30 min, no recent mail activity > 15 min',
    );
    assert.equal(staleReasonsText(['agent_recently_active', 'mail_activity_recent']), 'agent recently active, mail activity recent');
    assert.equal(staleReasonsText(['agent_missing', 'no_recent_git_activity>90s']), 'agent missing, no recent git activity > 90 s');
  });
});
