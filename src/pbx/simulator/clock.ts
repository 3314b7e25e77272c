/**
 * Simulated time for `dialplan run`: a timer fires on the next microtask and moves the clock
 * forward by its delay, so Wait(), Dial timeouts and Busy(10) take no wall time.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';

export class SimClock implements Clock {
  private t = 0;
  private seq = 1;
  private readonly live = new Set<number>();
  private readonly wallBase: number;

  constructor(wallStart = Date.now()) {
    this.wallBase = wallStart;
  }
  now(): number {
    return this.t;
  }
  wallNow(): number {
    return this.wallBase + this.t;
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = this.seq++;
    this.live.add(id);
    queueMicrotask(() => {
      if (!this.live.delete(id)) return;
      this.t += Math.max(0, ms);
      fn();
    });
    return { id };
  }
  clear(handle: TimerHandle | undefined | null): void {
    if (handle) this.live.delete(handle.id);
  }
  /** Move simulated time forward (time spent by a simulated action). */
  advance(ms: number): void {
    this.t += Math.max(0, ms);
  }
}
