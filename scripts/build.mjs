// Bundles the extension and the CLI; type checking is `npm run typecheck` (tsc --noEmit).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

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
  // jsonc-parser's "main" is a UMD build whose inner requires esbuild cannot follow: take its ES module.
  mainFields: ['module', 'main'],
};

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: `${outdir}/extension.js` },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: `${outdir}/cli.js`, banner: { js: '#!/usr/bin/env node' } },
  // `dispatch mcp` with the MCP SDK, beside cli.js and loaded only by that verb: every other verb (and
  // every hook run) stays a small file to parse.
  { ...common, entryPoints: ['src/cli/mcp.ts'], outfile: `${outdir}/mcp.js` },
  // The prompt hook, run on every prompt: only what it needs to decide that there is nothing to say.
  { ...common, entryPoints: ['src/cli/hook.ts'], outfile: `${outdir}/hook.js`, banner: { js: '#!/usr/bin/env node' } },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // Executable, so a link to it on the PATH (or a host that runs it directly) works.
  for (const f of ['cli.js', 'hook.js']) fs.chmodSync(`${outdir}/${f}`, 0o755);
  // A private build elsewhere (tests) carries the skill beside it, as dist/ finds it in ../skills/.
  if (outdir !== 'dist') fs.cpSync('skills', `${outdir}/skills`, { recursive: true });
}
