// The extension-tests entry VS Code loads (`extensionTestsPath` → out/test/exthost/index.js): a mocha 11
// runner (tdd: suite/test) over every out/test/exthost/suite/*.test.js. Adding a suite = dropping a
// `*.test.ts` into test/exthost/suite/.
//
// Output: the extension host's console reaches the page (code-server) or stdout (desktop VS Code), not a
// terminal, so the reporter prints plain lines starting with REPORT_PREFIX for the driver to pick out.
// With DISPATCH_EXTHOST_RESULTS set, the counts and failures are also written there as JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export const REPORT_PREFIX = '[exthost]';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

function emit(text: string): void {
  for (const line of text.split('\n')) console.log(`${REPORT_PREFIX} ${line}`);
}

class LineReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const results: TestResult[] = [];
    const C = Mocha.Runner.constants;
    runner.on(C.EVENT_SUITE_BEGIN, (s: Mocha.Suite) => {
      if (s.title) emit(`${'  '.repeat(depth(s) - 1)}${s.title}`);
    });
    runner.on(C.EVENT_TEST_PASS, (t: Mocha.Test) => {
      results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
      emit(`${'  '.repeat(depth(t))}✓ ${t.title} (${t.duration ?? 0} ms)`);
    });
    runner.on(C.EVENT_TEST_PENDING, (t: Mocha.Test) => {
      results.push({ title: t.fullTitle(), state: 'pending' });
      emit(`${'  '.repeat(depth(t))}- ${t.title} (skipped)`);
    });
    runner.on(C.EVENT_TEST_FAIL, (t: Mocha.Test, err: Error) => {
      const error = err?.stack || String(err);
      results.push({ title: t.fullTitle(), state: 'failed', error });
      emit(`${'  '.repeat(depth(t))}✗ ${t.title}\n${error.replace(/^/gm, '      ')}`);
    });
    runner.once(C.EVENT_RUN_END, () => {
      const s = this.stats;
      emit(`done: ${s.passes} passing, ${s.failures} failing, ${s.pending} pending (${s.duration ?? 0} ms)`);
      const file = process.env.DISPATCH_EXTHOST_RESULTS;
      if (file) {
        fs.writeFileSync(file, JSON.stringify({ passes: s.passes, failures: s.failures, pending: s.pending, tests: results }, null, 2));
      }
    });
  }
}

function depth(r: Mocha.Runnable | Mocha.Suite): number {
  let d = 0;
  for (let p = r.parent; p && !p.root; p = p.parent) d++;
  return r instanceof Mocha.Suite ? d + 1 : d;
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    color: false,
    timeout: Number(process.env.DISPATCH_EXTHOST_TIMEOUT_MS) || 20_000,
    reporter: LineReporter,
  });
  const grep = process.env.DISPATCH_EXTHOST_GREP;
  if (grep) mocha.grep(grep);
  const suiteDir = path.join(__dirname, 'suite');
  const files = fs.existsSync(suiteDir)
    ? fs
        .readdirSync(suiteDir)
        .filter((f) => f.endsWith('.test.js'))
        .sort()
    : [];
  for (const f of files) mocha.addFile(path.join(suiteDir, f));
  emit(`running ${files.length} suite file(s): ${files.join(', ')}`);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      emit(`could not run the suites: ${err.stack ?? err.message}`);
      reject(err);
    }
  });
}
