// The lifecycle verbs as a terminal sees them, run as real processes: complete, sent, archive, stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { tempRoot } from '../helpers/tmp';
import { seed } from '../helpers/seed';

const run = promisify(execFile);
const cwd = path.join(__dirname, '..', '..');

async function cli(root: string, ...args: string[]) {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--root', root, ...args], { cwd });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, out: x.stdout, err: x.stderr };
  }
}

const DAY = 86_400_000;
/** A dispatch name created `days` ago. */
function nameAgo(days: number, slug: string, from = 'engineering'): string {
  const t = new Date(Date.now() - days * DAY)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  return `${t}_normal_${from}_${slug}.md`;
}

async function fixture() {
  const root = tempRoot();
  await cli(root, 'init', 'web_ops', 'qa', 'engineering');
  const stale = nameAgo(5, 'update-site');
  writeFileSync(path.join(root, 'web_ops', 'new', stale), seed);
  writeFileSync(path.join(root, 'web_ops', 'new', nameAgo(1, 'fresh')), seed.replace('# Update the site for the new resume skill', '# Fresh one'));
  writeFileSync(
    path.join(root, 'qa', 'new', nameAgo(2, 'audit')),
    seed.replace('web_ops', 'qa').replace('# Update the site for the new resume skill', '# Audit'),
  );
  writeFileSync(path.join(root, 'engineering', 'new', nameAgo(9, 'from-qa', 'qa')), seed.replace('engineering', 'qa'));
  return { root, stale };
}

test('sent --from: what the team sent, where it sits, status and age; --status and --json', async () => {
  const { root } = await fixture();
  const r = await cli(root, 'sent', '--from', 'engineering');
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^web_ops\s+pending\s+5d\s+Update the site for the new resume skill\s+stale$/);
  assert.match(lines[2], /^web_ops\s+pending\s+1d\s+Fresh one$/);
  const j = JSON.parse((await cli(root, 'sent', '--from', 'engineering', '--json', '--stale-after', '1.5')).out);
  assert.deepEqual(
    j.map((d: { team: string; status: string; stale: boolean; age_days: number }) => [d.team, d.status, d.stale, d.age_days]),
    [
      ['web_ops', 'pending', true, 5],
      ['qa', 'pending', true, 2],
      ['web_ops', 'pending', false, 1],
    ],
  );
  assert.equal((await cli(root, 'sent', '--from', 'engineering', '--status', 'completed')).out, '');
  assert.equal((await cli(root, 'sent', '--from', 'engineering', '--status', 'done')).code, 2);
  assert.equal((await cli(root, 'sent')).code, 2);
});

test('summary counts stale dispatches; list --stale lists them; --stale-after moves the line', async () => {
  const { root } = await fixture();
  assert.equal((await cli(root, 'summary')).out, 'dispatch: engineering 1 new (1 stale) · qa 1 new · web_ops 2 new (1 stale)\n');
  assert.equal((await cli(root, 'summary', 'web_ops', '--stale-after', '0.5')).out, 'dispatch: web_ops 2 new (2 stale)\n');
  const stale = JSON.parse((await cli(root, 'list', '--stale', '--json')).out);
  assert.deepEqual(
    stale.map((d: { team: string; slug: string }) => `${d.team}/${d.slug}`),
    ['engineering/from-qa', 'web_ops/update-site'],
  );
  assert.equal((await cli(root, 'list', '--stale-after', 'soon')).code, 2);
});

test('complete: acknowledges first, writes completed and the note, warns (in --json too) where it cannot write', async () => {
  const { root, stale } = await fixture();
  const id = stale.replace(/\.md$/, '');
  const r = await cli(root, 'complete', id, '--note', 'shipped in #412', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.outcome, 'moved');
  assert.equal(j.box, 'cur');
  const text = readFileSync(path.join(root, 'web_ops', 'cur', stale), 'utf8');
  assert.match(text, /^status: completed\ncompleted: '\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ'\ncompletion_note: 'shipped in #412'\ncreated: 2026-01-31\n/m);
  assert.equal(text.replace(/status: completed\ncompleted: .*\ncompletion_note: .*\n/, 'status: pending\n'), seed);
  const again = await cli(root, 'complete', id);
  assert.match(again.out, /^already completed: /);
  // show --json and list --json carry the status.
  assert.equal(JSON.parse((await cli(root, 'show', id, '--json')).out).status, 'completed');
  // JSON front matter: moved, not rewritten, with a warning.
  const jsonName = nameAgo(0, 'amq-style');
  writeFileSync(path.join(root, 'qa', 'new', jsonName), '---json\n{"from":"engineering","status":"pending"}\n---\nbody\n');
  const w = await cli(root, 'ack', jsonName.replace(/\.md$/, ''), '--json');
  assert.equal(w.code, 0, w.err);
  assert.deepEqual(JSON.parse(w.out).warnings, ['status not written: JSON front matter']);
  assert.equal(readFileSync(path.join(root, 'qa', 'cur', jsonName), 'utf8'), '---json\n{"from":"engineering","status":"pending"}\n---\nbody\n');
  const plain = await cli(root, 'complete', jsonName.replace(/\.md$/, ''));
  assert.equal(plain.code, 0);
  assert.match(plain.err, /^dispatch: .*amq-style: status not written: JSON front matter$/m);
  const listed = JSON.parse((await cli(root, 'list', 'web_ops', '--json')).out);
  assert.deepEqual(listed.map((d: { status: string }) => d.status).sort(), ['completed', 'pending']);
});

test('archive: by id into .archive/<team>/<YYYY-MM>/, refused from new/, --older-than; list --archived shows them, list does not', async () => {
  const { root, stale } = await fixture();
  const id = stale.replace(/\.md$/, '');
  const refused = await cli(root, 'archive', id);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /^dispatch: cannot archive .*: it is still in web_ops\/new\//);
  await cli(root, 'complete', id);
  const a = await cli(root, 'archive', id);
  assert.equal(a.code, 0, a.err);
  const month = stale.slice(0, 7);
  assert.deepEqual(readdirSync(path.join(root, '.archive', 'web_ops', month)), [stale]);
  assert.equal(JSON.parse((await cli(root, 'list', '--json')).out).length, 3);
  assert.equal((await cli(root, 'list', '--archived')).out, `.archive/web_ops/${month}/${stale}\n`);
  // --older-than archives acknowledged dispatches only, by age.
  await cli(root, 'ack', readdirSync(path.join(root, 'qa', 'new'))[0].replace(/\.md$/, ''));
  assert.equal(JSON.parse((await cli(root, 'archive', '--older-than', '3', '--json')).out).length, 0);
  const older = JSON.parse((await cli(root, 'archive', '--older-than', '1', '--json')).out);
  assert.equal(older.length, 1);
  assert.match(older[0], /\/\.archive\/qa\/\d{4}-\d\d\//);
  assert.equal((await cli(root, 'archive')).code, 2);
  assert.equal((await cli(root, 'archive', id, '--older-than', '3')).code, 2);
});
