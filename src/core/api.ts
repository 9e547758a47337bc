// What the CLI and the extension import from the core.
export * from './format';
export * from './dispatch';
export { parseFrontMatter, readHead, HEAD_BYTES } from './frontmatter';
export * from './store';
export * from './live/live-index';
export { formatSummary } from './summary';
export { filesystemOf, eventlessFilesystem, pollingNotice, watchMode } from './fstype';
export type { Eventless, WatchMode } from './fstype';
export { findConflict, keepVersion, syncedRoot, syncedWarning } from './synced';
export type { Conflict } from './synced';
