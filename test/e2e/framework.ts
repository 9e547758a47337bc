// A tiny step runner for browser E2E: named steps, each a function of the context, run in order.
// Each step acts through guarded proxies of the page and the store (guard.ts): a step that times out is
// aborted, and the calls it has in flight are waited out before the next step starts, so its leftovers
// cannot answer a later step's prompts. A failing step saves a screenshot, presses Escape twice
// (closing a palette or menu it left open) and the run goes on. Playwright's own timeouts
// (ACTION_TIMEOUT_MS) are well below a step's limit, so an error names the locator that is stuck.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { CodeServer } from '../../scripts/harness/codeServer';
import type { DispatchStore } from '../../src/core/store';
import { guard, type Guard } from './guard';

/** Playwright's default action/wait timeout for every step (run.ts sets it on the page). */
export const ACTION_TIMEOUT_MS = 10_000;
const STEP_TIMEOUT_MS = 30_000;

export interface E2EContext {
  page: Page;
  codeServer: CodeServer;
  /** The fixture dispatch root (teams engineering, web_ops, qa; FIXTURE_DISPATCHES of scripts/demo-root.ts). */
  root: string;
  teams: string[];
  /** The dispatch files in the fixture, as written. */
  files: string[];
  /** The core store over `root`, to change the filesystem the way an agent or the CLI would. */
  store: DispatchStore;
  workspace: string;
  /** Saves `test-results/<name>.png` and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Free-form values steps hand to later steps (a step must still work when the one before failed). */
  shared: Record<string, unknown>;
  /** Aborted when the step times out: loops of a step's own (polling the disk) should stop then. */
  signal: AbortSignal;
}

export interface Step {
  name: string;
  run(ctx: E2EContext): Promise<void>;
  /** Return a reason to skip (counted as skipped, not failed), e.g. a feature not built yet. */
  skip?(ctx: E2EContext): string | undefined | Promise<string | undefined>;
  timeoutMs?: number;
}

export function step(name: string, run: Step['run'], extra: Omit<Step, 'name' | 'run'> = {}): Step {
  return { name, run, ...extra };
}

export interface StepResults {
  passed: number;
  failed: number;
  skipped: number;
}

export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

export async function runSteps(steps: Step[], ctx: E2EContext, resultsDir: string): Promise<StepResults> {
  const r: StepResults = { passed: 0, failed: 0, skipped: 0 };
  for (const s of steps) {
    const t0 = Date.now();
    const reason = s.skip ? await s.skip(ctx) : undefined;
    if (reason) {
      r.skipped++;
      console.log(`  - ${s.name} (skipped: ${reason})`);
      continue;
    }
    let timer: NodeJS.Timeout | undefined;
    const ac = new AbortController();
    const g: Guard = { signal: ac.signal, inflight: new Set() };
    const own: E2EContext = { ...ctx, page: guard(ctx.page, g), store: guard(ctx.store, g), signal: ac.signal };
    try {
      const limit = s.timeoutMs ?? STEP_TIMEOUT_MS;
      await Promise.race([s.run(own), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`step timed out after ${limit} ms`)), limit)))]);
      r.passed++;
      console.log(`  ✓ ${s.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      r.failed++;
      console.log(`  ✗ ${s.name} (${Date.now() - t0} ms)`);
      console.log(String((e as Error)?.stack ?? e).replace(/^/gm, '      '));
      // Cancel the step: no further call of it reaches the page, and the ones in flight end first.
      ac.abort(new Error(`step "${s.name}" was cancelled`));
      await settle(g);
      fs.mkdirSync(resultsDir, { recursive: true });
      const shot = path.join(resultsDir, `e2e-FAILED-${slug(s.name)}.png`);
      await ctx.page.screenshot({ path: shot }).then(
        () => console.log(`      screenshot: ${path.relative(process.cwd(), shot)}`),
        () => undefined,
      );
      // Close whatever the failed step left open (palette, quick pick, menu) so the next starts clean.
      for (let i = 0; i < 2; i++) await ctx.page.keyboard.press('Escape').catch(() => undefined);
    } finally {
      clearTimeout(timer);
      ac.abort(new Error(`step "${s.name}" is over`)); // a passed step's stray promise cannot act later either
    }
  }
  return r;
}

/** Waits for a cancelled step's calls in flight (each ends within Playwright's timeout). */
async function settle(g: Guard): Promise<void> {
  const end = Date.now() + ACTION_TIMEOUT_MS + 5000;
  while (g.inflight.size && Date.now() < end) await Promise.race([Promise.allSettled([...g.inflight]), new Promise((r) => setTimeout(r, 250))]);
  if (g.inflight.size) console.log(`      ${g.inflight.size} call(s) of the cancelled step still running`);
}
