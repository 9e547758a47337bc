// macOS reports changes through FSEvents: a burst comes as one event carrying one path, a rename as one
// path (the other side hears nothing), and sometimes an event names no file at all. Injected here into
// fs.watch: the index must still end with exactly what is on disk, by its lost-event check and rescans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import nodeFs, { readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchIndex } from '../../src/core/live/live-index';
import { DispatchStore } from '../../src/core/store';
import { tempRoot, until } from '../helpers/tmp';
import { onWindows } from '../helpers/platform';

type Listener = (event: string, name: Buffer | string | null) => void;

/**
 * fs.watch as FSEvents behaves: events within `windowMs` are coalesced into one, carrying the first name
 * (or no name at all with `nameless`); in `deafTo` folders renames arriving are never reported.
 */
function fsevents(o: { windowMs: number; deafTo?: string; nameless?: boolean }): () => void {
  const real = nodeFs.watch;
  nodeFs.watch = ((p: nodeFs.PathLike, opts: nodeFs.WatchOptions, listener?: Listener) => {
    let held: { event: string; name: Buffer | string | null } | undefined;
    const coalesce: Listener = (event, name) => {
      if (String(p) === o.deafTo) return;
      if (held) return; // a later change in the window: folded into the first one's event
      held = { event, name: o.nameless ? null : name };
      setTimeout(() => {
        const h = held!;
        held = undefined;
        listener?.(h.event, h.name);
      }, o.windowMs);
    };
    return real(p, opts, coalesce as nodeFs.WatchListener<string>);
  }) as typeof nodeFs.watch;
  return () => (nodeFs.watch = real);
}

function arrive(root: string, name: string): void {
  const tmp = path.join(root, 'qa', 'tmp', name);
  writeFileSync(tmp, '---\nfrom: eng\n---\n# Hi\n');
  renameSync(tmp, path.join(root, 'qa', 'new', name));
}

const onDisk = (root: string, box: string) => readdirSync(path.join(root, 'qa', box)).sort();
const indexed = (index: DispatchIndex, box: 'new' | 'cur') =>
  index
    .list('qa', box)
    .map((d) => d.fileName)
    .sort();

// Under Wine the index (its root watch, or a rescan) found what was missed before the lost-event check
// did: there only the end state is asserted.
async function run(o: { windowMs: number; deaf?: 'cur'; nameless?: boolean }): Promise<DispatchIndex> {
  const root = tempRoot();
  const store = new DispatchStore(root);
  await store.init(['qa']);
  const restore = fsevents({ windowMs: o.windowMs, deafTo: o.deaf && path.join(root, 'qa', o.deaf), nameless: o.nameless });
  const index = new DispatchIndex(root, { loadNewMeta: false, reconcile: 100 });
  try {
    await index.start();
    await index.watching;
    for (let i = 0; i < 30; i++) arrive(root, `2026-01-31T14-30-${String(i).padStart(2, '0')}Z_normal_eng_n${i}.md`);
    for (const f of onDisk(root, 'new').slice(0, 12)) renameSync(path.join(root, 'qa', 'new', f), path.join(root, 'qa', 'cur', f));
    for (const f of onDisk(root, 'cur').slice(0, 4)) unlinkSync(path.join(root, 'qa', 'cur', f));
    await until(
      () => indexed(index, 'new').join() === onDisk(root, 'new').join() && indexed(index, 'cur').join() === onDisk(root, 'cur').join(),
      20_000,
      'the index to match the disk',
    );
    assert.equal(index.count('qa', 'new'), 18);
    assert.equal(index.count('qa', 'cur'), 8);
    return index;
  } finally {
    restore();
    index.dispose();
  }
}

test('FSEvents coalescing a burst into one event with one path: every arrival, move and deletion still reaches the index', async () => {
  const index = await run({ windowMs: 40 });
  if (!onWindows) assert.ok(index.recovered > 0, 'the lost-event check found what the coalesced events did not name');
});

test('a rename reported as one path (the receiving folder hears nothing): the moved dispatches appear where they went', async () => {
  const index = await run({ windowMs: 1, deaf: 'cur' });
  if (!onWindows) assert.ok(index.recovered > 0, 'cur/ was filled by the lost-event check alone');
});

test('events that name no file (FSEvents: rescan this folder): the box is listed again', async () => {
  await run({ windowMs: 20, nameless: true });
});
