// The CLI as shipped: `scripts/build.mjs` bundles a private copy (cli.js + mcp.js) for this test file,
// so the bundle itself is what runs, never a stale dist/, and no other suite sees dist/ half-written.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { tempRoot } from './tmp';

let built: string | undefined;

export function builtCli(): string {
  if (!built) {
    const out = tempRoot('dispatch-build-');
    execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'build.mjs'), '--outdir', out], {
      cwd: path.join(__dirname, '..', '..'),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    built = path.join(out, 'cli.js');
  }
  return built;
}
