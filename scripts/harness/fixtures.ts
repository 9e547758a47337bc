// A throw-away dispatch root + workspace for one test run, removed at cleanup.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createDispatchRoot, DEMO_TEAMS, FIXTURE_DISPATCHES, type CreatedRoot } from '../demo-root';
import { onCleanup } from './cleanup';

export interface Fixture extends CreatedRoot {
  /** The temp dir holding everything below; removed at cleanup unless KEEP_FIXTURE=1. */
  dir: string;
  workspace: string;
}

export async function makeFixture(label: string): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `dispatch-${label}-`));
  if (process.env.KEEP_FIXTURE === '1') console.log(`harness: keeping fixture ${dir}`);
  else onCleanup(`fixture ${dir}`, () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 }));
  const created = await createDispatchRoot(path.join(dir, 'dispatch'), { teams: DEMO_TEAMS, dispatches: FIXTURE_DISPATCHES });
  const workspace = path.join(dir, 'workspace');
  fs.mkdirSync(workspace);
  fs.writeFileSync(path.join(workspace, 'README.md'), '# Fixture workspace\n\nOpened by the Dispatch Inbox test harness.\n');
  return { ...created, dir, workspace };
}
