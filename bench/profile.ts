// CPU profiles for bench:ui (`BENCH_PROFILE=DIR`): the extension host through its inspector (opened
// with SIGUSR1 at the port `--inspect-port` names), the page through the bench's CDP session, and a
// summary of where the time went (self time by function, and by script: ours, VS Code's, GC, …).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CDPSession } from 'playwright-core';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples?: number[];
  timeDeltas?: number[];
  startTime: number;
  endTime: number;
}

interface Socket {
  once(e: 'open' | 'error', f: (e?: Error) => void): void;
  on(e: 'message', f: (data: Buffer) => void): void;
  send(s: string): void;
  close(): void;
}

/** A CDP connection over the inspector's websocket (ws comes bundled with playwright-core). */
async function inspector(port: number): Promise<{ send: (method: string, params?: object) => Promise<unknown>; close: () => void }> {
  const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ws: WebSocket } = require('playwright-core/lib/utilsBundle') as { ws: new (url: string) => Socket };
  const sock = new WebSocket(list[0].webSocketDebuggerUrl);
  await new Promise((res, rej) => (sock.once('open', res), sock.once('error', rej)));
  let id = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  sock.on('message', (data: Buffer) => {
    const m = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: unknown };
    if (m.id !== undefined) waiting.get(m.id)?.(m.error ? Promise.reject(new Error(JSON.stringify(m.error))) : m.result);
  });
  return {
    send: (method, params = {}) =>
      new Promise((res) => {
        waiting.set(++id, res);
        sock.send(JSON.stringify({ id, method, params }));
      }),
    close: () => sock.close(),
  };
}

/** Opens the inspector of `pid` (SIGUSR1) and waits until it answers on `port`. */
export async function openInspector(pid: number, port: number): Promise<void> {
  process.kill(pid, 'SIGUSR1');
  for (let k = 0; k < 100; k++) {
    try {
      await fetch(`http://127.0.0.1:${port}/json/list`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`the extension host (pid ${pid}) opened no inspector on port ${port}`);
}

/** Profiles the process behind an open inspector while `during` runs. */
export async function profileHost(port: number, during: () => Promise<void>): Promise<Profile> {
  const c = await inspector(port);
  await c.send('Profiler.enable');
  await c.send('Profiler.setSamplingInterval', { interval: 500 });
  await c.send('Profiler.start');
  await during();
  const { profile } = (await c.send('Profiler.stop')) as { profile: Profile };
  c.close();
  return profile;
}

export async function profilePage(cdp: CDPSession, during: () => Promise<void>): Promise<Profile> {
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
  await cdp.send('Profiler.start');
  await during();
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
  return profile;
}

/** Self time per function and per script, ms, the largest first (idle time left out). */
export function summarize(p: Profile, top = 25): string {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) self.set(samples[i], (self.get(samples[i]) ?? 0) + (deltas[i + 1] ?? deltas[i] ?? 0) / 1000);
  const fn = new Map<string, number>();
  const script = new Map<string, number>();
  let busy = 0;
  for (const [id, t] of self) {
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') continue;
    busy += t;
    const where = f.url ? path.basename(f.url) : '';
    const k = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
    fn.set(k, (fn.get(k) ?? 0) + t);
    const s = f.url ? where : f.functionName;
    script.set(s, (script.get(s) ?? 0) + t);
  }
  const rows = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, t]) => `  ${t.toFixed(1).padStart(8)} ms  ${k}`)
      .join('\n');
  return `busy (not idle) ${busy.toFixed(0)} ms of ${((p.endTime - p.startTime) / 1000).toFixed(0)} ms\nby script:\n${rows(script)}\nby function:\n${rows(fn)}`;
}

export function save(dir: string, name: string, p: Profile): string {
  fs.mkdirSync(dir, { recursive: true });
  const f = path.join(dir, `${name}.cpuprofile`);
  fs.writeFileSync(f, JSON.stringify(p));
  fs.writeFileSync(path.join(dir, `${name}.txt`), summarize(p, 60) + '\n');
  return f;
}

/**
 * Counts per minute from an `strace -f -y` trace: the calls of the process's own threads (`tids`; its
 * children's are left out), those on paths under `root`, and the main thread's event-loop wakeups.
 */
export function straceSummary(file: string, tids: Set<number>, main: number, root: string, seconds: number): string {
  const calls = new Map<string, number>();
  let underRoot = 0;
  let wakeups = 0;
  const rootPaths = new Map<string, number>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    // Each call once: its first line (complete or `<unfinished ...>`), not the `<... resumed>` one.
    const m = /^(\d+)\s+(\w+)\(/.exec(line);
    if (!m || !tids.has(Number(m[1]))) continue;
    const call = m[2];
    if (call === 'epoll_pwait' || call === 'epoll_wait') {
      if (Number(m[1]) === main) wakeups++;
      continue;
    }
    calls.set(call, (calls.get(call) ?? 0) + 1);
    const p = line.includes(root) ? /(\/[^"<>]*)/.exec(line.slice(line.indexOf(root)))?.[1] : undefined;
    if (p) {
      underRoot++;
      const k = `${call} ${path.relative(root, p.replace(/[">].*$/, '')) || '.'}`;
      rootPaths.set(k, (rootPaths.get(k) ?? 0) + 1);
    }
  }
  const perMin = (n: number) => ((n * 60) / seconds).toFixed(0);
  const list = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([k, n]) => `  ${perMin(n).padStart(6)}  ${k}`)
      .join('\n');
  return `main-thread wakeups ${perMin(wakeups)}; calls on the root ${perMin(underRoot)}\n${list(calls)}\non the root:\n${list(rootPaths)}`;
}
