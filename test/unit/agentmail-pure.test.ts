// Pure parts of the Agent Mail client: config precedence, slug, glob matching, time text, row validation,
// and the manifest entries of its commands.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  expiresIn,
  formatExpiresIn,
  matchesPath,
  normaliseReservation,
  normaliseRows,
  projectSlug,
  resolveAgentMailConfig,
  tokenFromConfigEnv,
} from '../../src/core/agentmail';

const noFile = (): undefined => undefined;

describe('resolveAgentMailConfig', () => {
  it('uses defaults: loopback URL, workspace folder as project, 3 s, 2 MiB', () => {
    const c = resolveAgentMailConfig({}, { env: {}, workspaceFolder: '/work/repo', readTextFile: noFile });
    assert.equal(c.baseUrl.href, 'http://127.0.0.1:8765/');
    assert.equal(c.project, '/work/repo');
    assert.equal(c.agent, undefined);
    assert.equal(c.timeoutMs, 3000);
    assert.equal(c.maxBytes, 2 * 1024 * 1024);
    assert.equal(c.tokenSource, 'none');
    assert.equal(c.urlSource, 'default');
  });

  it('prefers explicit options, then BEADS_*, then AGENT_MAIL_*', () => {
    const env = {
      BEADS_AGENT_MAIL_URL: 'http://127.0.0.2:1111',
      AGENT_MAIL_URL: 'http://127.0.0.3:2222',
      BEADS_AGENT_NAME: 'EnvAgent',
      BEADS_PROJECT_ID: 'env-project',
      AGENT_MAIL_TOKEN: 'env-token',
    };
    const fromEnv = resolveAgentMailConfig({}, { env, workspaceFolder: '/w' });
    assert.equal(fromEnv.baseUrl.origin, 'http://127.0.0.2:1111');
    assert.equal(fromEnv.urlSource, 'env');
    assert.equal(fromEnv.agent, 'EnvAgent');
    assert.equal(fromEnv.project, 'env-project');
    assert.deepEqual([fromEnv.token, fromEnv.tokenSource], ['env-token', 'env']);
    const onlyGeneric = resolveAgentMailConfig({}, { env: { AGENT_MAIL_URL: 'http://127.0.0.3:2222' }, readTextFile: noFile });
    assert.equal(onlyGeneric.baseUrl.origin, 'http://127.0.0.3:2222');
    const explicit = resolveAgentMailConfig(
      { url: 'http://127.0.0.9:9', agent: 'Me', project: 'p', token: 'secret', timeoutMs: 500 },
      { env, workspaceFolder: '/w' },
    );
    assert.equal(explicit.baseUrl.origin, 'http://127.0.0.9:9');
    assert.equal(explicit.urlSource, 'explicit');
    assert.deepEqual([explicit.agent, explicit.project, explicit.token, explicit.tokenSource, explicit.timeoutMs], ['Me', 'p', 'secret', 'explicit', 500]);
  });

  it('reads HTTP_BEARER_TOKEN from ~/.config/mcp-agent-mail/config.env only for a loopback server', () => {
    const seen: string[] = [];
    const read = (f: string): string => {
      seen.push(f);
      return '# server config\nHTTP_PORT=8765\nHTTP_BEARER_TOKEN="from-file"\n';
    };
    const local = resolveAgentMailConfig({}, { env: {}, home: '/home/u', readTextFile: read });
    assert.deepEqual([local.token, local.tokenSource], ['from-file', 'config-file']);
    assert.deepEqual(seen, ['/home/u/.config/mcp-agent-mail/config.env']);
    const remote = resolveAgentMailConfig({ url: 'https://mail.example.com' }, { env: {}, home: '/home/u', readTextFile: read });
    assert.equal(remote.token, undefined);
    assert.equal(seen.length, 1);
  });

  it('refuses URLs that could leak a token, and cleans the base URL', () => {
    assert.throws(() => resolveAgentMailConfig({ url: 'http://user:pw@127.0.0.1:8765' }, { env: {} }), { kind: 'config' });
    assert.throws(() => resolveAgentMailConfig({ url: 'ftp://127.0.0.1' }, { env: {} }), { kind: 'config' });
    assert.throws(() => resolveAgentMailConfig({ url: 'not a url' }, { env: {} }), { kind: 'config' });
    const c = resolveAgentMailConfig({ url: 'http://127.0.0.1:8765/prefix/?token=x#y' }, { env: {}, readTextFile: noFile });
    assert.equal(c.baseUrl.href, 'http://127.0.0.1:8765/prefix');
  });

  it('parses config.env lines with export and quotes', () => {
    assert.equal(tokenFromConfigEnv("export HTTP_BEARER_TOKEN='abc'"), 'abc');
    assert.equal(tokenFromConfigEnv('HTTP_BEARER_TOKEN=\nOTHER=1'), undefined);
  });
});

describe('projectSlug', () => {
  it('lowercases and turns runs outside [a-z0-9] into single dashes, trimmed', () => {
    assert.equal(projectSlug('/Users/Me/My Repo!'), 'users-me-my-repo');
    assert.equal(projectSlug('/work/main'), 'work-main');
    assert.equal(projectSlug('a__b--c'), 'a-b-c');
    assert.equal(projectSlug('///'), 'project');
  });
});

describe('matchesPath', () => {
  const cases: [string, string, boolean][] = [
    ['src/a.ts', 'src/a.ts', true],
    ['src/a.ts', 'src/a.tsx', false],
    ['src/**', 'src/x/y/z.ts', true],
    ['src/**', 'lib/src.ts', false],
    ['*.ts', 'deep/dir/file.ts', true],
    ['*.ts', 'file.js', false],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'test/a.ts', false],
    ['src/core', 'src/core/index.ts', true],
    ['src/core/', 'src/core/index.ts', true],
    ['src/core', 'src/corex/index.ts', false],
    ['**/test/*.ts', 'a/b/test/x.ts', true],
    ['**/test/*.ts', 'test/x.ts', true],
    ['src/?.ts', 'src/a.ts', true],
    ['src/?.ts', 'src/ab.ts', false],
    ['src/[ab].ts', 'src/b.ts', true],
    ['src/[!ab].ts', 'src/b.ts', false],
    ['./src/a.ts', 'src/a.ts', true],
    ['src\\a.ts', 'src/a.ts', true],
    ['src/a.ts', '/src/a.ts', true],
    ['src/a+b(1).ts', 'src/a+b(1).ts', true],
    ['', 'src/a.ts', false],
    ['src/[', 'src/[', true],
    ['core/', 'src/core/x.ts', true],
    ['**', 'any/thing.ts', true],
    ['src/a**b.ts', 'src/a/x/b.ts', true],
    ['src/**/**/*.ts', 'src/x.ts', true],
    ['src/***.ts', 'src/x/y.ts', true],
    ['src/[a-c].ts', 'src/b.ts', true],
    ['src/[c-a].ts', 'src/b.ts', false],
    ['**/x/', 'a/x/b', true],
    ['a*', 'ba/x', false],
  ];
  for (const [pattern, file, want] of cases) {
    it(`${JSON.stringify(pattern)} ${want ? 'holds' : 'does not hold'} ${file}`, () => {
      assert.equal(matchesPath(pattern, file), want);
    });
  }

  // A server (or anything answering on its port) sends the patterns: none may stall the extension host.
  // The bound is generous; a backtracking matcher takes minutes on the first of these.
  it('answers pathological patterns at once (no backtracking)', () => {
    // CPU time, not wall time: under two CPU hogs the wall clock read 446 ms for the same work.
    const c0 = process.cpuUsage();
    assert.equal(matchesPath(`${'**a'.repeat(10)}**b`, `src/${'a'.repeat(40)}.ts`), false);
    assert.equal(matchesPath(`${'*a'.repeat(300)}*b`, 'a'.repeat(2000)), false);
    assert.equal(matchesPath(`${'**/'.repeat(300)}x`, `${'a/'.repeat(1000)}y`), false);
    assert.equal(matchesPath(`${'**a'.repeat(10)}**`, `src/${'a'.repeat(40)}.ts`), true);
    const used = process.cpuUsage(c0);
    const ms = (used.user + used.system) / 1000;
    assert.ok(ms < 200, `took ${ms.toFixed(0)} ms of CPU`);
  });

  it('refuses patterns over 1 KiB', () => {
    assert.equal(matchesPath(`src/${'x'.repeat(1020)}`, `src/${'x'.repeat(1020)}`), true);
    assert.equal(matchesPath(`src/${'x'.repeat(1021)}`, `src/${'x'.repeat(1021)}`), false);
    assert.equal(matchesPath(`**${'*'.repeat(2000)}`, 'a.ts'), false);
  });
});

describe('formatExpiresIn', () => {
  const now = Date.parse('2025-01-01T12:00:00Z');
  it('renders seconds, minutes, hours, days and expired', () => {
    assert.equal(formatExpiresIn('2025-01-01T12:00:30+00:00', now), 'in 30 s');
    assert.equal(formatExpiresIn('2025-01-01T12:12:00Z', now), 'in 12 min');
    assert.equal(formatExpiresIn('2025-01-01T15:05:00Z', now), 'in 3 h 5 min');
    assert.equal(formatExpiresIn('2025-01-01T14:00:00Z', now), 'in 2 h');
    assert.equal(formatExpiresIn('2025-01-04T12:00:00Z', now), 'in 3 d');
    assert.equal(formatExpiresIn('2025-01-01T11:59:00Z', now), 'expired');
    assert.equal(formatExpiresIn('2025-01-01T12:00:00Z', now), 'expired');
  });
  it('copes with missing or bad input', () => {
    assert.equal(formatExpiresIn(null, now), 'no expiry');
    assert.equal(formatExpiresIn('soon', now), 'unknown');
  });
  it('gives the parts as data, for the extension to word in the display language', () => {
    assert.deepEqual(expiresIn('2025-01-01T12:00:30Z', now), { kind: 'seconds', seconds: 30 });
    assert.deepEqual(expiresIn('2025-01-01T12:12:00Z', now), { kind: 'minutes', minutes: 12 });
    assert.deepEqual(expiresIn('2025-01-01T15:05:00Z', now), { kind: 'hours', hours: 3, minutes: 5 });
    assert.deepEqual(expiresIn('2025-01-04T12:00:00Z', now), { kind: 'days', days: 3 });
    assert.deepEqual(expiresIn('2025-01-01T11:00:00Z', now), { kind: 'expired' });
    assert.deepEqual(expiresIn(undefined, now), { kind: 'none' });
    assert.deepEqual(expiresIn('soon', now), { kind: 'unknown' });
  });
});

describe('normaliseReservation', () => {
  it('keeps MCP rows and converts timestamps to ISO UTC', () => {
    const r = normaliseReservation({
      id: 7,
      agent: 'GreenCastle',
      path_pattern: 'src/**',
      exclusive: false,
      reason: 'x',
      created_ts: '2025-01-01T10:00:00.123456+00:00',
      expires_ts: '2025-01-01T11:00:00',
      released_ts: null,
      stale: true,
      stale_reasons: ['agent_inactive>1800s', 3],
    });
    assert.deepEqual(r, {
      id: 7,
      agent: 'GreenCastle',
      path_pattern: 'src/**',
      exclusive: false,
      reason: 'x',
      created_ts: '2025-01-01T10:00:00.123Z',
      expires_ts: '2025-01-01T11:00:00.000Z',
      released_ts: null,
      stale: true,
      stale_reasons: ['agent_inactive>1800s'],
    });
  });
  it('maps legacy rows and defaults the rest', () => {
    const r = normaliseReservation({ file_path: '.beads/issues/bd-1', agent_name: 'claude-alpha', expires_at: '2025-01-01T11:00:00Z', created_at: 1735722000 });
    assert.equal(r?.id, null);
    assert.equal(r?.agent, 'claude-alpha');
    assert.equal(r?.path_pattern, '.beads/issues/bd-1');
    assert.equal(r?.exclusive, true);
    assert.equal(r?.created_ts, '2025-01-01T09:00:00.000Z');
  });
  it('drops unusable rows and counts them', () => {
    const n = normaliseRows([null, 42, 'x', [], { agent: 'A' }, { path_pattern: 'p' }, { agent: '', path_pattern: 'p' }, { agent: 'A', path_pattern: 'p' }]);
    assert.equal(n.reservations.length, 1);
    assert.equal(n.dropped, 7);
  });
});

describe('manifest', () => {
  it('offers the Agent Mail commands in the palette only while Agent Mail is enabled', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      contributes: { menus: { commandPalette: { command: string; when?: string }[] } };
    };
    const palette = manifest.contributes.menus.commandPalette;
    for (const id of ['showReservations', 'setAgentMailToken', 'clearAgentMailToken', 'setAgentMailRegistrationToken']) {
      const entries = palette.filter((e) => e.command === `dispatchInbox.${id}`);
      assert.deepEqual(
        entries.map((e) => e.when),
        ['config.dispatchInbox.agentMail.enabled'],
        id,
      );
    }
  });
});
