// Every verb that changes a root, killed after each of its file-changing calls and run with each link and
// rename reply lost (test/helpers/enumerate.ts): every dispatch exactly once and visible before and after
// the repair, its bytes the same but for the lines the verb sets, its mode and group kept, nothing outside
// the root touched. `CRASH_ENUM=long` also kills each second operation at every one of its calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { enumerate, Item, Scenario, storeOf } from '../helpers/enumerate';

const long = process.env.CRASH_ENUM === 'long';
const MODE = 0o640; // not the umask's: a rewrite that resets modes shows

/** One dispatch delivered into `qa`, then moved to `box`, chmod'ed, and described. */
async function one(root: string, box: 'new' | 'cur', marker: string, opts: { mode?: number } = {}): Promise<Item> {
  const s = storeOf(root);
  await s.init(['qa', 'web']);
  let d = await s.deliver({ to: 'qa', from: 'eng', title: `Enum ${marker}`, body: `${marker}\n` });
  if (box === 'cur') d = (await s.acknowledge(d)).dispatch;
  chmodSync(d.path, opts.mode ?? MODE);
  const st = lstatSync(d.path);
  return { marker, rel: path.relative(root, d.path), bytes: readFileSync(d.path), mode: st.mode & 0o7777, gid: st.gid };
}

const idOf = (it: Item) => path.basename(it.rel, '.md');
const NEW = /^qa\/new\/[^/]+$/;
const CUR = /^qa\/cur\/[^/]+$/;
const WEB = /^web\/new\/[^/]+$/;
const ARCHIVED = /^\.archive\/qa\/\d{4}-\d{2}\/[^/]+$/;
const TRASHED = /^\.trash\/qa\/[^/]+$/;

const complete = { name: 'complete', via: 'cli' as const, argv: (p: string) => ['complete', p], places: [CUR], statuses: ['completed'] };
const reroute = { name: 'reroute', via: 'cli' as const, argv: (p: string) => ['reroute', p, '--to', 'web'], places: [WEB], statuses: [] };
const archive = { name: 'archive', via: 'cli' as const, argv: (p: string) => ['archive', p], places: [ARCHIVED], statuses: [] };

const scenarios: Scenario[] = [
  {
    name: 'send',
    via: 'cli',
    setup: async (root) => {
      await storeOf(root).init(['qa']);
      return [{ marker: 'marker-send', rel: '', bytes: Buffer.alloc(0), mode: -1, gid: -1 }];
    },
    argv: () => ['send', '--to', 'qa', '--from', 'eng', '--title', 'Sent under faults', '--body', 'marker-send'],
    created: () => ['marker-send'],
    statuses: ['pending'],
    places: [NEW],
    final: { places: [NEW], statuses: ['pending'] },
  },
  {
    name: 'ack',
    via: 'cli',
    setup: async (root) => [await one(root, 'new', 'marker-ack')],
    argv: (f) => ['ack', idOf(f.items[0])],
    statuses: ['pending', 'accepted'],
    places: [NEW, CUR],
    final: { places: [CUR], statuses: ['accepted'] },
    second: [complete, reroute, archive],
  },
  {
    name: 'mark as new',
    via: 'store',
    setup: async (root) => [await one(root, 'cur', 'marker-unack')],
    argv: (f) => ['unack', f.root, path.join(f.root, f.items[0].rel)],
    statuses: ['accepted', 'pending'],
    places: [NEW, CUR],
    final: { places: [NEW], statuses: ['pending'] },
    second: [complete],
  },
  {
    name: 'complete from new',
    via: 'cli',
    setup: async (root) => [await one(root, 'new', 'marker-complete-new')],
    argv: (f) => ['complete', idOf(f.items[0]), '--note', 'done under faults'],
    statuses: ['pending', 'completed'],
    places: [NEW, CUR],
    final: { places: [CUR], statuses: ['completed'] },
    second: [reroute, archive],
  },
  {
    name: 'complete in cur',
    via: 'cli',
    setup: async (root) => [await one(root, 'cur', 'marker-complete-cur')],
    argv: (f) => ['complete', idOf(f.items[0])],
    statuses: ['accepted', 'completed'],
    places: [CUR],
    final: { places: [CUR], statuses: ['completed'] },
    second: [reroute, archive],
  },
  {
    name: 'reroute',
    via: 'cli',
    setup: async (root) => [await one(root, 'new', 'marker-reroute')],
    argv: (f) => ['reroute', idOf(f.items[0]), '--to', 'web'],
    statuses: ['pending'],
    places: [NEW, WEB],
    final: { places: [WEB], statuses: ['pending'] },
  },
  {
    name: 'delete (to the root trash)',
    via: 'store',
    setup: async (root) => [await one(root, 'cur', 'marker-trash')],
    argv: (f) => ['trash', f.root, path.join(f.root, f.items[0].rel)],
    statuses: ['accepted'],
    places: [CUR, TRASHED],
    final: { places: [TRASHED], statuses: ['accepted'] },
  },
  {
    name: 'archive by id',
    via: 'cli',
    setup: async (root) => [await one(root, 'cur', 'marker-archive')],
    argv: (f) => ['archive', idOf(f.items[0])],
    statuses: ['accepted'],
    places: [CUR, ARCHIVED],
    final: { places: [ARCHIVED], statuses: ['accepted'] },
  },
  {
    name: 'archive --older-than',
    via: 'cli',
    setup: async (root) => [await one(root, 'cur', 'marker-archive-old')],
    argv: () => ['archive', '--older-than', '0'],
    statuses: ['accepted'],
    places: [CUR, ARCHIVED],
    final: { places: [ARCHIVED], statuses: ['accepted'] },
  },
  {
    name: 'complete of a dispatch with a second hard link (a cp -al backup outside the root)',
    via: 'cli',
    setup: async (root, outside) => {
      const it = await one(root, 'cur', 'marker-linked');
      mkdirSync(outside, { recursive: true });
      linkSync(path.join(root, it.rel), path.join(outside, 'backup.md'));
      return [it];
    },
    argv: (f) => ['complete', idOf(f.items[0])],
    statuses: ['accepted', 'completed'],
    places: [CUR],
    final: { places: [CUR], statuses: ['completed'] },
  },
  {
    name: 'ack on a shared root (0664, group kept)',
    via: 'cli',
    setup: async (root) => {
      const it = await one(root, 'new', 'marker-shared', { mode: 0o664 });
      chmodSync(path.join(root, 'qa', 'cur'), 0o2775);
      return [it];
    },
    argv: (f) => ['ack', idOf(f.items[0])],
    statuses: ['pending', 'accepted'],
    places: [NEW, CUR],
    final: { places: [CUR], statuses: ['accepted'] },
  },
  {
    name: 'checkin --ack',
    via: 'cli',
    setup: async (root) => [await one(root, 'new', 'marker-checkin-a'), await one(root, 'new', 'marker-checkin-b')],
    argv: () => ['checkin', '--team', 'qa', '--ack'],
    env: (f) => ({ HOME: path.dirname(f.root), XDG_STATE_HOME: path.dirname(f.root) }),
    cwd: (f) => path.dirname(f.root),
    statuses: ['pending', 'accepted'],
    places: [NEW, CUR],
    final: { places: [CUR], statuses: ['accepted'] },
  },
  {
    name: 'checkin --track (a stand-in bd that records its arguments: bd is not installable here)',
    via: 'cli',
    setup: async (root) => {
      const project = path.join(path.dirname(root), 'project');
      mkdirSync(path.join(project, '.beads'), { recursive: true });
      const bin = path.join(path.dirname(root), 'bin');
      mkdirSync(bin);
      writeFileSync(path.join(bin, 'bd'), `#!/bin/sh\necho "$@" >> "${bin}/calls"\necho '{"id":"bd-7","title":"t"}'\n`, { mode: 0o755 });
      return [await one(root, 'new', 'marker-track')];
    },
    argv: () => ['checkin', '--team', 'qa', '--track'],
    env: (f) => ({ HOME: path.dirname(f.root), XDG_STATE_HOME: path.dirname(f.root), PATH: `${path.join(path.dirname(f.root), 'bin')}:${process.env.PATH}` }),
    cwd: (f) => path.join(path.dirname(f.root), 'project'),
    statuses: ['pending', 'accepted'],
    places: [NEW, CUR],
    final: { places: [CUR], statuses: ['accepted'] },
  },
  {
    name: 'cadences --send (marker, delivery, Last Sent)',
    via: 'cli',
    setup: async (root) => {
      await storeOf(root).init(['qa', 'eng']);
      const project = path.join(path.dirname(root), 'project');
      mkdirSync(project);
      writeFileSync(path.join(project, 'TEAM.md'), TEAM_MD, { mode: 0o640 });
      return [{ marker: 'marker-cadence', rel: '', bytes: Buffer.alloc(0), mode: -1, gid: -1 }];
    },
    argv: () => ['cadences', '--from', 'eng', '--send', '--today', '2026-02-10'],
    cwd: (f) => path.join(path.dirname(f.root), 'project'),
    created: () => ['marker-cadence'],
    repair: {
      via: 'cli',
      argv: () => ['cadences', '--from', 'eng', '--send', '--today', '2026-02-10'],
      cwd: (f) => path.join(path.dirname(f.root), 'project'),
    },
    check: (f) => {
      const project = path.join(path.dirname(f.root), 'project');
      const bad: string[] = [];
      const text = readFileSync(path.join(project, 'TEAM.md'), 'utf8');
      if (text !== TEAM_MD.replace('| 2026-02-01 |', '| 2026-02-10 |')) bad.push(`TEAM.md is not the table with Last Sent set: ${JSON.stringify(text)}`);
      if ((lstatSync(path.join(project, 'TEAM.md')).mode & 0o7777) !== 0o640) bad.push('TEAM.md mode changed');
      const extra = readdirSync(project).filter((n) => n !== 'TEAM.md');
      if (extra.length) bad.push(`left beside TEAM.md: ${extra.join(', ')}`);
      return bad;
    },
    statuses: ['pending'],
    places: [/^qa\/new\/[^/]+$/],
    final: { places: [/^qa\/new\/[^/]+$/], statuses: ['pending'] },
  },
  ...(['claude', 'codex'] as const).map((host): Scenario => ({
    name: `setup ${host} (settings, skill and MCP written beside a user's own settings)`,
    via: 'built',
    setup: async (root) => {
      await storeOf(root).init(['qa']);
      const project = path.join(path.dirname(root), 'project');
      for (const [file, text] of Object.entries(USER_FILES[host])) {
        mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
        writeFileSync(path.join(project, file), text, { mode: 0o640 });
      }
      return [];
    },
    argv: () => ['setup', host, '--team', 'qa'],
    cwd: (f) => path.join(path.dirname(f.root), 'project'),
    env: (f) => ({ HOME: path.join(path.dirname(f.root), 'home') }),
    repair: {
      via: 'built',
      argv: () => ['setup', host, '--team', 'qa'],
      cwd: (f) => path.join(path.dirname(f.root), 'project'),
      env: (f) => ({ HOME: path.join(path.dirname(f.root), 'home') }),
    },
    check: (f) => setupBreaches(path.join(path.dirname(f.root), 'project'), host),
    statuses: [],
    places: [],
    final: { places: [], statuses: [] },
  })),
];

/** A user's own settings the setup must keep, byte for byte where it adds nothing, with their mode. */
const USER_FILES = {
  claude: { '.claude/settings.json': '{\n  // mine\n  "permissions": { "allow": ["Bash(ls)"] },\n  "id": 12345678901234567890123\n}\n' },
  codex: { '.codex/hooks.json': '{\n  "hooks": {}\n}\n' },
};

/** After a setup killed anywhere and run again: every file whole and valid, the user's text kept, modes kept, hooks once, nothing left beside. */
function setupBreaches(project: string, host: 'claude' | 'codex'): string[] {
  const bad: string[] = [];
  for (const [file, text] of Object.entries(USER_FILES[host])) {
    const p = path.join(project, file);
    const now = readFileSync(p, 'utf8');
    if ((lstatSync(p).mode & 0o7777) !== 0o640) bad.push(`${file}: mode ${(lstatSync(p).mode & 0o7777).toString(8)}, was 640`);
    if (host === 'claude' && (!now.includes('// mine') || !now.includes('12345678901234567890123')))
      bad.push(`${file}: the user's comment or number changed: ${JSON.stringify(now)}`);
    if (now === text) bad.push(`${file}: no hooks written`);
    if ((now.match(/checkin/g) ?? []).length < 1) bad.push(`${file}: no check-in hook`);
    if ((now.match(/"SessionStart"/g) ?? []).length !== 1) bad.push(`${file}: SessionStart ${(now.match(/"SessionStart"/g) ?? []).length} times`);
  }
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const left = walk(project).filter((p) => /\.tmp$|dispatch-lock/.test(p));
  if (left.length) bad.push(`left beside the settings: ${left.map((p) => path.relative(project, p)).join(', ')}`);
  return bad;
}

const TEAM_MD = `# Eng

## Cadences

| Dispatch | To | Frequency | Last Sent | Priority | Notes |
|----------|----|-----------|-----------|----------|-------|
| Weekly check | qa | weekly | 2026-02-01 | normal | marker-cadence |
`;

for (const sc of scenarios) {
  test(`crash enumeration: ${sc.name}`, async (t) => {
    const r = await enumerate(sc, long);
    t.diagnostic(
      `${sc.name}: ${r.calls} file-changing calls, ${r.kills} kills, ${r.seconds} second operations, ${r.sweeps} repairs killed, ${r.replies} lost replies`,
    );
    assert.ok(r.calls > 0 && r.kills === r.calls, `${r.kills} kills of ${r.calls} calls`);
    assert.deepEqual(r.bad, []);
  });
}

test('a dispatch that is a symlink to a file outside the root: acknowledged as it is, nothing of that file read into the root', async () => {
  const sc: Scenario = {
    name: 'ack of a symlink',
    via: 'cli',
    setup: async (root, outside) => {
      await storeOf(root).init(['qa']);
      mkdirSync(outside, { recursive: true });
      writeFileSync(path.join(outside, 'secret.md'), '---\nstatus: pending\n---\nsecret-outside\n');
      symlinkSync(path.join(outside, 'secret.md'), path.join(root, 'qa', 'new', '2026-01-31T14-30-00Z_normal_eve_link.md'));
      return [];
    },
    argv: () => ['ack', '2026-01-31T14-30-00Z_normal_eve_link'],
    statuses: [],
    places: [],
    final: { places: [], statuses: [] },
  };
  const r = await enumerate(sc, long);
  assert.deepEqual(r.bad, []);
});

test('a FIFO named like a dispatch: ack never blocks on it', async () => {
  const sc: Scenario = {
    name: 'ack of a FIFO',
    via: 'cli',
    setup: async (root) => {
      await storeOf(root).init(['qa']);
      execFileSync('mkfifo', [path.join(root, 'qa', 'new', '2026-01-31T14-30-00Z_normal_eve_pipe.md')]);
      return [];
    },
    argv: () => ['ack', '2026-01-31T14-30-00Z_normal_eve_pipe'],
    statuses: [],
    places: [],
    final: { places: [], statuses: [] },
  };
  const r = await enumerate(sc, long);
  assert.deepEqual(r.bad, []);
});
