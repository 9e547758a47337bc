// A root shared by several real OS users through a group: `dispatch init --shared GROUP`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tempRoot } from '../helpers/tmp';
import { otherUser, readableByAll, testGroup } from '../helpers/users';

const repo = path.join(__dirname, '..', '..');
const cli = ['--import', 'tsx', path.join(repo, 'src', 'cli', 'main.ts')];

/** Two users whose primary group is a fresh group (all removed when the tests end); undefined where users cannot be made. */
function members(): { gid: number; uids: number[]; group: string } | undefined {
  const g = testGroup('team');
  if (!g) return undefined;
  const uids: number[] = [];
  for (const u of ['ann', 'bob']) {
    const uid = otherUser(u, g.name);
    if (uid === undefined) return undefined;
    uids.push(uid);
  }
  return { gid: g.gid, uids, group: g.name };
}

function as(uid: number, gid: number, args: string[]) {
  // umask 022 as most logins have: the shared root must not depend on members setting theirs.
  // The members run the CLI bundled where they can read it: the clone itself may be closed to them.
  const bundled = readableByAll(path.join(repo, 'src', 'cli', 'main.ts'));
  return spawnSync('sh', ['-c', `umask 022; exec "$@"`, 'sh', process.execPath, bundled, ...args], { cwd: path.dirname(bundled), uid, gid, encoding: 'utf8' });
}

test("init --shared GROUP: members send, acknowledge, reroute and sweep each other's dispatches", async (t) => {
  const m = members();
  if (!m) return t.skip('needs root, groupadd and useradd');
  const [ann, bob] = m.uids;
  const base = tempRoot();
  chmodSync(base, 0o755);
  const root = path.join(base, 'root');
  const init = spawnSync(process.execPath, [...cli, '--root', root, 'init', '--shared', m.group, 'qa', 'eng'], { cwd: repo, encoding: 'utf8' });
  assert.equal(init.status, 0, init.stderr);
  for (const p of [root, path.join(root, 'qa'), path.join(root, 'qa', 'new')]) {
    const st = statSync(p);
    assert.equal(st.gid, m.gid);
    assert.equal(st.mode & 0o7777, 0o2775, p);
  }
  const sent = as(ann, m.gid, ['--root', root, 'send', '--to', 'qa', '--from', 'eng', '--title', 'From Ann', '--body', 'marker ann\n']);
  assert.equal(sent.status, 0, sent.stderr);
  const p = sent.stdout.trim();
  assert.equal(statSync(p).mode & 0o777, 0o664);
  // Bob acknowledges Ann's file, then sends one Ann reroutes: each lands exactly once.
  const ack = as(bob, m.gid, ['--root', root, 'ack', p]);
  assert.equal(ack.status, 0, ack.stderr);
  const sent2 = as(bob, m.gid, ['--root', root, 'send', '--to', 'qa', '--from', 'eng', '--title', 'From Bob', '--body', 'marker bob\n']);
  const rr = as(ann, m.gid, ['--root', root, 'reroute', sent2.stdout.trim(), '--to', 'ops']);
  assert.equal(rr.status, 0, rr.stderr);
  assert.equal(statSync(path.join(root, 'ops')).mode & 0o7777, 0o2775, 'a team made later is shared too');
  // A file made with a private mode before the root was shared: linking it is refused (EPERM), the
  // fallback still moves it.
  const old = path.join(root, 'qa', 'new', '2026-01-31T14-30-00Z_normal_eng_old.md');
  writeFileSync(old, 'marker old\n', { mode: 0o600 });
  const ackOld = as(bob, m.gid, ['--root', root, 'ack', old]);
  assert.equal(ackOld.status, 0, ackOld.stderr);
  const sweep = as(ann, m.gid, ['--root', root, 'sweep']);
  assert.equal(sweep.status, 0, sweep.stderr);
  const cur = readdirSync(path.join(root, 'qa', 'cur'))
    .map((f) => readFileSync(path.join(root, 'qa', 'cur', f), 'utf8').match(/marker (\w+)/)![1])
    .sort();
  assert.deepEqual(cur, ['ann', 'old']);
  assert.equal(readdirSync(path.join(root, 'ops', 'new')).length, 1);
  assert.deepEqual(readdirSync(path.join(root, 'qa', 'new')), []);
});
