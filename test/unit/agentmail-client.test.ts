// The Agent Mail client against the loopback double over real HTTP: every outcome state, paging, SSE,
// legacy fallback, token handling, timeout and size cap, and writes that change the server's state.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { AgentMailClient, AgentMailOptions, resolveAgentMailConfig } from '../../src/core/agentmail';
import { AgentMailDouble, startAgentMailDouble } from '../agentmail-double/server';
import { DoubleReservationInput } from '../agentmail-double/store';

const PROJECT = '/work/demo-project';
const DEMO: DoubleReservationInput[] = [
  { agent: 'GreenCastle', path_pattern: 'src/core/**', reason: 'index refactor', ttlSeconds: 1800 },
  { agent: 'BlueLake', path_pattern: 'README.md', exclusive: false, ttlSeconds: 600 },
  { agent: 'BlueLake', path_pattern: 'docs/*.md', ttlSeconds: 600 },
];

let dbl: AgentMailDouble;

function client(opts: AgentMailOptions = {}): AgentMailClient {
  return new AgentMailClient(resolveAgentMailConfig({ url: dbl.url, project: PROJECT, timeoutMs: 1000, ...opts }, { env: {}, readTextFile: () => undefined }));
}

async function rejectsWith(p: Promise<unknown>, kind: string, extra: Record<string, unknown> = {}): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.equal((e as { kind?: string }).kind, kind, String(e));
    for (const [k, v] of Object.entries(extra)) assert.equal((e as { details: Record<string, unknown> }).details[k], v);
    return true;
  });
}

/** A raw resources/read on the double's /mcp/ endpoint. */
async function readResourceAt(d: AgentMailDouble, uri: string): Promise<{ result?: unknown; error?: { message?: string } }> {
  const res = await fetch(`${d.url}/mcp/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri } }),
  });
  return (await res.json()) as { result?: unknown; error?: { message?: string } };
}

before(async () => {
  dbl = await startAgentMailDouble({ project: PROJECT, reservations: DEMO });
});
after(() => dbl.close());
beforeEach(async () => {
  await dbl.setMode('normal');
  dbl.setReservations(DEMO);
  dbl.injectRows([]);
  dbl.calls.length = 0;
});

describe('health and listing', () => {
  it('health reads /health/liveness', async () => {
    assert.deepEqual(await client().health(), { status: 'alive' });
    assert.equal(dbl.calls[0].path, '/health/liveness');
  });

  it('lists reservations through resources/read on /mcp/', async () => {
    const list = await client().listReservations();
    assert.equal(list.source, 'mcp');
    assert.equal(list.endpoint, '/mcp/');
    assert.deepEqual(
      list.reservations.map((r) => [r.agent, r.path_pattern, r.exclusive]),
      [
        ['GreenCastle', 'src/core/**', true],
        ['BlueLake', 'README.md', false],
        ['BlueLake', 'docs/*.md', true],
      ],
    );
    assert.match(list.reservations[0].expires_ts ?? '', /Z$/);
    const call = dbl.calls[0];
    assert.equal(call.method, 'POST');
    assert.equal(call.rpc?.method, 'resources/read');
    // The slug: what both real servers resolve (an encoded absolute path is unknown to the Python one).
    assert.match(String(call.rpc?.params?.uri), /^resource:\/\/file_reservations\/work-demo-project\?active_only=true&/);
  });

  it('the double resolves the resource {slug} as the real servers do: slug or slash-less key, never percent-encoded', async () => {
    const read = (segment: string) => readResourceAt(dbl, `resource://file_reservations/${segment}?active_only=true`);
    assert.equal((await read('work-demo-project')).error, undefined);
    assert.equal((await read('WORK-demo-project')).error, undefined);
    assert.match(String((await read(encodeURIComponent(PROJECT))).error?.message), /not found/);
    assert.match(String((await read(PROJECT)).error?.message), /Unknown resource/);
  });

  it('accepts the project slug as key', async () => {
    const list = await client({ project: 'work-demo-project' }).listReservations();
    assert.equal(list.reservations.length, 3);
  });

  it('reports an unknown project as its own kind', async () => {
    await rejectsWith(client({ project: '/nowhere' }).listReservations(), 'unknown-project');
  });

  it('parses SSE bodies', async () => {
    await dbl.setMode('sse');
    const list = await client().listReservations();
    assert.equal(list.reservations.length, 3);
  });

  it('follows limit/offset paging when the server pages', async () => {
    await dbl.setMode('paged');
    const many = Array.from({ length: 600 }, (_, i) => ({ agent: `Agent${i % 7}`, path_pattern: `f/${i}.ts`, ttlSeconds: 900 }));
    dbl.setReservations(many);
    const list = await client().listReservations();
    assert.equal(list.reservations.length, 600);
    assert.equal(list.pages, 3);
    assert.equal(new Set(list.reservations.map((r) => r.id)).size, 600);
  });

  it('stops when a server ignores paging and repeats a full page', async () => {
    dbl.setReservations(Array.from({ length: 250 }, (_, i) => ({ agent: 'A', path_pattern: `f/${i}` })));
    const list = await client().listReservations();
    assert.equal(list.reservations.length, 250);
    assert.equal(list.pages, 2);
  });

  it('drops malformed rows and counts them', async () => {
    dbl.injectRows([{ agent: 'NoPattern' }, 'junk', null, { agent: 'Ok', path_pattern: 'x.ts', expires_ts: 'garbage' }]);
    const list = await client().listReservations();
    assert.equal(list.dropped, 3);
    assert.equal(list.reservations.length, 4);
    assert.equal(list.reservations[3].expires_ts, null);
  });
});

describe('legacy fallback', () => {
  for (const mode of ['legacy', 'legacy-object'] as const) {
    it(`falls back to GET /api/reservations (${mode})`, async () => {
      await dbl.setMode(mode);
      const list = await client().listReservations();
      assert.equal(list.source, 'legacy');
      assert.deepEqual(
        list.reservations.map((r) => [r.id, r.agent, r.path_pattern]),
        [
          [null, 'GreenCastle', 'src/core/**'],
          [null, 'BlueLake', 'README.md'],
          [null, 'BlueLake', 'docs/*.md'],
        ],
      );
      assert.deepEqual(
        dbl.calls.map((c) => `${c.method} ${c.path}`),
        ['POST /mcp/', 'POST /api/', 'GET /api/reservations'],
      );
    });
  }

  it('cannot release on a legacy server', async () => {
    await dbl.setMode('legacy');
    await rejectsWith(client({ agent: 'BlueLake' }).releaseReservations({ paths: ['README.md'] }), 'not-found');
  });
});

describe('failure states', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['401', 'unauthorized', { status: 401 }],
    ['403', 'forbidden', { status: 403 }],
    ['429', 'rate-limited', { retryAfter: 7 }],
    ['500', 'server-error', { status: 500 }],
    ['html', 'bad-response', {}],
    ['garbage', 'bad-response', { reason: 'garbage' }],
    ['huge', 'too-large', {}],
  ];
  for (const [mode, kind, extra] of cases) {
    it(`${mode} → ${kind}`, async () => {
      await dbl.setMode(mode as never);
      await rejectsWith(client().listReservations(), kind, extra);
    });
  }

  it('html everywhere: MCP paths absent and legacy page is HTML → bad-response after trying all', async () => {
    await dbl.setMode('html');
    await rejectsWith(client().listReservations(), 'bad-response');
    assert.deepEqual(
      dbl.calls.map((c) => c.path),
      ['/mcp/', '/api/', '/api/reservations'],
    );
  });

  it('health stays reachable when MCP answers 401', async () => {
    await dbl.setMode('401');
    assert.deepEqual(await client().health(), { status: 'alive' });
  });

  it('down → offline quickly', async () => {
    await dbl.setMode('down');
    const t0 = Date.now();
    await rejectsWith(client().listReservations(), 'offline', { reason: 'connection refused' });
    await rejectsWith(client().health(), 'offline');
    assert.ok(Date.now() - t0 < 1000);
  });

  it('DNS failure → offline', async () => {
    const c = new AgentMailClient(resolveAgentMailConfig({ url: 'http://no-such-host.invalid:8765', project: PROJECT, timeoutMs: 2000 }, { env: {} }));
    await rejectsWith(c.health(), 'offline');
  });

  it('slow → offline within about the timeout', async () => {
    await dbl.setMode('slow', { delayMs: 5000 });
    const t0 = Date.now();
    await rejectsWith(client({ timeoutMs: 300 }).listReservations(), 'offline', { reason: 'timed out' });
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 250 && elapsed < 1200, `took ${elapsed} ms`);
  });

  it('too-large is cut at the cap, not read to the end', async () => {
    await dbl.setMode('huge');
    await rejectsWith(client({ maxBytes: 64 * 1024 }).health(), 'too-large');
  });
});

describe('token', () => {
  let tokened: AgentMailDouble;
  before(async () => {
    tokened = await startAgentMailDouble({ project: PROJECT, reservations: DEMO, token: 's3cret' });
  });
  after(() => tokened.close());

  const at = (opts: AgentMailOptions): AgentMailClient =>
    new AgentMailClient(resolveAgentMailConfig({ url: tokened.url, project: PROJECT, ...opts }, { env: {}, readTextFile: () => undefined }));

  it('401 without or with a wrong token, listed with the right one, never in the URL', async () => {
    await rejectsWith(at({}).listReservations(), 'unauthorized');
    await rejectsWith(at({ token: 'wrong' }).listReservations(), 'unauthorized');
    tokened.calls.length = 0;
    const list = await at({ token: 's3cret' }).listReservations();
    assert.equal(list.reservations.length, 3);
    assert.equal(tokened.calls[0].headers.authorization, 'Bearer s3cret');
    assert.ok(tokened.calls.every((c) => !c.path.includes('s3cret') && !String(c.rpc?.params?.uri ?? '').includes('s3cret')));
  });

  it('is never sent over plain http to a non-loopback host (a distinct config error, no request made)', async () => {
    assert.throws(
      () => resolveAgentMailConfig({ url: 'http://mail.example.invalid:8765', project: PROJECT, token: 't' }, { env: {} }),
      (e: unknown) => {
        assert.equal((e as { kind: string }).kind, 'config');
        assert.equal((e as { details: { reason?: string } }).details.reason, 'insecure-token');
        assert.match(String(e), /token not sent over http to a non-loopback host; use https/);
        return true;
      },
    );
    assert.throws(() => resolveAgentMailConfig({ project: PROJECT }, { env: { AGENT_MAIL_URL: 'http://10.1.2.3:8765', AGENT_MAIL_TOKEN: 't' } }), /use https/);
    // Allowed: https anywhere, http to loopback, and http without a token.
    assert.equal(resolveAgentMailConfig({ url: 'https://mail.example.invalid', token: 't' }, { env: {} }).token, 't');
    assert.equal(resolveAgentMailConfig({ url: 'http://[::1]:8765', token: 't' }, { env: {} }).token, 't');
    assert.equal(resolveAgentMailConfig({ url: 'http://mail.example.invalid' }, { env: {} }).token, undefined);
    // A hand-made config is checked again by the client, before anything is sent.
    const cfg = { ...resolveAgentMailConfig({ url: 'http://mail.example.invalid', project: PROJECT, timeoutMs: 500 }, { env: {} }), token: 't' };
    await rejectsWith(new AgentMailClient(cfg).listReservations(), 'config', { reason: 'insecure-token' });
    await rejectsWith(new AgentMailClient({ ...cfg, agent: 'A' }).releaseReservations({ paths: ['x'] }), 'config', { reason: 'insecure-token' });
  });

  it('reads the token from config.env under an injected home for a loopback URL', async () => {
    const c = new AgentMailClient(
      resolveAgentMailConfig({ url: tokened.url, project: PROJECT }, { env: {}, home: '/h', readTextFile: () => 'HTTP_BEARER_TOKEN=s3cret\n' }),
    );
    assert.equal((await c.listReservations()).reservations.length, 3);
  });

  it('is not sent on a redirect: the redirect is an error and the other origin sees nothing', async () => {
    const elsewhere: http.IncomingHttpHeaders[] = [];
    const other = http.createServer((req, res) => {
      elsewhere.push(req.headers);
      res.end('{}');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const location = `http://127.0.0.1:${(other.address() as AddressInfo).port}/mcp/`;
      await tokened.setMode('redirect', { location });
      await rejectsWith(at({ token: 's3cret' }).listReservations(), 'redirect', { status: 307 });
      assert.equal(elsewhere.length, 0);
    } finally {
      await tokened.setMode('normal');
      other.close();
    }
  });
});

describe('release and renew', () => {
  it('release by path changes the server state', async () => {
    const c = client({ agent: 'BlueLake' });
    const out = await c.releaseReservations({ paths: ['README.md'] });
    assert.equal(out.released, 1);
    assert.match(out.released_at ?? '', /Z$/);
    const call = dbl.calls.find((x) => x.rpc?.method === 'tools/call');
    assert.deepEqual(call?.rpc?.params, {
      name: 'release_file_reservations',
      arguments: { project_key: PROJECT, agent_name: 'BlueLake', paths: ['README.md'] },
    });
    const left = (await c.listReservations()).reservations.map((r) => r.path_pattern);
    assert.deepEqual(left, ['src/core/**', 'docs/*.md']);
  });

  it('release by id only touches the caller’s rows', async () => {
    const c = client({ agent: 'BlueLake' });
    const ids = (await c.listReservations()).reservations.map((r) => r.id as number);
    assert.equal((await c.releaseReservations({ ids })).released, 2);
    assert.deepEqual(
      (await c.listReservations()).reservations.map((r) => r.agent),
      ['GreenCastle'],
    );
  });

  it('renew extends expiry on the server', async () => {
    const c = client({ agent: 'GreenCastle' });
    const before = (await c.listReservations()).reservations[0];
    const out = await c.renewReservations({ paths: ['src/core/**'], extendSeconds: 3600 });
    assert.equal(out.renewed, 1);
    assert.equal(out.file_reservations[0].path_pattern, 'src/core/**');
    const after = (await c.listReservations()).reservations[0];
    assert.ok(Date.parse(after.expires_ts ?? '') - Date.parse(before.expires_ts ?? '') >= 3_599_000);
  });

  it('tool errors (unknown agent) become tool-error with the server message', async () => {
    await assert.rejects(client({ agent: 'Nobody' }).releaseReservations({}), (e: Error & { kind?: string; details?: { errorType?: string } }) => {
      assert.equal(e.kind, 'tool-error');
      assert.equal(e.details?.errorType, 'NOT_FOUND');
      assert.match(e.message, /Agent 'Nobody' not found/);
      return true;
    });
  });

  it('sends registration_token when configured and the server checks it', async () => {
    const strict = await startAgentMailDouble({ project: PROJECT, reservations: DEMO, registrationTokens: { BlueLake: 'reg-1' } });
    try {
      const base = { url: strict.url, project: PROJECT, agent: 'BlueLake' };
      const without = new AgentMailClient(resolveAgentMailConfig(base, { env: {}, readTextFile: () => undefined }));
      await rejectsWith(without.releaseReservations({ paths: ['README.md'] }), 'tool-error', { errorType: 'UNAUTHORIZED' });
      const withTok = new AgentMailClient(resolveAgentMailConfig({ ...base, registrationToken: 'reg-1' }, { env: {}, readTextFile: () => undefined }));
      assert.equal((await withTok.releaseReservations({ paths: ['README.md'] })).released, 1);
    } finally {
      await strict.close();
    }
  });

  it('needs an agent name before writing', async () => {
    await rejectsWith(client().renewReservations({ extendSeconds: 60 }), 'config');
  });

  it('maps write failures like reads (403 for read-only clients)', async () => {
    await dbl.setMode('403');
    await rejectsWith(client({ agent: 'BlueLake' }).releaseReservations({ paths: ['README.md'] }), 'forbidden');
  });
});
