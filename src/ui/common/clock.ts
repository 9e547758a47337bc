// Imported first by extension.ts: the bundle evaluates modules in import order, so this marks the
// moment the bundle started running (to measure what loading costs before activate() is called).
export const loadStart = performance.now();
