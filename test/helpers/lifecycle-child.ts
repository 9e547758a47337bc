// A separate process changing statuses on one root, for races and kill -9 soaks:
//   race ROOT OP:ORDER BARRIER:PARTIES   OP = complete | ack | trash | reroute-<team>; prints counts
//   churn ROOT                           acknowledge, complete and mark as new at random until killed
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';

async function barrier(spec: string): Promise<void> {
  const [dir, parties] = spec.split(':');
  writeFileSync(path.join(dir, `${process.pid}`), '');
  const deadline = Date.now() + 60_000;
  while (readdirSync(dir).length < Number(parties) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

const names = (dir: string) => readdirSync(dir).filter((n) => !n.startsWith('.'));

async function main() {
  const [cmd, root, arg, tag] = process.argv.slice(2);
  const s = new DispatchStore(root);
  if (cmd === 'race') {
    const [op, order] = arg.split(':');
    const todo = names(path.join(root, 'qa', 'new'));
    await barrier(tag);
    if (order === 'reverse') todo.reverse();
    const c = { moved: 0, already: 0, missing: 0 };
    for (const n of todo) {
      const p = path.join(root, 'qa', 'new', n);
      try {
        if (op === 'trash') {
          await s.trash(p);
          c.moved++;
          continue;
        }
        const r = op === 'complete' ? await s.complete(p) : op === 'ack' ? await s.acknowledge(p) : await s.reroute(p, op.slice('reroute-'.length));
        c[r.status]++;
      } catch (e) {
        if ((e as { code?: string }).code === 'not-found') {
          c.missing++;
          if (process.env.RACE_DEBUG) process.stderr.write(`${op}: ${(e as Error).message}\n`);
        } else throw e;
      }
    }
    process.stdout.write(JSON.stringify(c));
  } else if (cmd === 'churn') {
    for (;;) {
      for (const box of ['new', 'cur'] as const) {
        for (const n of names(path.join(root, 'qa', box))) {
          const d = path.join(root, 'qa', box, n);
          const r = Math.random();
          await (box === 'new' ? (r < 0.5 ? s.acknowledge(d) : s.complete(d, 'soak')) : r < 0.5 ? s.unacknowledge(d) : s.complete(d)).catch(() => undefined);
        }
      }
    }
  }
}
main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
