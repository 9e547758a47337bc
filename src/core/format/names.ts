// What a file name in a box is, beyond the protocol's naming rule: a name this platform cannot use
// (a Linux sender can write any name into a shared root), a sync tool's conflict copy of a dispatch, or
// a sync tool's temporary file that is nobody's dispatch. Pure: names in, verdicts out.

/**
 * Characters Windows refuses in a name: `<>"|?*` are wildcards and quotes to its path parser, `\` is a
 * separator, and `:` names an NTFS stream (`a:b.md` would be the stream `b.md` of the file `a`).
 * Reserved device names (CON, NUL, COM1…) and trailing dots or spaces are usable: Node opens every path
 * in its `\\?\` form, which takes a name as it is.
 */
const WINDOWS_REFUSED = /[<>:"|?*\\]/;

/** Why this platform cannot open or move a file of this name, or undefined when it can. */
export function unusableName(fileName: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform !== 'win32' || !WINDOWS_REFUSED.test(fileName)) return undefined;
  return 'name Windows cannot use (it holds one of < > : " | ? * \\): listed, but not opened or moved here; rename it on the system that wrote it';
}
export type SyncTool = 'Syncthing' | 'Dropbox';

export interface ConflictCopy {
  tool: SyncTool;
  /** The file name of the dispatch it is a conflict copy of. */
  original: string;
}

// Syncthing: `name.sync-conflict-YYYYMMDD-HHMMSS-DEVICE.md` (DEVICE: the first 7 characters of the device ID).
const SYNCTHING = /^(.+)\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}(\.[^.]+)?$/;
// Dropbox: `name (conflicted copy 2026-01-31).md`, `name (Laptop's conflicted copy 2026-01-31 (1)).md`.
const DROPBOX = /^(.+?) \([^()]*conflicted copy[^()]*(?:\(\d+\))?\)(\.[^.]+)?$/i;

/** The dispatch a sync tool's conflict copy stands beside, or undefined when the name is not one. */
export function conflictCopy(fileName: string): ConflictCopy | undefined {
  const s = SYNCTHING.exec(fileName);
  if (s) return { tool: 'Syncthing', original: s[1] + (s[2] ?? '') };
  const d = DROPBOX.exec(fileName);
  if (d) return { tool: 'Dropbox', original: d[1] + (d[2] ?? '') };
  return undefined;
}

/** A sync tool's file in flight (`~syncthing~x.md.tmp`; `.syncthing.x.md.tmp` is a dotfile, never listed). */
export function isSyncTemp(fileName: string): boolean {
  return /^(~syncthing~|\.syncthing\.).*\.tmp$/.test(fileName);
}
