// `dispatch`: the terminal face of the core, for agents and people. Exit 0 ok, 1 refused/failed, 2 usage.
// Everything written goes through out()/print()/printJSON()/fail(): file names, front matter, paths
// and error messages carry untrusted text, and no byte of it may drive the terminal.
import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import {
  DispatchStore,
  DispatchError,
  defaultRoot,
  isPriority,
  Priority,
  Dispatch,
  DispatchIndex,
  IndexEvent,
  checkTeam,
  pollingNotice,
  watchMode,
} from '../core/api';
import { formatSummary } from '../core/lifecycle/summary';
import { printable, printablePath } from '../core/fs/rawname';
import { formatLine, formatShow, sortForList, visible, visiblePath } from './print';
import { errorText, fail, inert, Io, out, parse, print, printJSON, UsageError, warn } from './io';
import { stripControl } from '../core/format/text';
import { DEFAULT_POLL_INTERVAL_MS, MAX_BODY } from '../core/defaults';
import { readBodyFrom } from './body';
import { LIFECYCLE_USAGES, lifecycleCommands, lifecycleJSON, reportMove, staleDaysOpt } from './lifecycle';
import { isStale } from '../core/lifecycle/sent';
import { observeLanding } from '../core/lifecycle/waiting';
import { syncedRoot, syncedWarning } from '../core/store/synced';
import { VERSION } from './version';

/** The usage of each verb this file runs: `dispatch help VERB` and `dispatch VERB --help` print it. */
const USAGES: Record<string, string> = {
  init: `init [--shared GROUP] TEAM...
  Creates <root>/<team>/{tmp,new,cur} (--shared: for every member of GROUP).`,
  send: `send --to TEAM --from NAME [--priority urgent|high|normal|low] [--title T] [--slug S]
     [--bead ID] [--body TEXT | --body-file F | body on stdin] [--json]
  Delivers a dispatch into TEAM's new/; prints its path (or its JSON).`,
  list: `list [TEAM...] [--new|--cur] [--priority P] [--from NAME] [--stale] [--stale-after DAYS] [--archived] [--json]
  One line per dispatch: new before acknowledged, urgent first, oldest first.`,
  show: `show ID|PATH [--json]
  One dispatch whole: its front matter and body.`,
  ack: `ack ID|PATH... [--json]
  Moves each to cur/ (acknowledged), status: accepted.`,
  reroute: `reroute ID|PATH --to TEAM
  Moves a dispatch that reached the wrong team into TEAM's new/, unchanged.`,
  summary: `summary [TEAM...] [--stale-after DAYS]
  One line, for a session-start hook.`,
  watch: `watch [TEAM...] [--json] [--poll|--no-poll] [--interval MS]
  One line per arrival or removal until interrupted; polls by itself on network filesystems and WSL's
  Windows drives (--no-poll: never).`,
  sweep: `sweep [--older-than HOURS]
  Deletes tmp/ leftovers older than HOURS (default 36); finishes or undoes moves interrupted over
  10 minutes ago, and removes their placeholders.`,
  conflict: `conflict ID|PATH [--keep copy|original] [--json]
  A sync tool's conflict copy beside its dispatch: both versions; --keep one, the other to <root>/.trash/.`,
  ...LIFECYCLE_USAGES,
};

/** Verbs in modules of their own, loaded when they run: their usage lives there, their summary here. */
const LAZY: Record<string, { summary: string; usage: () => Promise<string> }> = {
  cadences: {
    summary: 'cadences [--file F] [--from TEAM] [--send [--dry-run]] [--json]   recurring dispatches',
    usage: async () => `usage: dispatch [--root DIR] ${(await import('./cadences')).CADENCES_USAGE}`,
  },
  reservations: {
    summary: 'reservations [list|release|renew] …   Agent Mail file reservations',
    usage: async () => (await import('./reservations')).RESERVATIONS_USAGE,
  },
  checkin: {
    summary: 'checkin --team TEAM [--ack] [--track] [--send-due] [--time-limit S] [--json] [--format F]   the session-start check',
    usage: async () => (await import('./checkin')).CHECKIN_USAGE,
  },
  setup: {
    summary: 'setup claude|codex|gemini|cursor|copilot [--team TEAM] [--user|--local]   hooks, skill, MCP',
    usage: async () => (await import('./setup')).SETUP_USAGE,
  },
  doctor: {
    summary: 'doctor [--json]   whether the hooks of each agent host will fire, and the fix',
    usage: async () => (await import('./doctor')).DOCTOR_USAGE,
  },
  mcp: {
    summary: 'mcp   an MCP server over stdio (tools for agents)',
    usage: async () => 'usage: dispatch [--root DIR] mcp\n  An MCP server over stdio: the verbs as tools for agents.',
  },
  root: { summary: 'root   prints the root in use', usage: async () => ROOT_USAGE },
};

const ROOT_USAGE = 'usage: dispatch [--root DIR] root\n  Prints the root in use: --root, else $DISPATCH_ROOT, else ~/.team/dispatch.';

const USAGE = `usage: dispatch [--root DIR] <command> [options]

commands:
${[...Object.values(USAGES).map((u) => u.split('\n')[0]), ...Object.values(LAZY).map((l) => l.summary)].map((l) => `  ${l}`).join('\n')}

dispatch help COMMAND (or COMMAND --help) prints its usage; dispatch --version the version.
The root is --root, else $DISPATCH_ROOT, else ~/.team/dispatch.`;

/** A root in a sync tool's folder (Syncthing, Dropbox, git): one warning line (core/store/synced.ts). */
async function warnSynced(io: Io, store: DispatchStore): Promise<void> {
  const s = await syncedRoot(store.root);
  if (s) fail(io, `warning: ${syncedWarning(store.root, s)}`);
}

function priorityOpt(v: unknown): Priority | undefined {
  if (v === undefined) return undefined;
  if (!isPriority(v)) throw new UsageError(`--priority must be urgent, high, normal or low (got "${String(v)}")`);
  return v;
}

const MIN_INTERVAL = 100;
const MAX_INTERVAL = 3_600_000;

/**
 * A body from a file or stdin, read only up to the limit (+1 byte to know it is exceeded): `/dev/zero`
 * or an endless pipe is refused after 10 MiB instead of filling memory. Leaving the loop early closes
 * the source.
 */
async function readBody(source: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of source) {
    const b = typeof c === 'string' ? Buffer.from(c) : (c as Buffer);
    total += b.length;
    if (total > MAX_BODY) throw new DispatchError('invalid', 'body larger than 10 MiB');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readBodyFile(file: string): Promise<string> {
  try {
    // A FIFO with no writer would block open(2) forever: pipes are opened non-blocking (body.ts).
    const piped = await readBodyFrom(file, MAX_BODY);
    if (piped !== undefined) return piped;
    return await readBody(createReadStream(file, { highWaterMark: 64 * 1024, end: MAX_BODY })); // `end` is inclusive: limit + 1 byte
  } catch (e) {
    if (e instanceof DispatchError) throw e;
    throw new DispatchError('io', `cannot read --body-file: ${errorText(e)}`);
  }
}

function intervalOpt(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (String(v).trim() === '' || !Number.isFinite(n) || n < MIN_INTERVAL || n > MAX_INTERVAL) {
    throw new UsageError(`--interval must be a number of milliseconds from ${MIN_INTERVAL} to ${MAX_INTERVAL} (got "${String(v).slice(0, 40)}")`);
  }
  return n;
}

type Command = (store: DispatchStore, argv: string[], io: Io) => Promise<number>;

const commands: Record<string, Command> = {
  async init(store, argv, io) {
    const { values, positionals } = parse(argv, { shared: { type: 'string' } });
    if (!positionals.length) throw new UsageError('init needs at least one TEAM');
    await store.init(positionals, values.shared as string | undefined);
    for (const t of positionals) print(io, visiblePath(path.join(store.root, t)));
    await warnSynced(io, store);
    return 0;
  },

  async send(store, argv, io) {
    const { values, positionals } = parse(argv, {
      to: { type: 'string' },
      from: { type: 'string' },
      priority: { type: 'string' },
      title: { type: 'string' },
      slug: { type: 'string' },
      bead: { type: 'string' },
      body: { type: 'string' },
      'body-file': { type: 'string' },
    });
    if (positionals.length) throw new UsageError(`send takes no positional arguments (got "${positionals[0]}")`);
    if (!values.to) throw new UsageError('send needs --to TEAM');
    if (!values.from) throw new UsageError('send needs --from NAME');
    if (values.body !== undefined && values['body-file'] !== undefined) throw new UsageError('give --body or --body-file, not both');
    let body = values.body as string | undefined;
    if (values['body-file'] !== undefined) body = await readBodyFile(values['body-file'] as string);
    if (body === undefined) body = io.stdin.isTTY ? '' : await readBody(io.stdin);
    const d = await store.deliver({
      to: values.to as string,
      from: values.from as string,
      priority: priorityOpt(values.priority) ?? 'normal',
      title: values.title as string | undefined,
      slug: values.slug as string | undefined,
      bead: values.bead as string | undefined,
      body,
    });
    if (values.json) printJSON(io, d.toJSON());
    else print(io, visiblePath(d.path));
    return 0;
  },

  async list(store, argv, io) {
    const { values, positionals } = parse(argv, {
      new: { type: 'boolean' },
      cur: { type: 'boolean' },
      priority: { type: 'string' },
      from: { type: 'string' },
      stale: { type: 'boolean' },
      'stale-after': { type: 'string' },
      archived: { type: 'boolean' },
    });
    if (values.new && values.cur) throw new UsageError('give --new or --cur, not both');
    if (values.archived) {
      const archived = await store.listArchived(positionals);
      if (values.json)
        printJSON(
          io,
          archived.map((a) => ({ ...a, fileName: printable(a.fileName), path: printablePath(a.path) })),
        );
      else for (const a of archived) print(io, `.archive/${a.team}/${a.month}/${visible(a.fileName)}`);
      return 0;
    }
    const days = staleDaysOpt(values['stale-after']);
    const { dispatches: found, warnings } = await store.scan({
      teams: positionals,
      box: values.new || values.stale ? 'new' : values.cur ? 'cur' : undefined,
      priority: priorityOpt(values.priority),
      from: values.from as string | undefined,
    });
    warn(io, warnings);
    if (values.stale || values.json) await observeLanding(found); // ages from what this machine saw too
    await warnSynced(io, store);
    const ds = found.filter((d) => !values.stale || isStale(d, days));
    const sorted = sortForList(ds);
    if (values.json) {
      await store.loadMeta(sorted);
      printJSON(
        io,
        sorted.map((d) => lifecycleJSON(d, days)),
      );
    } else {
      for (const d of sorted) print(io, formatLine(d));
    }
    return 0;
  },

  async show(store, argv, io) {
    const { values, positionals } = parse(argv);
    if (positionals.length !== 1) throw new UsageError('show needs one ID or PATH');
    const ref = positionals[0];
    const c = await store.read(ref);
    if (values.json) printJSON(io, { ...lifecycleJSON(c.dispatch), front_matter: c.data, body: c.body, truncated: c.truncated });
    else out(io, formatShow(c));
    return 0;
  },

  async ack(store, argv, io) {
    const { values, positionals } = parse(argv);
    if (!positionals.length) throw new UsageError('ack needs at least one ID or PATH');
    let failed = 0;
    const resolve = store.resolver((ws) => warn(io, ws));
    // Moves are independent and race-safe, so several run at once; lines still come out in order.
    const said: Array<(() => void) | undefined> = [];
    let next = 0;
    let printed = 0;
    const one = async (ref: string): Promise<() => void> => {
      try {
        // An id is looked up in one listing for all refs; a path goes to the store as it is ("already").
        const d = ref.includes('/') || ref.includes(path.sep) ? ref : await resolve(ref);
        const r = await store.acknowledge(d);
        return () => reportMove(io, !!values.json, 'acknowledged', r);
      } catch (e) {
        // Any failure, expected or not, is this ref's alone: the others are still acknowledged.
        return () => {
          fail(io, errorText(e));
          failed++;
        };
      }
    };
    const worker = async () => {
      while (next < positionals.length) {
        const i = next++;
        said[i] = await one(positionals[i]);
        for (; said[printed]; printed++) said[printed]!();
      }
    };
    await store.batch(() => Promise.all(Array.from({ length: Math.min(8, positionals.length) }, worker)));
    return failed ? 1 : 0;
  },

  async reroute(store, argv, io) {
    const { values, positionals } = parse(argv, { to: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('reroute needs one ID or PATH');
    if (!values.to) throw new UsageError('reroute needs --to TEAM');
    const r = await store.reroute(positionals[0], values.to as string);
    print(io, `${r.status === 'already' ? 'already in' : 'rerouted to'} ${r.dispatch.team}: ${visiblePath(r.dispatch.path)}`);
    return 0;
  },

  async summary(store, argv, io) {
    const { values, positionals } = parse(argv, { 'stale-after': { type: 'string' } });
    positionals.forEach(checkTeam);
    const teamWarnings: string[] = [];
    const teams = positionals.length ? positionals : await store.teams(teamWarnings);
    const { dispatches: ds, warnings } = await store.scan({ teams, box: 'new' });
    warn(io, [...teamWarnings, ...warnings]);
    await observeLanding(ds);
    print(io, formatSummary(teams, ds, store.root, staleDaysOpt(values['stale-after'])));
    return 0;
  },

  async watch(store, argv, io) {
    const { values, positionals } = parse(argv, { poll: { type: 'boolean' }, 'no-poll': { type: 'boolean' }, interval: { type: 'string' } });
    if (values.poll && values['no-poll']) throw new UsageError('give --poll or --no-poll, not both');
    positionals.forEach(checkTeam);
    const only = new Set(positionals);
    const interval = intervalOpt(values.interval);
    // Polled where the filesystem raises no events for changes made elsewhere (fstype.ts), unless told.
    const mode = await watchMode(store.root, values.poll ? true : values['no-poll'] ? false : 'auto');
    const index = new DispatchIndex(store.root, { poll: mode.poll, interval, loadNewMeta: false });
    const show = (type: string, d: Dispatch) => {
      if (only.size && !only.has(d.team)) return;
      if (values.json) printJSON(io, { event: type, ...d.toJSON() });
      else print(io, `${type} ${formatLine(d)}`);
    };
    index.onEvent((e: IndexEvent) => {
      if (e.type === 'add' || e.type === 'remove') show(e.type, e.dispatch);
      else if (e.type === 'error') fail(io, `watcher: ${e.error.message}${e.recovery === 'rescan' ? '; rescanning' : ''}`);
    });
    await index.start();
    const notice = pollingNotice(store.root, mode, interval ?? DEFAULT_POLL_INTERVAL_MS);
    if (notice) fail(io, mode.poll ? notice : `warning: ${notice}`);
    await warnSynced(io, store);
    io.err.write(stripControl(`watching ${store.root}${only.size ? ` (${[...only].join(', ')})` : ''}; Ctrl-C to stop\n`));
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    index.dispose();
    return 0;
  },

  cadences: async (store, argv, io) => (await import('./cadences')).cadencesCommand(store, argv, io),
  conflict: async (store, argv, io) => (await import('./synced')).conflictCommand(store, argv, io),

  async sweep(store, argv, io) {
    const { values, positionals } = parse(argv, { 'older-than': { type: 'string' } });
    if (positionals.length) throw new UsageError('sweep takes no positional arguments');
    const hours = values['older-than'] === undefined ? 36 : Number(values['older-than']);
    if (!Number.isFinite(hours) || hours < 0) throw new UsageError('--older-than must be a number of hours ≥ 0');
    const removed = await store.sweep(hours);
    for (const p of removed) print(io, `removed ${visiblePath(p)}`);
    if (!values.json) io.err.write(`${removed.length} file(s) removed (tmp/ older than ${hours} h, empty placeholders of interrupted moves)\n`); // numbers only: nothing to make inert
    return 0;
  },

  ...lifecycleCommands,
};

/** Runs one command line; never throws (errors become messages and exit codes). */
export async function main(argv: string[], io: Io): Promise<number> {
  let rest = argv;
  let root: string | undefined;
  while (rest.length && rest[0].startsWith('-')) {
    const a = rest[0];
    if (a === '-h' || a === '--help') {
      print(io, USAGE);
      return 0;
    }
    if (a === '--version' || a === '-V') {
      print(io, VERSION);
      return 0;
    }
    if (a === '--root') {
      if (rest.length < 2) return usage(io, '--root needs a directory');
      root = rest[1];
      rest = rest.slice(2);
    } else if (a.startsWith('--root=')) {
      root = a.slice('--root='.length);
      rest = rest.slice(1);
    } else return usage(io, `unknown option ${a.slice(0, 40)}`);
    // An empty root would resolve to the current folder: never what was meant.
    if (!root?.trim()) return usage(io, '--root needs a directory');
  }
  const [name, ...args] = rest;
  if (!name) return usage(io, 'no command given');
  if (name === '--version' || name === 'version') {
    print(io, VERSION);
    return 0;
  }
  const known = Object.prototype.hasOwnProperty.call(USAGES, name) || Object.prototype.hasOwnProperty.call(LAZY, name);
  if (name === 'help' || (known && (args.includes('--help') || args.includes('-h')))) {
    const verb = name === 'help' ? args[0] : name;
    if (verb === undefined) return (print(io, USAGE), 0);
    if (Object.prototype.hasOwnProperty.call(USAGES, verb)) return (print(io, `usage: dispatch [--root DIR] ${USAGES[verb]}`), 0);
    if (Object.prototype.hasOwnProperty.call(LAZY, verb)) return (print(io, await LAZY[verb].usage()), 0);
    return usage(io, `unknown command "${verb.slice(0, 40)}"`);
  }
  try {
    if (name === 'reservations') {
      const { reservationsCommand } = await import('./reservations');
      return await reservationsCommand(args, inert(io.out), inert(io.err), io.env);
    }
    if (name === 'root') {
      if (args.length) throw new UsageError('root takes no arguments');
      print(io, new DispatchStore(root ?? defaultRoot(io.env)).root);
      return 0;
    }
    if (name === 'checkin' || name === 'setup' || name === 'mcp' || name === 'doctor') {
      const { agentCommand } = await import('./agents');
      return await agentCommand(name, new DispatchStore(root ?? defaultRoot(io.env)), args, io, root);
    }
    const cmd = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
    if (!cmd) return usage(io, `unknown command "${name.slice(0, 40)}"`);
    const store = new DispatchStore(root ?? defaultRoot(io.env));
    return await cmd(store, args, io);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    fail(io, errorText(e));
    return 1;
  }
}

function usage(io: Io, message: string): number {
  fail(io, message);
  io.err.write(`${USAGE.split('\n')[0]}\n(dispatch --help for the commands)\n`);
  return 2;
}

if (require.main === module) {
  // `dispatch list | head -1`: a reader that stops reading ends the output quietly, not with a stack.
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  main(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env, stdin: process.stdin }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`dispatch: ${stripControl(String(e))}\n`);
      process.exitCode = 1;
    },
  );
}
