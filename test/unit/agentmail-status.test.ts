// What the reservations indicator decides without VS Code: states per error kind, mine vs others',
// who holds the active file (and against which folder), when the item shows, the reservations page URL.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normaliseReservation, parseBaseUrl, Reservation } from '../../src/core/agentmail';
import {
  holdersOf,
  relativeInside,
  reservationPathFor,
  reservationsItemVisible,
  reservationsPageUrl,
  stateForError,
  summariseReservations,
  VisibilityInput,
} from '../../src/core/agentmail/status';

function row(agent: string, path_pattern: string, exclusive = true): Reservation {
  const r = normaliseReservation({ id: 1, agent, path_pattern, exclusive });
  assert.ok(r);
  return r;
}

describe('reservation status', () => {
  it('maps every error kind to a state the user can act on', () => {
    const expected: Record<string, string> = {
      offline: 'offline',
      unauthorized: 'unauthorized',
      forbidden: 'unauthorized',
      'bad-response': 'bad-response',
      'too-large': 'bad-response',
      redirect: 'bad-response',
      'not-found': 'bad-response',
      'rate-limited': 'server-error',
      'server-error': 'server-error',
      'rpc-error': 'server-error',
      'tool-error': 'server-error',
      'unknown-project': 'unknown-project',
      config: 'config',
    };
    for (const [kind, state] of Object.entries(expected)) assert.equal(stateForError(kind as never), state, kind);
    // Config errors the user fixes differently have their own states.
    assert.equal(stateForError('config', 'insecure-token'), 'insecure-token');
    assert.equal(stateForError('config', 'no-project'), 'no-project');
    assert.equal(stateForError('config', 'config'), 'config');
  });

  it("splits mine from others' and finds others' exclusive holds on the active file", () => {
    const rows = [
      row('me', 'src/**'),
      row('alpha', 'src/core/**'),
      row('beta', 'src/core/index.ts', false),
      row('gamma', '*.ts'),
      row('alpha', 'src/core/x.ts'),
    ];
    const s = summariseReservations(rows, 'me', 'src/core/index.ts');
    assert.deepEqual(
      s.mine.map((r) => r.agent),
      ['me'],
    );
    assert.equal(s.others.length, 4);
    assert.deepEqual(
      s.conflicts.map((r) => `${r.agent} ${r.path_pattern}`),
      ['alpha src/core/**', 'gamma *.ts'],
    );
    assert.deepEqual(holdersOf([...s.conflicts, rows[1]]), ['alpha', 'gamma']);
    // My own exclusive hold is never a conflict; without an agent name every row is someone else's.
    assert.deepEqual(summariseReservations(rows, 'me', 'src/ui/a.js').conflicts, []);
    const anon = summariseReservations(rows, undefined, 'src/ui/a.js');
    assert.deepEqual([anon.mine.length, anon.others.length, anon.conflicts.length], [0, 5, 1]);
    assert.deepEqual(summariseReservations(rows, 'me', undefined).conflicts, []);
  });

  it('builds the reservations page URL from the slug, keeping a base path', () => {
    assert.equal(reservationsPageUrl(parseBaseUrl('http://127.0.0.1:8765'), '/work/My Repo'), 'http://127.0.0.1:8765/mail/work-my-repo/file_reservations');
    assert.equal(reservationsPageUrl(parseBaseUrl('https://am.example/base/'), 'proj'), 'https://am.example/base/mail/proj/file_reservations');
    assert.equal(reservationsPageUrl(parseBaseUrl('http://127.0.0.1:8765'), undefined), 'http://127.0.0.1:8765/mail');
  });

  it('relativises a file only when it lies inside the root', () => {
    assert.equal(relativeInside('/w/repo', '/w/repo/src/a.ts'), 'src/a.ts');
    assert.equal(relativeInside('/w/repo/', '/w/repo/a'), 'a');
    assert.equal(relativeInside('/w/repo', '/w/repository/a'), undefined);
    assert.equal(relativeInside('/w/repo', '/w/repo'), undefined);
    assert.equal(relativeInside('C:\\w\\repo', 'C:\\w\\repo\\src\\a.ts'), 'src/a.ts');
    assert.equal(relativeInside('C:\\w\\repo', 'c:\\w\\repo\\src\\a.ts'), 'src/a.ts');
  });

  it('multi-root: a file is matched relative to an absolute-path project only when inside it', () => {
    // Project = folder A; the active file lives in folder B: no path, so no "held by" from A's reservations.
    assert.equal(reservationPathFor('/w/a', '/w/b/src/core/index.ts', '/w/b'), undefined);
    assert.equal(reservationPathFor('/w/a', '/w/a/src/core/index.ts', '/w/a'), 'src/core/index.ts');
    // A project folder nested in the workspace folder: relative to the project, not the folder.
    assert.equal(reservationPathFor('/w/a/pkg', '/w/a/pkg/src/x.ts', '/w/a'), 'src/x.ts');
    assert.equal(reservationPathFor('/w/a/pkg', '/w/a/other/x.ts', '/w/a'), undefined);
    // A key that is not a path (slug, BEADS_PROJECT_ID): relative to the file's own folder.
    assert.equal(reservationPathFor('my-project', '/w/b/src/x.ts', '/w/b'), 'src/x.ts');
    assert.equal(reservationPathFor(undefined, '/w/b/src/x.ts', '/w/b'), 'src/x.ts');
    assert.equal(reservationPathFor('my-project', '/elsewhere/x.ts', undefined), undefined);
  });
});

describe('when the item shows', () => {
  const base: VisibilityInput = { state: 'ok', explicitUrl: false, seenOnline: false, hideWhenOffline: false };
  const shows = (v: Partial<VisibilityInput>): boolean => reservationsItemVisible({ ...base, ...v });
  const failures = ['loading', 'offline', 'unauthorized', 'bad-response', 'server-error', 'unknown-project', 'insecure-token', 'config'] as const;

  it('with the default URL: hidden until the server has answered once, whatever fails', () => {
    for (const state of failures) assert.equal(shows({ state }), false, state);
    assert.equal(shows({ state: 'ok' }), true);
    // Once online, its troubles show like an explicit configuration's.
    for (const state of failures) assert.equal(shows({ state, seenOnline: true }), true, state);
    assert.equal(shows({ state: 'offline', seenOnline: true, hideWhenOffline: true }), false);
  });

  it('with a URL set (setting or environment): every state shows; offline hides with hideWhenOffline', () => {
    for (const state of failures) assert.equal(shows({ state, explicitUrl: true }), true, state);
    assert.equal(shows({ state: 'offline', explicitUrl: true, hideWhenOffline: true }), false);
    assert.equal(shows({ state: 'unauthorized', explicitUrl: true, hideWhenOffline: true }), true);
  });

  it('never shows when disabled or without a project (an empty window)', () => {
    for (const explicitUrl of [false, true]) {
      assert.equal(shows({ state: 'disabled', explicitUrl, seenOnline: true }), false);
      assert.equal(shows({ state: 'no-project', explicitUrl, seenOnline: true }), false);
    }
  });
});
