/**
 * Subscription expiry on one clock timer instead of one per subscription (a Node timer, its
 * closures and the clock's bookkeeping cost ~300 bytes each at 100,000 subscriptions).
 *
 * A binary min-heap of (due time, item); the clock timer is armed for the earliest. Moving an
 * item's due time pushes a new entry; the old one is recognised as stale when it comes up
 * (its time no longer equals the item's) and skipped. Each due item is handed to `expire` at
 * its time, in due order, as separate timers would have done.
 */
import type { Clock, TimerHandle } from '../core/clock.js';

export interface Expiring {
  /** Wall-clock ms it is due; set through ExpiryQueue.schedule. */
  dueAt: number;
  /** True once it no longer needs its expiry (ended some other way). */
  ended: boolean;
}

interface Entry<T> {
  at: number;
  item: T;
}

export class ExpiryQueue<T extends Expiring> {
  private readonly heap: Array<Entry<T>> = [];
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly expire: (item: T) => void,
  ) {}

  /** (Re)schedule `item` for wall-clock time `at`. */
  schedule(item: T, at: number): void {
    item.dueAt = at;
    this.push({ at, item });
    if (at < this.timerAt) this.arm();
  }

  /** Stop the timer and forget everything. */
  clear(): void {
    this.clock.clear(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    this.heap.length = 0;
  }

  get size(): number {
    return this.heap.length;
  }

  private arm(): void {
    this.clock.clear(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    const top = this.heap[0];
    if (!top) return;
    this.timerAt = top.at;
    this.timer = this.clock.setTimer(Math.max(0, top.at - this.clock.wallNow()), () => this.fire());
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.clock.wallNow();
    for (let top = this.heap[0]; top !== undefined && top.at <= now; top = this.heap[0]) {
      this.pop();
      const item = top.item;
      if (item.ended || item.dueAt !== top.at) continue; // stale: moved or ended
      item.dueAt = Infinity;
      this.expire(item);
    }
    if (this.timer === null) this.arm();
  }

  private push(e: Entry<T>): void {
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as Entry<T>;
      if (p.at <= e.at) break;
      h[i] = p;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (last === undefined || h.length === 0) return;
    let i = 0;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (h[r] as Entry<T>).at < (h[l] as Entry<T>).at ? r : l;
      if ((h[c] as Entry<T>).at >= last.at) break;
      h[i] = h[c] as Entry<T>;
      i = c;
    }
    h[i] = last;
  }
}
