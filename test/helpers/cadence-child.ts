// A separate process for the cadence race: waits at a filesystem barrier, then runs
// `dispatch --root ROOT cadences --send --from engineering --file FILE --json` and prints its JSON.
//   cadence-child.ts ROOT FILE BARRIER_DIR:PARTIES
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main';

async function run() {
  const [root, file, spec] = process.argv.slice(2);
  const [dir, parties] = spec.split(':');
  writeFileSync(path.join(dir, `${process.pid}`), '');
  const deadline = Date.now() + 60_000;
  while (readdirSync(dir).length < Number(parties) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  process.exitCode = await main(['--root', root, 'cadences', '--send', '--from', 'engineering', '--file', file, '--json'], {
    out: process.stdout,
    err: process.stderr,
    env: process.env,
    stdin: process.stdin,
  });
}
void run();
