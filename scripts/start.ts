// `npm start`: the extension in a real VS Code (code-server) on 127.0.0.1, on a demo workspace and a demo
// dispatch root in .cache/demo/ (never ~/.team/dispatch), with the loopback Agent Mail double when the
// repo has it. Ctrl-C stops everything.
//
//   npm start [-- --fresh] [-- --port 8080] [-- --no-build]
//     --fresh   recreate the demo dispatch root (and VS Code's demo state) from scratch
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createDispatchRoot, DEMO_DISPATCHES, DEMO_TEAMS } from './demo-root';
import { isStopping, main, onCleanup } from './harness/cleanup';
import { portFree, startCodeServer } from './harness/codeServer';
import { CACHE_DIR, REPO_ROOT } from './harness/paths';
import { ensureProvisioned, npmRun } from './harness/provision';

interface DoubleLike {
  url: string;
  close(): Promise<void>;
}
type StartDouble = (opts: Record<string, unknown>) => Promise<DoubleLike>;

/** The Agent Mail double is another engineer's module: use it only when it is there. */
async function startDouble(project: string): Promise<DoubleLike | undefined> {
  const modPath = path.join(REPO_ROOT, 'test', 'agentmail-double', 'server.ts');
  let start: StartDouble | undefined;
  if (fs.existsSync(modPath)) {
    try {
      const mod = (await import(modPath)) as { startAgentMailDouble?: StartDouble; default?: { startAgentMailDouble?: StartDouble } };
      start = mod.startAgentMailDouble ?? mod.default?.startAgentMailDouble;
    } catch (e) {
      console.log(`start: could not load the Agent Mail double: ${(e as Error).message}`);
    }
  }
  if (!start) {
    console.log('start: Agent Mail double not available: the reservations item stays hidden (no server configured)');
    return undefined;
  }
  const hour = 60 * 60;
  const dbl = await start({
    project,
    reservations: [
      { agent: 'GreenCastle', path_pattern: 'src/core/**', reason: 'refactoring the index', ttlSeconds: 3 * hour },
      { agent: 'BlueLake', path_pattern: 'README.md', exclusive: false, reason: 'docs pass', ttlSeconds: hour },
      { agent: 'DemoAgent', path_pattern: 'docs/*.md', reason: 'writing the guide', ttlSeconds: 2 * hour },
      // A crashed agent's lock, to try Force Release… on.
      { agent: 'CrashedAgent', path_pattern: 'scripts/**', reason: 'release tooling', ttlSeconds: 2 * hour, stale: true },
    ],
  });
  onCleanup('Agent Mail double', () => dbl.close());
  console.log(`start: Agent Mail double on ${dbl.url} (project ${project})`);
  return dbl;
}

function writeDemoWorkspace(ws: string): void {
  const file = (rel: string, text: string) => {
    const p = path.join(ws, rel);
    if (fs.existsSync(p)) return;
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  };
  file('README.md', '# Demo project\n\nA workspace for trying Dispatch Inbox. Its dispatch root is `../dispatch`.\n');
  file('src/core/index.ts', 'export const answer = 42;\n');
}

main(async () => {
  const argv = process.argv.slice(2);
  const fresh = argv.includes('--fresh');
  const portAt = argv.indexOf('--port');
  const wanted = Number(portAt >= 0 ? argv[portAt + 1] : process.env.PORT) || 8080;

  if (!argv.includes('--no-build')) npmRun('build');
  ensureProvisioned();

  const demoDir = path.join(CACHE_DIR, 'demo');
  const root = path.join(demoDir, 'dispatch');
  const ws = path.join(demoDir, 'workspace');
  const csDir = path.join(demoDir, 'code-server');
  if (fresh) fs.rmSync(demoDir, { recursive: true, force: true });
  if (!fs.existsSync(root)) {
    const r = await createDispatchRoot(root, { teams: DEMO_TEAMS, dispatches: DEMO_DISPATCHES });
    console.log(`start: demo dispatch root with ${r.files.length} dispatches for ${r.teams.join(', ')}`);
  } else {
    console.log('start: reusing the demo dispatch root (npm start -- --fresh recreates it)');
  }
  writeDemoWorkspace(ws);

  const dbl = await startDouble(ws);
  const env: Record<string, string> = { DISPATCH_ROOT: root };
  if (dbl) Object.assign(env, { BEADS_AGENT_MAIL_URL: dbl.url, BEADS_PROJECT_ID: ws, BEADS_AGENT_NAME: 'DemoAgent' });

  const port = (await portFree(wanted)) ? wanted : undefined;
  if (!port) console.log(`start: port ${wanted} is taken, using a free one`);
  const cs = await startCodeServer({
    workspace: ws,
    baseDir: csDir,
    port,
    settings: { 'dispatchInbox.root': root },
    env,
    linkExtensions: [REPO_ROOT],
  });
  console.log('');
  console.log(`  Dispatch Inbox demo: ${cs.workbenchUrl()}`);
  console.log(`  dispatch root:       ${root}`);
  console.log(`  try:                 DISPATCH_ROOT=${root} node dist/cli.js list`);
  console.log(`  code-server log:     ${cs.logFile}`);
  console.log('  (the extension is this repo folder, linked: `npm run build` and reload the page to see changes)');
  console.log('  Ctrl-C stops everything.');
  console.log('');

  // Runs until a signal; if code-server dies on its own, say so and stop.
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const alive = await fetch(`${cs.url}/healthz`, { signal: AbortSignal.timeout(3000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!alive && !isStopping()) {
      console.error(`start: code-server stopped answering; its log:\n${cs.logTail(30)}`);
      return 1;
    }
  }
});
