// Human "expires in" text for the tree, hover and CLI table.

/** "in 45 s", "in 12 min", "in 3 h 5 min", "in 2 d", "expired"; "no expiry" / "unknown" for bad input. */
export function formatExpiresIn(expires: string | number | Date | null | undefined, now: number | Date = Date.now()): string {
  if (expires === null || expires === undefined || expires === '') return 'no expiry';
  const at = expires instanceof Date ? expires.getTime() : typeof expires === 'number' ? expires : Date.parse(expires);
  const nowMs = now instanceof Date ? now.getTime() : now;
  if (!Number.isFinite(at) || !Number.isFinite(nowMs)) return 'unknown';
  const secs = Math.floor((at - nowMs) / 1000);
  if (secs <= 0) return 'expired';
  if (secs < 60) return `in ${secs} s`;
  const mins = Math.floor(secs / 60);
  if (mins < 60) return `in ${mins} min`;
  const hours = Math.floor(mins / 60);
  if (hours < 48) return mins % 60 ? `in ${hours} h ${mins % 60} min` : `in ${hours} h`;
  return `in ${Math.floor(hours / 24)} d`;
}
