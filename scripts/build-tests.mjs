// Bundles the extension-host tests for VS Code, which loads plain CommonJS: test/exthost/index.ts and
// every test/exthost/suite/*.test.ts → out/test/exthost/**.js (vscode and mocha stay external).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const suiteDir = 'test/exthost/suite';
const suites = fs.existsSync(suiteDir)
  ? fs
      .readdirSync(suiteDir)
      .filter((f) => f.endsWith('.test.ts'))
      .map((f) => path.join(suiteDir, f))
  : [];
fs.rmSync('out/test/exthost', { recursive: true, force: true });
await esbuild.build({
  entryPoints: ['test/exthost/index.ts', ...suites],
  outbase: 'test',
  outdir: 'out/test',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
console.log(`build-tests: out/test/exthost/index.js + ${suites.length} suite(s)`);
