// Crash safety by enumeration (after ALICE, OSDI '14, and CrashMonkey/ACE, OSDI '18): a verb is run once
// to log its file-changing calls (faults.ts), then again from the same start, killed after each one, and
// again with each link and rename's reply lost (the call carried out, an error reported, as NFS does).
// After each: a census before the repair, `sweep` as it runs 11 minutes later, and a census after it.
import { spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DispatchStore } from '../../src/core/store';
import { bundled } from './bundle';
import { builtCli } from './built-cli';
import { listed, leftovers, onDisk, snapshot, withoutSetLines } from './census';

const repo = path.join(__dirname, '..', '..');

export type Via = 'cli' | 'built' | 'store';

export interface Item {
  /** A string only this dispatch's body holds. */
  marker: string;
  /** Where it is, relative to the root, with its bytes, mode and group before the verb. */
  rel: string;
  bytes: Buffer;
  mode: number;
  gid: number;
}

export interface Fixture {
  root: string;
  /** A folder outside the root that nothing may touch (symlinks in the fixture point here). */
  outside: string;
  items: Item[];
}

export interface Verb {
  /** `cli`: the `dispatch` command (argv after `--root ROOT`); `built`: the same, as shipped (dist/ with its skill); `store`: store-child.ts. */
  via: Via;
  argv: (f: Fixture) => string[];
  /** Where it runs (a project with TEAM.md, .beads), and what it adds to the environment (a bd on PATH). */
  cwd?: (f: Fixture) => string;
  env?: (f: Fixture) => NodeJS.ProcessEnv;
}

export interface Scenario extends Verb {
  name: string;
  setup: (root: string, outside: string) => Promise<Item[]>;
  /** Front matter keys whose lines the verb may change; statuses allowed afterwards. */
  statuses: string[];
  /** Where each item may be afterwards (relative paths): where it was or where it was going. */
  places: RegExp[];
  /** Where, and in which status, a run that finished (even with lost replies) leaves each item. */
  final: { places: RegExp[]; statuses: string[] };
  /** Items the verb itself creates (send): absent is right when the verb did not finish. */
  created?: (argv: string[]) => string[];
  /** Second operations run on the copy a killed first one left. */
  second?: Second[];
  /** More repair than the sweep, run after it (`cadences --send` again takes a killed sender's row over). */
  repair?: Verb;
  /** Further rules after the repair (files outside the root the verb may rewrite), one line per breach. */
  check?: (f: Fixture) => string[];
}

export interface Second {
  name: string;
  via: Via;
  /** argv given the absolute path of the copy the first operation left. */
  argv: (p: string) => string[];
  places: RegExp[];
  statuses: string[];
}

export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  log: string[];
}

const TIMEOUT_MS = 60_000;

/** Runs a verb on `root` under a fault plan; its log of file-changing calls comes back with it. */
export function run(via: Via, root: string, argv: string[], fault?: string, o: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  const entry = via === 'built' ? builtCli() : bundled(path.join(repo, via === 'cli' ? 'src/cli/main.ts' : 'test/helpers/store-child.ts'));
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'dispatch-faultlog-'));
  const log = path.join(logDir, 'log');
  const args = via === 'store' ? argv : ['--root', root, ...argv];
  const env = { ...process.env, ...o.env, DISPATCH_FAULT: fault ?? '', DISPATCH_FAULT_LOG: log, DISPATCH_KILL_AT: '' };
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [entry, ...args], { env, cwd: o.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => p.kill('SIGKILL'), TIMEOUT_MS);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    p.on('error', reject);
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      let lines: string[] = [];
      try {
        lines = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      } catch {
        // No file-changing call at all.
      }
      rmSync(logDir, { recursive: true, force: true });
      if (signal === 'SIGKILL' && !fault?.startsWith('kill:')) reject(new Error(`${argv.join(' ')} hung (killed after ${TIMEOUT_MS} ms)`));
      else resolve({ code, signal, stdout, stderr, log: lines });
    });
  });
}

/** Runs a scenario's own verb (its cwd and environment) on its fixture. */
export function runVerb(v: Verb, f: Fixture, fault?: string): Promise<Run> {
  return run(v.via, f.root, v.argv(f), fault, { cwd: v.cwd?.(f), env: v.env?.(f) });
}

/** The repair: the sweep as it runs 11 minutes later, and the scenario's own repair after it. */
async function repair(sc: Scenario, f: Fixture): Promise<void> {
  await storeOf(f.root).sweep(36, Date.now() + 11 * 60_000);
  if (sc.repair) await runVerb(sc.repair, f);
}

/** A fresh root and outside folder, set up. */
export async function fresh(sc: Scenario): Promise<Fixture> {
  const base = mkdtempSync(path.join(os.tmpdir(), 'dispatch-enum-'));
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  const items = await sc.setup(root, outside);
  return { root, outside, items };
}

export function dispose(f: Fixture): void {
  rmSync(path.dirname(f.root), { recursive: true, force: true });
}

/** What can go wrong, one line each; empty when every rule holds. */
export async function census(
  f: Fixture,
  phase: string,
  o: { places: RegExp[]; statuses: string[]; absentOk: Set<string>; repaired: boolean; ownName?: boolean },
): Promise<string[]> {
  const bad: string[] = [];
  for (const it of f.items) {
    const shown = await listed(f.root, it.marker);
    // A killed sender's file in tmp/ is not delivered (Maildir: cleared after 36 h).
    const held = onDisk(f.root, it.marker).filter((r) => !(!it.rel && r.split(path.sep)[1] === 'tmp'));
    const tag = `${phase}: ${it.marker}`;
    if (!shown.length && o.absentOk.has(it.marker) && !held.length) continue;
    if (shown.length !== 1) {
      bad.push(`${tag} listed ${shown.length} times: ${shown.join(', ')} (on disk: ${held.join(', ')})`);
      continue;
    }
    if (o.repaired && held.length !== 1) bad.push(`${tag} on disk ${held.length} times after repair: ${held.join(', ')}`);
    const at = shown[0];
    if (!o.places.some((re) => re.test(at))) bad.push(`${tag} ended at ${at}`);
    if (o.ownName && it.rel && path.basename(at) !== path.basename(it.rel)) bad.push(`${tag} lost its name: ${at}`);
    if (!o.repaired) continue;
    const file = path.join(f.root, at);
    const bytes = readFileSync(file);
    if (it.bytes.length && withoutSetLines(bytes) !== withoutSetLines(it.bytes)) bad.push(`${tag} bytes changed beyond the lines the verb sets`);
    const status = /^status: (.*)$/m.exec(bytes.toString('utf8'))?.[1];
    if (status !== undefined && !o.statuses.includes(status)) bad.push(`${tag} status ${status}`);
    const st = lstatSync(file);
    if (it.mode >= 0 && ((st.mode & 0o7777) !== it.mode || st.gid !== it.gid))
      bad.push(`${tag} mode ${(st.mode & 0o7777).toString(8)} gid ${st.gid} (was ${it.mode.toString(8)} gid ${it.gid})`);
  }
  if (o.repaired) {
    const left = leftovers(f.root);
    if (left.length) bad.push(`${phase}: left after repair: ${left.join(', ')}`);
  }
  return bad;
}

/** The sweep, in a process of its own (so it too can be killed), as it runs after the claim bound. */
export function sweep(root: string, fault?: string): Promise<Run> {
  return run('store', root, ['sweep', root], fault);
}

/** Index of the first rename into a claim (`.claim.<id>`) in a run's log: the moment a move commits. */
export function claimPoint(log: string[]): number | undefined {
  const l = log.find((x) => / rename .* -> .*\/\.claim\.[0-9a-z]+-\d+-[0-9a-f]{8}$/.test(x));
  return l ? Number(l.split(' ')[0]) : undefined;
}

/** How many link and rename calls a run's log holds (the lost-reply points). */
export function replies(log: string[]): number {
  return log.filter((l) => / (rename|link) /.test(l)).length;
}

/** Everything outside the root that a run could touch: the outside folder and the root's parent. */
export function outsideState(f: Fixture): string {
  const parent = readdirSync(path.dirname(f.root)).sort().join(',');
  return JSON.stringify([parent, [...snapshot(f.outside)]]);
}

/** Pathological setups use the store directly. */
export const storeOf = (root: string) => new DispatchStore(root);

export interface Report {
  /** Points enumerated: file-changing calls, kills (first op), second operations, lost replies. */
  calls: number;
  kills: number;
  seconds: number;
  /** Runs of the repair killed at one of its calls. */
  sweeps: number;
  replies: number;
  bad: string[];
}

/** Runs `jobs` two at a time (the machines this runs on have two cores). */
async function pool(jobs: (() => Promise<void>)[], width = 2): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (i < jobs.length) await jobs[i++]();
    }),
  );
}

/**
 * The whole enumeration of one scenario: the verb killed after each of its calls; after each kill, each
 * second operation run on the copy left (to its end, and killed at its claim — or, `long`, at every one
 * of its calls); the repair itself killed at each of its calls (after the kill at the verb's claim, or,
 * `long`, after every kill); each link and rename reply lost.
 */
export async function enumerate(sc: Scenario, long = false): Promise<Report> {
  const rep: Report = { calls: 0, kills: 0, seconds: 0, sweeps: 0, replies: 0, bad: [] };
  const f0 = await fresh(sc);
  const argv0 = sc.argv(f0);
  const absent = new Set(sc.created?.(argv0) ?? []);
  const clean = await runVerb(sc, f0);
  if (clean.code !== 0) rep.bad.push(`${sc.name} without faults: exit ${clean.code} ${clean.stderr.trim()}`);
  rep.bad.push(...(await census(f0, `${sc.name} without faults`, { ...sc.final, absentOk: new Set(), repaired: true, ownName: true })));
  dispose(f0);
  rep.calls = clean.log.length;
  const claimed = claimPoint(clean.log);

  /** Kill at k, then the optional second step (an operation, or the repair killed at m), then repair and census. */
  const once = async (k: number, second?: Second | 'sweep', m?: number): Promise<string[]> => {
    const f = await fresh(sc);
    const before = outsideState(f);
    let log: string[] = [];
    let tag = `${sc.name} kill ${k}/${rep.calls} after ${clean.log[k - 1]?.split(' ')[1] ?? '?'}`;
    let places = sc.places;
    let statuses = sc.statuses;
    try {
      const r = await runVerb(sc, f, `kill:${k}`);
      if (r.signal !== 'SIGKILL') {
        rep.bad.push(`${tag}: not killed (${r.code}, ${r.log.length} calls)`);
        return [];
      }
      if (second === 'sweep') {
        rep.sweeps++;
        const sw = await sweep(f.root, m === undefined ? undefined : `kill:${m}`);
        log = sw.log;
        tag += `, then sweep ${m === undefined ? 'to its end' : `killed at ${m}`}`;
      } else if (second) {
        rep.seconds++;
        const at = (await listed(f.root, f.items[0].marker))[0];
        if (!at) return [];
        const s = await run(second.via, f.root, second.argv(path.join(f.root, at)), m === undefined ? undefined : `kill:${m}`);
        log = s.log;
        tag += `, then ${second.name} ${m === undefined ? 'to its end' : `killed at ${m}`} (${s.code ?? s.signal})`;
        places = [...places, ...second.places];
        statuses = [...statuses, ...second.statuses];
      } else rep.kills++;
      rep.bad.push(...(await census(f, `${tag}, before repair`, { places, statuses, absentOk: absent, repaired: false })));
      await repair(sc, f);
      rep.bad.push(...(await census(f, `${tag}, after sweep`, { places, statuses, absentOk: sc.repair ? new Set() : absent, repaired: true })));
      rep.bad.push(...(sc.check?.(f) ?? []).map((b) => `${tag}, after sweep: ${b}`));
      if (outsideState(f) !== before) rep.bad.push(`${tag}: something outside the root changed`);
      return log;
    } finally {
      dispose(f);
    }
  };
  /** `second` run to its end on the state kill k left, then killed at its claim (or at each call, `long`). */
  const thenKilled = (k: number, second: Second | 'sweep') => async () => {
    const log = await once(k, second);
    const points = long || second === 'sweep' ? log.map((_, i) => i + 1) : [claimPoint(log)].filter((x) => x !== undefined);
    for (const m of points) await once(k, second, m);
  };

  const jobs: (() => Promise<void>)[] = [];
  for (let k = 1; k <= rep.calls; k++) {
    jobs.push(() => once(k).then(() => undefined));
    for (const s of sc.second ?? []) jobs.push(thenKilled(k, s));
    if (long || k === claimed) jobs.push(thenKilled(k, 'sweep'));
  }
  const nReplies = replies(clean.log);
  for (let j = 1; j <= nReplies; j++) {
    jobs.push(async () => {
      const f = await fresh(sc);
      const before = outsideState(f);
      try {
        rep.replies++;
        const r = await runVerb(sc, f, `lose:${j}`);
        const tag = `${sc.name} lost reply ${j}/${nReplies} (${clean.log.filter((l) => / (rename|link) /.test(l))[j - 1]?.split(' ')[1]})`;
        if (r.code !== 0) rep.bad.push(`${tag}: exit ${r.code ?? r.signal} ${r.stderr.trim()}`);
        rep.bad.push(...(await census(f, tag, { ...sc.final, absentOk: new Set(), repaired: false, ownName: true })));
        await repair(sc, f);
        rep.bad.push(...(await census(f, `${tag}, after sweep`, { ...sc.final, absentOk: new Set(), repaired: true, ownName: true })));
        rep.bad.push(...(sc.check?.(f) ?? []).map((b) => `${tag}, after sweep: ${b}`));
        if (outsideState(f) !== before) rep.bad.push(`${tag}: something outside the root changed`);
      } finally {
        dispose(f);
      }
    });
  }
  await pool(jobs);
  return rep;
}
