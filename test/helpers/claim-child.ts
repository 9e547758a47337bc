// One move in a process of its own, so a test can kill it at a chosen step (DISPATCH_KILL_AT):
//   ack ROOT PATH | complete ROOT PATH | archive ROOT PATH | rewrite ROOT PATH | inplace ROOT PATH |
//   reroute ROOT PATH TEAM | send ROOT TITLE [TEAM] | sweep ROOT
// `rewrite` acknowledges while setting `status: accepted`; `inplace` rewrites the file in its own box.
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';
import { moveNoClobber } from '../../src/core/move';

export const accept = (b: Buffer) => Buffer.from(b.toString('utf8').replace(/^status: .*$/m, 'status: accepted'));

async function main() {
  const [op, root, p, team] = process.argv.slice(2);
  const s = new DispatchStore(root);
  let r: unknown;
  if (op === 'ack') r = await s.acknowledge(p);
  else if (op === 'reroute') r = await s.reroute(p, team);
  else if (op === 'complete') r = await s.complete(p);
  else if (op === 'archive') r = await s.archive(p);
  else if (op === 'rewrite') r = await moveNoClobber(p, path.join(path.dirname(p), '..', 'cur'), path.basename(p), { rewrite: accept });
  else if (op === 'inplace') r = await moveNoClobber(p, path.dirname(p), path.basename(p), { rewrite: accept });
  else if (op === 'send') r = await s.deliver({ to: team ?? 'qa', from: 'eng', title: p, body: `marker ${p}\n` });
  else if (op === 'sweep') r = await s.sweep(36, Date.now() + 11 * 60_000);
  process.stdout.write(JSON.stringify(r ?? null));
}
main().catch((e) => {
  process.stderr.write(String(e?.message ?? e));
  process.exit(1);
});
