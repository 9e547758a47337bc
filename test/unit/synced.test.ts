// Roots a sync tool copies between machines: its conflict copies are listed as a conflict of their
// dispatch and resolved by keeping one version (the other to the root's trash), its temp files are
// nobody's dispatch, and a synced root is said so once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchIndex } from '../../src/core/live/live-index';
import { DispatchStore } from '../../src/core/store';
import { conflictCopy, isSyncTemp } from '../../src/core/format/names';
import { syncedRoot } from '../../src/core/store/synced';
import { dispatch } from '../helpers/cli';
import { tempRoot, until } from '../helpers/tmp';

const ORIGINAL = '2026-01-31T14-30-00Z_high_eng_update-site.md';
const SYNCTHING = '2026-01-31T14-30-00Z_high_eng_update-site.sync-conflict-20260131-143512-ABCD123.md';
const DROPBOX = "2026-01-31T14-30-00Z_high_eng_update-site (Laptop's conflicted copy 2026-01-31).md";

test('conflict copies of Syncthing and Dropbox name their dispatch; their temp files are recognised', () => {
  assert.deepEqual(conflictCopy(SYNCTHING), { tool: 'Syncthing', original: ORIGINAL });
  assert.deepEqual(conflictCopy(DROPBOX), { tool: 'Dropbox', original: ORIGINAL });
  assert.deepEqual(conflictCopy('x (conflicted copy 2026-01-31 (1)).md'), { tool: 'Dropbox', original: 'x.md' });
  assert.deepEqual(conflictCopy('x (conflicted copy 2026-01-31 143012).md'), { tool: 'Dropbox', original: 'x.md' });
  for (const n of [ORIGINAL, 'a.sync-conflict-2026-ABCD123.md', 'notes (copy).md', 'x.sync-conflict-20260131-143512-abcd123.md'])
    assert.equal(conflictCopy(n), undefined, n);
  assert.ok(isSyncTemp('~syncthing~x.md.tmp'));
  assert.ok(isSyncTemp('.syncthing.x.md.tmp'));
  assert.ok(!isSyncTemp('syncthing.md'));
});

async function conflicted(): Promise<{ root: string; store: DispatchStore; box: string }> {
  const root = tempRoot();
  const store = new DispatchStore(root);
  await store.init(['qa']);
  const box = path.join(root, 'qa', 'new');
  writeFileSync(path.join(box, ORIGINAL), '---\nfrom: eng\npriority: high\nstatus: pending\n---\n# Update site\n\nversion A\n');
  writeFileSync(path.join(box, SYNCTHING), '---\nfrom: eng\npriority: high\nstatus: pending\n---\n# Update site\n\nversion B, edited on the laptop\n');
  return { root, store, box };
}

test('listing: a conflict copy is listed beside its dispatch as a conflict of it; temp files of the sync tool are not listed', async () => {
  const { root, store, box } = await conflicted();
  writeFileSync(path.join(box, '~syncthing~x.md.tmp'), 'half');
  writeFileSync(path.join(box, '.syncthing.y.md.tmp'), 'half');
  const listed = JSON.parse((await dispatch(['--root', root, 'list', '--json'])).out) as Record<string, unknown>[];
  assert.deepEqual(listed.map((d) => d.id).sort(), [ORIGINAL, SYNCTHING].map((n) => n.slice(0, -3)).sort(), 'both versions, no temp file');
  const copy = listed.find((d) => d.id === SYNCTHING.slice(0, -3))!;
  assert.equal(copy.conflict_of, ORIGINAL.slice(0, -3));
  assert.equal(copy.sync_tool, 'Syncthing');
  assert.equal(copy.priority, 'high', 'read from the original name');
  assert.equal(copy.created, '2026-01-31T14:30:00Z');
  assert.match(
    (copy.warnings as string[]).join('\n'),
    /^Syncthing conflict copy of 2026-01-31T14-30-00Z_high_eng_update-site: two versions of one dispatch; keep one/m,
  );
  assert.ok(!(copy.warnings as string[]).some((w) => w.startsWith('file name does not follow')));

  const index = new DispatchIndex(root, { loadNewMeta: false });
  await index.start();
  await index.watching;
  assert.deepEqual(
    index
      .list('qa', 'new')
      .map((d) => d.fileName)
      .sort(),
    [ORIGINAL, SYNCTHING].sort(),
  );
  writeFileSync(path.join(box, '~syncthing~z.md.tmp'), 'in flight');
  await store.deliver({ to: 'qa', from: 'eng', title: 'after' });
  await until(() => index.count('qa', 'new') === 3, 5000, 'the arrival');
  assert.ok(!index.list('qa', 'new').some((d) => isSyncTemp(d.fileName)), 'the temp file never reached the index');
  index.dispose();
});

test('dispatch conflict: both versions shown; --keep original sends the copy to the root trash', async () => {
  const { root, box } = await conflicted();
  const shown = await dispatch(['--root', root, 'conflict', ORIGINAL.slice(0, -3)]);
  assert.equal(shown.code, 0, shown.err);
  assert.match(shown.out, /^conflict \(Syncthing\): two versions of qa\/new\/2026-01-31T14-30-00Z_high_eng_update-site\.md$/m);
  assert.match(shown.out, /^ {2}original .*update-site\.md\n.* bytes, modified .*, status pending: Update site$/m);
  assert.match(shown.out, /^ {2}copy {5}.*sync-conflict-20260131-143512-ABCD123\.md$/m);
  assert.match(shown.out, /^keep one: dispatch conflict .* --keep original\|copy/m);
  const json = JSON.parse((await dispatch(['--root', root, 'conflict', SYNCTHING.slice(0, -3), '--json'])).out) as {
    tool: string;
    original: { id: string };
    copy: { id: string };
  };
  assert.deepEqual([json.tool, json.original.id, json.copy.id], ['Syncthing', ORIGINAL.slice(0, -3), SYNCTHING.slice(0, -3)]);

  const kept = await dispatch(['--root', root, 'conflict', SYNCTHING.slice(0, -3), '--keep', 'original']);
  assert.equal(kept.code, 0, kept.err);
  assert.equal(kept.out, `kept: ${path.join(box, ORIGINAL)}\ntrashed: ${path.join(root, '.trash', 'qa', SYNCTHING)}\n`);
  assert.deepEqual(readdirSync(box), [ORIGINAL]);
  assert.match(readFileSync(path.join(root, '.trash', 'qa', SYNCTHING), 'utf8'), /version B/);
});

test('dispatch conflict --keep copy: the original to the trash, the copy takes its name; Dropbox alike', async () => {
  const { root, box } = await conflicted();
  const r = await dispatch(['--root', root, 'conflict', SYNCTHING.slice(0, -3), '--keep', 'copy', '--json']);
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(JSON.parse(r.out), { kept: path.join(box, ORIGINAL), trashed: path.join(root, '.trash', 'qa', ORIGINAL) });
  assert.deepEqual(readdirSync(box), [ORIGINAL]);
  assert.match(readFileSync(path.join(box, ORIGINAL), 'utf8'), /version B/);
  assert.match(readFileSync(path.join(root, '.trash', 'qa', ORIGINAL), 'utf8'), /version A/);

  writeFileSync(path.join(box, DROPBOX), '# Dropbox version\n');
  const d = await dispatch(['--root', root, 'conflict', DROPBOX.slice(0, -3), '--keep', 'copy']);
  assert.equal(d.code, 0, d.err);
  assert.deepEqual(readdirSync(box), [ORIGINAL]);
  assert.equal(readFileSync(path.join(box, ORIGINAL), 'utf8'), '# Dropbox version\n');
  assert.equal(readdirSync(path.join(root, '.trash', 'qa')).length, 2, 'both earlier versions kept in the trash, none replaced');
});

test('dispatch conflict refuses what is no conflict, and a bad --keep', async () => {
  const { root } = await conflicted();
  const other = await new DispatchStore(root).deliver({ to: 'qa', from: 'eng', title: 'Alone' });
  const none = await dispatch(['--root', root, 'conflict', other.id]);
  assert.equal(none.code, 1);
  assert.match(none.err, /^dispatch: .* has no conflict copy beside it in qa\/new\/\n$/);
  assert.equal((await dispatch(['--root', root, 'conflict', other.id, '--keep', 'both'])).code, 2);
});

test('a root in a Syncthing or Dropbox folder or a git checkout is said so once; one git ignores is not', async () => {
  const synced = tempRoot();
  mkdirSync(path.join(synced, '.stfolder'));
  const root = path.join(synced, 'team', 'dispatch');
  await dispatch(['--root', root, 'init', 'qa']);
  const l = await dispatch(['--root', root, 'list']);
  assert.equal(l.code, 0);
  assert.equal(
    l.err,
    `dispatch: warning: ${root} is synced by Syncthing (${synced}): acknowledgements can come back or double across machines, since a sync tool copies files and does not move them; to span machines, put the root on one shared filesystem (NFS, SMB) or use a server\n`,
  );
  const drop = tempRoot();
  writeFileSync(path.join(drop, '.dropbox'), '{}');
  assert.deepEqual(await syncedRoot(path.join(drop, 'x')), { tool: 'Dropbox', at: drop });
  assert.equal(await syncedRoot(tempRoot()), undefined);
  if (spawnSync('git', ['--version']).status !== 0) return; // git absent: the .git case cannot be told from an ignored root
  const repo = tempRoot();
  spawnSync('git', ['init', '-q', repo]);
  writeFileSync(path.join(repo, '.gitignore'), 'ignored/\n');
  assert.deepEqual(await syncedRoot(path.join(repo, 'team')), { tool: 'git', at: repo });
  assert.equal(await syncedRoot(path.join(repo, 'ignored', 'root')), undefined);
});
