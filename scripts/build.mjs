// Bundles the extension and the CLI; type checking is `npm run typecheck` (tsc --noEmit).
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
// `--outdir DIR`: tests build a private copy instead of racing other suites over dist/.
const at = process.argv.indexOf('--outdir');
const outdir = at > 0 ? process.argv[at + 1] : 'dist';
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  minify: !watch,
  logLevel: 'info',
  external: ['vscode'],
};

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: `${outdir}/extension.js` },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: `${outdir}/cli.js`, banner: { js: '#!/usr/bin/env node' } },
  // `dispatch mcp` with the MCP SDK, beside cli.js and loaded only by that verb: every other verb (and
  // every hook run) stays a small file to parse.
  { ...common, entryPoints: ['src/cli/mcp.ts'], outfile: `${outdir}/mcp.js` },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
