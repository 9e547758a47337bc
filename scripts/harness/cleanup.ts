// One place that stops everything the harness started: on normal end, test failure, Ctrl-C, SIGTERM,
// an uncaught error, and (synchronously, as a last resort) on process exit.
type Cleanup = () => Promise<void> | void;

const cleanups: { name: string; fn: Cleanup }[] = [];
/** Process groups still alive; killed with SIGKILL synchronously if the process exits before cleanup. */
const groups = new Set<number>();
let installed = false;
let running: Promise<void> | undefined;
let stopping = false;

/** True once a signal or an uncaught error started tearing everything down. */
export function isStopping(): boolean {
  return stopping;
}

/** Registers a cleanup (run last-registered first); returns a function that unregisters it. */
export function onCleanup(name: string, fn: Cleanup): () => void {
  const entry = { name, fn };
  cleanups.push(entry);
  return () => {
    const i = cleanups.indexOf(entry);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export function trackProcessGroup(pid: number): void {
  groups.add(pid);
}
export function untrackProcessGroup(pid: number): void {
  groups.delete(pid);
}

/** Sends `signal` to the whole process group led by `pid`; false when the group is gone. */
export function killGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function groupAlive(pid: number): boolean {
  return killGroup(pid, 0);
}

/** Runs every registered cleanup once (later calls wait for the same run). */
export function runCleanups(): Promise<void> {
  running ??= (async () => {
    while (cleanups.length) {
      const { name, fn } = cleanups.pop()!;
      try {
        await Promise.race([fn(), new Promise((r) => setTimeout(r, 15_000).unref())]);
      } catch (e) {
        console.error(`harness: cleanup "${name}" failed: ${(e as Error).message}`);
      }
    }
  })();
  return running;
}

export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  const onSignal = (sig: NodeJS.Signals, code: number) => {
    process.on(sig, () => {
      if (stopping) {
        // A second Ctrl-C: do not wait for the graceful stop.
        for (const pid of groups) killGroup(pid, 'SIGKILL');
        process.exit(code);
      }
      stopping = true;
      console.error(`\nharness: ${sig}: stopping everything`);
      void runCleanups().finally(() => process.exit(code));
    });
  };
  onSignal('SIGINT', 130);
  onSignal('SIGTERM', 143);
  onSignal('SIGHUP', 129);
  const onError = (what: string) => (e: unknown) => {
    if (stopping) return; // errors from pages and sockets closing under us
    stopping = true;
    console.error(`harness: ${what}:`, e);
    void runCleanups().finally(() => process.exit(1));
  };
  process.on('uncaughtException', onError('uncaught exception'));
  process.on('unhandledRejection', onError('unhandled rejection'));
  process.on('exit', () => {
    for (const pid of groups) killGroup(pid, 'SIGKILL');
  });
  // `npm run` starts us under `sh -c`; a SIGTERM sent to npm alone kills that shell but never reaches
  // us. Being orphaned (the parent changes) is treated as that SIGTERM.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent && !stopping) {
      stopping = true;
      console.error('\nharness: parent process exited: stopping everything');
      void runCleanups().finally(() => process.exit(143));
    }
  }, 1000).unref();
}

/**
 * Runs a driver's body with the handlers installed and exits with its code after cleaning up.
 * Throwing counts as exit code 1.
 */
export function main(body: () => Promise<number>): void {
  installCleanupHandlers();
  // Nothing awaits main(): the chain ends in process.exit, and runCleanups() reports its own failures.
  void body()
    .catch((e: unknown) => {
      if (stopping) return 1;
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      return 1;
    })
    .then(async (code) => {
      await runCleanups();
      // While stopping on a signal or error, that handler sets the exit code.
      if (!stopping) process.exit(code);
    });
}
