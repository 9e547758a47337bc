// One lifecycle habit for every class that holds subscriptions, emitters, timers or views: it extends
// Disposable and hands each of them to register(), and its dispose() releases them all, once, the last
// registered first (the shape of vscode-pull-request-github's common/lifecycle.ts). No VS Code import:
// it is unit-tested in plain Node.
import type * as vscode from 'vscode';

export abstract class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposedValue = false;

  /** Owns `d` from now on; after dispose() it is disposed at once (a late subscription must not leak). */
  protected register<T extends vscode.Disposable>(d: T): T {
    if (this.disposedValue) d.dispose();
    else this.owned.push(d);
    return d;
  }

  dispose(): void {
    if (this.disposedValue) return;
    this.disposedValue = true;
    const errors: unknown[] = [];
    for (const d of this.owned.splice(0).reverse()) {
      try {
        d.dispose();
      } catch (e) {
        errors.push(e); // the rest are still released
      }
    }
    if (errors.length) throw errors[0];
  }
}

export function toDisposable(dispose: () => void): vscode.Disposable {
  return { dispose };
}

/** A timer that is cleared with its owner: `register(timeout(...))`, or kept in a field to restart. */
export class Timer implements vscode.Disposable {
  private handle: NodeJS.Timeout | undefined;
  private disposed = false;

  get pending(): boolean {
    return this.handle !== undefined;
  }

  /** (Re)starts it: `fn` runs once after `ms`, unless it is cancelled or started again first. */
  start(ms: number, fn: () => void): void {
    this.cancel();
    if (this.disposed) return; // an owner's late callback (a finally after an await) must not start it again
    this.handle = setTimeout(() => {
      this.handle = undefined;
      fn();
    }, ms);
  }

  /** Starts it unless it is already pending (coalescing: the first call's deadline holds). */
  startIfIdle(ms: number, fn: () => void): void {
    if (!this.handle) this.start(ms, fn);
  }

  cancel(): void {
    if (this.handle) clearTimeout(this.handle);
    this.handle = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }
}

/** Like Timer, repeating. */
export class Interval implements vscode.Disposable {
  private handle: NodeJS.Timeout | undefined;
  private disposed = false;

  get running(): boolean {
    return this.handle !== undefined;
  }

  start(ms: number, fn: () => void): void {
    this.cancel();
    if (this.disposed) return;
    this.handle = setInterval(fn, ms);
  }

  cancel(): void {
    if (this.handle) clearInterval(this.handle);
    this.handle = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }
}
