// Text that other agents wrote (titles, senders) or a server sent, made safe to show in VS Code's
// plain-string surfaces. Control characters and length are the core's (src/core/format/text.ts).
import * as os from 'node:os';
import * as path from 'node:path';

const ZWSP = '\u200b';

/**
 * Makes text inert where VS Code parses markup inside plain strings: notification messages turn
 * `[label](command:…)`, `(https:…)` and `(file:…)` into links, and status-bar items, quick picks and
 * CodeLenses turn `$(name)` into icons. A zero-width space between `]` and `(`, and between `$` and
 * `(`, breaks both syntaxes (neither has an escape that works everywhere) while the words read the same.
 */
export function plain(text: string): string {
  return text.replace(/\](?=\()/g, `]${ZWSP}`).replace(/\$(?=\()/g, `$${ZWSP}`);
}

/** A path with the home folder as `~` (descriptions have little room). */
export function tildify(p: string, home = os.homedir()): string {
  return p === home || p.startsWith(home + path.sep) ? `~${p.slice(home.length)}` : p;
}
