/**
 * Subscription expiry on one clock timer instead of one per subscription (a Node timer, its
 * closures and the clock's bookkeeping cost ~300 bytes each at 100,000 subscriptions).
 *
 * A binary min-heap of the items themselves, ordered by `dueOf(item)` (a subscription's
 * expiresAt: no copy of the time and no entry object per item). Each item carries its position
 * in the heap (`expiryIndex`, -1 when not queued), so a refresh moves it in place and an ended
 * subscription is taken out at once instead of staying referenced until its old due time.
 * The clock timer is armed for the earliest; due items are handed to `expire` in due order, as
 * separate timers would have done.
 */
import type { Clock, TimerHandle } from '../core/clock.js';

export interface Expiring {
  /** Position in the queue's heap, -1 when not queued; maintained by ExpiryQueue only. */
  expiryIndex: number;
}

export class ExpiryQueue<T extends Expiring> {
  private readonly heap: T[] = [];
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;

  /**
   * @param dueOf wall-clock ms the item is due (read when it is scheduled; call schedule() again
   *              after it changes)
   */
  constructor(
    private readonly clock: Clock,
    private readonly dueOf: (item: T) => number,
    private readonly expire: (item: T) => void,
  ) {}

  /** (Re)schedule `item` for its current dueOf(item). */
  schedule(item: T): void {
    const i = item.expiryIndex;
    if (i < 0) {
      item.expiryIndex = this.heap.length;
      this.heap.push(item);
      this.up(this.heap.length - 1);
    } else if (!this.up(i)) {
      this.down(i);
    }
    this.rearmIfNeeded();
  }

  /** Take `item` out (it ended some other way); nothing when it is not queued. */
  remove(item: T): void {
    const i = item.expiryIndex;
    if (i < 0) return;
    item.expiryIndex = -1;
    const last = this.heap.pop() as T;
    if (i < this.heap.length) {
      this.heap[i] = last;
      last.expiryIndex = i;
      if (!this.up(i)) this.down(i);
    }
    // A timer armed for a later item is harmless: it re-arms for whatever is first then.
  }

  /** Stop the timer and forget everything. */
  clear(): void {
    this.clock.clear(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    for (const item of this.heap) item.expiryIndex = -1;
    this.heap.length = 0;
  }

  get size(): number {
    return this.heap.length;
  }

  private rearmIfNeeded(): void {
    const top = this.heap[0];
    if (top !== undefined && this.dueOf(top) < this.timerAt) this.arm();
  }

  private arm(): void {
    this.clock.clear(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    const top = this.heap[0];
    if (!top) return;
    const at = this.dueOf(top);
    this.timerAt = at;
    this.timer = this.clock.setTimer(Math.max(0, at - this.clock.wallNow()), () => this.fire());
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.clock.wallNow();
    // Bounded: each pass takes one item out of the heap.
    for (let top = this.heap[0]; top !== undefined && this.dueOf(top) <= now; top = this.heap[0]) {
      this.remove(top);
      this.expire(top);
    }
    if (this.timer === null) this.arm();
  }

  /** Move the item at `i` towards the root while it is due earlier than its parent; true if it moved. */
  private up(i: number): boolean {
    const h = this.heap;
    const item = h[i] as T;
    const at = this.dueOf(item);
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as T;
      if (this.dueOf(p) <= at) break;
      h[i] = p;
      p.expiryIndex = i;
      i = parent;
    }
    h[i] = item;
    item.expiryIndex = i;
    return i !== start;
  }

  private down(i: number): void {
    const h = this.heap;
    const n = h.length;
    const item = h[i] as T;
    const at = this.dueOf(item);
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.dueOf(h[r] as T) < this.dueOf(h[l] as T) ? r : l;
      const child = h[c] as T;
      if (this.dueOf(child) >= at) break;
      h[i] = child;
      child.expiryIndex = i;
      i = c;
    }
    h[i] = item;
    item.expiryIndex = i;
  }
}
