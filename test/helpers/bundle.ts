// Test entries bundled to plain JS once per test process: a child started hundreds of times (the crash
// enumeration) must start as fast as the shipped CLI, not pay tsx's compile on each start.
import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const built = new Map<string, string>();
let dir: string | undefined;

/** `entry` (a path under the repo) bundled for node; the path of the bundle. */
export function bundled(entry: string): string {
  let out = built.get(entry);
  if (out) return out;
  if (!dir) {
    const d = mkdtempSync(path.join(os.tmpdir(), 'dispatch-bundle-'));
    dir = d;
    process.once('exit', () => rmSync(d, { recursive: true, force: true }));
  }
  out = path.join(dir, `${path.basename(entry, '.ts')}.js`);
  buildSync({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'error',
    external: ['vscode'],
    mainFields: ['module', 'main'],
  });
  built.set(entry, out);
  return out;
}
