// The live index against real folders: cold scan from names only, events for outside changes,
// structural changes (teams, boxes), polling mode, and reconciliation after lost events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
// The modules themselves (default imports), whose functions a test may replace for a moment.
import nodeFs, { mkdirSync, renameSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import * as path from 'node:path';
import { DispatchMeta } from '../../src/core/format/dispatch';
import { DispatchIndex, IndexEvent } from '../../src/core/live/live-index';
import { DispatchStore } from '../../src/core/store';
import { tempRoot, until } from '../helpers/tmp';
import { linuxOnly } from '../helpers/platform';
const FIFO = linuxOnly('FIFOs (mkfifo) do not exist on Windows');
const WATCHED_RM = linuxOnly('Windows keeps a watched folder until its watch is closed: rm -rf of a watched team or box fails (ENOTEMPTY)');

async function setup(opts: ConstructorParameters<typeof DispatchIndex>[1] = {}) {
  const root = tempRoot();
  const store = new DispatchStore(root);
  await store.init(['engineering', 'qa']);
  const index = new DispatchIndex(root, { loadNewMeta: false, ...opts });
  const events: IndexEvent[] = [];
  index.onEvent((e) => events.push(e));
  return { root, store, index, events, [Symbol.dispose]: () => index.dispose() };
}

/** `n` dispatches in qa/new, one second apart. */
function arriveMany(root: string, n: number): void {
  for (let i = 0; i < n; i++) arrive(root, 'qa', `2026-01-31T14-30-${String(i).padStart(2, '0')}Z_normal_engineering_t${i}.md`);
}

function arrive(root: string, team: string, name: string, text = '---\nfrom: qa\n---\n# Hi\n') {
  const tmp = path.join(root, team, 'tmp', name);
  writeFileSync(tmp, text);
  renameSync(tmp, path.join(root, team, 'new', name));
}

test('cold start knows every file from names alone, without opening any', FIFO, async () => {
  const { root, store, index } = await setup();
  await store.deliver({ to: 'qa', from: 'engineering', priority: 'urgent', title: 'Urgent one' });
  const b = await store.deliver({ to: 'qa', from: 'engineering', title: 'Acked' });
  await store.acknowledge(b);
  // A FIFO: opening it would block forever, so a cold start that opened files would hang here.
  execFileSync('mkfifo', [path.join(root, 'engineering', 'new', '2026-01-31T14-30-00Z_high_qa_pipe.md')]);
  await index.start();
  assert.deepEqual(index.teams(), ['engineering', 'qa']);
  assert.equal(index.count('qa', 'new'), 1);
  assert.equal(index.count('qa', 'cur'), 1);
  const pipe = index.list('engineering', 'new')[0];
  assert.equal(pipe.priority, 'high');
  assert.equal(pipe.meta, undefined);
  assert.equal(index.list('qa', 'new')[0].priority, 'urgent');
  const meta = await index.meta(pipe);
  assert.deepEqual(meta.warnings, ['not a regular file']);
  index.dispose();
});

test('arrivals, acknowledges and deletions from outside become add/remove events', async () => {
  const { root, store, index, events } = await setup();
  await index.start();
  arrive(root, 'qa', '2026-01-31T14-30-00Z_urgent_engineering_fire.md');
  await until(() => index.count('qa', 'new') === 1, 3000, 'arrival');
  const d = index.list('qa', 'new')[0];
  assert.equal(d.title, 'Fire');
  await store.acknowledge(d);
  await until(() => index.count('qa', 'cur') === 1 && index.count('qa', 'new') === 0, 3000, 'acknowledge');
  unlinkSync(index.list('qa', 'cur')[0].path);
  await until(() => index.count('qa') === 0, 3000, 'deletion');
  const kinds = events.filter((e) => e.type === 'add' || e.type === 'remove').map((e) => `${e.type}:${'dispatch' in e ? e.dispatch.box : ''}`);
  assert.ok(kinds.includes('add:new') && kinds.includes('remove:new') && kinds.includes('add:cur') && kinds.includes('remove:cur'), kinds.join());
  index.dispose();
});

test('nothing in tmp/ is ever indexed, dotfiles neither', async () => {
  const { root, index } = await setup();
  await index.start();
  writeFileSync(path.join(root, 'qa', 'tmp', 'half-written.md'), '---\nfrom: x');
  writeFileSync(path.join(root, 'qa', 'new', '.swap'), 'x');
  arrive(root, 'qa', 'marker.md');
  await until(() => index.count() === 1, 3000, 'marker');
  assert.equal(index.list()[0].fileName, 'marker.md');
  index.dispose();
});

test('a new team folder and its boxes are picked up; a removed team is dropped', WATCHED_RM, async () => {
  const { root, index, events } = await setup();
  await index.start();
  await index.watching;
  mkdirSync(path.join(root, 'web_ops', 'new'), { recursive: true });
  await until(() => index.teams().includes('web_ops'), 5000, 'team add');
  mkdirSync(path.join(root, 'web_ops', 'tmp'));
  arrive(root, 'web_ops', 'late.md');
  await until(() => index.count('web_ops') === 1, 5000, 'file in the new team');
  assert.ok(events.some((e) => e.type === 'teams'));
  rmSync(path.join(root, 'web_ops'), { recursive: true });
  await until(() => !index.teams().includes('web_ops'), 5000, 'team removal');
  assert.equal(index.count('web_ops'), 0);
  index.dispose();
});

test('polling mode (network filesystems) sees the same changes', async () => {
  const { root, store, index } = await setup({ poll: true, interval: 50 });
  await index.start();
  arrive(root, 'qa', 'polled.md');
  await until(() => index.count('qa', 'new') === 1, 3000, 'polled arrival');
  await store.acknowledge(index.list('qa', 'new')[0]);
  await until(() => index.count('qa', 'cur') === 1 && index.count('qa', 'new') === 0, 3000, 'polled acknowledge');
  index.dispose();
});

test('rescan reconciles whatever events were missed', async () => {
  const { root, index, events } = await setup();
  await index.start();
  await index.watching;
  // Lose events on purpose: stop the box watchers, then change the disk behind the index's back.
  (index as unknown as { boxes: Map<string, { watcher?: { close(): void } }> }).boxes.forEach((b) => b.watcher?.close());
  arrive(root, 'qa', 'missed.md');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(index.count(), 0);
  await index.rescan();
  assert.equal(index.count(), 1);
  assert.ok(events.some((e) => e.type === 'add' && e.dispatch.fileName === 'missed.md'));
  assert.ok(events.some((e) => e.type === 'reset'));
  index.dispose();
});

test('front matter of new/ dispatches is read in the background and announced as change', async () => {
  const { root, index, events } = await setup({ loadNewMeta: true });
  arrive(root, 'qa', 'no-name-rule.md', '---\nfrom: web_ops\npriority: urgent\n---\n# Real title\n');
  await index.start();
  await until(() => events.some((e) => e.type === 'change'), 3000, 'meta change');
  const d = index.list('qa', 'new')[0];
  assert.equal(d.title, 'Real title');
  assert.equal(d.priority, 'urgent');
  assert.equal(d.from, 'web_ops');
  index.dispose();
});

test('background reads wait while a view holds them; the rows it is about to show are read first', async () => {
  const { root, index } = await setup({ loadNewMeta: true });
  arriveMany(root, 40);
  await index.start();
  index.holdBackground(600_000); // before the loop's first turn (setImmediate): nothing in the background is read
  const all = index.list('qa', 'new');
  const shown = all.slice(0, 3);
  index.readFirst(shown);
  await until(() => shown.every((d) => d.meta) && index.backgroundHeld, 3000, 'the rows shown, the rest waiting');
  assert.deepEqual(
    all.filter((d) => d.meta).map((d) => d.fileName),
    shown.map((d) => d.fileName),
    'held: only the rows about to be shown were read',
  );
  index.holdBackground(0); // a hold only grows; a new view's hold of 0 does not end it
  assert.ok(index.backgroundHeld);
  index.dispose();
});

test('background reads resume once the hold is over', async () => {
  const { root, index } = await setup({ loadNewMeta: true });
  arriveMany(root, 20);
  await index.start();
  index.holdBackground(50);
  await until(() => index.list('qa', 'new').every((d) => d.meta), 3000, 'every front matter read');
  index.dispose();
});

test('a view that never stops asking (arrivals every moment) cannot hold the background reads for good', async () => {
  const { root, index } = await setup({ loadNewMeta: true });
  arriveMany(root, 20);
  await index.start();
  index.holdBackground(500);
  const asking = setInterval(() => index.holdBackground(500), 20);
  try {
    await until(() => index.list('qa', 'new').every((d) => d.meta), 10_000, 'every front matter read while held again and again');
  } finally {
    clearInterval(asking);
    index.dispose();
  }
});

test('a burst of 500 arrivals: none missed', async () => {
  const { root, index } = await setup();
  await index.start();
  for (let i = 0; i < 500; i++) writeFileSync(path.join(root, 'qa', 'tmp', `b${i}.md`), 'x');
  for (let i = 0; i < 500; i++) renameSync(path.join(root, 'qa', 'tmp', `b${i}.md`), path.join(root, 'qa', 'new', `b${i}.md`));
  await until(() => index.count('qa', 'new') === 500, 5000, '500 arrivals');
  index.dispose();
});

test('a watcher error is reported, then the index rescans and watches again', async () => {
  const { root, index, events } = await setup();
  await index.start();
  await index.watching;
  const boxes = (index as unknown as { boxes: Map<string, { watcher?: NodeJS.EventEmitter & { close(): void } }> }).boxes;
  const qaNew = boxes.get('qa/new')!;
  qaNew.watcher!.close();
  arrive(root, 'qa', 'during-outage.md');
  qaNew.watcher!.emit('error', new Error('inotify queue overflow'));
  await until(() => index.count('qa', 'new') === 1, 3000, 'rescan after error');
  assert.ok(events.some((e) => e.type === 'error' && /overflow/.test(e.error.message)));
  arrive(root, 'qa', 'after-outage.md');
  await until(() => index.count('qa', 'new') === 2, 3000, 'watching again');
  index.dispose();
});

test('a folder listing older than the events already applied cannot undo them', async () => {
  const { root, index } = await setup();
  await index.start();
  await index.watching;
  arrive(root, 'qa', 'fresh.md');
  await until(() => index.count('qa', 'new') === 1, 3000, 'arrival');
  const box = (index as unknown as { boxes: Map<string, { reconcile(names: string[], announce: boolean): Promise<void> }> }).boxes.get('qa/new')!;
  // A listing taken before fresh.md arrived, and naming a file deleted since.
  await box.reconcile(['gone.md'], true);
  assert.deepEqual(
    index.list('qa', 'new').map((d) => d.fileName),
    ['fresh.md'],
  );
  index.dispose();
});

test('removing a team with many files costs one rescan, not one per file', WATCHED_RM, async () => {
  const { root, store, index } = await setup();
  for (let i = 0; i < 200; i++) writeFileSync(path.join(root, 'qa', 'cur', `old-${i}.md`), 'x');
  await store.deliver({ to: 'engineering', from: 'qa', title: 'stays' });
  await index.start();
  await index.watching;
  let scans = 0;
  const real = (index as unknown as { scanAll(a: boolean): Promise<void> }).scanAll.bind(index);
  (index as unknown as { scanAll(a: boolean): Promise<void> }).scanAll = (a: boolean) => (scans++, real(a));
  rmSync(path.join(root, 'qa'), { recursive: true });
  await until(() => !index.teams().includes('qa') && index.count('qa') === 0, 5000, 'team removal');
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(scans <= 3, `${scans} scans`);
  assert.equal(index.count('engineering', 'new'), 1);
  index.dispose();
});

/** The index's private parts that these tests reach into. */
type Inside = {
  boxes: Map<string, { watcher?: unknown; timer?: unknown }>;
  scanAll(announce: boolean): Promise<void>;
  read: (p: string) => Promise<DispatchMeta | undefined>;
};
const inside = (index: DispatchIndex) => index as unknown as Inside;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rewrites a file with other content of the same size, and a later mtime (as a second edit would have). */
function editSameSize(p: string, text: string, secondsLater = 10) {
  const before = nodeFs.statSync(p);
  assert.equal(Buffer.byteLength(text), before.size);
  writeFileSync(p, text);
  const t = before.mtimeMs / 1000 + secondsLater;
  utimesSync(p, t, t);
}

test('an edit that keeps the size is still a change: metadata is dropped, announced and read again', async () => {
  const { root, index, events } = await setup({ loadNewMeta: true });
  const p = path.join(root, 'qa', 'new', 'note.md');
  writeFileSync(p, '---\npriority: normal\n---\n# Hi\n');
  await index.start();
  await index.watching;
  await until(() => index.list('qa', 'new')[0]?.meta !== undefined, 3000, 'first read');
  const d = index.list('qa', 'new')[0];
  assert.equal(d.priority, 'normal');
  events.length = 0;
  editSameSize(p, '---\npriority: urgent\n---\n# Hi\n');
  await until(() => d.priority === 'urgent', 3000, 'the edit to be read');
  assert.ok(events.some((e) => e.type === 'change' && e.dispatch === d));
  index.dispose();
});

test('a front matter read begun before a change is not kept', async () => {
  const { root, index } = await setup();
  const p = path.join(root, 'qa', 'new', 'note.md');
  writeFileSync(p, '---\npriority: normal\n---\n# Hi\n');
  await index.start();
  await index.watching;
  const d = index.list('qa', 'new')[0];
  // Hold the first read in flight, with the old content already read.
  const real = inside(index).read;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let reads = 0;
  inside(index).read = async (file) => {
    const m = await real(file);
    if (++reads === 1) await held;
    return m;
  };
  const meta = index.meta(d);
  await until(() => reads === 1, 3000, 'the first read');
  editSameSize(p, '---\npriority: urgent\n---\n# Hi\n');
  await sleep(300); // the watcher's event for the edit is handled while the read is still held
  release();
  assert.equal((await meta).data.priority, 'urgent');
  assert.equal(d.priority, 'urgent');
  assert.equal(reads, 2);
  index.dispose();
});

test('a box folder replaced by a new one (rm -rf qa/new; mkdir qa/new) is watched again', WATCHED_RM, async () => {
  const { root, index } = await setup();
  arrive(root, 'qa', 'old.md');
  await index.start();
  await index.watching;
  assert.equal(index.count('qa', 'new'), 1);
  rmSync(path.join(root, 'qa', 'new'), { recursive: true });
  mkdirSync(path.join(root, 'qa', 'new'));
  await until(() => index.count('qa', 'new') === 0, 3000, 'the old file to go');
  await sleep(300);
  arrive(root, 'qa', 'into-the-new-folder.md');
  await until(() => index.count('qa', 'new') === 1, 3000, 'an arrival in the replaced folder');
  assert.equal(index.list('qa', 'new')[0].fileName, 'into-the-new-folder.md');
  index.dispose();
});

test('a box that cannot be watched (ENOSPC) is polled, and the error is said once', async () => {
  const { root, index, events } = await setup({ interval: 50 });
  const fsMod = nodeFs;
  const realWatch = fsMod.watch;
  fsMod.watch = ((p: nodeFs.PathLike, ...rest: unknown[]) => {
    if (String(p).startsWith(root + path.sep) && /[/\\](new|cur)$/.test(String(p))) {
      throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
    }
    return (realWatch as (...a: unknown[]) => nodeFs.FSWatcher)(p, ...rest);
  }) as typeof nodeFs.watch;
  try {
    await index.start();
    await index.watching;
    await sleep(500);
    const errors = events.filter((e) => e.type === 'error');
    assert.equal(errors.length, 1, errors.map((e) => (e.type === 'error' ? e.error.message : '')).join('\n'));
    assert.ok(errors[0].type === 'error' && errors[0].recovery === 'poll' && /ENOSPC/.test(errors[0].error.message));
    assert.ok(events.filter((e) => e.type === 'reset').length <= 1);
    arrive(root, 'qa', 'polled-instead.md');
    await until(() => index.count('qa', 'new') === 1, 3000, 'an arrival seen by polling');
  } finally {
    fsMod.watch = realWatch;
    index.dispose();
  }
});

test('scans never overlap: rescan(), lost events and structural events share one queue', async () => {
  const { root, index, events } = await setup();
  await index.start();
  await index.watching;
  let running = 0;
  let most = 0;
  const real = inside(index).scanAll.bind(index);
  inside(index).scanAll = async (a: boolean) => {
    most = Math.max(most, ++running);
    try {
      await sleep(30);
      return await real(a);
    } finally {
      running--;
    }
  };
  mkdirSync(path.join(root, 'web_ops', 'new'), { recursive: true });
  await Promise.all([index.rescan(), index.rescan(), index.rescan()]);
  assert.equal(most, 1);
  assert.ok(index.teams().includes('web_ops'));
  assert.equal(events.filter((e) => e.type === 'reset').length, 3);
  index.dispose();
});

test('a root listing older than a box cannot drop that box', async () => {
  const { root, index, events } = await setup();
  arrive(root, 'qa', 'kept.md');
  await index.start();
  await index.watching;
  const fspMod = fsp;
  const realReaddir = fspMod.readdir;
  let stale = 1;
  // One listing of the root taken "before" the teams existed.
  fspMod.readdir = ((p: nodeFs.PathLike, ...rest: unknown[]) =>
    String(p) === root && stale-- > 0 ? Promise.resolve([]) : (realReaddir as (...a: unknown[]) => Promise<unknown>)(p, ...rest)) as typeof fsp.readdir;
  try {
    await index.rescan();
  } finally {
    fspMod.readdir = realReaddir;
  }
  assert.equal(stale, 0, 'the stale listing was used');
  assert.equal(index.count('qa', 'new'), 1);
  assert.deepEqual(index.teams(), ['engineering', 'qa']);
  assert.ok(!events.some((e) => e.type === 'remove'));
  index.dispose();
});

test('polling never lists a box twice at once', async () => {
  const { root, index } = await setup({ poll: true, interval: 10 });
  const box = path.join(root, 'qa', 'new');
  const fspMod = fsp;
  const realReaddir = fspMod.readdir;
  let running = 0;
  let most = 0;
  let listings = 0;
  fspMod.readdir = (async (p: nodeFs.PathLike, ...rest: unknown[]) => {
    if (String(p) !== box) return (realReaddir as (...a: unknown[]) => Promise<unknown>)(p, ...rest);
    listings++;
    most = Math.max(most, ++running);
    try {
      await sleep(100); // a slow network filesystem
      return await (realReaddir as (...a: unknown[]) => Promise<unknown>)(p, ...rest);
    } finally {
      running--;
    }
  }) as typeof fsp.readdir;
  try {
    await index.start();
    await index.watching; // scans list the box too: from here on only the polling timer does
    most = running;
    listings = 0;
    await sleep(600);
    assert.ok(listings >= 3, `${listings} listings`);
    assert.equal(most, 1);
  } finally {
    index.dispose();
    fspMod.readdir = realReaddir;
  }
});

test('recheck looks at one name again at once: a dispatch gone without an event leaves the index', async () => {
  // Polling once an hour: no event will tell the index; only the recheck an action asks for.
  const { root, store, index, events } = await setup({ poll: true, interval: 3_600_000, reconcile: 0 });
  const d = await store.deliver({ to: 'qa', from: 'engineering', title: 'Moved away' });
  await index.start();
  const seen = index.get('qa', 'new', d.fileName);
  assert.ok(seen);
  unlinkSync(d.path);
  assert.equal(index.get('qa', 'new', d.fileName), seen, 'nothing told the index yet');
  await index.recheck(seen);
  assert.equal(index.get('qa', 'new', d.fileName), undefined);
  assert.ok(events.some((e) => e.type === 'remove' && e.dispatch === seen));
  index.dispose();
  rmSync(root, { recursive: true, force: true });
});
