// A tiny step runner for browser E2E: named steps, each a function of the context, run in order.
// A failing step saves a screenshot, presses Escape twice (closing a palette or menu it left open) and
// the run goes on; later steps may still fail for the same reason.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { CodeServer } from '../../scripts/harness/codeServer';
import type { DispatchStore } from '../../src/core/store';

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
  /** Free-form values steps hand to later steps. */
  shared: Record<string, unknown>;
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
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
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
    try {
      const limit = s.timeoutMs ?? 30_000;
      await Promise.race([
        s.run(ctx),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`step timed out after ${limit} ms`)), limit))),
      ]);
      r.passed++;
      console.log(`  ✓ ${s.name} (${Date.now() - t0} ms)`);
    } catch (e) {
      r.failed++;
      console.log(`  ✗ ${s.name} (${Date.now() - t0} ms)`);
      console.log(String((e as Error)?.stack ?? e).replace(/^/gm, '      '));
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
    }
  }
  return r;
}
