// `dispatch setup HOST`, run as the built CLI in a child process, as a user runs it: the skill, the hooks
// and the MCP server for every host; merges that keep every other byte (comments, numbers JSON.parse would
// change, indentation); a second run changing nothing; invalid JSON untouched; exec form with absolute
// paths; hooks that fail open when the CLI is gone; and the fault classes of issue 18 (a dangling link,
// the file's mode, two teams at once, an edited skill).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { builtCli } from '../helpers/built-cli';
import { tempRoot } from '../helpers/tmp';
import { parseFrontMatter } from '../../src/core/format/frontmatter';

const SKILL = path.join(__dirname, '..', '..', 'skills', 'dispatch', 'SKILL.md');

interface Run {
  code: number | null;
  out: string;
  err: string;
}

function run(args: string[], o: { cwd: string; home: string; env?: NodeJS.ProcessEnv; cli?: string }): Run {
  const r = spawnSync(process.execPath, [o.cli ?? builtCli(), ...args], {
    cwd: o.cwd,
    encoding: 'utf8',
    env: { PATH: '/usr/bin:/bin', HOME: o.home, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function world() {
  const project = tempRoot('project-');
  const home = tempRoot('home-');
  const root = path.join(tempRoot('root-'), 'dispatch');
  execFileSync(process.execPath, [builtCli(), '--root', root, 'init', 'web_ops', 'qa']);
  return { project, home, root };
}

const json = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

/** Runs a hook entry as its host would: exec form (command + args), or the command string through sh. */
function fire(hook: { command: string; args?: string[] }, env: NodeJS.ProcessEnv, stdin = '{}'): Run {
  const r = hook.args
    ? spawnSync(hook.command, hook.args, { input: stdin, encoding: 'utf8', env })
    : spawnSync('/bin/sh', ['-c', hook.command], { input: stdin, encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('the shipped skill has valid front matter within the limits and names no fixed root', () => {
  const fm = parseFrontMatter(readFileSync(SKILL, 'utf8'));
  assert.deepEqual(fm.warnings, []);
  assert.equal(fm.data.name, 'dispatch');
  const d = String(fm.data.description);
  assert.ok(d.length > 50 && d.length <= 1024, `${d.length} chars`);
  assert.match(fm.body, /dispatch checkin --team/);
  assert.match(fm.body, /dispatch root/);
  assert.doesNotMatch(d, /~\/\.team\/dispatch/);
});

test('setup claude: skill naming the root, exec-form hooks with absolute paths and --root, the MCP server; no PATH needed', () => {
  const { project, home, root } = world();
  const r = run(['--root', root, 'setup', 'claude', '--team', 'web_ops'], { cwd: project, home });
  assert.equal(r.code, 0, r.err);
  const skill = readFileSync(path.join(project, '.claude', 'skills', 'dispatch', 'SKILL.md'), 'utf8');
  assert.ok(skill.includes(`This installation's root is \`${root}\``), skill);
  assert.match(skill, /`dispatch` is not on the PATH here: run it as `\/.*node \/.*cli\.js --root /);
  const s = json(path.join(project, '.claude', 'settings.json'));
  const start = s.hooks.SessionStart[0];
  assert.equal(start.matcher, 'startup|resume|clear|compact');
  const h = start.hooks[0];
  assert.equal(h.command, '/bin/sh');
  assert.deepEqual(h.args.slice(2), [
    process.execPath,
    path.join(path.dirname(builtCli()), 'cli.js'),
    '--root',
    root,
    'checkin',
    '--team',
    'web_ops',
    '--format',
    'claude-hook',
  ]);
  const prompt = s.hooks.UserPromptSubmit[0].hooks[0];
  assert.deepEqual(prompt.args.slice(4), ['--root', root, '--team', 'web_ops', '--event', 'UserPromptSubmit']);
  assert.match(prompt.args[3], /hook\.js$/);
  assert.deepEqual(json(path.join(project, '.mcp.json')).mcpServers.dispatch.args.slice(1), ['--root', root, 'mcp']);
  assert.ok(statSync(path.join(path.dirname(builtCli()), 'cli.js')).mode & 0o100, 'the CLI is executable');

  // The hook as Claude Code runs it, with an empty PATH: the check-in JSON.
  const out = fire(h, { HOME: home });
  assert.equal(out.code, 0, out.err);
  assert.match(JSON.parse(out.out).hookSpecificOutput.additionalContext, /web_ops/);
});

test('every host: merge keeps what is there, a second run changes nothing, string commands for hosts without exec form', () => {
  const cases: Array<{ host: string; file: string; events: string[]; extra?: string[] }> = [
    { host: 'codex', file: '.codex/hooks.json', events: ['SessionStart', 'UserPromptSubmit'] },
    { host: 'gemini', file: '.gemini/settings.json', events: ['SessionStart', 'BeforeAgent'] },
    { host: 'cursor', file: '.cursor/hooks.json', events: ['sessionStart'] },
    { host: 'copilot', file: '.github/hooks/dispatch.json', events: ['SessionStart'] },
    { host: 'claude', file: '.claude/settings.json', events: ['SessionStart', 'UserPromptSubmit'] },
  ];
  for (const c of cases) {
    const { project, home, root } = world();
    const file = path.join(project, c.file);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{\n    "theirs": {"keep": [1, 2, 3]},\n    "hooks": {"Other": [{"hooks": [{"type": "command", "command": "guard.sh"}]}]}\n}\n');
    const r = run(['--root', root, 'setup', c.host, '--team', 'qa'], { cwd: project, home });
    assert.equal(r.code, 0, `${c.host}: ${r.err}`);
    const text = readFileSync(file, 'utf8');
    const s = JSON.parse(text);
    assert.deepEqual(s.theirs, { keep: [1, 2, 3] }, c.host);
    assert.equal(s.hooks.Other[0].hooks[0].command, 'guard.sh', c.host);
    assert.match(text, /^\{\n {4}"theirs": \{"keep": \[1, 2, 3\]\},\n/, `${c.host}: untouched bytes and indentation stay`);
    for (const e of c.events) {
      assert.equal(s.hooks[e].length, 1, `${c.host} ${e}`);
      const cmd = JSON.stringify(s.hooks[e][0]);
      assert.ok(cmd.includes(root) && cmd.includes('--team') && cmd.includes(process.execPath), `${c.host} ${e}: ${cmd}`);
      if (c.host !== 'claude') assert.ok(!cmd.includes('"args"'), `${c.host}: no exec form (the host ignores args)`);
    }
    if (c.host === 'gemini') assert.equal(s.hooks.SessionStart[0].matcher, undefined, 'Gemini matches a SessionStart matcher as an exact string: none');
    if (c.host === 'gemini') assert.equal(s.hooks.SessionStart[0].hooks[0].timeout, 10_000, 'Gemini timeouts are milliseconds');
    const again = run(['--root', root, 'setup', c.host, '--team', 'qa'], { cwd: project, home });
    assert.equal(again.code, 0);
    assert.equal(readFileSync(file, 'utf8'), text, `${c.host}: idempotent, byte for byte`);
    assert.match(again.out, /skill up to date/);
    assert.doesNotMatch(again.out, /added to/);
    assert.ok(!readdirSync(path.dirname(file)).some((n) => n.endsWith('.tmp') || n.endsWith('-lock')), 'nothing left beside it');
  }
});

test('Codex: hooks in .codex/hooks.json, the MCP server in config.toml with the root in its arguments, and the exact trust steps', () => {
  const { project, home, root } = world();
  mkdirSync(path.join(project, '.codex'));
  writeFileSync(path.join(project, '.codex', 'config.toml'), 'model = "o9"\n');
  const r = run(['--root', root, 'setup', 'codex', '--team', 'qa'], { cwd: project, home });
  assert.equal(r.code, 0, r.err);
  const toml = readFileSync(path.join(project, '.codex', 'config.toml'), 'utf8');
  assert.ok(toml.startsWith('model = "o9"\n\n[mcp_servers.dispatch]\n'), toml);
  assert.ok(toml.includes(`"--root", ${JSON.stringify(root)}, "mcp"]`), toml);
  assert.match(r.out, /to do: Codex reads .*\.codex only in a trusted project: run `codex` in .* and trust it/);
  assert.match(r.out, /to do: Codex runs a hook only once a person has reviewed it: start `codex`, open \/hooks and trust the dispatch hooks/);
  assert.ok(existsSync(path.join(project, '.agents', 'skills', 'dispatch', 'SKILL.md')));
  const again = run(['--root', root, 'setup', 'codex', '--team', 'qa'], { cwd: project, home });
  assert.equal(readFileSync(path.join(project, '.codex', 'config.toml'), 'utf8'), toml, again.err);
});

test('--user writes under HOME, --local into settings.local.json; scopes a host lacks are usage errors', () => {
  const { project, home, root } = world();
  assert.equal(run(['--root', root, 'setup', 'claude', '--team', 'qa', '--user'], { cwd: project, home }).code, 0);
  assert.ok(existsSync(path.join(home, '.claude', 'skills', 'dispatch', 'SKILL.md')));
  assert.ok(json(path.join(home, '.claude', 'settings.json')).hooks.SessionStart);
  assert.ok(json(path.join(home, '.claude.json')).mcpServers.dispatch);
  assert.ok(!existsSync(path.join(project, '.claude')));

  assert.equal(run(['--root', root, 'setup', 'claude', '--team', 'qa', '--local'], { cwd: project, home }).code, 0);
  assert.ok(json(path.join(project, '.claude', 'settings.local.json')).hooks.UserPromptSubmit);
  assert.ok(!existsSync(path.join(project, '.claude', 'settings.json')));
  assert.ok(json(path.join(home, '.claude.json')).projects[project].mcpServers.dispatch);

  for (const bad of [['codex', '--local'], ['copilot', '--user'], ['claude', '--user', '--local'], ['emacs'], ['claude', '--team', '../x']]) {
    const r = run(['setup', ...bad, ...(bad.includes('--team') ? [] : ['--team', 'qa'])], { cwd: project, home });
    assert.equal(r.code, 2, `${bad.join(' ')}: ${r.err}`);
    assert.match(r.err, /^dispatch: .*\nusage: dispatch/);
  }
  const noTeam = run(['setup', 'claude'], { cwd: project, home });
  assert.equal(noTeam.code, 2);
  assert.match(noTeam.err, /^dispatch: setup needs --team TEAM \(no terminal to ask on\)/);
});

test('--dry-run writes nothing and shows the change', () => {
  const { project, home } = world();
  const r = run(['setup', 'gemini', '--team', 'qa', '--dry-run'], { cwd: project, home });
  assert.equal(r.code, 0, r.err);
  assert.ok(!existsSync(path.join(project, '.gemini')));
  assert.match(r.out, /would install the skill/);
  assert.match(r.out, /would add to .*settings\.json: SessionStart hook, BeforeAgent hook, MCP server\n\{/);
});

test('invalid JSON or an unexpected shape is left untouched, exit 1 with one clear line', () => {
  for (const bad of ['{ "hooks": { , }', '[1, 2]', '{"hooks": []}', '{"hooks": {"SessionStart": {}}}', '{"mcpServers": 3}']) {
    const { project, home } = world();
    mkdirSync(path.join(project, '.gemini'));
    const file = path.join(project, '.gemini', 'settings.json');
    writeFileSync(file, bad);
    const r = run(['setup', 'gemini', '--team', 'qa'], { cwd: project, home });
    assert.equal(r.code, 1, bad);
    assert.match(r.err, /^dispatch: .*settings\.json.*left untouched/, r.err);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.equal(readFileSync(file, 'utf8'), bad);
  }
});

test('issue 18: comments, a user id past 2^53 and 1e400 survive; only our entries are new', () => {
  const { project, home } = world();
  mkdirSync(path.join(project, '.claude'));
  const file = path.join(project, '.claude', 'settings.json');
  const before =
    '{\n  // my settings\n  "userId": 123456789012345678901234567890,\n  "ratio": 1e400,\n  "precise": 0.1000000000000000055511151231257827,\n  "model": "opus"\n}\n';
  writeFileSync(file, before);
  assert.equal(run(['setup', 'claude', '--team', 'qa'], { cwd: project, home }).code, 0);
  const after = readFileSync(file, 'utf8');
  assert.ok(
    after.startsWith(
      '{\n  // my settings\n  "userId": 123456789012345678901234567890,\n  "ratio": 1e400,\n  "precise": 0.1000000000000000055511151231257827,\n  "model": "opus",\n  "hooks": {',
    ),
    after,
  );
});

test('issue 18: a dangling settings.json symlink is written where it points and stays a link', () => {
  const { project, home } = world();
  const dotfiles = tempRoot('dotfiles-');
  mkdirSync(path.join(project, '.claude'));
  const link = path.join(project, '.claude', 'settings.json');
  const target = path.join(dotfiles, 'claude', 'settings.json');
  symlinkSync(target, link); // dangling: the dotfiles checkout has no such file yet
  const r = run(['setup', 'claude', '--team', 'qa'], { cwd: project, home });
  assert.equal(r.code, 0, r.err);
  assert.ok(lstatSync(link).isSymbolicLink(), 'still a link');
  assert.equal(readlinkSync(link), target);
  assert.ok(json(target).hooks.SessionStart);
});

test('issue 18: settings.json keeps its mode (a private 600 stays 600 whatever the umask)', () => {
  const { project, home } = world();
  mkdirSync(path.join(project, '.claude'));
  const file = path.join(project, '.claude', 'settings.json');
  writeFileSync(file, '{}\n');
  chmodSync(file, 0o600);
  assert.equal(run(['setup', 'claude', '--team', 'qa'], { cwd: project, home }).code, 0);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  chmodSync(file, 0o664);
  assert.equal(run(['setup', 'claude', '--team', 'web_ops'], { cwd: project, home }).code, 0);
  assert.equal(statSync(file).mode & 0o777, 0o664);
});

test('issue 18: setups for two teams at once both keep their hooks (or one says it failed)', async () => {
  for (let round = 0; round < 4; round++) {
    const { project, home } = world();
    const teams = ['web_ops', 'qa', 'eng', 'ops'];
    const codes = await Promise.all(
      teams.map(
        (t) =>
          new Promise<number | null>((resolve) => {
            const p = spawn(process.execPath, [builtCli(), 'setup', 'gemini', '--team', t], {
              cwd: project,
              env: { PATH: '/usr/bin:/bin', HOME: home },
              stdio: 'ignore',
            });
            p.on('exit', resolve);
          }),
      ),
    );
    const s = json(path.join(project, '.gemini', 'settings.json'));
    for (const [i, t] of teams.entries()) {
      const has = s.hooks.SessionStart.some((e: unknown) => JSON.stringify(e).includes(`--team ${t} `));
      if (codes[i] === 0) assert.ok(has, `round ${round}: setup for ${t} said it succeeded but its hook is gone`);
    }
    assert.equal(s.hooks.SessionStart.length, codes.filter((c) => c === 0).length);
  }
});

test('issue 18: a re-run keeps a SKILL.md the user edited and says so; --force replaces it', () => {
  const { project, home } = world();
  assert.equal(run(['setup', 'codex', '--team', 'qa'], { cwd: project, home }).code, 0);
  const file = path.join(project, '.agents', 'skills', 'dispatch', 'SKILL.md');
  const mine = readFileSync(file, 'utf8').replace('# Dispatches', '# Dispatches (our team: always ack at once)');
  writeFileSync(file, mine);
  const again = run(['setup', 'codex', '--team', 'qa'], { cwd: project, home });
  assert.equal(again.code, 0);
  assert.equal(readFileSync(file, 'utf8'), mine);
  assert.match(again.out, /kept the skill you edited: .*SKILL\.md \(setup --force replaces it\)/);
  const forced = run(['setup', 'codex', '--team', 'qa', '--force'], { cwd: project, home });
  assert.match(forced.out, /updated the skill/);
  assert.ok(!readFileSync(file, 'utf8').includes('always ack at once'));
  // A skill setup wrote for another root is ours: replaced without --force.
  const other = run(['--root', '/elsewhere', 'setup', 'codex', '--team', 'qa'], { cwd: project, home });
  assert.match(other.out, /updated the skill/);
});

test('fail-open: with the CLI gone, the session hook says so in one line and exits 0; the prompt hook says nothing', () => {
  const { project, home, root } = world();
  const copy = path.join(tempRoot('install-'), 'dist');
  cpSync(path.dirname(builtCli()), copy, { recursive: true });
  const cli = path.join(copy, 'cli.js');
  for (const host of ['claude', 'gemini']) assert.equal(run(['--root', root, 'setup', host, '--team', 'qa'], { cwd: project, home, cli }).code, 0);
  renameSync(copy, copy + '.gone');
  const claude = json(path.join(project, '.claude', 'settings.json')).hooks;
  const start = fire(claude.SessionStart[0].hooks[0], { HOME: home });
  assert.deepEqual([start.code, start.err], [0, '']);
  assert.equal(start.out.trim().split('\n').length, 1);
  assert.match(JSON.parse(start.out).hookSpecificOutput.additionalContext, /^dispatch: the inbox was not checked: the dispatch CLI is no longer at .*cli\.js/);
  assert.deepEqual(fire(claude.UserPromptSubmit[0].hooks[0], { HOME: home }), { code: 0, out: '', err: '' });
  const gemini = json(path.join(project, '.gemini', 'settings.json')).hooks;
  const g = fire(gemini.SessionStart[0].hooks[0], { HOME: home });
  assert.equal(g.code, 0);
  assert.match(JSON.parse(g.out).hookSpecificOutput.additionalContext, /no longer at/);
  assert.deepEqual(fire(gemini.BeforeAgent[0].hooks[0], { HOME: home }), { code: 0, out: '', err: '' });
});

test('issue 18: setup killed at any instant leaves each file whole (before or after), and the next run finishes the job', async () => {
  // Killed after a random delay, many times: every settings file must parse at every moment we look.
  const { project, home } = world();
  const file = path.join(project, '.claude', 'settings.json');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '{\n  "model": "opus"\n}\n');
  for (let i = 0; i < 12; i++) {
    const p = spawn(process.execPath, [builtCli(), 'setup', 'claude', '--team', `t${i}`], {
      cwd: project,
      env: { PATH: '/usr/bin:/bin', HOME: home },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => p.once('exit', r));
    await new Promise((r) => setTimeout(r, 40 + ((i * 37) % 120)));
    p.kill('SIGKILL');
    await exited;
    const text = readFileSync(file, 'utf8');
    assert.doesNotThrow(() => JSON.parse(text), `round ${i}: ${text}`);
    assert.equal(json(file).model, 'opus');
  }
  const done = run(['setup', 'claude', '--team', 'qa'], { cwd: project, home });
  assert.equal(done.code, 0, done.err);
  assert.ok(!readdirSync(path.dirname(file)).some((n) => n.endsWith('.tmp') || n.endsWith('-lock')), 'no temporary file or lock left');
});

test('doctor: one line per host set up, whether it will fire, and the one step that fixes it', () => {
  const { project, home, root } = world();
  const none = run(['doctor'], { cwd: project, home });
  assert.equal(none.code, 1);
  assert.match(none.out, /^no agent host has dispatch hooks here/);

  assert.equal(run(['--root', root, 'setup', 'claude', '--team', 'qa'], { cwd: project, home }).code, 0);
  const ok = run(['doctor'], { cwd: project, home });
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.equal(ok.out, `claude (project: ${path.join(project, '.claude', 'settings.json')}): will fire for team qa in ${root}\n`);

  // Broken four ways: the root gone, Codex untrusted, Gemini's matcher copied from Claude's, a bare `dispatch`.
  assert.equal(run(['--root', root + '-gone', 'setup', 'claude', '--team', 'qa', '--local'], { cwd: project, home }).code, 0);
  assert.equal(run(['--root', root, 'setup', 'codex', '--team', 'qa'], { cwd: project, home }).code, 0);
  assert.equal(run(['--root', root, 'setup', 'gemini', '--team', 'qa'], { cwd: project, home }).code, 0);
  const g = path.join(project, '.gemini', 'settings.json');
  const gs = json(g);
  gs.hooks.SessionStart[0].matcher = 'startup|resume|clear|compact';
  writeFileSync(g, JSON.stringify(gs));
  mkdirSync(path.join(project, '.cursor'));
  writeFileSync(
    path.join(project, '.cursor', 'hooks.json'),
    '{"version":1,"hooks":{"sessionStart":[{"command":"dispatch checkin --team qa --format claude-hook"}]}}',
  );
  const bad = run(['doctor'], { cwd: project, home });
  assert.equal(bad.code, 1);
  const lines = bad.out.trim().split('\n');
  assert.equal(lines.length, 5, bad.out);
  assert.match(
    lines[1],
    /^claude \(project, not committed: .*settings\.local\.json\): will not fire: the root .*-gone does not exist; fix: `dispatch --root .*-gone init qa`$/,
  );
  assert.match(
    lines[2],
    /^codex \(project: .*\): will not fire: Codex reads \.codex\/ only in a trusted project, and this one is not; fix: run `codex` in .* and trust it$/,
  );
  assert.match(
    lines[3],
    /^gemini \(project: .*\): will not fire: Gemini CLI matches a SessionStart matcher as an exact string: "startup\|resume\|clear\|compact" never fires; fix: run `dispatch setup gemini` again/,
  );
  assert.match(
    lines[4],
    /^cursor \(project: .*\): will not fire: the hook calls `dispatch` by name: it fails where that is not on the PATH; fix: run `dispatch setup cursor --team qa` \(absolute paths\)$/,
  );

  // The project trusted, Codex still waits for a person to trust the hooks themselves.
  mkdirSync(path.join(home, '.codex'), { recursive: true });
  writeFileSync(path.join(home, '.codex', 'config.toml'), `[projects.${JSON.stringify(project)}]\ntrust_level = "trusted"\n`);
  assert.match(
    run(['doctor'], { cwd: project, home }).out,
    /codex .*: will not fire: Codex runs a hook only once a person has trusted it, and nobody has; fix: start `codex`, open \/hooks and trust the dispatch hooks/,
  );
  assert.equal(JSON.parse(run(['doctor', '--json'], { cwd: project, home }).out).length, 5);
});

test('doctor: the plugin routes too (Claude Code plugin, Codex plugin, Gemini extension): node on the PATH, the team, trust', () => {
  const { project, home, root } = world();
  mkdirSync(path.join(home, '.claude'), { recursive: true });
  writeFileSync(
    path.join(home, '.claude', 'settings.json'),
    JSON.stringify({
      enabledPlugins: { 'dispatch@dispatch-inbox': true },
      pluginConfigs: { 'dispatch@dispatch-inbox': { options: { team: 'qa' } } },
      env: { DISPATCH_ROOT: root },
    }),
  );
  mkdirSync(path.join(home, '.codex'), { recursive: true });
  writeFileSync(path.join(home, '.codex', 'config.toml'), '[plugins."dispatch@dispatch-inbox"]\nenabled = true\n');
  mkdirSync(path.join(home, '.gemini', 'extensions', 'dispatch'), { recursive: true });
  const withNode = { PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`, DISPATCH_ROOT: root, DISPATCH_TEAM: 'web_ops' };
  const r = run(['doctor'], { cwd: project, home, env: withNode });
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 3, r.out);
  assert.equal(lines[0], `claude (plugin dispatch@dispatch-inbox): will fire for team qa in ${root}`);
  assert.match(lines[1], /^codex \(plugin dispatch@dispatch-inbox\): will not fire: Codex runs a hook only once a person has trusted it/);
  assert.match(
    lines[2],
    /^gemini \(extension .*\): will fire for team web_ops in .*; but hooks fire; the MCP tools are left out of headless runs .*: add "mcp": \{"allowed": \["dispatch"\]\}/,
  );
  const noNode = run(['doctor'], { cwd: project, home, env: { PATH: '/nonexistent', DISPATCH_TEAM: 'web_ops' } });
  assert.match(
    noNode.out,
    /^claude \(plugin dispatch@dispatch-inbox\): will not fire: its hooks run `node`, and there is none on the PATH; fix: install Node\.js 20 or later on the PATH$/m,
  );
});

test("Cursor's sessionStart hook prints Cursor's own shape, {additional_context}, also when it fails open", () => {
  const { project, home, root } = world();
  const copy = path.join(tempRoot('install-'), 'dist');
  cpSync(path.dirname(builtCli()), copy, { recursive: true });
  assert.equal(run(['--root', root, 'setup', 'cursor', '--team', 'qa'], { cwd: project, home, cli: path.join(copy, 'cli.js') }).code, 0);
  const hook = json(path.join(project, '.cursor', 'hooks.json')).hooks.sessionStart[0];
  const ok = fire(hook, { HOME: home });
  assert.deepEqual(Object.keys(JSON.parse(ok.out)), ['additional_context']);
  assert.match(JSON.parse(ok.out).additional_context, /qa/);
  renameSync(copy, copy + '.gone');
  const gone = fire(hook, { HOME: home });
  assert.equal(gone.code, 0);
  assert.match(JSON.parse(gone.out).additional_context, /the dispatch CLI is no longer at/);
});

test('hook commands quote any path for sh: spaces, quotes, $, backticks and newlines run as written, and doctor reads them back', async () => {
  const { shellQuote } = await import('../../src/core/agents/hook-command');
  const { shellWords } = await import('../../src/core/agents/doctor');
  const hostile = ["/tmp/a b/it's $HOME `id`\n;rm -rf x", 'plain', '', "'", '"\\'];
  const line = hostile.map(shellQuote).join(' ');
  const r = spawnSync('/bin/sh', ['-c', `for a in ${line}; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
  assert.deepEqual(r.stdout.split('\0').slice(0, -1), hostile);
  assert.deepEqual(
    shellWords(line),
    hostile.filter((h) => h !== ''),
  ); // doctor needs the paths, not empty words
  // A root whose name would break an unquoted command: setup's hook still reaches the right folder.
  const { project, home } = world();
  const odd = path.join(tempRoot('odd-'), "the 'dispatch' $root");
  execFileSync(process.execPath, [builtCli(), '--root', odd, 'init', 'qa']);
  assert.equal(run(['--root', odd, 'setup', 'gemini', '--team', 'qa'], { cwd: project, home }).code, 0);
  const h = json(path.join(project, '.gemini', 'settings.json')).hooks.SessionStart[0].hooks[0];
  const out = fire(h, { HOME: home });
  assert.equal(out.code, 0, out.err);
  assert.match(JSON.parse(out.out).hookSpecificOutput.additionalContext, /qa/);
  assert.doesNotMatch(JSON.parse(out.out).hookSpecificOutput.additionalContext, /no dispatch root/);
  assert.match(run(['doctor'], { cwd: project, home }).out, /^gemini .*: will fire for team qa in .*the 'dispatch' \$root/);
});
