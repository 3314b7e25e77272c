/**
 * One clock timer for many transactions that wait the same fixed time.
 *
 * A non-INVITE server transaction on UDP waits 64*T1 twice: the answer guard (no TU answer within
 * Timer F of the client) and Timer J (§17.2.2: "Timer J ... 64*T1 for unreliable transports").
 * At thousands of REGISTERs a second a Node timer per wait (Timeout object, closures, handle map
 * entries) is most of what a completed transaction keeps for 32 s and a large share of the GC
 * work. All waits of one length on one clock end in the order they began, so a FIFO with a single
 * armed timer for its head serves them: each entry fires at exactly its own deadline.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';

/** What a queue entry calls back when its deadline passes. */
export interface DeadlineTarget {
  /** queue and seq name the slot that ran out, for a target waiting in more than one queue. */
  onDeadline(queue: DeadlineQueue, seq: number): void;
}

/** A place in a queue, kept by the target to leave it early. */
export interface DeadlineSlot {
  readonly queue: DeadlineQueue;
  readonly seq: number;
}

export class DeadlineQueue {
  private targets: Array<DeadlineTarget | null> = [];
  private deadlines: number[] = [];
  /** Sequence number of targets[0]. */
  private base = 0;
  /** Index of the first entry not yet fired. */
  private head = 0;
  private live = 0;
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    readonly delayMs: number,
  ) {}

  add(target: DeadlineTarget): DeadlineSlot {
    return { queue: this, seq: this.addSeq(target) };
  }

  /** add() for a target that only ever waits in this queue: it keeps the number, no slot object. */
  addSeq(target: DeadlineTarget): number {
    const seq = this.base + this.targets.length;
    this.targets.push(target);
    this.deadlines.push(this.clock.now() + this.delayMs);
    this.live++;
    if (this.timer === null) this.arm();
    return seq;
  }

  /** Leave before the deadline (the target will not be called). */
  remove(slot: DeadlineSlot): void {
    this.removeSeq(slot.seq);
  }

  removeSeq(seq: number): void {
    const i = seq - this.base;
    if (i < this.head || i >= this.targets.length || this.targets[i] === null) return;
    this.targets[i] = null;
    this.live--;
    if (this.live === 0) this.reset();
  }

  /** Forget every entry without calling it, and stop the timer (stack shutdown). */
  clear(): void {
    this.live = 0;
    this.reset();
  }

  /** Entries still waiting (for tests and stats). */
  size(): number {
    return this.live;
  }

  private reset(): void {
    if (this.timer !== null) this.clock.clear(this.timer);
    this.timer = null;
    this.base += this.targets.length;
    this.targets = [];
    this.deadlines = [];
    this.head = 0;
  }

  private arm(): void {
    while (this.head < this.targets.length && this.targets[this.head] === null) this.head++;
    if (this.head >= this.targets.length) {
      this.reset();
      return;
    }
    const wait = Math.max(0, (this.deadlines[this.head] as number) - this.clock.now());
    this.timer = this.clock.setTimer(wait, () => this.fire());
  }

  private fire(): void {
    this.timer = null;
    const now = this.clock.now();
    while (this.head < this.targets.length && (this.deadlines[this.head] as number) <= now) {
      const target = this.targets[this.head];
      const seq = this.base + this.head;
      this.targets[this.head] = null;
      this.head++;
      if (target === null) continue;
      this.live--;
      target.onDeadline(this, seq);
    }
    this.compact();
    if (this.timer === null) this.arm();
  }

  /** Drop fired entries from the front once they are most of the arrays. */
  private compact(): void {
    if (this.head < 4096 || this.head * 2 < this.targets.length) return;
    this.targets = this.targets.slice(this.head);
    this.deadlines = this.deadlines.slice(this.head);
    this.base += this.head;
    this.head = 0;
  }
}

const queues = new WeakMap<Clock, Map<number, DeadlineQueue>>();

/** The shared queue for waits of delayMs on clock. */
export function deadlineQueue(clock: Clock, delayMs: number): DeadlineQueue {
  let byDelay = queues.get(clock);
  if (!byDelay) {
    byDelay = new Map();
    queues.set(clock, byDelay);
  }
  let q = byDelay.get(delayMs);
  if (!q) {
    q = new DeadlineQueue(clock, delayMs);
    byDelay.set(delayMs, q);
  }
  return q;
}
