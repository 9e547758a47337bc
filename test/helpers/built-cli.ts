// The CLI as shipped: `scripts/build.mjs` bundles a private copy (cli.js + mcp.js) for this test file,
// so the bundle itself is what runs, never a stale dist/, and no other suite sees dist/ half-written.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

let built: string | undefined;

/** Built once per test process and kept until it exits (tests of the file share it). */
export function builtCli(): string {
  if (!built) {
    const out = mkdtempSync(path.join(os.tmpdir(), 'dispatch-build-'));
    process.once('exit', () => rmSync(out, { recursive: true, force: true }));
    execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'build.mjs'), '--outdir', out], {
      cwd: path.join(__dirname, '..', '..'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    built = path.join(out, 'cli.js');
  }
  return built;
}
