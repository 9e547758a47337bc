// What a file name in a box is, beyond the protocol's naming rule: a name this platform cannot use
// (a Linux sender can write any name into a shared root). Pure: names in, verdicts out.

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
