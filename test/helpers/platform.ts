// Tests that hold only on Linux (FIFOs, symlinks, POSIX modes, OS users, names Windows forbids) skip
// on Windows (the Wine run, scripts/test-windows.ts) with the reason, instead of being left out whole.
export const onWindows = process.platform === 'win32';

/** node:test options: skipped on Windows, saying why. */
export function linuxOnly(why: string): { skip?: string } {
  return onWindows ? { skip: `Linux only: ${why}` } : {};
}

/** node:test options: a known failure on Windows, left for the move core's rewrite to fix, saying which. */
export function windowsTodo(why: string): { todo?: string } {
  return onWindows ? { todo: `Windows: ${why}` } : {};
}
