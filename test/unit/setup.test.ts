// `dispatch setup claude|codex`: the shipped skill installed, our hooks merged into settings.json with
// every other key and hook kept, a second run changing nothing, invalid JSON left untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { skillSource } from '../../src/cli/setup';
import { parseFrontMatter } from '../../src/core/frontmatter';
import { runMain } from '../helpers/run-main';
import { tempRoot } from '../helpers/tmp';

async function setup(args: string[], o: { cwd: string; home?: string; tty?: string }) {
  const was = process.cwd();
  process.chdir(o.cwd);
  try {
    const stdin =
      o.tty === undefined ? Object.assign(Readable.from([]), { isTTY: false }) : Object.assign(Readable.from([Buffer.from(o.tty)]), { isTTY: true });
    return await runMain(['setup', ...args], { HOME: o.home ?? tempRoot('home-') }, stdin);
  } finally {
    process.chdir(was);
  }
}

const ours = {
  SessionStart: 'dispatch checkin --team web_ops --format claude-hook',
  UserPromptSubmit: 'dispatch checkin --team web_ops --format prompt-hook',
};

test('the shipped skill has valid front matter within the limits', () => {
  const fm = parseFrontMatter(readFileSync(skillSource(), 'utf8'));
  assert.deepEqual(fm.warnings, []);
  assert.match(String(fm.data.name), /^[a-z0-9-]{1,64}$/);
  assert.equal(fm.data.name, 'dispatch');
  const d = String(fm.data.description);
  assert.ok(d.length > 50 && d.length <= 1024, `${d.length} chars`);
  assert.match(fm.body, /dispatch checkin --team/);
  assert.match(fm.body, /dispatch reroute ID --to TEAM/);
});

test('setup claude into a fresh project: skill and both hooks', async () => {
  const repo = tempRoot('repo-');
  const r = await setup(['claude', '--team', 'web_ops'], { cwd: repo });
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(path.join(repo, '.claude', 'skills', 'dispatch', 'SKILL.md'), 'utf8'), readFileSync(skillSource(), 'utf8'));
  const s = JSON.parse(readFileSync(path.join(repo, '.claude', 'settings.json'), 'utf8'));
  assert.deepEqual(s, {
    hooks: {
      SessionStart: [{ matcher: 'startup|resume|clear|compact', hooks: [{ type: 'command', command: ours.SessionStart, timeout: 10 }] }],
      UserPromptSubmit: [{ hooks: [{ type: 'command', command: ours.UserPromptSubmit, timeout: 5 }] }],
    },
  });
  assert.match(r.out, /installed the skill: .*\.claude\/skills\/dispatch\/SKILL\.md/);
});

test('existing settings: every other key and hook kept, in order and indentation; a second run changes nothing', async () => {
  const repo = tempRoot('repo-');
  mkdirSync(path.join(repo, '.claude'));
  const before = {
    model: 'opus',
    permissions: { allow: ['Bash(npm test)'] },
    hooks: {
      PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'guard.sh' }] }],
      SessionStart: [{ matcher: 'startup', hooks: [{ type: 'command', command: 'echo hello' }] }],
    },
    env: { FOO: '1' },
  };
  const file = path.join(repo, '.claude', 'settings.json');
  writeFileSync(file, JSON.stringify(before, null, 4) + '\n');
  assert.equal((await setup(['claude', '--team', 'web_ops'], { cwd: repo })).code, 0);
  const text = readFileSync(file, 'utf8');
  const after = JSON.parse(text);
  assert.deepEqual(Object.keys(after), ['model', 'permissions', 'hooks', 'env']);
  assert.deepEqual(after.model, before.model);
  assert.deepEqual(after.permissions, before.permissions);
  assert.deepEqual(after.env, before.env);
  assert.deepEqual(after.hooks.PreToolUse, before.hooks.PreToolUse);
  assert.deepEqual(after.hooks.SessionStart[0], before.hooks.SessionStart[0]);
  assert.equal(after.hooks.SessionStart[1].hooks[0].command, ours.SessionStart);
  assert.equal(after.hooks.UserPromptSubmit[0].hooks[0].command, ours.UserPromptSubmit);
  assert.match(text, /^\{\n {4}"model"/, 'the file keeps its 4-space indentation');

  const again = await setup(['claude', '--team', 'web_ops'], { cwd: repo });
  assert.equal(again.code, 0);
  assert.ok(!readdirSync(path.join(repo, '.claude')).some((n) => n.endsWith('.tmp')), 'no temporary file left');
  assert.equal(readFileSync(file, 'utf8'), text, 'idempotent: byte for byte');
  assert.match(again.out, /skill up to date/);
  assert.match(again.out, /hooks already in /);
});

test('a settings.json that is a symbolic link (dotfiles) is written where it points and stays a link', async () => {
  const repo = tempRoot('repo-');
  const dotfiles = tempRoot('dotfiles-');
  mkdirSync(path.join(repo, '.claude'));
  writeFileSync(path.join(dotfiles, 'claude-settings.json'), '{"model": "opus"}\n');
  symlinkSync(path.join(dotfiles, 'claude-settings.json'), path.join(repo, '.claude', 'settings.json'));
  assert.equal((await setup(['claude', '--team', 'web_ops'], { cwd: repo })).code, 0);
  assert.ok(lstatSync(path.join(repo, '.claude', 'settings.json')).isSymbolicLink());
  const s = JSON.parse(readFileSync(path.join(dotfiles, 'claude-settings.json'), 'utf8'));
  assert.equal(s.model, 'opus');
  assert.equal(s.hooks.SessionStart[0].hooks[0].command, ours.SessionStart);
});

test('invalid JSON or an unexpected shape is left untouched, exit 1 with a clear message', async () => {
  for (const bad of ['{ "hooks": { , }', '[1, 2]', '{"hooks": []}', '{"hooks": {"SessionStart": {}}}']) {
    const repo = tempRoot('repo-');
    mkdirSync(path.join(repo, '.claude'));
    const file = path.join(repo, '.claude', 'settings.json');
    writeFileSync(file, bad);
    const r = await setup(['claude', '--team', 'web_ops'], { cwd: repo });
    assert.equal(r.code, 1, bad);
    assert.match(r.err, /^dispatch: .*settings\.json.*left untouched/, r.err);
    assert.equal(r.err.trim().split('\n').length, 1);
    assert.equal(readFileSync(file, 'utf8'), bad);
  }
});

test('--dry-run writes nothing and prints the change; --user writes under HOME; no team and no terminal is a usage error', async () => {
  const repo = tempRoot('repo-');
  const dry = await setup(['claude', '--team', 'web_ops', '--dry-run'], { cwd: repo });
  assert.equal(dry.code, 0, dry.err);
  assert.ok(!existsSync(path.join(repo, '.claude')));
  assert.match(dry.out, /would install the skill: /);
  assert.match(dry.out, /would write .*settings\.json \(adding SessionStart, UserPromptSubmit\):\n\{/);
  assert.ok(dry.out.includes(ours.SessionStart));

  const home = tempRoot('home-');
  const user = await setup(['claude', '--team', 'web_ops', '--user', '--no-prompt-hook'], { cwd: repo, home });
  assert.equal(user.code, 0, user.err);
  assert.ok(existsSync(path.join(home, '.claude', 'skills', 'dispatch', 'SKILL.md')));
  assert.deepEqual(Object.keys(JSON.parse(readFileSync(path.join(home, '.claude', 'settings.json'), 'utf8')).hooks), ['SessionStart']);
  assert.ok(!existsSync(path.join(repo, '.claude')));

  const asked = tempRoot('repo-');
  const answered = await setup(['claude'], { cwd: asked, tty: 'qa\n' });
  assert.equal(answered.code, 0, answered.err);
  assert.match(answered.err, /Your team/);
  assert.ok(readFileSync(path.join(asked, '.claude', 'settings.json'), 'utf8').includes('dispatch checkin --team qa --format claude-hook'));

  const noTeam = await setup(['claude'], { cwd: repo });
  assert.equal(noTeam.code, 2);
  assert.match(noTeam.err, /^dispatch: setup needs --team TEAM \(no terminal to ask on\)/);
  assert.equal((await setup(['claude', '--team', '../x'], { cwd: repo })).code, 2);
  assert.equal((await setup(['emacs', '--team', 'qa'], { cwd: repo })).code, 2);
  assert.ok(!existsSync(path.join(repo, '.claude')));
});

test('setup codex: the skill under .agents/skills/ and the AGENTS.md lines to add', async () => {
  const repo = tempRoot('repo-');
  const r = await setup(['codex', '--team', 'qa'], { cwd: repo });
  assert.equal(r.code, 0, r.err);
  assert.equal(readFileSync(path.join(repo, '.agents', 'skills', 'dispatch', 'SKILL.md'), 'utf8'), readFileSync(skillSource(), 'utf8'));
  assert.match(r.out, /^Add to AGENTS\.md:\n\n## Dispatch inbox\n- At the start of every session run `dispatch checkin --team qa`/m);
  assert.ok(!existsSync(path.join(repo, '.claude')));
});
