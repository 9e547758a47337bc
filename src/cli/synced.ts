// `dispatch conflict`: a sync tool's conflict copy and its dispatch, both versions shown; `--keep` keeps
// one, the other going to the root's own trash (core/store/synced.ts).
import * as path from 'node:path';
import type { DispatchStore } from '../core/api';
import { findConflict, keepVersion } from '../core/store/synced';
import { Io, parse, print, printJSON, UsageError } from './io';
import { lifecycleJSON } from './lifecycle';
import { visible, visiblePath } from './print';
import { printablePath } from '../core/fs/rawname';

export async function conflictCommand(store: DispatchStore, argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, { keep: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError('conflict needs one ID or PATH (the conflict copy, or its dispatch)');
  const keep = values.keep;
  if (keep !== undefined && keep !== 'copy' && keep !== 'original') throw new UsageError('--keep must be copy or original');
  const c = await findConflict(store, positionals[0]);
  if (keep === undefined) {
    await store.loadMeta([c.copy, ...(c.original ? [c.original] : [])]);
    if (values.json) {
      printJSON(io, { tool: c.tool, original: c.original ? lifecycleJSON(c.original) : null, copy: lifecycleJSON(c.copy) });
      return 0;
    }
    print(io, `conflict (${c.tool}): two versions of ${c.copy.team}/${c.copy.box}/${visible(c.copy.conflict!.original)}`);
    for (const [label, d] of [
      ['original', c.original],
      ['copy', c.copy],
    ] as const) {
      if (!d) {
        print(io, `  ${label}: gone`);
        continue;
      }
      const m = d.meta;
      const modified = m?.mtimeMs === undefined ? '?' : new Date(m.mtimeMs).toISOString();
      print(io, `  ${label.padEnd(8)} ${visiblePath(d.path)}`);
      print(io, `           ${m?.size ?? '?'} bytes, modified ${modified}, status ${String(m?.data.status ?? '?')}: ${d.title}`);
    }
    print(
      io,
      `keep one: dispatch conflict ${visible(c.copy.id)} --keep original|copy (the other goes to ${visiblePath(path.join(store.root, '.trash'))}${path.sep})`,
    );
    return 0;
  }
  const r = await keepVersion(store, c, keep);
  if (values.json) printJSON(io, { kept: printablePath(r.kept.path), trashed: r.trashed === undefined ? null : printablePath(r.trashed) });
  else {
    print(io, `kept: ${visiblePath(r.kept.path)}`);
    if (r.trashed) print(io, `trashed: ${visiblePath(r.trashed)}`);
  }
  return 0;
}
