// The OS users the shared-root, fault and soak tests make are removed again: when their test process
// ends (tests passed or failed) and, for a process killed outright, by the next process that makes one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { otherUser, testGroup } from '../helpers/users';

const helper = path.join(__dirname, '..', 'helpers', 'users.ts');

/** Runs a script that makes a user and a group with the helper, then ends as `end` says; returns its pid. */
function child(end: string): { pid: number; status: number | null; signal: NodeJS.Signals | null } {
  const script = `const u = require(${JSON.stringify(helper)}); const g = u.testGroup('grp'); if (u.otherUser('probe', g && g.name) === undefined) process.exit(9); console.log(process.pid); ${end}`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
  assert.notEqual(r.status, 9, 'the child could not make a user');
  return { pid: Number(r.stdout.trim()), status: r.status, signal: r.signal };
}

const has = (db: string, name: string) => spawnSync('getent', [db, name]).status === 0;

test('a test process that fails still removes its users and groups', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root and useradd');
  const c = child("throw new Error('a failing test');");
  assert.equal(c.status, 1);
  assert.equal(has('passwd', `dispatch-t-${c.pid}-probe`), false, 'user removed');
  assert.equal(has('group', `dispatch-t-${c.pid}-grp`), false, 'group removed');
});

test('users of a process killed outright are removed by the next one that makes users', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root and useradd');
  const c = child("process.kill(process.pid, 'SIGKILL');");
  assert.equal(c.signal, 'SIGKILL');
  assert.equal(has('passwd', `dispatch-t-${c.pid}-probe`), true, 'left by the killed process');
  assert.ok(otherUser('sweeper') !== undefined && testGroup('sweepers') !== undefined);
  assert.equal(has('passwd', `dispatch-t-${c.pid}-probe`), false, 'removed as a leftover');
  assert.equal(has('group', `dispatch-t-${c.pid}-grp`), false, 'its group too');
  assert.equal(has('passwd', `dispatch-t-${process.pid}-sweeper`), true, 'our own stays until we exit');
});
