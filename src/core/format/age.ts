// How long ago something happened, in words a row or a terminal column has room for: `age` gives the
// largest whole unit (the tree's "2h ago", localised by the UI), `shortAge` the compact column form.

export type AgeUnit = 'now' | 'm' | 'h' | 'd' | 'w' | 'y';

/** How long ago a time (ms, or ISO) was, in the largest whole unit; undefined when unknown or unparsable. */
export function age(when: number | string | undefined, now = Date.now()): [number, AgeUnit] | undefined {
  const t = typeof when === 'number' ? when : when ? Date.parse(when) : NaN;
  if (isNaN(t)) return undefined;
  const m = Math.floor((now - t) / 60_000);
  if (m < 1) return [0, 'now'];
  if (m < 60) return [m, 'm'];
  const h = Math.floor(m / 60);
  if (h < 24) return [h, 'h'];
  const d = Math.floor(h / 24);
  if (d < 7) return [d, 'd'];
  if (d < 365) return [Math.floor(d / 7), 'w'];
  return [Math.floor(d / 365), 'y'];
}

/** `12m`, `5h`, `6d`, `3w`: compact, for terminal columns and tree rows. */
export function shortAge(ms: number | undefined): string {
  if (ms === undefined) return '?';
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h`;
  const d = Math.floor(h / 24);
  return d < 70 ? `${d}d` : `${Math.floor(d / 7)}w`;
}
