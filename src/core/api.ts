// What the CLI and the extension import from the core.
export * from './format/format';
export * from './format/dispatch';
export { parseFrontMatter, readHead, HEAD_BYTES } from './format/frontmatter';
export * from './store';
export * from './live/live-index';
export { formatSummary } from './lifecycle/summary';
export { filesystemOf, eventlessFilesystem, pollingNotice, watchMode } from './fs/fstype';
export type { Eventless, WatchMode } from './fs/fstype';
export { findConflict, keepVersion, syncedRoot, syncedWarning } from './store/synced';
export type { Conflict } from './store/synced';
