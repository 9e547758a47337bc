// The extension-host suites in desktop VS Code through @vscode/test-electron, for machines that have it.
// Uses VSCODE_EXECUTABLE (or a `code` on PATH); otherwise tries @vscode/test-electron's download with a
// short time limit (TEST_ELECTRON_DOWNLOAD_TIMEOUT_MS, default 20000). Without either it SKIPS (exit 0):
// this machine reaches neither VS Code's download service nor has a desktop VS Code (use test:exthost).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { createDispatchRoot } from './demo-root';
import { REPO_ROOT } from './harness/paths';
import { npmRun } from './harness/provision';

function skip(reason: string): never {
  console.log(`test:electron: SKIPPED: ${reason}`);
  console.log('test:electron: the same suites run in real VS Code via `npm run test:exthost` (code-server).');
  process.exit(0);
}

/** A desktop `code` launcher, not code-server's remote CLI. */
function findCode(): string | undefined {
  if (process.env.VSCODE_EXECUTABLE) return process.env.VSCODE_EXECUTABLE;
  const r = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' });
  const p = r.stdout.trim();
  return p && !p.includes('remote-cli') ? p : undefined;
}

async function main(): Promise<number> {
  let executable = findCode();
  if (!executable) {
    const limit = Number(process.env.TEST_ELECTRON_DOWNLOAD_TIMEOUT_MS) || 20_000;
    console.log(`test:electron: no desktop VS Code (VSCODE_EXECUTABLE / code); trying a download for ${limit / 1000}s`);
    let timer: NodeJS.Timeout | undefined;
    try {
      executable = await Promise.race([
        downloadAndUnzipVSCode({ version: 'stable', timeout: limit }),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${limit} ms`)), limit))),
      ]);
    } catch (e) {
      skip(`no desktop VS Code and it cannot be downloaded here (${String((e as Error).message ?? e).split('\n')[0]})`);
    } finally {
      clearTimeout(timer);
    }
  }
  if (!fs.existsSync(executable)) skip(`${executable} does not exist`);
  npmRun('build');
  npmRun('build:tests');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dispatch-electron-'));
  try {
    const fx = await createDispatchRoot(path.join(dir, 'dispatch'));
    const ws = path.join(dir, 'workspace');
    fs.mkdirSync(ws);
    const userData = path.join(dir, 'user-data');
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({ 'dispatchInbox.root': fx.root, 'workbench.startupEditor': 'none' }));
    await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath: path.join(REPO_ROOT, 'out', 'test', 'exthost', 'index.js'),
      launchArgs: [ws, '--disable-extensions', '--user-data-dir', userData, '--disable-workspace-trust'],
      extensionTestsEnv: { DISPATCH_ROOT: fx.root },
    });
    return 0;
  } catch (e) {
    console.error(`test:electron: failed: ${(e as Error).message ?? e}`);
    return 1;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
