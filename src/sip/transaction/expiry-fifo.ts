/**
 * Items that all wait the same fixed time, expired in the order they were added by one clock
 * timer: the keys of completed non-INVITE client transactions while the stack absorbs
 * retransmitted responses for them until Timer K (T4 on UDP). Timer J's records, being objects,
 * wait in the stack's DeadlineQueue of 64*T1 instead.
 *
 * DeadlineQueue without what a plain key cannot use: no target object with onDeadline() (one
 * would be allocated per transaction) and no leaving early, so whoever expires an item checks
 * that it is still current. Per item the queue keeps two array slots (the item, its deadline).
 */
import type { Clock, TimerHandle } from '../../core/clock.js';

export class ExpiryFifo<T> {
  private items: Array<T | undefined> = [];
  private deadlines: number[] = [];
  /** Index of the first item not yet expired. */
  private head = 0;
  private timer: TimerHandle | null = null;
  private readonly fire = (): void => this.expireDue();

  constructor(
    private readonly clock: Clock,
    readonly delayMs: number,
    private readonly onExpire: (item: T) => void,
  ) {}

  push(item: T): void {
    this.items.push(item);
    this.deadlines.push(this.clock.now() + this.delayMs);
    if (this.timer === null) this.timer = this.clock.setTimer(this.delayMs, this.fire);
  }

  /** Items still waiting. */
  size(): number {
    return this.items.length - this.head;
  }

  /** Forget every item without expiring it, and stop the timer (stack shutdown). */
  clear(): void {
    if (this.timer !== null) this.clock.clear(this.timer);
    this.timer = null;
    this.items = [];
    this.deadlines = [];
    this.head = 0;
  }

  private expireDue(): void {
    this.timer = null;
    const now = this.clock.now();
    while (this.head < this.items.length && (this.deadlines[this.head] as number) <= now) {
      const item = this.items[this.head] as T;
      this.items[this.head] = undefined;
      this.head++;
      this.onExpire(item);
    }
    if (this.head >= this.items.length) {
      if (this.timer !== null) this.clock.clear(this.timer);
      this.timer = null;
      this.items = [];
      this.deadlines = [];
      this.head = 0;
      return;
    }
    // Drop expired slots from the front once they are most of the arrays.
    if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.deadlines = this.deadlines.slice(this.head);
      this.head = 0;
    }
    // An item pushed by onExpire has armed a timer already.
    if (this.timer !== null) this.clock.clear(this.timer);
    this.timer = this.clock.setTimer(Math.max(0, (this.deadlines[this.head] as number) - now), this.fire);
  }
}
