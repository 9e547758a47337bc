// Shared by the extension-host suites (bundled into each one).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'dispatch-inbox.dispatch-inbox';

/** The fixture dispatch root the driver made (teams engineering, web_ops, qa); also in the user settings. */
export function fixtureRoot(): string {
  const root = process.env.DISPATCH_ROOT;
  assert.ok(root, 'DISPATCH_ROOT is not set: run these through npm run test:exthost');
  return root;
}

export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  await ext.activate();
  return ext;
}

/** Polls `probe` until it returns a truthy value (returned) or the time is up (throws with `what`). */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
