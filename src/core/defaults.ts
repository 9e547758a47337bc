// Defaults and limits that the core, the CLI and the extension's settings share, defined once so they
// cannot drift. No imports: the extension reads these at activation without loading the core.

/** A dispatch body larger than this is refused (`send`, Send Dispatch). */
export const MAX_BODY = 10 * 1024 * 1024;
/** How often a polled box is re-read (`watcher.poll`, `watch --poll`), ms. */
export const DEFAULT_POLL_INTERVAL_MS = 2000;
/** Days in new/ after which a dispatch is stale: its team has not run a session since it arrived. */
export const DEFAULT_STALE_DAYS = 3;
