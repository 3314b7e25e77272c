import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { FakeClock } from '../../../src/core/clock.js';
import { ExpiryFifo } from '../../../src/sip/transaction/expiry-fifo.js';

describe('ExpiryFifo (Timer J / K waits of one length)', () => {
  it('expires each item at its own deadline, in order, with one timer', () => {
    const clock = new FakeClock();
    const expired: Array<[string, number]> = [];
    const fifo = new ExpiryFifo<string>(clock, 1000, (item) => expired.push([item, clock.now()]));
    fifo.push('a');
    clock.advance(300);
    fifo.push('b');
    fifo.push('c');
    assert.equal(clock.pending(), 1);
    assert.equal(fifo.size(), 3);
    clock.advance(699);
    assert.deepEqual(expired, []);
    clock.advance(1);
    assert.deepEqual(expired, [['a', 1000]]);
    clock.advance(300);
    assert.deepEqual(expired, [['a', 1000], ['b', 1300], ['c', 1300]]);
    assert.equal(fifo.size(), 0);
    assert.equal(clock.pending(), 0);
  });

  it('an item pushed while expiring waits its full time; clear() stops everything', () => {
    const clock = new FakeClock();
    const expired: number[] = [];
    const fifo = new ExpiryFifo<number>(clock, 100, (n) => {
      expired.push(n);
      if (n === 1) fifo.push(2);
    });
    fifo.push(1);
    clock.advance(100);
    assert.deepEqual(expired, [1]);
    assert.equal(clock.pending(), 1);
    clock.advance(100);
    assert.deepEqual(expired, [1, 2]);
    fifo.push(3);
    fifo.clear();
    assert.equal(clock.pending(), 0);
    clock.advance(1000);
    assert.deepEqual(expired, [1, 2]);
  });

  it('keeps its arrays short while running for long', () => {
    const clock = new FakeClock();
    let count = 0;
    const fifo = new ExpiryFifo<number>(clock, 50, () => count++);
    for (let i = 0; i < 20000; i++) {
      fifo.push(i);
      clock.advance(1);
    }
    assert.ok(fifo.size() <= 51, `${fifo.size()} waiting`);
    clock.advance(50);
    assert.equal(count, 20000);
    assert.equal(clock.pending(), 0);
  });
});
