// `dispatch reservations` against the loopback double: table, --json, exit codes and stderr lines.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reservationsCommand } from '../../src/cli/reservations';
import { AgentMailDouble, startAgentMailDouble } from '../agentmail-double/server';
import { capture } from '../helpers/streams';

const PROJECT = '/work/demo-project';
let dbl: AgentMailDouble;

async function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; out: string; err: string; ms: number }> {
  const io = capture();
  const t0 = Date.now();
  const code = await reservationsCommand(args, io.out, io.err, { HOME: '/nonexistent-home', ...env });
  return { code, ...io.text(), ms: Date.now() - t0 };
}

before(async () => {
  dbl = await startAgentMailDouble({
    project: PROJECT,
    reservations: [
      { agent: 'GreenCastle', path_pattern: 'src/core/**', reason: 'index refactor', ttlSeconds: 1800 },
      { agent: 'BlueLake', path_pattern: 'README.md', exclusive: false, reason: 'docs\u001b[31m pass', ttlSeconds: 600 },
    ],
  });
});
after(() => dbl.close());

describe('dispatch reservations', () => {
  it('prints a table with mine marked', async () => {
    const r = await run(['--url', dbl.url, '--project', PROJECT, '--agent', 'BlueLake']);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trimEnd().split('\n');
    assert.match(lines[0], /ID\s+AGENT\s+PATTERN\s+MODE\s+EXPIRES\s+STATE\s+REASON/);
    assert.match(lines[1], /^\s+1\s+GreenCastle\s+src\/core\/\*\*\s+exclusive\s+in 29 min\s+-\s+index refactor$/);
    assert.match(lines[2], /^\*\s+2\s+BlueLake\s+README\.md\s+shared\s+in 9 min\s+expiring\s+docs\?\[31m pass$/);
    assert.match(lines[3], /\* = held by BlueLake/);
    assert.ok(!r.out.includes('\u001b'), 'control characters from the server are not printed');
  });

  it('--json prints the normalised rows', async () => {
    const r = await run(['--url', dbl.url, '--project', PROJECT, '--json', '--agent', 'GreenCastle']);
    assert.equal(r.code, 0, r.err);
    const rows = JSON.parse(r.out) as Record<string, unknown>[];
    assert.equal(rows.length, 2);
    for (const row of rows) for (const k of ['agent', 'path_pattern', 'exclusive', 'expires_ts']) assert.ok(k in row, k);
    assert.deepEqual(
      rows.map((x) => x.mine),
      [true, false],
    );
  });

  it('takes URL, project and agent from the environment', async () => {
    const r = await run(['--json'], { BEADS_AGENT_MAIL_URL: dbl.url, BEADS_PROJECT_ID: PROJECT });
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as unknown[]).length, 2);
  });

  it('accepts the project slug', async () => {
    const r = await run(['--url', dbl.url, '--project', 'work-demo-project']);
    assert.equal(r.code, 0);
    assert.ok(r.out.includes('src/core/**'));
  });

  it('says so when nothing is reserved', async () => {
    const empty = await startAgentMailDouble({ project: PROJECT });
    try {
      const r = await run(['--url', empty.url, '--project', PROJECT]);
      assert.equal(r.code, 0);
      assert.equal(r.out, `No active reservations for ${PROJECT}.\n`);
    } finally {
      await empty.close();
    }
  });

  it('unreachable server → exit 1, one dispatch: line, within the timeout', async () => {
    const down = await startAgentMailDouble({ project: PROJECT, mode: 'slow' });
    await down.setMode('slow', { delayMs: 5000 });
    try {
      const r = await run(['--url', down.url, '--project', PROJECT, '--timeout', '300']);
      assert.equal(r.code, 1);
      assert.equal(r.out, '');
      assert.match(r.err, /^dispatch: cannot reach Agent Mail at http:\/\/127\.0\.0\.1:\d+ \(timed out\)\n$/);
      assert.ok(r.ms < 1200, `took ${r.ms} ms`);
      await down.setMode('down');
      const refused = await run(['--url', down.url, '--project', PROJECT]);
      assert.equal(refused.code, 1);
      assert.match(refused.err, /connection refused/);
    } finally {
      await down.close();
    }
  });

  it('server errors → exit 1 with the reason', async () => {
    await dbl.setMode('401');
    try {
      const r = await run(['--url', dbl.url, '--project', PROJECT]);
      assert.equal(r.code, 1);
      assert.match(r.err, /^dispatch: .*unauthorized \(401\)/);
    } finally {
      await dbl.setMode('normal');
    }
  });

  for (const args of [['--bogus'], ['extra'], ['--timeout', 'soon'], ['--timeout', '0'], ['--url', 'ftp://x'], ['--json=1']]) {
    it(`usage error ${args.join(' ')} → exit 2`, async () => {
      const r = await run(args);
      assert.equal(r.code, 2);
      assert.match(r.err, /^dispatch: /);
      assert.match(r.err, /usage: dispatch reservations/);
    });
  }

  it('a refused environment (token for a plain-http remote) → exit 1, one line, no usage text', async () => {
    const r = await run([], { AGENT_MAIL_URL: 'http://agent-mail.example:8765', AGENT_MAIL_TOKEN: 'secret', BEADS_PROJECT_ID: PROJECT });
    assert.equal(r.code, 1);
    assert.match(r.err, /^dispatch: .*https/);
    assert.equal(r.err.trimEnd().split('\n').length, 1, r.err);
    assert.doesNotMatch(r.err, /secret/);
  });

  it('--help prints usage and exits 0', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^usage: dispatch reservations/);
  });
});
