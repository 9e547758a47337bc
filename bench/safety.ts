// Safety figures for `npm run bench`: a watch burst of 40,000 renames from 4 processes (events the OS
// delivered vs files vs what the index ends with), and `dispatch ack` of 10,000 ids in one call.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { main as cli } from '../src/cli/main';
import { buildName } from '../src/core/format/format';
import { DispatchIndex } from '../src/core/live/live-index';

const WRITER = `
  const fs = require('fs'), path = require('path');
  const [dir, tag, n] = process.argv.slice(1);
  const tmp = path.join(dir, 'tmp'), box = path.join(dir, 'new');
  for (let i = 0; i < +n; i++) fs.writeFileSync(path.join(tmp, tag + '-' + i + '.md'), 'x');
  process.send('ready');
  process.once('message', () => { for (let i = 0; i < +n; i++) fs.renameSync(path.join(tmp, tag + '-' + i + '.md'), path.join(box, tag + '-' + i + '.md')); process.exit(0); });`;

export async function watchBurst(files = 40_000, procs = 4) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dispatch-bench-burst-'));
  try {
    const dir = path.join(root, 'qa');
    for (const b of ['tmp', 'new', 'cur']) mkdirSync(path.join(dir, b), { recursive: true });
    const ix = new DispatchIndex(root, { loadNewMeta: false });
    await ix.start();
    await ix.watching;
    let raw = 0;
    const w = watch(path.join(dir, 'new'), () => raw++);
    let adds = 0;
    ix.onEvent((e) => e.type === 'add' && adds++);
    const writers = Array.from({ length: procs }, (_, p) =>
      spawn(process.execPath, ['-e', WRITER, dir, `p${p}`, String(files / procs)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
    );
    await Promise.all(writers.map((c) => new Promise((r) => c.once('message', r))));
    const t0 = performance.now();
    for (const c of writers) c.send('go');
    await Promise.all(writers.map((c) => new Promise((r) => c.once('exit', r))));
    const renamed = performance.now() - t0;
    const deadline = Date.now() + 60_000;
    while (ix.count('qa', 'new') < files && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const complete = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 200));
    w.close();
    const result = { files, raw, adds, indexed: ix.count('qa', 'new'), renamed, complete, recovered: ix.recovered };
    ix.dispose();
    return result;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export async function ackMany(n = 10_000) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dispatch-bench-ack-'));
  try {
    for (const b of ['tmp', 'new', 'cur']) mkdirSync(path.join(root, 'qa', b), { recursive: true });
    const ids: string[] = [];
    const start = Date.parse('2025-01-01T00:00:00Z');
    for (let i = 0; i < n; i++) {
      const name = buildName({ created: new Date(start + i * 1000), priority: 'normal', from: 'bench', slug: `ack-${i}` });
      writeFileSync(path.join(root, 'qa', 'new', name), '# x\n');
      ids.push(name.slice(0, -3));
    }
    const out = new PassThrough();
    out.resume();
    const err = new PassThrough();
    err.resume();
    const t0 = performance.now();
    const code = await cli(['--root', root, 'ack', ...ids], { out, err, env: {}, stdin: Object.assign(Readable.from([]), { isTTY: true }) });
    return { n, code, ms: performance.now() - t0 };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
