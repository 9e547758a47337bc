// Writes a dispatch root with teams and dispatches of every priority, through the core store (the same
// code the CLI and the extension use). Shared by `npm start` (the demo) and the test drivers (fixtures).
//
//   node --import tsx scripts/demo-root.ts DIR [--fixture]     creates DIR (must not hold dispatches yet)
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Priority } from '../src/core/format/format';
import { DispatchStore } from '../src/core/store';

export const DEMO_TEAMS = ['engineering', 'web_ops', 'qa'];

export interface DemoDispatch {
  to: string;
  from: string;
  priority: Priority;
  title: string;
  body: string;
  /** Created this many minutes before `now`. */
  minutesAgo: number;
  /** Moved to cur/ after delivery. */
  acknowledged?: boolean;
}

/** Small and fixed: what the tests count on. One of each priority, spread over the three teams. */
export const FIXTURE_DISPATCHES: DemoDispatch[] = [
  {
    to: 'engineering',
    from: 'web_ops',
    priority: 'urgent',
    title: 'Checkout returns 500',
    body: 'Since the 14:00 deploy, POST /checkout fails for about 3% of requests.',
    minutesAgo: 5,
  },
  { to: 'engineering', from: 'qa', priority: 'normal', title: 'Update site footer', body: 'The footer still says 2025.', minutesAgo: 90 },
  { to: 'web_ops', from: 'engineering', priority: 'high', title: 'Rotate the CDN key', body: 'The key expires on Friday.', minutesAgo: 30 },
  {
    to: 'qa',
    from: 'engineering',
    priority: 'low',
    title: 'Flaky login test',
    body: 'test_login_redirect fails one run in fifty.',
    minutesAgo: 600,
    acknowledged: true,
  },
];

/** The richer set `npm start` shows. */
export const DEMO_DISPATCHES: DemoDispatch[] = [
  ...FIXTURE_DISPATCHES,
  {
    to: 'engineering',
    from: 'qa',
    priority: 'high',
    title: 'Release 2.4 blocked on migration',
    body: 'Migration 0042 times out on the staging copy.\n\n- table: orders\n- rows: 41M',
    minutesAgo: 15,
  },
  {
    to: 'engineering',
    from: 'web_ops',
    priority: 'low',
    title: 'Tidy up old feature flags',
    body: 'Twelve flags have been at 100% for over a month.',
    minutesAgo: 60 * 26,
  },
  {
    to: 'engineering',
    from: 'qa',
    priority: 'normal',
    title: 'Add a test for the invoice PDF',
    body: 'Totals with discounts are not covered.',
    minutesAgo: 240,
    acknowledged: true,
  },
  {
    to: 'web_ops',
    from: 'qa',
    priority: 'urgent',
    title: 'Staging certificate expired',
    body: 'https://staging.example.test shows a certificate error.',
    minutesAgo: 2,
  },
  {
    to: 'web_ops',
    from: 'engineering',
    priority: 'normal',
    title: 'Scale the worker pool',
    body: 'Queue latency p95 is 40 s at peak; please add two workers.',
    minutesAgo: 180,
  },
  {
    to: 'qa',
    from: 'web_ops',
    priority: 'high',
    title: 'Verify the rollback of 2.3.1',
    body: 'Rolled back at 09:12; please run the smoke suite.',
    minutesAgo: 45,
  },
  { to: 'qa', from: 'engineering', priority: 'normal', title: 'New build ready for testing', body: 'Build 2.4.0-rc1 is on staging.', minutesAgo: 120 },
];

export interface CreatedRoot {
  root: string;
  teams: string[];
  /** Paths of the dispatch files written, in the order of the list given. */
  files: string[];
}

export async function createDispatchRoot(root: string, o: { teams?: string[]; dispatches?: DemoDispatch[]; now?: Date } = {}): Promise<CreatedRoot> {
  const teams = o.teams ?? DEMO_TEAMS;
  const now = (o.now ?? new Date()).getTime();
  const store = new DispatchStore(root);
  await store.init(teams);
  const files: string[] = [];
  for (const d of o.dispatches ?? FIXTURE_DISPATCHES) {
    const delivered = await store.deliver({
      to: d.to,
      from: d.from,
      priority: d.priority,
      title: d.title,
      body: d.body,
      created: new Date(now - d.minutesAgo * 60_000),
    });
    const final = d.acknowledged ? (await store.acknowledge(delivered)).dispatch : delivered;
    files.push(final.path);
  }
  return { root: store.root, teams, files };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const dir = args.find((a) => !a.startsWith('--'));
  if (!dir) {
    console.error('usage: node --import tsx scripts/demo-root.ts DIR [--fixture]');
    process.exit(2);
  }
  if (fs.existsSync(dir) && fs.readdirSync(dir).length) {
    console.error(`demo-root: ${dir} is not empty; remove it first`);
    process.exit(1);
  }
  createDispatchRoot(path.resolve(dir), { dispatches: args.includes('--fixture') ? FIXTURE_DISPATCHES : DEMO_DISPATCHES }).then(
    (r) => console.log(`demo-root: ${r.files.length} dispatches for ${r.teams.join(', ')} in ${r.root}`),
    (e: unknown) => {
      console.error(`demo-root: ${(e as Error).message}`);
      process.exit(1);
    },
  );
}
