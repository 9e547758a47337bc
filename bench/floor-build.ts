// Builds bench/floor.ts into an extension folder: the bundle, and a package.json with this extension's
// activity-bar container, Inbox view and activation events, and nothing else.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { REPO_ROOT } from '../scripts/harness/paths';

export async function buildFloor(dir: string): Promise<string> {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  fs.mkdirSync(path.join(dir, 'media'), { recursive: true });
  fs.copyFileSync(path.join(REPO_ROOT, 'media/inbox.svg'), path.join(dir, 'media/inbox.svg'));
  const floor = {
    name: 'dispatch-inbox-floor',
    publisher: pkg.publisher,
    version: pkg.version,
    engines: pkg.engines,
    main: './extension.js',
    activationEvents: pkg.activationEvents,
    contributes: {
      viewsContainers: { activitybar: [{ id: 'dispatchInbox', title: 'Dispatch Inbox (floor)', icon: 'media/inbox.svg' }] },
      views: { dispatchInbox: [{ id: 'dispatchInbox.inbox', name: 'Inbox' }] },
      configuration: { properties: { 'dispatchInbox.root': { type: 'string' } } },
    },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(floor, null, 2));
  await esbuild.build({
    entryPoints: [path.join(REPO_ROOT, 'bench/floor.ts')],
    outfile: path.join(dir, 'extension.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['vscode'],
  });
  return dir;
}
