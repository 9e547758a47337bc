// Browser E2E: code-server on a fixture workspace + fixture dispatch root, headless Chromium, and the
// steps of test/e2e/steps/*.ts (each file's default export: Step[]), in file-name order.
//
//   npm run test:e2e [-- --no-build] [-- --only TEXT]
// Screenshots go to test-results/ (git-ignored). HEADFUL=1 shows the browser (needs a display); VERBOSE=1
// echoes code-server's log and the page's console errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchChromium, newPage } from '../../scripts/harness/browser';
import { main, onCleanup } from '../../scripts/harness/cleanup';
import { startCodeServer } from '../../scripts/harness/codeServer';
import { makeFixture } from '../../scripts/harness/fixtures';
import { REPO_ROOT, RESULTS_DIR } from '../../scripts/harness/paths';
import { ensureProvisioned, npmRun } from '../../scripts/harness/provision';
import { DispatchStore } from '../../src/core/store';
import { startAgentMailDouble } from '../agentmail-double/server';
import { ACTION_TIMEOUT_MS, runSteps, type E2EContext, type Step } from './framework';
import { E2E_AGENT, E2E_RESERVATIONS } from './steps/20-reservations';

async function loadSteps(only?: string): Promise<Step[]> {
  const dir = path.join(__dirname, 'steps');
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
  const steps: Step[] = [];
  for (const f of files) {
    const mod = (await import(path.join(dir, f))) as { default?: Step[] | { default?: Step[] }; steps?: Step[] };
    // tsx hands a CommonJS module's default export back wrapped once more.
    const list = mod.steps ?? (Array.isArray(mod.default) ? mod.default : mod.default?.default);
    if (!Array.isArray(list)) throw new Error(`${f}: export default an array of steps`);
    steps.push(...list);
  }
  return only ? steps.filter((s) => s.name.includes(only)) : steps;
}

main(async () => {
  const t0 = Date.now();
  const argv = process.argv.slice(2);
  const onlyAt = argv.indexOf('--only');
  const steps = await loadSteps(onlyAt >= 0 ? argv[onlyAt + 1] : undefined);
  ensureProvisioned();
  if (!argv.includes('--no-build')) npmRun('build');

  const fx = await makeFixture('e2e');
  // A loopback Agent Mail for the reservations status bar, reached through the env users set.
  const agentMail = await startAgentMailDouble({ project: fx.workspace, reservations: E2E_RESERVATIONS });
  onCleanup('Agent Mail double', () => agentMail.close());
  // The extension installed as a user would have it: the repo folder linked into the extensions dir.
  const cs = await startCodeServer({
    workspace: fx.workspace,
    settings: { 'dispatchInbox.root': fx.root, 'dispatchInbox.agentMail.pollInterval': 1 },
    env: { DISPATCH_ROOT: fx.root, BEADS_AGENT_MAIL_URL: agentMail.url, BEADS_PROJECT_ID: fx.workspace, BEADS_AGENT_NAME: E2E_AGENT },
    linkExtensions: [REPO_ROOT],
    echoLog: process.env.VERBOSE === '1',
  });
  console.log(`test:e2e: code-server on ${cs.url}; ${steps.length} step(s)`);
  const browser = await launchChromium();
  const page = await newPage(browser);
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  if (process.env.VERBOSE === '1') {
    page.on('console', (m) => m.type() === 'error' && console.log(`  [page error] ${m.text()}`));
  }
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const ctx: E2EContext = {
    page,
    codeServer: cs,
    root: fx.root,
    teams: fx.teams,
    files: fx.files,
    store: new DispatchStore(fx.root),
    workspace: fx.workspace,
    shared: { agentMail },
    signal: new AbortController().signal,
    screenshot: async (name) => {
      const file = path.join(RESULTS_DIR, `${name}.png`);
      await page.screenshot({ path: file });
      console.log(`      screenshot: ${path.relative(process.cwd(), file)}`);
      return file;
    },
  };
  await page.goto(cs.workbenchUrl());
  const r = await runSteps(steps, ctx, RESULTS_DIR);
  await ctx.screenshot('e2e-final');
  console.log(`test:e2e: finished in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  if (r.passed + r.failed === 0) {
    console.log('test:e2e: no step ran');
    r.failed = 1;
  }
  console.log(`${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`);
  return r.failed > 0 ? 1 : 0;
});
