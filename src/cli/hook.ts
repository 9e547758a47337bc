// dist/hook.js: the prompt hook (UserPromptSubmit, Gemini's BeforeAgent), run on every prompt, so it
// stays a small file to load: it reads the team's new/ names and the notice state, and in the usual case
// (no urgent dispatch that was not announced yet) exits at once, printing nothing. Only when there is
// something to announce does it load the whole CLI and run `checkin --format prompt-hook`, which decides
// and prints the one line. Fails open: whatever goes wrong, exit 0 with nothing added to the prompt.
//
//   node dist/hook.js [--root DIR] [--team TEAM] [--event UserPromptSubmit|BeforeAgent]
import { readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseName } from '../core/format/format';
import { load, stateFile, withinInterval } from '../core/agents/urgent-notice';
import { teamFromEnv } from '../core/agents/team-env';
import type * as Main from './main';

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** core/store.ts's defaultRoot and expandHome, again: importing them would load the whole store here. */
function rootOf(argv: string[], env: NodeJS.ProcessEnv): string {
  const r = arg(argv, '--root')?.trim() || env.DISPATCH_ROOT?.trim();
  if (!r) return path.join(os.homedir(), '.team', 'dispatch');
  return path.resolve(r === '~' || r.startsWith('~/') ? path.join(os.homedir(), r.slice(1)) : r);
}

/** Names in new/ that may be urgent and were not announced: urgent by name, or named off the rule. */
export async function anythingToAnnounce(root: string, team: string, env: NodeJS.ProcessEnv, now = Date.now()): Promise<boolean> {
  let names: string[];
  try {
    names = readdirSync(path.join(root, team, 'new'));
  } catch {
    return true; // the full path says what is wrong (on stderr)
  }
  const maybe = names.filter((n) => {
    const p = parseName(n);
    return !p || p.priority === 'urgent';
  });
  if (!maybe.length) return false;
  const s = await load(stateFile(root, team, env));
  if (withinInterval(s.last, now)) return false;
  const seen = new Set(s.seen);
  return maybe.some((n) => !seen.has(n));
}

async function run(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const team = arg(argv, '--team') ?? teamFromEnv(env);
  if (!team || !/^[a-z0-9_-]{1,64}$/.test(team)) return;
  const root = rootOf(argv, env);
  if (!(await anythingToAnnounce(root, team, env))) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the whole CLI, loaded only when there is news
  const { main } = require(path.join(__dirname, 'cli.js')) as typeof Main;
  const event = arg(argv, '--event') ?? 'UserPromptSubmit';
  await main(['--root', root, 'checkin', '--team', team, '--format', 'prompt-hook', '--event', event], {
    out: process.stdout,
    err: process.stderr,
    env,
    stdin: process.stdin,
  });
}

if (require.main === module) {
  run(process.argv.slice(2), process.env).then(
    () => (process.exitCode = 0),
    (e) => {
      process.stderr.write(`dispatch: prompt hook: ${String(e instanceof Error ? e.message : e).replace(/[\u0000-\u001f\u007f-\u009f]/g, '')}\n`);
      process.exitCode = 0;
    },
  );
}
