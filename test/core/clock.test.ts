/** RealClock: timers fire once, clear() cancels, delays past setTimeout's 2^31-1 ms limit wait. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock } from '../../src/core/clock.js';

/** Resolves when a clock timer of `ms` fires (clock timers are unref'd: a guard keeps the loop alive). */
function fired(clock: RealClock, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const guard = setTimeout(() => reject(new Error(`timer of ${ms} ms never fired`)), 5000);
    clock.setTimer(ms, () => {
      clearTimeout(guard);
      resolve();
    });
  });
}

test('a delay longer than setTimeout allows does not fire at once', async () => {
  const clock = new RealClock();
  let early = false;
  const far = clock.setTimer(2 ** 31 + 60_000, () => {
    early = true;
  });
  // Past the 1 ms an overflowing setTimeout would have waited.
  await fired(clock, 20);
  assert.equal(early, false);
  assert.equal(clock.pending(), 1);
  clock.clear(far);
  assert.equal(clock.pending(), 0);
});

test('timers fire in order and clear() cancels', async () => {
  const clock = new RealClock();
  const order: string[] = [];
  const cancelled = clock.setTimer(1, () => order.push('cancelled'));
  clock.clear(cancelled);
  clock.setTimer(5, () => order.push('a'));
  await fired(clock, 15);
  assert.deepEqual(order, ['a']);
  assert.equal(clock.pending(), 0);
});
