// "Expires in" for the tree, hover and CLI table: a structured value (the extension words it through
// vscode.l10n), and the English text the CLI prints.

export type ExpiresIn =
  | { kind: 'none' } // no expiry given
  | { kind: 'unknown' } // not a time
  | { kind: 'expired' }
  | { kind: 'seconds'; seconds: number } // 1–59
  | { kind: 'minutes'; minutes: number } // 1–59
  | { kind: 'hours'; hours: number; minutes: number } // 1–47, minutes 0–59
  | { kind: 'days'; days: number }; // 2 and more

export function expiresIn(expires: string | number | Date | null | undefined, now: number | Date = Date.now()): ExpiresIn {
  if (expires === null || expires === undefined || expires === '') return { kind: 'none' };
  const at = expires instanceof Date ? expires.getTime() : typeof expires === 'number' ? expires : Date.parse(expires);
  const nowMs = now instanceof Date ? now.getTime() : now;
  if (!Number.isFinite(at) || !Number.isFinite(nowMs)) return { kind: 'unknown' };
  const secs = Math.floor((at - nowMs) / 1000);
  if (secs <= 0) return { kind: 'expired' };
  if (secs < 60) return { kind: 'seconds', seconds: secs };
  const mins = Math.floor(secs / 60);
  if (mins < 60) return { kind: 'minutes', minutes: mins };
  const hours = Math.floor(mins / 60);
  if (hours < 48) return { kind: 'hours', hours, minutes: mins % 60 };
  return { kind: 'days', days: Math.floor(hours / 24) };
}

/** "in 45 s", "in 12 min", "in 3 h 5 min", "in 2 d", "expired"; "no expiry" / "unknown" for bad input (English). */
export function formatExpiresIn(expires: string | number | Date | null | undefined, now: number | Date = Date.now()): string {
  const e = expiresIn(expires, now);
  switch (e.kind) {
    case 'none':
      return 'no expiry';
    case 'unknown':
      return 'unknown';
    case 'expired':
      return 'expired';
    case 'seconds':
      return `in ${e.seconds} s`;
    case 'minutes':
      return `in ${e.minutes} min`;
    case 'hours':
      return e.minutes ? `in ${e.hours} h ${e.minutes} min` : `in ${e.hours} h`;
    case 'days':
      return `in ${e.days} d`;
  }
}
