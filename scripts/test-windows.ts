// `npm run test:windows`: the core and CLI unit tests that are not Linux-specific, run by Node for Windows
// (node.exe) under Wine, over Windows paths (`Z:\…`, Wine's drive for `/`). What this proves is Node's
// Windows code: libuv's win32 file calls, path.win32, MoveFileEx, CreateHardLink, ReadDirectoryChangesW;
// not NTFS itself (Wine keeps the files on the Linux filesystem).
//
// The tests are bundled to plain JS first (tsx's esbuild binary is Linux-only). Under Wine a process's
// stdin cannot be a pipe (EBADF) and console output is reliable only into a file: node.exe gets
// /dev/null as stdin and a file for stdout/stderr, and node:test writes its TAP report into another file,
// read back here. Each test file runs in a node.exe of its own (node:test's isolation), one at a time.
//
//   node --import tsx scripts/test-windows.ts [FILTER...]   only test files whose name contains a FILTER
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { writeForeignRoot } from '../test/helpers/foreign-names';

const repo = path.resolve(__dirname, '..');
const cache = path.join(repo, '.cache');
const nodeExe = path.join(cache, 'node-win', 'node.exe');
const prefix = path.join(cache, 'wine');
const wine = () => ['/usr/lib/wine/wine64', '/usr/bin/wine64'].find((p) => fs.existsSync(p));
/** One test file, and the whole run: a stuck wineserver or test ends there, with what was reported so far. */
const FILE_MS = 3 * 60_000;
const DEADLINE_MS = 15 * 60_000;

/** The test files that run on Windows, under test/ (Linux-only tests inside them skip with their reason). */
const FILES = [
  'unit/windows',
  'unit/format',
  'unit/text',
  'unit/frontmatter',
  'unit/cadences',
  'unit/store',
  'unit/cli',
  'unit/lifecycle',
  'system/lifecycle-store',
  'unit/live-index',
  'system/placeholders',
  'unit/same-file',
  'unit/sent',
  'unit/fstype',
  'unit/synced',
  'unit/cadence-send',
  'unit/checkin',
  'unit/live-index-reconcile',
  'unit/live-index-fsevents',
  'unit/ui-order',
  'unit/ui-lifecycle',
  'unit/agentmail-cli',
  'unit/agentmail-cli-write',
  'unit/agentmail-force-release',
  'unit/agentmail-poller',
  'unit/agentmail-status',
];

/** `Z:\…` for a Linux path: Wine maps `/` to drive Z:. */
function winPath(p: string): string {
  return 'Z:' + path.resolve(p).replaceAll('/', '\\');
}

function skip(why: string): never {
  console.log(`test:windows: skipped: ${why}`);
  process.exit(0);
}

interface Tally {
  pass: number;
  fail: number;
  skip: number;
  todo: number;
}

/**
 * Counts and failures from a TAP report (node:test's `tap` reporter), from its top-level test lines:
 * with --test-force-exit the closing `# pass` lines may never be written.
 */
function readTap(tap: string, file: string, failures: string[]): Tally {
  const t: Tally = { pass: 0, fail: 0, skip: 0, todo: 0 };
  const lines = tap.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^(not )?ok \d+ - (.*?)(?: # (TODO|SKIP)\b.*)?$/.exec(lines[i]);
    if (!m) continue;
    if (m[3] === 'SKIP') t.skip++;
    else if (m[3] === 'TODO') t.todo++;
    else if (!m[1]) t.pass++;
    else {
      t.fail++;
      // The YAML block under it: the error and what it says, without the stack.
      const detail: string[] = [];
      for (let j = i + 1; j < lines.length && detail.length < 12 && !/^\s*\.\.\.$/.test(lines[j]); j++)
        if (!/^\s*(---|duration_ms|location|failureType|stack:|code:)|^\s{4,}\S+ \(.*:\d+:\d+\)$|^\s+at /.test(lines[j])) detail.push(lines[j]);
      failures.push(`${file}: ${m[2]}\n${detail.join('\n')}`);
    }
  }
  return t;
}

async function main(): Promise<number> {
  if (process.platform !== 'linux') skip('runs Node for Windows under Wine on Linux');
  // wine64 from apt, node.exe from npm, the prefix: reused once there (scripts/provision.mjs --windows).
  const provisioned = spawnSync(process.execPath, [path.join(repo, 'scripts', 'provision.mjs'), '--windows'], { stdio: 'inherit' });
  if (provisioned.status !== 0) skip(`Windows under Wine could not be provisioned (exit ${provisioned.status ?? provisioned.signal}; see the line above)`);
  const WINE = wine();
  if (!WINE) skip('wine64 is not installed and could not be (not Debian, or no root)');
  if (!fs.existsSync(nodeExe) || !fs.existsSync(path.join(prefix, 'system.reg'))) skip('Node for Windows is not provisioned');

  const filters = process.argv.slice(2);
  const files = FILES.filter((f) => !filters.length || filters.some((x) => f.includes(x)));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-win-'));
  const out = path.join(work, 'bundle');
  const tmp = path.join(work, 'tmp');
  fs.mkdirSync(tmp);
  // Names only a Linux sender can write (test/unit/windows.test.ts): one root per test file that may use it.
  const foreign = path.join(work, 'foreign');
  const t0 = Date.now();
  await esbuild.build({
    entryPoints: files.map((f) => path.join(repo, 'test', `${f}.test.ts`)),
    outdir: out,
    // jsonc-parser's "main" is a UMD build whose inner requires esbuild cannot follow: its ES module.
    mainFields: ['module', 'main'],
    outbase: path.join(repo, 'test'), // bundle/unit/…, bundle/system/…, whichever files a filter keeps
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'warning',
    external: ['vscode'],
    // The bundle is the main module: src/cli/main.ts must not take it for `node cli.js` and run a command.
    define: { 'require.main': 'null' },
    // os.tmpdir() reads TEMP, which Wine sets from its registry: test roots go under Z:\ instead.
    banner: { js: 'if (process.env.DISPATCH_WIN_TMP) process.env.TEMP = process.env.TMP = process.env.DISPATCH_WIN_TMP;' },
  });
  const env = {
    ...process.env,
    WINEPREFIX: prefix,
    WINEDEBUG: '-all',
    WINEDLLOVERRIDES: 'mscoree,mshtml=',
    DISPATCH_WIN_TMP: winPath(tmp),
    DISPATCH_WIN_FOREIGN: winPath(foreign),
    DISPATCH_TEST_TIME_SCALE: '3',
    NODE_OPTIONS: '',
  };
  const total: Tally = { pass: 0, fail: 0, skip: 0, todo: 0 };
  const failures: string[] = [];
  const deadline = Date.now() + DEADLINE_MS;
  try {
    for (const f of files) {
      const tag = f.replace(/\//g, '-'); // unit/store → unit-store: one flat name per file
      writeForeignRoot(path.join(foreign, tag));
      const report = path.join(work, `${tag}.tap`);
      const log = path.join(work, `${tag}.log`);
      const fd = fs.openSync(log, 'w');
      const started = Date.now();
      const child = spawn(
        WINE,
        [
          nodeExe,
          '--test',
          '--test-force-exit',
          '--test-reporter=tap',
          `--test-reporter-destination=${winPath(report)}`,
          winPath(path.join(out, `${f}.test.js`)),
        ],
        { env, stdio: ['ignore', fd, fd], detached: true },
      );
      fs.closeSync(fd);
      const code = await new Promise<number | null>((resolve) => {
        const timer = setTimeout(
          () => {
            try {
              process.kill(-child.pid!, 'SIGKILL');
            } catch {
              // already gone
            }
          },
          Math.max(0, Math.min(FILE_MS, deadline - Date.now())),
        );
        child.on('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      const tap = fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '';
      const t = readTap(tap, f, failures);
      if (!tap || (code !== 0 && !t.fail)) {
        t.fail++;
        failures.push(
          `${f}: node.exe exited ${code ?? 'on the deadline'} without a failing test reported (killed after ${FILE_MS / 60_000} minutes?)\n${fs.readFileSync(log, 'utf8').slice(-2000)}`,
        );
      }
      for (const k of Object.keys(total) as (keyof Tally)[]) total[k] += t[k];
      console.log(
        `test:windows: ${f}: ${t.pass} passed, ${t.fail} failed${t.skip ? `, ${t.skip} skipped` : ''}${t.todo ? `, ${t.todo} todo` : ''} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      if (Date.now() > deadline) {
        failures.push(`the run passed its ${DEADLINE_MS / 60_000} minutes`);
        break;
      }
    }
  } finally {
    // Wine's server outlives node.exe by a few seconds; ours is for this prefix only.
    spawnSync(path.join(path.dirname(WINE), 'wineserver'), ['-k'], { env, stdio: 'ignore' });
    if (!failures.length) fs.rmSync(work, { recursive: true, force: true });
  }
  for (const f of failures) console.log(`\nnot ok: ${f}`);
  if (failures.length) console.log(`\n(reports and logs kept in ${work})`);
  console.log(
    `test:windows: ${total.pass} passed, ${total.fail} failed, ${total.skip} skipped${total.todo ? `, ${total.todo} todo` : ''} under Wine (node.exe ${readVersion()}), ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return total.fail || failures.length ? 1 : 0;
}

function readVersion(): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(cache, 'node-win', '.provisioned.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '?';
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`test:windows: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
