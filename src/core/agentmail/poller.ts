// When to ask Agent Mail for reservations next. Pure scheduling (no VS Code, injectable clock), so the
// rules are unit-tested: never two polls at once; the interval while healthy, ×4 while the window is
// unfocused; exponential backoff (capped at 60 s) while failing; an immediate poll on focus or on demand.

export interface PollerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: PollerTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface PollOutcome {
  ok: boolean;
  /** Server-asked pause (Retry-After on 429), ms: the next poll waits at least this long. */
  retryAfterMs?: number;
}

export interface PollerOptions {
  /** Delay between polls while healthy and focused, ms. */
  intervalMs: number;
  /** Multiplier while the window is unfocused (default 4). */
  unfocusedFactor?: number;
  /** Cap of the failure backoff, ms (default 60 s); never below the healthy delay. */
  maxBackoffMs?: number;
  focused?: boolean;
  timers?: PollerTimers;
}

/** How often reservations are read while the window has the focus, ms (the `agentMail.pollInterval` default). */
export const DEFAULT_RESERVATIONS_POLL_MS = 5000;
export const DEFAULT_UNFOCUSED_FACTOR = 4;
export const DEFAULT_MAX_BACKOFF_MS = 60_000;

export class ReservationPoller {
  private intervalMs: number;
  private focused: boolean;
  private readonly factor: number;
  private readonly maxBackoffMs: number;
  private readonly timers: PollerTimers;
  private timer: unknown;
  private inFlight: Promise<void> | undefined;
  /** A poll was asked for while one ran: run one more right after it (its answer may be stale). */
  private again = false;
  private disposed = false;
  private started = false;
  /** Consecutive failed polls. */
  failures = 0;
  /** The delay chosen after the last poll, ms (for tests and the tooltip). */
  lastDelayMs: number | undefined;

  constructor(
    private readonly task: () => Promise<PollOutcome>,
    opts: PollerOptions,
  ) {
    this.intervalMs = positive(opts.intervalMs, DEFAULT_RESERVATIONS_POLL_MS);
    this.factor = positive(opts.unfocusedFactor ?? DEFAULT_UNFOCUSED_FACTOR, DEFAULT_UNFOCUSED_FACTOR);
    this.maxBackoffMs = positive(opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS, DEFAULT_MAX_BACKOFF_MS);
    this.focused = opts.focused ?? true;
    this.timers = opts.timers ?? realTimers;
  }

  get polling(): boolean {
    return this.inFlight !== undefined;
  }

  get scheduled(): boolean {
    return this.timer !== undefined;
  }

  /** First poll now; then on its own schedule until dispose(). */
  start(): Promise<void> {
    this.started = true;
    return this.pollNow();
  }

  /**
   * Polls now unless one is running; then the caller gets the running poll, followed by one more
   * (`fresh`: the answer must reflect changes made before this call, e.g. new settings or a release).
   */
  pollNow(fresh = true): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.inFlight) {
      // The running poll's promise settles only after the follow-up it chains (see runOnce).
      if (fresh) this.again = true;
      return this.inFlight;
    }
    this.clearTimer();
    const run = this.runOnce();
    this.inFlight = run;
    return run;
  }

  /** Settings changed: forget the backoff and poll at once. */
  reset(intervalMs?: number): Promise<void> {
    if (intervalMs !== undefined) this.intervalMs = positive(intervalMs, this.intervalMs);
    this.failures = 0;
    return this.pollNow(true);
  }

  /** Window focus: slower while unfocused; regaining focus polls at once (a retry when offline). */
  setFocused(focused: boolean): void {
    if (focused === this.focused) return;
    this.focused = focused;
    if (!this.started || this.disposed) return;
    if (focused) void this.pollNow(false);
    else if (!this.inFlight) this.schedule(this.nextDelay());
  }

  /** The delay the next poll would wait, given the current failures and focus. */
  nextDelay(retryAfterMs = 0): number {
    const healthy = this.intervalMs * (this.focused ? 1 : this.factor);
    if (this.failures === 0) return healthy;
    const cap = Math.max(this.maxBackoffMs, healthy);
    // The first retry waits one healthy interval, then 2×, 4×… up to the cap.
    const backoff = Math.min(cap, healthy * 2 ** Math.min(this.failures - 1, 30));
    return Math.max(backoff, Math.min(retryAfterMs, cap));
  }

  dispose(): void {
    this.disposed = true;
    this.again = false;
    this.clearTimer();
  }

  private async runOnce(): Promise<void> {
    let outcome: PollOutcome;
    try {
      outcome = await this.task();
    } catch {
      outcome = { ok: false };
    }
    this.failures = outcome.ok ? 0 : this.failures + 1;
    this.inFlight = undefined;
    if (this.disposed) return;
    if (this.again) {
      this.again = false;
      this.inFlight = this.runOnce();
      return this.inFlight;
    }
    if (this.started) this.schedule(this.nextDelay(outcome.retryAfterMs));
  }

  private schedule(ms: number): void {
    this.clearTimer();
    this.lastDelayMs = ms;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.pollNow(false);
    }, ms);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function positive(n: number, fallback: number): number {
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
