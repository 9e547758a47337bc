// src/ui/common/lifecycle.ts in plain Node: what a class registers is released once, last first, even
// when one release throws, and a subscription registered after dispose() does not leak.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Disposable, Interval, Timer, toDisposable } from '../../src/ui/common/lifecycle';

class Owner extends Disposable {
  add(d: { dispose(): void }) {
    return this.register(d);
  }
}

test('dispose releases everything registered, once, the last registered first', () => {
  const order: string[] = [];
  const o = new Owner();
  o.add(toDisposable(() => order.push('a')));
  o.add(toDisposable(() => order.push('b')));
  o.dispose();
  o.dispose();
  assert.deepEqual(order, ['b', 'a']);
});

test('one release that throws does not keep the others; the error is rethrown after', () => {
  const order: string[] = [];
  const o = new Owner();
  o.add(toDisposable(() => order.push('a')));
  o.add(
    toDisposable(() => {
      throw new Error('boom');
    }),
  );
  o.add(toDisposable(() => order.push('c')));
  assert.throws(() => o.dispose(), /boom/);
  assert.deepEqual(order, ['c', 'a']);
});

test('registering after dispose releases at once', () => {
  const o = new Owner();
  o.dispose();
  let released = false;
  o.add(toDisposable(() => (released = true)));
  assert.equal(released, true);
});

test('Timer runs once, restarts, coalesces with startIfIdle, and never runs after dispose', async () => {
  const t = new Timer();
  let runs = 0;
  await new Promise<void>((done) => {
    t.start(5, () => runs++);
    t.start(5, () => {
      runs += 10;
      done();
    }); // the restart replaces the first
  });
  assert.equal(runs, 10);
  let first = 0;
  await new Promise<void>((done) => {
    t.startIfIdle(5, () => {
      first = 1;
      done();
    });
    t.startIfIdle(5, () => (first = 2));
  });
  assert.equal(first, 1);
  let late = false;
  t.start(1, () => (late = true));
  assert.equal(t.pending, true);
  t.dispose();
  assert.equal(t.pending, false);
  t.start(1, () => (late = true)); // a late restart by a disposed owner
  assert.equal(t.pending, false);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(late, false);
});

test('Interval repeats until cancelled', async () => {
  const i = new Interval();
  let n = 0;
  await new Promise<void>((done) =>
    i.start(2, () => {
      if (++n === 3) done();
    }),
  );
  i.dispose();
  assert.equal(i.running, false);
  i.start(1, () => n++);
  assert.equal(i.running, false);
  const at = n;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(n, at);
});
