// The skill as setup installs it: the shipped SKILL.md with a line naming this installation's root and
// command, and a last line holding a hash of what setup wrote. A re-run replaces a file that still
// matches its hash; a file the user edited (or one from before the hash) is kept unless --force.
import { createHash } from 'node:crypto';
import { shellQuote } from './hook-command';

const SLOT = '<!-- dispatch setup: this installation -->';
const MARK = /\n<!-- dispatch setup sha256:([0-9a-f]{16}) -->\n?$/;

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

export interface Installation {
  root: string;
  /** How to run the CLI here when `dispatch` is not on the PATH (argv, quoted for sh when shown). */
  command?: string[];
}

export function renderSkill(shipped: string, i: Installation): string {
  const how = i.command ? ` \`dispatch\` is not on the PATH here: run it as \`${i.command.map(shellQuote).join(' ')}\`.` : '';
  const line = `This installation's root is \`${i.root}\` (set up by \`dispatch setup\`; \`dispatch root\` prints the one in use).${how}`;
  const body = shipped.includes(SLOT) ? shipped.replace(SLOT, line) : shipped;
  return `${body}${body.endsWith('\n') ? '' : '\n'}<!-- dispatch setup sha256:${hash(body)} -->\n`;
}

export type SkillState = 'absent' | 'same' | 'ours' | 'edited';

/** What is at the skill's place now, compared with what setup would write. */
export function skillState(now: string | undefined, wanted: string, shipped: string): SkillState {
  if (now === undefined) return 'absent';
  if (now === wanted) return 'same';
  const m = MARK.exec(now);
  if (m && hash(now.slice(0, m.index + 1)) === m[1]) return 'ours';
  return now === shipped ? 'ours' : 'edited'; // a copy from before the hash, untouched, is ours too
}
