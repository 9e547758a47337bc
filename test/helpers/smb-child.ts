// One racer on a root, forever (until killed with SIGKILL), for the SMB census (bundled: see bundle.ts):
//   send ROOT TAG LOG   deliver to qa; after each send returns, its marker is appended to LOG
//   move ROOT           acknowledge, complete or mark as new what qa's boxes hold, at random
import { appendFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';

const pick = <T>(a: T[]): T | undefined => a[Math.floor(Math.random() * a.length)];

async function main() {
  const [op, root, tag, log] = process.argv.slice(2);
  const s = new DispatchStore(root);
  for (let i = 0; ; i++) {
    if (op === 'send') {
      const marker = `${tag}-${i}`;
      await s.deliver({ to: 'qa', from: 'eng', title: `smb ${marker}`, body: `marker ${marker}\n` });
      appendFileSync(log, `${marker}\n`);
      continue;
    }
    const box = Math.random() < 0.7 ? 'new' : 'cur';
    const n = pick(readdirSync(path.join(root, 'qa', box)).filter((x) => !x.startsWith('.')));
    if (!n) {
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    const p = path.join(root, 'qa', box, n);
    const r = Math.random();
    await (box === 'new' ? (r < 0.7 ? s.acknowledge(p) : s.complete(p)) : r < 0.5 ? s.unacknowledge(p) : s.complete(p)).catch((e: { code?: string }) => {
      // Races with the others are expected ("already", "moved by someone else"); anything else is not.
      if (e.code !== 'not-found' && e.code !== 'io' && e.code !== 'invalid') throw e;
    });
  }
}

main().catch((e) => {
  process.stderr.write(String((e as Error)?.stack ?? e));
  process.exit(1);
});
