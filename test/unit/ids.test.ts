// src/ui/common/ids.ts against package.json: every command, view, context key, colour and setting the
// manifest names is defined there once (with the same defaults, limits and values), and nothing in
// src/ui spells an identifier out itself.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { PRIORITIES } from '../../src/core/format/format';
import { COMMANDS, CONTEXT, INTERNAL_COMMANDS, priorityColorId, SECTION, SETTINGS, VIEWS } from '../../src/ui/common/ids';

const root = path.join(__dirname, '..', '..');
interface Manifest {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string }[] };
    menus: Record<string, { command?: string; when?: string }[]>;
    keybindings: { command: string; when?: string }[];
    viewsWelcome: { view: string; when?: string }[];
    colors: { id: string }[];
    configuration:
      { properties: Record<string, { default?: unknown; minimum?: number; maximum?: number; enum?: unknown[] }> } | { properties: Record<string, unknown> }[];
  };
  activationEvents: string[];
}
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const c = pkg.contributes;
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();

test('the contributed commands are exactly COMMANDS; menus and keys name only known commands', () => {
  assert.deepEqual(sorted(c.commands.map((x) => x.command)), sorted(Object.values(COMMANDS)));
  const known = new Set<string>([...Object.values(COMMANDS), ...Object.values(INTERNAL_COMMANDS)]);
  const used = [...Object.values(c.menus).flat(), ...c.keybindings].map((m) => m.command).filter((id): id is string => !!id && id.startsWith(`${SECTION}.`));
  for (const id of used) assert.ok(known.has(id), `${id} is used in package.json but not in ids.ts`);
  for (const id of Object.values(INTERNAL_COMMANDS)) assert.ok(!c.commands.some((x) => x.command === id), `${id} is internal but contributed`);
});

test('views, the container and the activation events match VIEWS', () => {
  assert.deepEqual(
    sorted(
      Object.values(c.views)
        .flat()
        .map((v) => v.id),
    ),
    sorted([VIEWS.inbox, VIEWS.sent, VIEWS.cadences]),
  );
  assert.deepEqual(
    c.viewsContainers.activitybar.map((v) => v.id),
    [VIEWS.container],
  );
  assert.deepEqual(
    sorted(pkg.activationEvents.filter((e) => e.startsWith('onView:')).map((e) => e.slice(7))),
    sorted([VIEWS.inbox, VIEWS.sent, VIEWS.cadences]),
  );
});

test('every context key in a when clause is one we set, and every one we set is used', () => {
  const whens = [...Object.values(c.menus).flat(), ...c.keybindings, ...c.viewsWelcome].map((m) => m.when ?? '');
  const names = new Set<string>();
  for (const w of whens) for (const m of w.matchAll(/(?<![\w.])dispatchInbox\.[\w.]+/g)) names.add(m[0]);
  const views = new Set<string>(Object.values(VIEWS));
  const contextKeys = sorted([...names].filter((n) => !views.has(n)));
  assert.deepEqual(contextKeys, sorted(Object.values(CONTEXT)));
});

test('colours: one per priority', () => {
  assert.deepEqual(sorted(c.colors.map((x) => x.id)), sorted(PRIORITIES.map(priorityColorId)));
});

test('settings: the same keys, defaults, limits and values as package.json', () => {
  const props = Object.assign({}, ...[c.configuration].flat().map((x) => x.properties)) as Record<
    string,
    { default?: unknown; minimum?: number; maximum?: number; enum?: unknown[] }
  >;
  const ours = Object.values(SETTINGS);
  assert.deepEqual(sorted(Object.keys(props)), sorted(ours.map((s) => `${SECTION}.${s.key}`)));
  for (const s of ours) {
    const p = props[`${SECTION}.${s.key}`];
    const where = `${SECTION}.${s.key}`;
    assert.deepEqual(p.default, s.default, `${where} default`);
    const limits = s as { min?: number; max?: number; values?: readonly unknown[] };
    assert.equal(p.minimum, limits.min, `${where} minimum`);
    assert.equal(p.maximum, limits.max, `${where} maximum`);
    assert.deepEqual(p.enum, limits.values, `${where} enum`);
  }
});

test('no file in src/ui or extension.ts spells out an identifier (they come from ids.ts)', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  const offenders: string[] = [];
  for (const f of [...files(path.join(root, 'src', 'ui')), path.join(root, 'src', 'extension.ts')]) {
    if (f.endsWith(path.join('common', 'ids.ts'))) continue;
    const code = readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => !/^\s*(\/\/|\*|\/\*\*)/.test(l));
    for (const l of code) if (/['"`]dispatchInbox\.[\w.]*['"`]/.test(l)) offenders.push(`${path.relative(root, f)}: ${l.trim()}`);
  }
  assert.deepEqual(offenders, []);
});
