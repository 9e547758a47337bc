// Runs the extension-host mocha suites (test/exthost/) inside real VS Code: code-server + headless
// Chromium, the extension loaded as a development extension from the repo root.
//
//   npm run test:exthost [-- --no-build] [-- --grep TEXT]
// Env: EXTHOST_TIMEOUT_MS (whole run, default 180000), VERBOSE=1 (echo the page console and code-server log).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchChromium, newPage } from './harness/browser';
import { main } from './harness/cleanup';
import { startCodeServer } from './harness/codeServer';
import { makeFixture } from './harness/fixtures';
import { REPO_ROOT } from './harness/paths';
import { ensureProvisioned, npmRun } from './harness/provision';

const PREFIX = '[exthost]';

main(async () => {
  const t0 = Date.now();
  const argv = process.argv.slice(2);
  const verbose = process.env.VERBOSE === '1';
  ensureProvisioned();
  if (!argv.includes('--no-build')) {
    npmRun('build');
    npmRun('build:tests');
  }
  const testsEntry = path.join(REPO_ROOT, 'out', 'test', 'exthost', 'index.js');
  if (!fs.existsSync(testsEntry)) throw new Error(`${testsEntry} missing: npm run build:tests`);

  const fx = await makeFixture('exthost');
  const resultsFile = path.join(fx.dir, 'exthost-results.json');
  const env: Record<string, string> = { DISPATCH_ROOT: fx.root, DISPATCH_EXTHOST_RESULTS: resultsFile };
  const grepAt = argv.indexOf('--grep');
  if (grepAt >= 0 && argv[grepAt + 1]) env.DISPATCH_EXTHOST_GREP = argv[grepAt + 1];

  const cs = await startCodeServer({ workspace: fx.workspace, settings: { 'dispatchInbox.root': fx.root }, env, echoLog: verbose });
  console.log(`test:exthost: code-server on ${cs.url} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  const browser = await launchChromium();
  const page = await newPage(browser);

  let passed = 0;
  let failed = 0;
  let finish!: (code: number) => void;
  const exited = new Promise<number>((r) => (finish = r));
  await page.exposeFunction('codeAutomationExit', (code: number) => finish(code));
  page.on('console', (msg) => {
    const text = msg.text();
    const at = text.indexOf(PREFIX);
    if (at < 0) {
      if (verbose) console.log(`  [page ${msg.type()}] ${text}`);
      return;
    }
    // The workbench may prefix ("%c[Extension Host] …") and suffix the forwarded line; keep our part.
    const line = text.slice(at + PREFIX.length + 1).replace(/\s+\(at .*\)$/s, '');
    if (/^\s*✓ /.test(line)) passed++;
    if (/^\s*✗ /.test(line)) failed++;
    console.log(`  ${line}`);
  });
  page.on('pageerror', (e) => verbose && console.log(`  [page error] ${e.message}`));

  const timeoutMs = Number(process.env.EXTHOST_TIMEOUT_MS) || 180_000;
  await page.goto(cs.workbenchUrl({ extensionDevelopmentPath: REPO_ROOT, extensionTestsPath: testsEntry }));
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)))]);
  clearTimeout(timer);

  // The results file (written by the runner in the extension host) is the authority on the counts.
  if (fs.existsSync(resultsFile)) {
    const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { passes: number; failures: number };
    passed = r.passes;
    failed = r.failures;
  }
  if (code === 'timeout') {
    console.log(`test:exthost: no result after ${timeoutMs} ms; code-server log:\n${cs.logTail(40)}`);
    failed = Math.max(failed, 1);
  } else if (code !== 0 && failed === 0) {
    // The runner itself failed (no suite loaded, an error while loading one…).
    console.log(`test:exthost: the test runner exited with ${code} before reporting a failure; code-server log:\n${cs.logTail(40)}`);
    failed = 1;
  }
  if (passed + failed === 0) {
    console.log('test:exthost: no test ran');
    failed = 1;
  }
  console.log(`test:exthost: finished in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 || code !== 0 ? 1 : 0;
});
