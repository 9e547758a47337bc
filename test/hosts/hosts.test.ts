// Real agent hosts, offline: Claude Code, Codex CLI and Gemini CLI (pinned, provisioned into .cache/ by
// scripts/provision-hosts.mjs) each run a real two-prompt session against the model stand-in, once per
// way we ship the integration: `dispatch setup` into the project, `setup --user`, and the plugin or
// extension installed from our npm tarball. The CLI is that tarball installed into a prefix that is not on
// the PATH, as a user gets it. Each session's recorded model request must hold the check-in (titles,
// urgent first), the urgent notice on the second prompt, the skill, and our MCP tools. Sessions with the
// CLI gone or the root gone must give the model one line saying why.
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HostName, hostEnv, runSession, SessionSpec } from './drivers';
import { startModelStub } from './model-stub';
import { tempRoot } from '../helpers/tmp';
import { codexTrust, hostBin, hostsMissing, installPackage, Package } from './setup-hosts';

const TOOLS = ['checkin', 'list_dispatches', 'read_dispatch', 'send_dispatch', 'acknowledge_dispatch', 'complete_dispatch', 'reroute_dispatch', 'due_cadences'];
const TEAM = 'web_ops';

type Route = 'project' | 'user' | 'plugin' | 'cli gone' | 'root gone' | 'project, ACP';

interface Case {
  host: HostName;
  route: Route;
}

const CASES: Case[] = (['claude', 'codex', 'gemini'] as const).flatMap((host) =>
  (
    [
      'project',
      'user',
      'plugin',
      ...(host === 'claude' ? (['cli gone'] as const) : []),
      ...(host === 'gemini' ? (['project, ACP'] as const) : []),
      'root gone',
    ] as const
  ).map((route) => ({ host, route })),
);

/** Results by case, for the README table (printed at the end). */
const seen: string[] = [];

const missing = hostsMissing();
let pkg: Package;

before(async () => {
  if (missing) return;
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-prefix-'));
  process.once('exit', () => fs.rmSync(prefix, { recursive: true, force: true }));
  pkg = await installPackage(prefix);
});

function seedRoot(): string {
  const root = path.join(tempRoot('root-'), 'dispatch');
  const cli = (args: string[]) => execFileSync(process.execPath, [pkg.cli, '--root', root, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  cli(['init', TEAM, 'eng', 'security', 'qa']);
  // The normal one is older: sorted by time alone it would come first.
  cli(['send', '--to', TEAM, '--from', 'eng', '--title', 'Update the site', '--body', 'The new pricing page.']);
  cli(['send', '--to', TEAM, '--from', 'security', '--priority', 'urgent', '--title', 'Rotate the keys', '--body', 'A key leaked.']);
  return root;
}

/** What a user of this route does before the session starts; returns what the session needs. */
async function prepare(c: Case, project: string, home: string, root: string): Promise<Partial<SessionSpec>> {
  const setup = (args: string[], cli = pkg.cli) =>
    execFileSync(process.execPath, [cli, '--root', root, 'setup', c.host, '--team', TEAM, ...args], {
      cwd: project,
      env: { PATH: '/usr/bin:/bin', HOME: home, CODEX_HOME: path.join(home, '.codex') },
      encoding: 'utf8',
    });
  const env = { DISPATCH_TEAM: TEAM, DISPATCH_ROOT: root };
  if (c.route === 'project' || c.route === 'root gone' || c.route === 'project, ACP') setup([]);
  if (c.route === 'user') setup(['--user']);
  if (c.route === 'cli gone') {
    const copy = path.join(tempRoot('copy-'), 'dispatch-inbox');
    fs.cpSync(pkg.dir, copy, { recursive: true });
    setup([], path.join(copy, 'dist', 'cli.js'));
    fs.rmSync(copy, { recursive: true });
  }
  if (c.route === 'root gone') fs.rmSync(root, { recursive: true });
  if (c.route === 'plugin') {
    if (c.host === 'claude') {
      // The plugin's `team` option as Claude Code stores it once asked; the root through settings' env.
      fs.mkdirSync(path.join(home, '.claude'), { recursive: true });
      // (Claude Code hands it to the plugin's hooks as CLAUDE_PLUGIN_OPTION_TEAM; DISPATCH_TEAM is not set.)
      fs.writeFileSync(
        path.join(home, '.claude', 'settings.json'),
        JSON.stringify({ env: { DISPATCH_ROOT: root }, pluginConfigs: { 'dispatch@inline': { options: { team: TEAM } } } }),
      );
      return { args: ['--plugin-dir', pkg.dir] };
    }
    const run = (argv: string[]) =>
      execFileSync(hostBin(c.host), argv, {
        cwd: project,
        env: hostEnv({ host: c.host, home, modelUrl: 'http://127.0.0.1:9', cwd: project } as SessionSpec),
        encoding: 'utf8',
        stdio: 'pipe',
      });
    if (c.host === 'codex') {
      fs.mkdirSync(path.join(home, '.codex'), { recursive: true });
      run(['plugin', 'marketplace', 'add', pkg.dir]);
      run(['plugin', 'add', 'dispatch@dispatch-inbox']);
    } else {
      run(['extensions', 'link', pkg.dir, '--consent']);
      // Gemini CLI drops `trust` from an extension's MCP servers, and a headless run then leaves their tools
      // out: the user's one step is to allow the server (the README and `dispatch doctor` say so).
      fs.mkdirSync(path.join(home, '.gemini'), { recursive: true });
      fs.writeFileSync(path.join(home, '.gemini', 'settings.json'), JSON.stringify({ mcp: { allowed: ['dispatch'] } }));
    }
    return { env };
  }
  if (c.host === 'codex') await codexTrust(hostBin('codex'), project, home);
  return {};
}

// Three sessions at a time: each host is mostly waiting (on its own start, on hooks, on the stand-in).
const PARALLEL = Number(process.env.DISPATCH_HOSTS_PARALLEL) || 3;

describe('real agent hosts', { concurrency: PARALLEL }, () => {
  for (const c of CASES) {
    test(`${c.host} / ${c.route}`, { skip: missing, timeout: 180_000 }, async () => {
      const project = fs.realpathSync(tempRoot(`project-${c.host}-`));
      const home = tempRoot(`home-${c.host}-`);
      const root = seedRoot();
      const stub = await startModelStub();
      try {
        const extra = await prepare(c, project, home, root);
        if (c.host === 'codex' && c.route === 'plugin') await codexTrust(hostBin('codex'), project, home);
        await runSession({
          host: c.host,
          bin: hostBin(c.host),
          cwd: project,
          home,
          modelUrl: stub.url,
          prompts: ['What is new?', 'Anything else?'],
          acp: c.route === 'project, ACP',
          between: async () => {
            if (fs.existsSync(root))
              execFileSync(process.execPath, [
                pkg.cli,
                '--root',
                root,
                'send',
                '--to',
                TEAM,
                '--from',
                'qa',
                '--priority',
                'urgent',
                '--title',
                'Prod is down',
              ]);
          },
          ...extra,
        });
        const bodies = stub.requests.filter((r) => r.method === 'POST' && /messages|responses|streamGenerateContent/.test(r.url)).map((r) => r.body);
        assert.ok(bodies.length >= 2, `${bodies.length} model requests recorded`);
        const last = bodies[bodies.length - 1];
        // DISPATCH_HOSTS_DUMP=DIR keeps every recorded request of every session, to read what the model got.
        const dump = process.env.DISPATCH_HOSTS_DUMP;
        if (dump) fs.writeFileSync(path.join(dump, `${c.host}-${c.route.replace(/\W+/g, '-')}.json`), JSON.stringify(stub.requests, null, 1));
        if (c.route === 'cli gone') {
          assert.match(last, /the inbox was not checked: the dispatch CLI is no longer at /);
          seen.push(`${c.host} ${c.route}: one line, the CLI is gone`);
          return;
        }
        if (c.route === 'project, ACP') {
          // No SessionStart in ACP mode: the BeforeAgent prompt hook tells of the urgent dispatch, in one line.
          assert.ok(!last.includes('Update the site'), 'no check-in ran');
          assert.match(last, /<hook_context>dispatch: urgent for web_ops from security: \\"Rotate the keys\\"/);
          seen.push(`${c.host} ${c.route}: no session-start hook in this mode; the prompt hook's urgent notice`);
          return;
        }
        if (c.route === 'root gone') {
          assert.match(last, /dispatch: no dispatch root at [^;]*; nothing to check\./);
          seen.push(`${c.host} ${c.route}: one line, no dispatch root`);
          return;
        }
        const urgent = last.indexOf('Rotate the keys');
        const normal = last.indexOf('Update the site');
        assert.ok(urgent >= 0 && normal >= 0, 'the check-in with both titles reached the model');
        assert.ok(urgent < normal, 'urgent first');
        if (c.host === 'gemini') {
          // The second prompt is a resumed headless session: its SessionStart (source "resume") check-in carries it.
          const later = last.lastIndexOf('Prod is down');
          assert.ok(later > last.lastIndexOf('What is new?'), 'the new urgent dispatch reached the model with the later prompt');
        } else assert.match(last, /dispatch: urgent for web_ops from qa: \\"Prod is down\\"/, 'the urgent notice on the second prompt');
        assert.match(last, /Team inbox of dispatches/, 'the skill is listed');
        const tools = TOOLS.filter((t) => last.includes(t));
        assert.deepEqual(tools, TOOLS, 'our MCP tools');
        const later = c.host === 'gemini' ? 'the later urgent one in the resume check-in' : 'urgent notice on the later prompt';
        seen.push(`${c.host} ${c.route}: check-in (urgent first), ${later}, skill, ${tools.length} MCP tools`);
      } finally {
        await stub.close();
      }
    });
  }
});

test('summary', { skip: missing }, () => {
  process.stdout.write(`# real hosts (${os.platform()}):\n${seen.map((s) => `#   ${s}`).join('\n')}\n`);
});
