// A separate process that races others on the same root:
//   send ROOT N TAG                    deliver N same-named dispatches to qa
//   move ROOT OP:ORDER BARRIER:PARTIES  OP = ack | trash | reroute-<team>, ORDER = forward | reverse
//   flood ROOT                         deliver 8 MiB dispatches until killed
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';

/** A barrier in the filesystem: start-up times under load differ more than the work takes. */
async function barrier(spec: string): Promise<void> {
  const [dir, parties] = spec.split(':');
  writeFileSync(path.join(dir, `${process.pid}`), '');
  const deadline = Date.now() + 60_000;
  while (readdirSync(dir).length < Number(parties) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

async function main() {
  const [cmd, root, arg, tag] = process.argv.slice(2);
  const s = new DispatchStore(root);
  const created = new Date('2026-01-31T14:30:00Z');
  if (cmd === 'send') {
    for (let i = 0; i < Number(arg); i++) {
      await s.deliver({ to: 'qa', from: 'engineering', title: 'Same title', body: `marker ${tag}-${i}\n`, created });
    }
  } else if (cmd === 'move') {
    const [op, order] = arg.split(':');
    const names = readdirSync(path.join(root, 'qa', 'new')).filter((n) => !n.startsWith('.'));
    await barrier(tag);
    if (order === 'reverse') names.reverse();
    let moved = 0;
    let already = 0;
    let missing = 0;
    for (const n of names) {
      const p = path.join(root, 'qa', 'new', n);
      try {
        if (op === 'trash') {
          await s.trash(p);
          moved++;
          continue;
        }
        const r = op === 'ack' ? await s.acknowledge(p) : await s.reroute(p, op.slice('reroute-'.length));
        if (r.status === 'moved') moved++;
        else already++;
      } catch (e) {
        // Someone else moved it elsewhere (or, for ack, finished before our call): not ours to report.
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
