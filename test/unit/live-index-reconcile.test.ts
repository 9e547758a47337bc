// The live index's check for events the OS dropped (inotify overflow): a box whose watch heard nothing
// is still listed again once its folder changed, and an idle index pays one stat per box, ever rarer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
// The modules themselves (default imports), whose functions a test may replace for a moment.
import nodeFs, { renameSync, utimesSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import * as path from 'node:path';
import { DispatchIndex } from '../../src/core/live/live-index';
import { DispatchStore } from '../../src/core/store';
import { tempRoot, until } from '../helpers/tmp';
import { linuxOnly } from '../helpers/platform';
const WATCHED_RM = linuxOnly('Windows keeps a watched folder until its watch is closed: rm -rf of a watched team or box fails (ENOTEMPTY)');

function arrive(root: string, team: string, name: string): void {
  const tmp = path.join(root, team, 'tmp', name);
  writeFileSync(tmp, '---\nfrom: qa\n---\n# Hi\n');
  renameSync(tmp, path.join(root, team, 'new', name));
}

/** The watch of `deaf` is set up but reports nothing: every event there is lost, as in an overflow. */
function deafen(deaf: string): () => void {
  const realWatch = nodeFs.watch;
  nodeFs.watch = ((p: nodeFs.PathLike, opts: nodeFs.WatchOptions, listener?: nodeFs.WatchListener<string>) =>
    realWatch(p, opts, String(p) === deaf ? () => undefined : listener)) as typeof nodeFs.watch;
  return () => (nodeFs.watch = realWatch);
}

/** Records the stat and readdir calls on `dirs` (when, ms), until the returned function is called. */
function countCalls(dirs: string[]): { stats: Map<string, number[]>; readdirs: string[]; restore: () => void } {
  const stats = new Map(dirs.map((d) => [d, [] as number[]]));
  const readdirs: string[] = [];
  const { stat, readdir } = fsp;
  fsp.stat = ((p: nodeFs.PathLike, ...rest: unknown[]) => {
    stats.get(String(p))?.push(performance.now());
    return (stat as (...a: unknown[]) => unknown)(p, ...rest);
  }) as typeof fsp.stat;
  fsp.readdir = ((p: nodeFs.PathLike, ...rest: unknown[]) => {
    if (stats.has(String(p))) readdirs.push(String(p));
    return (readdir as (...a: unknown[]) => unknown)(p, ...rest);
  }) as typeof fsp.readdir;
  return { stats, readdirs, restore: () => Object.assign(fsp, { stat, readdir }) };
}

test('a box whose events are all lost is listed again once its folder changed, even with its mtime set back', async () => {
  const root = tempRoot();
  await new DispatchStore(root).init(['qa']);
  const box = path.join(root, 'qa', 'new');
  utimesSync(box, 1_000_000, 1_000_000); // a whole second: it can be set back exactly
  const restore = deafen(box);
  const index = new DispatchIndex(root, { loadNewMeta: false, reconcile: 50 });
  try {
    await index.start();
    await index.watching;
    // `touch -d` (or a tool that keeps times) puts the folder's mtime back as it was listed: its ctime still moves.
    arrive(root, 'qa', 'unheard.md');
    utimesSync(box, 1_000_000, 1_000_000);
    await until(() => index.count('qa', 'new') === 1, 5000, 'the unheard arrival under a set-back mtime found by a check');
    assert.equal(index.recovered, 1);
    arrive(root, 'qa', 'unheard-too.md');
    await until(() => index.count('qa', 'new') === 2, 5000, 'the next unheard arrival found by a check');
    assert.equal(index.recovered, 2);
  } finally {
    restore();
    index.dispose();
  }
});

test('an idle index checks its boxes with a stat each, ever more rarely, never lists them; an event brings the interval back', WATCHED_RM, async () => {
  const root = tempRoot();
  await new DispatchStore(root).init(['engineering', 'qa']);
  const dirs = ['engineering', 'qa'].flatMap((t) => ['new', 'cur'].map((b) => path.join(root, t, b)));
  const every = 100;
  const index = new DispatchIndex(root, { loadNewMeta: false, reconcile: every });
  await index.start();
  await index.watching;
  const calls = countCalls(dirs);
  try {
    const qa = calls.stats.get(path.join(root, 'qa', 'new'))!;
    await until(() => qa.length >= 6, 20_000, 'six checks');
    const gaps = qa.slice(1).map((t, i) => t - qa[i]);
    // 100, 200, 400, 600, 600 ms: the later ones are the cap (6 intervals), far above the interval.
    assert.ok(Math.min(...gaps.slice(-2)) >= 3 * every, `the checks thin out while nothing happens: ${gaps.map((g) => g.toFixed(0)).join(', ')} ms`);
    for (const d of dirs) assert.equal(calls.stats.get(d)!.length, qa.length, `one stat of ${d} per check`);
    assert.deepEqual(calls.readdirs, [], 'nothing changed: no box is listed');

    // Right after a check, the next is 600 ms away; an event heard now must bring it within an interval.
    const n = qa.length;
    await until(() => qa.length > n, 20_000, 'a check');
    const heardAt = performance.now();
    arrive(root, 'engineering', 'heard.md');
    await until(() => index.count('engineering', 'new') === 1, 5000, 'the arrival');
    await until(() => qa.length > n + 1, 20_000, 'the check after the event');
    assert.ok(qa[n + 1] - heardAt < 4 * every, `the check after an event waits one interval, not the idle one: ${(qa[n + 1] - heardAt).toFixed(0)} ms`);
  } finally {
    calls.restore();
    index.dispose();
  }
});
