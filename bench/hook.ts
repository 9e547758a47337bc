// The prompt hook's cost, paid on every prompt: `node dist/hook.js` with nothing new to announce (the
// usual case) against a bare `node -e 0`, interleaved run by run so a drift of the machine's speed hits
// both alike; the median of the per-pair ratios of wall time (spawn to exit).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '..');

function wall(args: string[], env: NodeJS.ProcessEnv): number {
  const t = process.hrtime.bigint();
  spawnSync(process.execPath, args, { env, stdio: 'ignore' });
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

export function hookBench(runs = 40): { ratio: number; hookMs: number; nodeMs: number } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'dispatch-bench-hook-'));
  try {
    const cli = path.join(REPO, 'dist', 'cli.js');
    const env = { ...process.env, XDG_STATE_HOME: path.join(root, 'state') };
    const run = (args: string[]) => execFileSync(process.execPath, [cli, '--root', root, ...args], { env, stdio: 'ignore' });
    run(['init', 'web_ops']);
    for (let i = 0; i < 30; i++) run(['send', '--to', 'web_ops', '--from', 'eng', '--title', `Item ${i}`, '--body', 'x']);
    run(['send', '--to', 'web_ops', '--from', 'security', '--priority', 'urgent', '--title', 'Keys', '--body', 'x']);
    run(['checkin', '--team', 'web_ops', '--format', 'claude-hook']); // the session start showed it: nothing new
    const hookArgs = [path.join(REPO, 'dist', 'hook.js'), '--root', root, '--team', 'web_ops'];
    const ratio: number[] = [];
    const hook: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs + 3; i++) {
      const a = wall(hookArgs, env);
      const b = wall(['-e', '0'], env);
      if (i < 3) continue; // warm-up
      ratio.push(a / b);
      hook.push(a);
      bare.push(b);
    }
    return { ratio: median(ratio), hookMs: median(hook), nodeMs: median(bare) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
