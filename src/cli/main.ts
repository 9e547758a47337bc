// `dispatch`: the terminal face of the core, for agents and people. Exit 0 ok, 1 refused/failed, 2 usage.
import { parseArgs, ParseArgsConfig } from 'node:util';
import { readFileSync } from 'node:fs';
import { DispatchStore, DispatchError, defaultRoot, isPriority, Priority, Dispatch, DispatchIndex, IndexEvent, checkTeam } from '../core/api';
import { formatSummary } from '../core/summary';
import { formatLine, formatShow, sortForList } from './print';

export class UsageError extends Error {}

export interface Io {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; fd?: number };
}

const USAGE = `usage: dispatch [--root DIR] <command> [options]

commands:
  init TEAM...                     create <root>/<team>/{tmp,new,cur}
  send --to TEAM --from NAME [--priority urgent|high|normal|low] [--title T] [--slug S]
       [--bead ID] [--body TEXT | --body-file F | body on stdin] [--json]
  list [TEAM...] [--new|--cur] [--priority P] [--from NAME] [--json]
  show ID|PATH [--json]
  ack ID|PATH...                   move to cur/ (acknowledge)
  reroute ID|PATH --to TEAM        move to another team's new/
  summary [TEAM...]                one line, for a session-start hook
  watch [TEAM...] [--json] [--poll] one line per event until interrupted
  sweep [--older-than HOURS]       delete tmp/ leftovers (default 36 h)
  reservations [--url U] [--project KEY] [--agent NAME] [--json]

The root is --root, else $DISPATCH_ROOT, else ~/.team/dispatch.`;

type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

function parse(argv: string[], options: ParseArgsConfig['options'] = {}): Parsed {
  try {
    return parseArgs({ args: argv, options: { ...options, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function print(io: Io, line: string): void {
  io.out.write(line + '\n');
}

function priorityOpt(v: unknown): Priority | undefined {
  if (v === undefined) return undefined;
  if (!isPriority(v)) throw new UsageError(`--priority must be urgent, high, normal or low (got "${String(v)}")`);
  return v;
}

async function readStdin(stdin: Io['stdin']): Promise<string> {
  if (stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

type Command = (store: DispatchStore, argv: string[], io: Io) => Promise<number>;

const commands: Record<string, Command> = {
  async init(store, argv, io) {
    const { positionals } = parse(argv);
    if (!positionals.length) throw new UsageError('init needs at least one TEAM');
    await store.init(positionals);
    for (const t of positionals) print(io, `${store.root}/${t}`);
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
    if (values['body-file'] !== undefined) {
      try {
        body = readFileSync(values['body-file'] as string, 'utf8');
      } catch (e) {
        throw new DispatchError('io', `cannot read --body-file: ${(e as Error).message}`);
      }
    }
    if (body === undefined) body = await readStdin(io.stdin);
    const d = await store.deliver({
      to: values.to as string,
      from: values.from as string,
      priority: priorityOpt(values.priority) ?? 'normal',
      title: values.title as string | undefined,
      slug: values.slug as string | undefined,
      bead: values.bead as string | undefined,
      body,
    });
    print(io, values.json ? JSON.stringify(d.toJSON()) : d.path);
    return 0;
  },

  async list(store, argv, io) {
    const { values, positionals } = parse(argv, {
      new: { type: 'boolean' },
      cur: { type: 'boolean' },
      priority: { type: 'string' },
      from: { type: 'string' },
    });
    if (values.new && values.cur) throw new UsageError('give --new or --cur, not both');
    const ds = await store.list({
      teams: positionals,
      box: values.new ? 'new' : values.cur ? 'cur' : undefined,
      priority: priorityOpt(values.priority),
      from: values.from as string | undefined,
    });
    const sorted = sortForList(ds);
    if (values.json) {
      await store.loadMeta(sorted);
      print(io, JSON.stringify(sorted.map((d) => d.toJSON())));
    } else {
      for (const d of sorted) print(io, formatLine(d));
    }
    return 0;
  },

  async show(store, argv, io) {
    const { values, positionals } = parse(argv);
    if (positionals.length !== 1) throw new UsageError('show needs one ID or PATH');
    const c = await store.read(positionals[0]);
    if (values.json) print(io, JSON.stringify({ ...c.dispatch.toJSON(), front_matter: c.data, body: c.body, truncated: c.truncated }));
    else io.out.write(formatShow(c));
    return 0;
  },

  async ack(store, argv, io) {
    const { positionals } = parse(argv);
    if (!positionals.length) throw new UsageError('ack needs at least one ID or PATH');
    let failed = 0;
    for (const ref of positionals) {
      try {
        const r = await store.acknowledge(ref);
        print(io, r.status === 'already' ? `already acknowledged: ${r.dispatch.path}` : `acknowledged: ${r.dispatch.path}`);
      } catch (e) {
        if (!(e instanceof DispatchError)) throw e;
        io.err.write(`dispatch: ${e.message}\n`);
        failed++;
      }
    }
    return failed ? 1 : 0;
  },

  async reroute(store, argv, io) {
    const { values, positionals } = parse(argv, { to: { type: 'string' } });
    if (positionals.length !== 1) throw new UsageError('reroute needs one ID or PATH');
    if (!values.to) throw new UsageError('reroute needs --to TEAM');
    const r = await store.reroute(positionals[0], values.to as string);
    print(io, `${r.status === 'already' ? 'already in' : 'rerouted to'} ${r.dispatch.team}: ${r.dispatch.path}`);
    return 0;
  },

  async summary(store, argv, io) {
    const { positionals } = parse(argv);
    positionals.forEach(checkTeam);
    const teams = positionals.length ? positionals : await store.teams();
    const ds = await store.list({ teams, box: 'new' });
    print(io, formatSummary(teams, ds, store.root));
    return 0;
  },

  async watch(store, argv, io) {
    const { values, positionals } = parse(argv, { poll: { type: 'boolean' }, interval: { type: 'string' } });
    positionals.forEach(checkTeam);
    const only = new Set(positionals);
    const index = new DispatchIndex(store.root, { poll: !!values.poll, interval: values.interval ? Number(values.interval) : undefined, loadNewMeta: false });
    const show = (type: string, d: Dispatch) => {
      if (only.size && !only.has(d.team)) return;
      print(io, values.json ? JSON.stringify({ event: type, ...d.toJSON() }) : `${type} ${formatLine(d)}`);
    };
    index.onEvent((e: IndexEvent) => {
      if (e.type === 'add' || e.type === 'remove') show(e.type, e.dispatch);
      else if (e.type === 'error') io.err.write(`dispatch: watcher: ${e.error.message}; rescanning\n`);
    });
    await index.start();
    io.err.write(`watching ${store.root}${only.size ? ` (${[...only].join(', ')})` : ''}; Ctrl-C to stop\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    index.dispose();
    return 0;
  },

  async sweep(store, argv, io) {
    const { values, positionals } = parse(argv, { 'older-than': { type: 'string' } });
    if (positionals.length) throw new UsageError('sweep takes no positional arguments');
    const hours = values['older-than'] === undefined ? 36 : Number(values['older-than']);
    if (!Number.isFinite(hours) || hours < 0) throw new UsageError('--older-than must be a number of hours ≥ 0');
    const removed = await store.sweep(hours);
    for (const p of removed) print(io, `removed ${p}`);
    if (!values.json) io.err.write(`${removed.length} tmp file(s) older than ${hours} h removed\n`);
    return 0;
  },
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
    if (a === '--root') {
      if (rest.length < 2) return usage(io, '--root needs a directory');
      root = rest[1];
      rest = rest.slice(2);
    } else if (a.startsWith('--root=')) {
      root = a.slice('--root='.length);
      rest = rest.slice(1);
    } else return usage(io, `unknown option ${a}`);
  }
  const [name, ...args] = rest;
  if (!name) return usage(io, 'no command given');
  if (name === 'help') {
    print(io, USAGE);
    return 0;
  }
  try {
    if (name === 'reservations') {
      const { reservationsCommand } = await import('./reservations');
      return await reservationsCommand(args, io.out, io.err, io.env);
    }
    const cmd = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
    if (!cmd) return usage(io, `unknown command "${name.slice(0, 40)}"`);
    const store = new DispatchStore(root ?? defaultRoot(io.env));
    return await cmd(store, args, io);
  } catch (e) {
    if (e instanceof UsageError) return usage(io, e.message);
    if (e instanceof DispatchError) {
      io.err.write(`dispatch: ${e.message}\n`);
      return 1;
    }
    const err = e as NodeJS.ErrnoException;
    io.err.write(`dispatch: ${err.code ? `${err.code}: ` : ''}${err.message ?? String(e)}\n`);
    return 1;
  }
}

function usage(io: Io, message: string): number {
  io.err.write(`dispatch: ${message}\n${USAGE.split('\n')[0]}\n(dispatch --help for the commands)\n`);
  return 2;
}

if (require.main === module) {
  main(process.argv.slice(2), { out: process.stdout, err: process.stderr, env: process.env, stdin: process.stdin }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`dispatch: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
