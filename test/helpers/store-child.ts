// Store verbs the CLI has no command for, in a process of their own (bundled: see bundle.ts), so the crash
// enumeration can stop them at each file-changing call like any `dispatch` verb:
//   trash ROOT REF        the root's own trash (the extension's Delete where there is no OS trash)
//   unack ROOT REF        Mark as New (the extension's, and Undo of an acknowledge)
//   sweep ROOT            the repair, as it runs 11 minutes after a kill
//   sweeps ROOT           that repair again and again until killed: a machine whose clock runs 11 minutes
//                         ahead, taking every move in flight for an abandoned one
import { DispatchStore } from '../../src/core/store';

async function main() {
  const [op, root, ref] = process.argv.slice(2);
  const s = new DispatchStore(root);
  if (op === 'trash') process.stdout.write(`${await s.trash(ref)}\n`);
  else if (op === 'unack') process.stdout.write(`${(await s.unacknowledge(ref)).dispatch.path}\n`);
  else if (op === 'sweep') await s.sweep(36, Date.now() + 11 * 60_000);
  else if (op === 'sweeps') for (;;) await s.sweep(36, Date.now() + 11 * 60_000);
  else throw new Error(`unknown op ${op}`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error)?.message ?? String(e)}\n`);
  process.exit(1);
});
