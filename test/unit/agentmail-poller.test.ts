// The reservation poller's schedule with a fake clock: no overlap, backoff capped at 60 s, unfocused
// slowdown, immediate poll on focus and on settings change, nothing after dispose.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PollerTimers, PollOutcome, ReservationPoller } from '../../src/core/agentmail/poller';

/** Timers on a virtual clock: `advance(ms)` fires what falls due, in order. */
class FakeClock implements PollerTimers {
  now = 0;
  private seq = 0;
  private pending = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }
  get count(): number {
    return this.pending.size;
  }
  /** The delay of the one pending timer. */
  get nextIn(): number | undefined {
    const next = [...this.pending.values()].sort((a, b) => a.at - b.at)[0];
    return next && next.at - this.now;
  }
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
      await settle();
    }
    this.now = end;
  }
}

const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A task whose polls the test answers one by one. */
function scriptedTask() {
  const waiting: ((o: PollOutcome) => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  let calls = 0;
  const task = (): Promise<PollOutcome> => {
    calls++;
    running++;
    maxRunning = Math.max(maxRunning, running);
    return new Promise<PollOutcome>((resolve) => waiting.push(resolve)).finally(() => running--);
  };
  return {
    task,
    get calls() {
      return calls;
    },
    get maxRunning() {
      return maxRunning;
    },
    get waiting() {
      return waiting.length;
    },
    async answer(o: PollOutcome): Promise<void> {
      const next = waiting.shift();
      assert.ok(next, 'no poll is waiting for an answer');
      next(o);
      await settle();
    },
  };
}

/** A task that answers at once with the outcomes given, in turn (the last one repeats). */
function instantTask(...outcomes: PollOutcome[]) {
  let calls = 0;
  return {
    task: async (): Promise<PollOutcome> => outcomes[Math.min(calls++, outcomes.length - 1)],
    get calls() {
      return calls;
    },
  };
}

describe('ReservationPoller', () => {
  it('polls at once on start, then every interval while healthy', async () => {
    const clock = new FakeClock();
    const t = instantTask({ ok: true });
    const p = new ReservationPoller(t.task, { intervalMs: 5000, timers: clock });
    await p.start();
    assert.equal(t.calls, 1);
    assert.equal(clock.nextIn, 5000);
    await clock.advance(4999);
    assert.equal(t.calls, 1);
    await clock.advance(1);
    assert.equal(t.calls, 2);
    await clock.advance(15_000);
    assert.equal(t.calls, 5);
    p.dispose();
  });

  it('never runs two polls at once: a request during a poll queues one follow-up, not a second request', async () => {
    const clock = new FakeClock();
    const s = scriptedTask();
    const p = new ReservationPoller(s.task, { intervalMs: 1000, timers: clock });
    const first = p.start();
    assert.equal(s.calls, 1);
    // Settings change, focus, manual refresh, and a late timer all while the first poll runs.
    const asked = [p.pollNow(), p.pollNow(), p.reset(), p.pollNow(false)];
    p.setFocused(false);
    p.setFocused(true);
    await clock.advance(10_000);
    assert.equal(s.calls, 1, 'nothing starts while a poll is in flight');
    assert.equal(clock.count, 0, 'no timer is armed while a poll is in flight');
    await s.answer({ ok: true });
    assert.equal(s.calls, 2, 'exactly one follow-up for the requests made meanwhile');
    await s.answer({ ok: true });
    await Promise.all([first, ...asked]);
    assert.equal(s.maxRunning, 1);
    assert.equal(clock.count, 1, 'one timer afterwards');
    p.dispose();
  });

  it('a caller of pollNow() during a poll resolves only after the follow-up has answered', async () => {
    const s = scriptedTask();
    const p = new ReservationPoller(s.task, { intervalMs: 1000, timers: new FakeClock() });
    void p.pollNow();
    let done = false;
    void p.pollNow().then(() => (done = true));
    await s.answer({ ok: true });
    assert.equal(done, false, 'resolved with the stale answer');
    await s.answer({ ok: true });
    assert.equal(done, true);
  });

  it('backs off exponentially while failing, capped at 60 s, and returns to the interval on success', async () => {
    const clock = new FakeClock();
    const t = instantTask(...Array<PollOutcome>(8).fill({ ok: false }), { ok: true });
    const p = new ReservationPoller(t.task, { intervalMs: 5000, timers: clock });
    await p.start();
    const delays: number[] = [clock.nextIn!];
    for (let i = 0; i < 8; i++) {
      await clock.advance(clock.nextIn!);
      delays.push(clock.nextIn!);
    }
    assert.deepEqual(delays, [5000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000, 60_000, 5000]);
    assert.equal(p.failures, 0);
    p.dispose();
  });

  it('never backs off below the healthy delay, and honours Retry-After up to the cap', () => {
    const slow = new ReservationPoller(async () => ({ ok: true }), { intervalMs: 120_000, timers: new FakeClock() });
    slow.failures = 3;
    assert.equal(slow.nextDelay(), 120_000);
    const p = new ReservationPoller(async () => ({ ok: true }), { intervalMs: 1000, timers: new FakeClock() });
    p.failures = 1;
    assert.equal(p.nextDelay(7000), 7000);
    assert.equal(p.nextDelay(3_600_000), 60_000);
  });

  it('polls 4× slower while the window is unfocused, backoff included', async () => {
    const clock = new FakeClock();
    const t = instantTask({ ok: true }, { ok: false }, { ok: false });
    const p = new ReservationPoller(t.task, { intervalMs: 5000, timers: clock, focused: false });
    await p.start();
    assert.equal(clock.nextIn, 20_000);
    await clock.advance(20_000);
    assert.equal(clock.nextIn, 20_000, 'first retry: one unfocused interval');
    await clock.advance(20_000);
    assert.equal(clock.nextIn, 40_000);
    assert.equal(t.calls, 3);
    p.dispose();
  });

  it('losing focus stretches the pending wait; regaining it polls at once (retry while offline)', async () => {
    const clock = new FakeClock();
    const t = instantTask({ ok: false });
    const p = new ReservationPoller(t.task, { intervalMs: 5000, timers: clock });
    await p.start();
    await clock.advance(5000);
    await clock.advance(10_000);
    assert.equal(t.calls, 3);
    assert.equal(clock.nextIn, 20_000);
    p.setFocused(false);
    assert.equal(clock.nextIn, 60_000, '20 s × 4, capped at 60 s');
    await clock.advance(1000);
    p.setFocused(true);
    await settle();
    assert.equal(t.calls, 4, 'focus polls immediately');
    assert.equal(clock.count, 1);
    p.dispose();
  });

  it('reset() (settings changed) forgets the backoff and polls at once with the new interval', async () => {
    const clock = new FakeClock();
    let ok = false;
    let calls = 0;
    const p = new ReservationPoller(async () => (calls++, { ok }), { intervalMs: 5000, timers: clock });
    await p.start();
    await clock.advance(5000);
    await clock.advance(10_000);
    assert.equal(p.failures, 3);
    ok = true;
    await p.reset(2000);
    assert.equal(calls, 4);
    assert.equal(p.failures, 0);
    assert.equal(clock.nextIn, 2000);
    p.dispose();
  });

  it('a throwing task counts as a failure and the schedule goes on', async () => {
    const clock = new FakeClock();
    const p = new ReservationPoller(
      async () => {
        throw new Error('boom');
      },
      { intervalMs: 1000, timers: clock },
    );
    await p.start();
    assert.equal(p.failures, 1);
    assert.equal(clock.nextIn, 1000);
    p.dispose();
  });

  it('stops on dispose: no timer, no poll, not even after the in-flight one answers', async () => {
    const clock = new FakeClock();
    const s = scriptedTask();
    const p = new ReservationPoller(s.task, { intervalMs: 1000, timers: clock });
    void p.start();
    void p.pollNow();
    p.dispose();
    await s.answer({ ok: true });
    assert.equal(s.calls, 1, 'the queued follow-up was dropped');
    assert.equal(clock.count, 0);
    await clock.advance(120_000);
    p.setFocused(false);
    p.setFocused(true);
    await p.pollNow();
    await p.reset();
    assert.equal(s.calls, 1);
    assert.equal(s.waiting, 0);
  });
});
