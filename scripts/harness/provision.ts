import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { REPO_ROOT } from './paths';

/** Runs scripts/provision.mjs (quick when everything is cached); throws when it fails. */
export function ensureProvisioned(): void {
  const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'provision.mjs')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`provisioning failed (exit ${r.status ?? r.signal}): see the lines above`);
}

/** Runs `npm run <script>` in the repo, inheriting output; throws on failure. */
export function npmRun(script: string): void {
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`npm run ${script} failed (exit ${r.status ?? r.signal})`);
}
