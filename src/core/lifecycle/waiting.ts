// How long a dispatch has waited, from what this machine observed as well as what the sender wrote.
// `created:` (and the name's time) come from the sender's clock: one running 30 days ahead makes a
// dispatch that has waited 10 days look brand new, and never stale. The file's ctime in its box is
// this machine's clock (link, rename and every rewrite set it), so a dispatch waits since the earlier
// of the two: a wrong clock can make one look older, never younger, and "nothing unseen" holds.
import * as fs from 'node:fs/promises';
import type { Dispatch } from '../format/dispatch';
import { toFsPath } from '../fs/rawname';

/** ctimes looked up by `observeLanding` for dispatches whose front matter was not read. */
const landings = new WeakMap<Dispatch, number>();

/** When it landed in its box as this machine saw it (ms), if known: its ctime, from a read or a stat. */
function landedMs(d: Dispatch): number | undefined {
  return d.meta?.ctimeMs ?? landings.get(d);
}

/** Since when it has waited (ms): the earlier of `created` and landing; undefined when neither is known. */
export function waitingSince(d: Dispatch): number | undefined {
  const created = d.created ? Date.parse(d.created) : NaN;
  const landed = landedMs(d);
  if (isNaN(created)) return landed;
  return landed === undefined ? created : Math.min(created, landed);
}

/**
 * Looks up when each dispatch landed (one lstat each, no file opened) where neither its front matter nor
 * an earlier call said. A file gone meanwhile keeps its `created`.
 */
export async function observeLanding(ds: Dispatch[], concurrency = 16): Promise<void> {
  const todo = ds.filter((d) => landedMs(d) === undefined);
  let i = 0;
  const worker = async () => {
    while (i < todo.length) {
      const d = todo[i++];
      const p = d.claim ? `${d.path.slice(0, d.path.length - d.fileName.length)}${d.claim}` : d.path;
      const st = await fs.lstat(toFsPath(p)).catch(() => undefined);
      if (st) landings.set(d, st.ctimeMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, worker));
}
