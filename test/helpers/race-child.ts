// A separate process that races others on the same root: `send ROOT N TAG`, `ack ROOT ORDER BARRIER_DIR:PARTIES`, `flood ROOT`.
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';

async function main() {
  const [cmd, root, arg, tag] = process.argv.slice(2);
  const s = new DispatchStore(root);
  const created = new Date('2026-01-31T14:30:00Z');
  if (cmd === 'send') {
    for (let i = 0; i < Number(arg); i++) {
      await s.deliver({ to: 'qa', from: 'engineering', title: 'Same title', body: `marker ${tag}-${i}\n`, created });
    }
  } else if (cmd === 'ack') {
    const names = readdirSync(path.join(root, 'qa', 'new'));
    // A barrier in the filesystem: start-up times under load differ more than the work takes.
    const [barrier, parties] = tag.split(':');
    writeFileSync(path.join(barrier, `${process.pid}`), '');
    const deadline = Date.now() + 60_000;
    while (readdirSync(barrier).length < Number(parties) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
    if (arg === 'reverse') names.reverse();
    let moved = 0;
    let already = 0;
    let missing = 0;
    for (const n of names) {
      try {
        const r = await s.acknowledge(path.join(root, 'qa', 'new', n));
        if (r.status === 'moved') moved++;
        else already++;
      } catch (e) {
        // Another process finished the whole move between our readdir and our call.
        if ((e as { code?: string }).code === 'not-found') missing++;
        else throw e;
      }
    }
    process.stdout.write(JSON.stringify({ seen: names.length, moved, already, missing }));
  } else if (cmd === 'flood') {
    for (let i = 0; ; i++) {
      await s.deliver({ to: 'qa', from: 'engineering', title: `big ${i}`, body: 'x'.repeat(8 * 1024 * 1024) + '\nEND\n' });
    }
  }
}
main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
