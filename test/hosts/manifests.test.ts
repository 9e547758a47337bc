// The plugin manifests, checked by the hosts' own validators (`claude plugin validate`, `gemini extensions
// validate`, both offline) and against the shapes the sessions in hosts.test.ts rely on: exec form with
// ${CLAUDE_PLUGIN_ROOT} for Claude Code, ${PLUGIN_ROOT} in Codex hooks and a plugin-relative cwd for its
// MCP server, Gemini's fixed hooks/hooks.json that stays silent under the other two.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hostBin } from './setup-hosts';
import { prepareHome } from './drivers';

const REPO = path.resolve(__dirname, '..', '..');
const read = (f: string) => JSON.parse(fs.readFileSync(path.join(REPO, f), 'utf8'));
const pkg = read('package.json');

test('every manifest names the package version, and npm ships each of them', () => {
  for (const f of ['.claude-plugin/plugin.json', '.codex-plugin/plugin.json', 'gemini-extension.json']) assert.equal(read(f).version, pkg.version, f);
  for (const f of [
    '.claude-plugin/',
    '.codex-plugin/',
    '.agents/plugins/',
    'hooks/',
    'skills/',
    'gemini-extension.json',
    'dist/cli.js',
    'dist/mcp.js',
    'dist/hook.js',
  ])
    assert.ok(pkg.files.includes(f), `package.json files lacks ${f}`);
});

test('Claude Code plugin: exec-form hooks through ${CLAUDE_PLUGIN_ROOT}, the team from userConfig, the MCP server', () => {
  const p = read('.claude-plugin/plugin.json');
  assert.match(p.name, /^[a-z0-9-]+$/);
  assert.equal(p.userConfig.team.type, 'string');
  const start = p.hooks.SessionStart[0].hooks[0];
  assert.deepEqual([start.command, start.args], ['node', ['${CLAUDE_PLUGIN_ROOT}/dist/cli.js', 'checkin', '--format', 'claude-hook']]);
  assert.deepEqual(p.hooks.UserPromptSubmit[0].hooks[0].args, ['${CLAUDE_PLUGIN_ROOT}/dist/hook.js', '--event', 'UserPromptSubmit']);
  assert.deepEqual(p.mcpServers.dispatch.args, ['${CLAUDE_PLUGIN_ROOT}/dist/cli.js', 'mcp']);
  const m = read('.claude-plugin/marketplace.json');
  assert.deepEqual(m.plugins[0].source, { source: 'npm', package: pkg.name });
});

test('Codex plugin and marketplace', () => {
  const p = read('.codex-plugin/plugin.json');
  for (const k of ['skills', 'hooks', 'mcpServers']) assert.ok(fs.existsSync(path.join(REPO, p[k])), `${k}: ${p[k]}`);
  const hooks = read(p.hooks);
  assert.match(hooks.hooks.SessionStart[0].hooks[0].command, /^node "\$\{PLUGIN_ROOT\}\/dist\/cli\.js" checkin --format claude-hook$/);
  // Codex expands ${PLUGIN_ROOT} in hooks but not in MCP arguments; a relative cwd is the plugin root.
  assert.deepEqual(read(p.mcpServers).mcpServers.dispatch, {
    command: 'node',
    args: ['./dist/cli.js', 'mcp'],
    cwd: '.',
    env_vars: ['DISPATCH_ROOT', 'DISPATCH_TEAM'],
  });
  assert.deepEqual(read('.agents/plugins/marketplace.json').plugins[0].source, { source: 'local', path: './' });
});

test('Gemini CLI extension: hooks/hooks.json without matcher, in milliseconds, silent where CLAUDE_PLUGIN_ROOT is set', () => {
  const hooks = read('hooks/hooks.json').hooks;
  assert.deepEqual(Object.keys(hooks), ['SessionStart', 'BeforeAgent']);
  for (const e of Object.values(hooks) as Array<Array<{ matcher?: string; hooks: Array<{ command: string; timeout: number }> }>>) {
    assert.equal(e[0].matcher, undefined);
    const h = e[0].hooks[0];
    assert.ok(h.timeout >= 1000, 'milliseconds');
    const run = spawnSync('/bin/sh', ['-c', h.command.replace(/\$\{extensionPath\}/g, '/nonexistent')], {
      env: { PATH: '/usr/bin:/bin', CLAUDE_PLUGIN_ROOT: '/x' },
      encoding: 'utf8',
    });
    assert.deepEqual([run.status, run.stdout, run.stderr], [0, '', ''], 'does nothing under Claude Code or Codex');
  }
  assert.deepEqual(read('gemini-extension.json').mcpServers.dispatch.args, ['${extensionPath}${/}dist${/}cli.js', 'mcp']);
});

const claude = hostBin('claude');
test(
  'claude plugin validate accepts the plugin and its marketplace',
  { skip: !fs.existsSync(claude) && 'Claude Code not provisioned (npm run provision)' },
  () => {
    for (const dir of [REPO, path.join(REPO, '.claude-plugin', 'marketplace.json')]) {
      const r = spawnSync(claude, ['plugin', 'validate', dir], {
        encoding: 'utf8',
        env: { PATH: '/usr/bin:/bin', HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'home-')) },
      });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /Validation passed/);
    }
  },
);

const gemini = hostBin('gemini');
test('gemini extensions validate accepts the extension', { skip: !fs.existsSync(gemini) && 'Gemini CLI not provisioned (npm run provision)' }, () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'home-'));
  prepareHome('gemini', home);
  const r = spawnSync(gemini, ['extensions', 'validate', REPO], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: home } });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout + r.stderr, /successfully validated/);
});

test('the .vsix carries the CLI, the MCP server, the prompt hook, the skill and what the walkthrough shows', { timeout: 60_000 }, () => {
  const r = spawnSync(path.join(REPO, 'node_modules', '.bin', 'vsce'), ['ls'], { cwd: REPO, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const files = r.stdout.trim().split('\n');
  for (const f of [
    'dist/extension.js',
    'dist/cli.js',
    'dist/mcp.js',
    'dist/hook.js',
    'skills/dispatch/SKILL.md',
    'LICENSE',
    'CHANGELOG.md',
    'media/walkthrough/agents.md',
  ])
    assert.ok(files.includes(f), `${f} is not in the .vsix`);
  assert.ok(!files.some((f) => /^(src|test|node_modules|\.cache)\//.test(f)), 'nothing but what ships');
  const pkg = read('package.json');
  for (const w of pkg.contributes.walkthroughs[0].steps) assert.ok(files.includes(w.media.markdown), w.media.markdown);
});
