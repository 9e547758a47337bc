// Throwaway dispatch roots on the real filesystem.
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';

/** A fresh directory removed after the test file finishes. */
export function tempRoot(prefix = 'dispatch-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  // Retried: on Windows a folder whose watch was just closed is released a moment later (ENOTEMPTY, EBUSY).
  after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10 }));
  return dir;
}

/** Bounds are multiplied by this (the Wine run sets 3: node.exe under Wine hears events later). */
const SCALE = Number(process.env.DISPATCH_TEST_TIME_SCALE) || 1;

/** Resolves when `pred` is true, polling; rejects after `ms` (times SCALE). */
export async function until(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms * SCALE;
  while (!pred()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
