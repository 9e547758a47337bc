// dist/hook.js, the prompt hook's own entry: with nothing new to announce it answers from new/'s names and
// the notice state alone, without loading the CLI (here: with no cli.js beside it at all); with a new
// urgent dispatch it hands over to the CLI, which prints the one JSON line; it never fails a prompt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import * as path from 'node:path';
import { builtCli } from '../helpers/built-cli';
import { tempRoot } from '../helpers/tmp';

function hook(hookJs: string, args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [hookJs, ...args], { env: { PATH: '/usr/bin:/bin', ...env }, encoding: 'utf8', input: '{}' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('the prompt hook: nothing new → nothing, without the CLI; a new urgent one → one additionalContext line', () => {
  const cli = builtCli();
  const root = path.join(tempRoot('root-'), 'dispatch');
  const env = { HOME: tempRoot('home-'), XDG_STATE_HOME: tempRoot('state-') };
  const run = (args: string[]) => execFileSync(process.execPath, [cli, '--root', root, ...args], { env: { PATH: '/usr/bin:/bin', ...env } });
  run(['init', 'web_ops']);
  run(['send', '--to', 'web_ops', '--from', 'eng', '--title', 'Normal work', '--body', 'x']);
  run(['send', '--to', 'web_ops', '--from', 'security', '--priority', 'urgent', '--title', 'Rotate keys', '--body', 'x']);
  run(['checkin', '--team', 'web_ops', '--format', 'claude-hook']); // the session start showed it

  const alone = path.join(tempRoot('hook-alone-'), 'hook.js'); // no cli.js beside it
  copyFileSync(path.join(path.dirname(cli), 'hook.js'), alone);
  assert.deepEqual(hook(alone, ['--root', root, '--team', 'web_ops'], env), { code: 0, out: '', err: '' });
  assert.deepEqual(hook(alone, ['--root', root], { ...env, DISPATCH_TEAM: 'web_ops' }), { code: 0, out: '', err: '' }, 'the team from the environment');

  run(['send', '--to', 'web_ops', '--from', 'qa', '--priority', 'urgent', '--title', 'Prod is down', '--body', 'x']);
  const orphan = hook(alone, ['--root', root, '--team', 'web_ops'], env);
  assert.equal(orphan.code, 0, 'a prompt hook never fails the prompt');
  assert.equal(orphan.out, '');
  assert.match(orphan.err, /^dispatch: prompt hook: /);

  const real = hook(path.join(path.dirname(cli), 'hook.js'), ['--root', root, '--team', 'web_ops', '--event', 'BeforeAgent'], env);
  assert.equal(real.code, 0, real.err);
  assert.deepEqual(JSON.parse(real.out), {
    hookSpecificOutput: {
      hookEventName: 'BeforeAgent',
      additionalContext: 'dispatch: urgent for web_ops from qa: "Prod is down" (`dispatch checkin --team web_ops` lists it)',
    },
  });
  assert.deepEqual(hook(path.join(path.dirname(cli), 'hook.js'), ['--root', root, '--team', 'web_ops'], env), { code: 0, out: '', err: '' }, 'never twice');
  assert.deepEqual(hook(alone, ['--root', root, '--team', '../etc'], env), { code: 0, out: '', err: '' }, 'a bad team is silence');
});
