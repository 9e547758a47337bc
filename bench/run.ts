// `npm run bench`: the live index against its floors, on real files, in one run.
// (a) cold index vs bare readdir, (b) arrival latency vs raw fs.watch, (c) a burst of 5,000 renames,
// (d) heap with 100k dispatches indexed, (e) a 40,000-rename watch burst and a 10,000-id ack (safety.ts),
// (f) the prompt hook against a bare Node start (hook.ts). Prints the machine's figures as a Markdown table.
import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, watch, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildName, PRIORITIES } from '../src/core/format/format';
import { DispatchIndex } from '../src/core/live/live-index';
import { ackMany, watchBurst } from './safety';
import { hookBench } from './hook';

const TEAMS = ['engineering', 'web_ops', 'qa', 'design'];
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc (npm run bench does)');

function generate(root: string, total: number): string[] {
  const dirs: string[] = [];
  for (const t of TEAMS) for (const b of ['tmp', 'new', 'cur']) mkdirSync(path.join(root, t, b), { recursive: true });
  const start = Date.parse('2025-01-01T00:00:00Z');
  for (let i = 0; i < total; i++) {
    const team = TEAMS[i % TEAMS.length];
    const box = i % 5 === 0 ? 'new' : 'cur'; // a fifth unread, like a busy inbox
    const name = buildName({ created: new Date(start + i * 1000), priority: PRIORITIES[i % 4], from: TEAMS[(i + 1) % TEAMS.length], slug: `task-${i}` });
    writeFileSync(path.join(root, team, box, name), `---\nfrom: x\n---\n# Task ${i}\n`);
  }
  for (const t of TEAMS) for (const b of ['new', 'cur']) dirs.push(path.join(root, t, b));
  return dirs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))];
const ms = (n: number) => `${n.toFixed(n < 10 ? 2 : 0)} ms`;
const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function coldStart(root: string, dirs: string[]) {
  const floor: number[] = [];
  const index: number[] = [];
  for (let run = 0; run < 5; run++) {
    let t = performance.now();
    for (const d of dirs) readdirSync(d);
    floor.push(performance.now() - t);
    t = performance.now();
    const ix = new DispatchIndex(root, { loadNewMeta: false });
    await ix.start();
    index.push(performance.now() - t);
    ix.dispose();
  }
  return { floor: median(floor), index: median(index) };
}

/** Disposed indexes are freed once their watchers finish closing: settle before measuring. */
async function settledGc() {
  await new Promise((r) => setTimeout(r, 300));
  gc!();
}

async function heap(root: string) {
  await settledGc();
  const before = process.memoryUsage().heapUsed;
  const ix = new DispatchIndex(root, { loadNewMeta: false });
  await ix.start();
  await ix.watching;
  await settledGc();
  const after = process.memoryUsage().heapUsed;
  ix.dispose();
  return { total: after, index: after - before };
}

/** Renames into new/ one at a time; for each, ms until raw fs.watch fires and until the index's add. */
async function arrivals(root: string, n: number) {
  const ix = new DispatchIndex(root, { loadNewMeta: false });
  await ix.start();
  await ix.watching;
  const dir = path.join(root, 'qa', 'new');
  const sentAt = new Map<string, number>();
  const raw: number[] = [];
  const indexed: number[] = [];
  const w = watch(dir, (_e, name) => {
    const t = name ? sentAt.get(name.toString()) : undefined;
    if (t !== undefined && raw.length < n) raw.push(performance.now() - t);
  });
  const waiters = new Map<string, () => void>();
  ix.onEvent((e) => {
    if (e.type !== 'add') return;
    const t = sentAt.get(e.dispatch.fileName);
    if (t === undefined) return;
    indexed.push(performance.now() - t);
    waiters.get(e.dispatch.fileName)?.();
  });
  for (let i = 0; i < n; i++) {
    const name = buildName({ created: new Date(), priority: 'normal', from: 'bench', slug: `arrival-${i}` });
    const tmp = path.join(root, 'qa', 'tmp', name);
    writeFileSync(tmp, '# x\n');
    const arrived = new Promise<void>((r) => waiters.set(name, r));
    sentAt.set(name, performance.now());
    renameSync(tmp, path.join(dir, name));
    await Promise.race([arrived, new Promise((r) => setTimeout(r, 1000))]);
    await new Promise((r) => setTimeout(r, 2));
  }
  w.close();
  ix.dispose();
  return { raw, indexed };
}

async function burst(root: string, n: number) {
  const ix = new DispatchIndex(root, { loadNewMeta: false });
  await ix.start();
  await ix.watching;
  const team = 'web_ops';
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `burst-${i}.md`;
    writeFileSync(path.join(root, team, 'tmp', name), '# b\n');
    names.push(name);
  }
  const seen = new Set<string>();
  let last = 0;
  const t0 = performance.now();
  ix.onEvent((e) => {
    if (e.type === 'add' && e.dispatch.fileName.startsWith('burst-')) {
      seen.add(e.dispatch.fileName);
      last = performance.now() - t0;
    }
  });
  for (const name of names) renameSync(path.join(root, team, 'tmp', name), path.join(root, team, 'new', name));
  const renamed = performance.now() - t0;
  const deadline = Date.now() + 2000;
  while (seen.size < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const inIndex = names.filter((nm) => ix.get(team, 'new', nm)).length;
  ix.dispose();
  return { renamed, last, missed: n - seen.size, inIndex };
}

async function main() {
  const sizes = process.argv.includes('--quick') ? [10_000] : [10_000, 100_000];
  const rows: string[] = [];
  console.log(`Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.release()}`);
  for (const total of sizes) {
    const root = mkdtempSync(path.join(os.tmpdir(), `dispatch-bench-${total}-`));
    try {
      process.stdout.write(`generating ${total} dispatches… `);
      const dirs = generate(root, total);
      console.log('done');
      const cold = await coldStart(root, dirs);
      const h = await heap(root);
      const a = await arrivals(root, 300);
      const b = await burst(root, 5000);
      const label = `${total / 1000}k`;
      rows.push(`| ${label} | cold index | ${ms(cold.index)} | readdir floor ${ms(cold.floor)} (${(cold.index / cold.floor).toFixed(2)}×) | ≤ 2× floor |`);
      rows.push(
        `| ${label} | arrival p50 / p99 | ${ms(pct(a.indexed, 50))} / ${ms(pct(a.indexed, 99))} | raw fs.watch ${ms(pct(a.raw, 50))} / ${ms(pct(a.raw, 99))} | ≤ 10 / ≤ 25 ms |`,
      );
      rows.push(
        `| ${label} | burst of 5,000 renames | ${b.missed} missed, all indexed ${ms(b.last)} after the first rename | renames took ${ms(b.renamed)}; ${b.inIndex}/5000 in index | 0 missed, ≤ 2 s |`,
      );
      rows.push(`| ${label} | heap, process after GC | ${mb(h.total)} | of which the index ${mb(h.index)} | ≤ 60 MB |`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  const w = await watchBurst();
  rows.push(
    `| — | watch burst: 40,000 renames from 4 processes | ${w.indexed}/${w.files} indexed, ${w.adds} add events, complete ${ms(w.complete)} after the first rename | OS delivered ${w.raw} fs.watch events for ${w.files} files; renames took ${ms(w.renamed)}; ${w.recovered} listings for lost events | all indexed |`,
  );
  const k = await ackMany();
  rows.push(`| 10k | \`dispatch ack\` of 10,000 ids in one call | ${ms(k.ms)} (exit ${k.code}) | one listing, 8 moves at a time, 2 folder fsyncs | seconds |`);
  const hk = hookBench();
  rows.push(
    `| 31 in new/ | prompt hook (\`node dist/hook.js\`, nothing new) | ${ms(hk.hookMs)} | bare \`node -e 0\` ${ms(hk.nodeMs)} (${hk.ratio.toFixed(2)}×, median of interleaved pairs) | ≤ 1.1× |`,
  );
  console.log('\n| dispatches | measure | Dispatch Inbox | floor / detail | target |\n|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
