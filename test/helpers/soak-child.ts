// A random mix of send / ack / complete / reroute / mark as new / archive / delete / sweep on one root, forever (until killed with SIGKILL):
//   soak ROOT TAG LOG
// After each send returns, its marker is appended to LOG: those must all be found exactly once.
import { appendFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';

const TEAMS = ['qa', 'eng', 'ops'];

function pick<T>(a: T[]): T | undefined {
  return a.length ? a[Math.floor(Math.random() * a.length)] : undefined;
}

async function main() {
  const [root, tag, log] = process.argv.slice(2);
  const s = new DispatchStore(root);
  for (let i = 0; ; i++) {
    const r = Math.random();
    const team = pick(TEAMS)!;
    try {
      if (r < 0.4) {
        const marker = `${tag}-${i}`;
        await s.deliver({ to: team, from: 'soak', title: `soak ${marker}`, body: `marker ${marker}\n` });
        appendFileSync(log, `${marker}\n`);
      } else {
        const box = r < 0.8 ? 'new' : 'cur';
        const names = readdirSync(path.join(root, team, box)).filter((n) => !n.startsWith('.'));
        const n = pick(names);
        const p = n && path.join(root, team, box, n);
        if (r < 0.58 && p && box === 'new') await s.acknowledge(p);
        else if (r < 0.65 && p) await s.complete(p, 'soak');
        else if (r < 0.75 && p) await s.reroute(p, pick(TEAMS)!);
        else if (r < 0.85 && p && box === 'cur') await s.unacknowledge(p);
        else if (r < 0.88 && p && box === 'cur') await s.archive(p);
        else if (r < 0.9 && p && box === 'cur') await s.trash(p);
        else await s.sweep(36);
      }
    } catch (e) {
      // Races with the others are expected ("already", "moved by someone else"); anything else is not.
      const code = (e as { code?: string }).code;
      if (code !== 'not-found' && code !== 'ENOENT' && code !== 'invalid' && code !== 'io') throw e;
    }
  }
}
main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
