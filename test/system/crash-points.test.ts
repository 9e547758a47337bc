// The crash enumeration stops a verb after each file-changing call it makes through core/fs/rawfs.ts. This
// checks that those are all of them: the verb run under strace, every system call that changes a file or
// folder under the root by its path is one the enumeration counted. Skipped, with one line, without strace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';
import { bundled } from '../helpers/bundle';
import { tempRoot } from '../helpers/tmp';

const strace = ['/usr/bin/strace', '/bin/strace'].find((p) => existsSync(p));
if (!strace) console.log('# crash-point completeness skipped: strace missing (apt-get install strace)');

const CALLS =
  'open,openat,creat,rename,renameat,renameat2,link,linkat,unlink,unlinkat,mkdir,mkdirat,rmdir,chmod,fchmodat,chown,lchown,fchownat,symlink,symlinkat,truncate';
const WRITE_FLAGS = /O_WRONLY|O_RDWR|O_CREAT|O_TRUNC|O_APPEND/;

/** The path-based file-changing system calls strace saw on paths under `root` (or through a folder held open). */
function traced(lines: string[], root: string): number {
  let n = 0;
  for (const l of lines) {
    const m = /^(?:\[pid\s+\d+\] |\d+\s+)?(\w+)\((.*)\)\s+= /.exec(l);
    if (!m) continue;
    const [, call, args] = m;
    if (!args.includes(root) && !args.includes('/proc/self/fd/')) continue;
    if ((call === 'open' || call === 'openat') && !WRITE_FLAGS.test(args)) continue;
    n++;
  }
  return n;
}

async function check(argv: string[], setup: (root: string) => Promise<void>, cwd?: string) {
  const root = path.join(tempRoot('points-'), 'root');
  await setup(root);
  const out = mkdtempSync(path.join(os.tmpdir(), 'points-trace-'));
  const log = path.join(out, 'log');
  const trace = path.join(out, 'trace');
  const r = spawnSync(
    strace!,
    [
      '-f',
      '-qq',
      '-e',
      `trace=${CALLS}`,
      '-e',
      'signal=none',
      '-o',
      trace,
      process.execPath,
      bundled(path.join(__dirname, '..', '..', 'src', 'cli', 'main.ts')),
      '--root',
      root,
      ...argv,
    ],
    {
      env: { ...process.env, DISPATCH_FAULT_LOG: log, HOME: path.dirname(root) },
      cwd,
      encoding: 'utf8',
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const counted = readFileSync(log, 'utf8')
    .split('\n')
    .filter(
      (l) => /^\d+ (create|rename|link|unlink|mkdir|rmdir|chmod|chown|symlink|truncate) /.test(l) && (l.includes(root) || l.includes('/proc/self/fd/')),
    ).length;
  const seen = traced(readFileSync(trace, 'utf8').split('\n'), root);
  assert.equal(seen, counted, `${argv.join(' ')}: strace saw ${seen} file-changing calls by path, the enumeration counts ${counted}`);
  assert.ok(counted > 0);
}

const one = async (root: string, box: 'new' | 'cur') => {
  const s = new DispatchStore(root);
  await s.init(['qa', 'web']);
  const d = await s.deliver({ to: 'qa', from: 'eng', title: 'Traced', body: 'traced\n' });
  if (box === 'cur') await s.acknowledge(d);
};

const verbs: [string, string[], (root: string) => Promise<void>][] = [
  ['send', ['send', '--to', 'qa', '--from', 'eng', '--title', 'T', '--body', 'b'], (r) => new DispatchStore(r).init(['qa'])],
  ['ack', ['ack', '--json', ...[]], (r) => one(r, 'new')],
  ['complete', ['complete'], (r) => one(r, 'cur')],
  ['reroute', ['reroute'], (r) => one(r, 'new')],
  ['archive', ['archive', '--older-than', '0'], (r) => one(r, 'cur')],
  ['checkin --ack', ['checkin', '--team', 'qa', '--ack'], (r) => one(r, 'new')],
];

for (const [name, argv, setup] of verbs) {
  test(`every file-changing system call of ${name} is a point the crash enumeration stops at`, { skip: !strace && 'no strace' }, async () => {
    // Verbs that take an id get the one dispatch's.
    const withId = async (root: string) => {
      await setup(root);
      const [d] = await new DispatchStore(root).list();
      if (d && ['ack', 'complete', 'reroute'].includes(name)) argv.splice(1, argv.length - 1, d.id, ...(name === 'reroute' ? ['--to', 'web'] : []));
    };
    await check(argv, withId);
  });
}

test('every file-changing system call of cadences --send is a point the crash enumeration stops at', { skip: !strace && 'no strace' }, async () => {
  const project = tempRoot('points-project-');
  mkdirSync(project, { recursive: true });
  writeFileSync(
    path.join(project, 'TEAM.md'),
    '## Cadences\n\n| Dispatch | To | Frequency | Last Sent |\n|---|---|---|---|\n| Weekly check | qa | weekly | 2026-02-01 |\n',
  );
  await check(['cadences', '--from', 'eng', '--send', '--today', '2026-02-10'], (r) => new DispatchStore(r).init(['qa', 'eng']), project);
});
