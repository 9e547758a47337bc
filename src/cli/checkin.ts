// `dispatch checkin --team T [--ack] [--track] [--send-due] [--full] [--time-limit S] [--json] [--format text|claude-hook|cursor-hook|prompt-hook]`
// The session-start check. As a hook it fails open: whatever goes wrong, it exits 0 with one line
// saying why, so an agent's session never waits on, or stops for, the inbox. Acceptance ends by the
// time limit (5 s as a hook, well inside the 10 s `dispatch setup` gives the hook; 20 s otherwise), so
// the output is printed before a host kills the process; as text, each item is printed before it is
// accepted, so even a kill at any instant leaves no accepted dispatch the reader did not get.
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Acceptor, checkin, checkinJSON, CheckinOptions, CheckinResult, readInbox, shownUrgent } from '../core/agents/checkin';
import { checkinParts, claudeHookJSON, fitsCheckin, formatCheckin, FULL_TEXT_BUDGET, HOOK_BUDGET, stateLine, TEXT_BUDGET } from '../core/agents/checkin-text';
import { parseDays } from '../core/lifecycle/sent';
import { markAnnounced, stateFile, urgentNotice } from '../core/agents/urgent-notice';
import { DispatchStore } from '../core/store';
import { readHookInput } from './hook-input';
import { argvError, type Io } from './io';
import { safeJSON } from './print';
import { stripControl } from '../core/format/text';
import { cursorContext, hookContext } from '../core/agents/hook-output';
import { NO_TEAM, teamFromEnv } from '../core/agents/team-env';

export const CHECKIN_USAGE =
  'usage: dispatch checkin --team TEAM [--ack] [--track] [--send-due] [--full] [--stale-after DAYS] [--time-limit SECONDS] [--json] [--format text|claude-hook|cursor-hook|prompt-hook [--event NAME]]';
/** Seconds acceptance may take: a hook's half of the 10 s `dispatch setup` gives it; more in a terminal. */
const HOOK_LIMIT_S = 5;
const LIMIT_S = 20;
const FORMATS = ['text', 'claude-hook', 'cursor-hook', 'prompt-hook'] as const;
type Format = (typeof FORMATS)[number];

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function checkinCommand(store: DispatchStore, argv: string[], io: Io): Promise<number> {
  const started = Date.now();
  let values;
  try {
    values = parseArgs({
      args: argv,
      options: {
        team: { type: 'string' },
        ack: { type: 'boolean' },
        track: { type: 'boolean' },
        'send-due': { type: 'boolean' },
        full: { type: 'boolean' },
        'stale-after': { type: 'string' },
        'time-limit': { type: 'string' },
        json: { type: 'boolean' },
        format: { type: 'string' },
        event: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    return refuse(io, hookFormat(argv), argvError(e), 2);
  }
  const format = (values.format ?? 'text') as Format;
  const hook = format !== 'text';
  if (!FORMATS.includes(format))
    return refuse(io, false, `--format must be text, claude-hook, cursor-hook or prompt-hook (got "${String(values.format).slice(0, 40)}")`, 2);
  const as = hook ? format : false;
  if (hook && values.json) return refuse(io, as, 'give --json or --format, not both', 2);
  values.team ??= teamFromEnv(io.env);
  if (!values.team) return refuse(io, as, `checkin needs --team TEAM (${NO_TEAM})`, 2);
  const staleAfterDays = values['stale-after'] === undefined ? undefined : parseDays(values['stale-after']);
  if (staleAfterDays === undefined && values['stale-after'] !== undefined)
    return refuse(io, as, `--stale-after must be a number of days ≥ 0 (got "${values['stale-after'].slice(0, 40)}")`, 2);
  const limit = values['time-limit'] === undefined ? (hook ? HOOK_LIMIT_S : LIMIT_S) : Number(values['time-limit']);
  if (!(limit > 0 && limit <= 3600))
    return refuse(io, as, `--time-limit must be a number of seconds, more than 0 and at most 3600 (got "${String(values['time-limit']).slice(0, 40)}")`, 2);

  let cwd = process.cwd();
  if (hook) {
    const input = await readHookInput(io.stdin);
    if (input.cwd && path.isAbsolute(input.cwd) && isDir(input.cwd)) cwd = input.cwd;
  }
  const team = values.team;
  try {
    if (format === 'prompt-hook') {
      const line = await urgentNotice(store, team, stateFile(store.root, team, io.env));
      if (line) io.out.write(safeJSON(hookContext(values.event ?? 'UserPromptSubmit', stripControl(line))) + '\n');
      return 0;
    }
    const now = Date.now();
    const budget = format === 'claude-hook' || format === 'cursor-hook' ? HOOK_BUDGET : values.full ? FULL_TEXT_BUDGET : TEXT_BUDGET;
    const o: CheckinOptions = {
      team,
      ack: values.ack,
      track: values.track,
      sendDue: values['send-due'],
      full: values.full,
      staleAfterDays,
      now,
      cwd,
      env: io.env,
      deadline: started + limit * 1000,
    };
    const fits = (x: CheckinResult) => fitsCheckin(x, now, budget);
    if (!hook && !values.json && (values.ack || values.track)) return await streamed(store, o, fits, budget, io);
    const r = await checkin(store, o, fits);
    await markAnnounced(stateFile(store.root, team, io.env), shownUrgent(r));
    if (values.json) io.out.write(safeJSON(checkinJSON(r)) + '\n');
    else {
      const text = stripControl(formatCheckin(r, now, budget));
      if (format === 'claude-hook') io.out.write(safeJSON(claudeHookJSON(text)) + '\n');
      else if (format === 'cursor-hook') io.out.write(safeJSON(cursorContext(text)) + '\n');
      else io.out.write(text);
    }
    return 0;
  } catch (e) {
    return refuse(io, as, errorText(e), 1);
  }
}

/**
 * The text form with acceptance: each item is written (and handed to the OS) before it is accepted, and
 * its state line after, so whatever stops this process, every accepted dispatch is in what was read.
 */
async function streamed(store: DispatchStore, o: CheckinOptions, fits: (r: CheckinResult) => boolean, budget: number, io: Io): Promise<number> {
  const r = await readInbox(store, o, fits);
  await markAnnounced(stateFile(store.root, r.team, io.env), shownUrgent(r));
  const write = (text: string) => new Promise<void>((resolve) => io.out.write(stripControl(text), () => resolve()));
  const parts = checkinParts(r, o.now, budget);
  await write(parts.before);
  const a = new Acceptor(store, r, o);
  for (const [k, item] of r.items.entries()) {
    await write(parts.items[k].text);
    await a.accept(item);
    await write(stateLine(item));
  }
  await a.finish();
  await write(checkinParts(r, o.now, budget).after);
  return 0;
}

/** Hooks fail open: the reason goes to the model's context and the exit is 0; otherwise a `dispatch:` line. */
function refuse(io: Io, hook: Format | false, message: string, code: number): number {
  const line = `dispatch: ${stripControl(message)}`;
  if (hook === 'prompt-hook') {
    io.err.write(line + '\n'); // a broken prompt hook must not add a line to every prompt
    return 0;
  }
  if (hook) {
    const said = `${line} (dispatch checkin could not run)`;
    io.out.write(safeJSON(hook === 'cursor-hook' ? cursorContext(said) : claudeHookJSON(said)) + '\n');
    return 0;
  }
  io.err.write(line + '\n' + (code === 2 ? CHECKIN_USAGE + '\n' : ''));
  return code;
}

/** The format asked for, read leniently when the arguments themselves are wrong. */
function hookFormat(argv: string[]): Format | false {
  const i = argv.findIndex((a) => a === '--format' || a.startsWith('--format='));
  const v = i < 0 ? undefined : argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  return v === 'claude-hook' || v === 'cursor-hook' || v === 'prompt-hook' ? v : false;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
