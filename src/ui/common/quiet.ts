// Arrivals in new/ that our own actions cause (undo, mark as new, reroute) are not announced: the
// session keeps their names for a while, the actions add them, the notifier consumes them.

/** How long an arrival we caused ourselves stays unannounced: the watcher reports it well within this. */
const QUIET_MS = 10_000;

/** Arrivals in new/ that we caused ourselves (undo, mark as new, reroute), by `team/new/fileName`, for a while. */
export class QuietArrivals {
  private readonly until = new Map<string, number>();

  add(key: string): void {
    this.prune();
    this.until.set(key, Date.now() + QUIET_MS);
  }

  /** True (once) when `key` was ours and is still fresh. */
  delete(key: string): boolean {
    this.prune();
    return this.until.delete(key);
  }

  private prune(): void {
    const now = Date.now();
    for (const [k, t] of this.until) if (t <= now) this.until.delete(k);
  }
}
