/**
 * A 2xx to an INVITE (initial or re-INVITE) that herald sent as UAS, retransmitted until the ACK
 * comes. RFC 3261 §13.3.1.4: "the 2xx response is passed to the transport with an interval that
 * starts at T1 seconds and doubles for each retransmission until it reaches T2 seconds ... until
 * an ACK request for the 2xx response is received". "If the server retransmits the 2xx response
 * for 64*T1 seconds without receiving an ACK, the dialog is confirmed, but the session SHOULD be
 * terminated" (BYE): onGiveUp is called at exactly 64*T1 after the first send. One timer on the
 * stack's clock at a time; stop() clears it.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { TimerConfig } from '../../sip/transaction/types.js';

export class OkRetransmission {
  private timer: TimerHandle | null = null;
  private interval: number;
  /** Time since the first send at which the current wait ends. */
  private at = 0;
  private readonly deadline: number;
  private stopped = false;

  /** The first send is the caller's; retransmit() then runs at T1, 3*T1, 7*T1 … until stop(). */
  constructor(
    private readonly clock: Clock,
    private readonly timers: TimerConfig,
    private readonly retransmit: () => void,
    private readonly onGiveUp: () => void,
  ) {
    this.interval = timers.T1;
    this.deadline = 64 * timers.T1;
    this.arm();
  }

  /** The ACK arrived (or the call ended): no more retransmissions. */
  stop(): void {
    this.stopped = true;
    this.clock.clear(this.timer);
    this.timer = null;
  }

  get active(): boolean {
    return !this.stopped;
  }

  private arm(): void {
    const wait = Math.min(this.interval, this.deadline - this.at);
    this.at += wait;
    this.timer = this.clock.setTimer(wait, () => this.fire());
  }

  private fire(): void {
    this.timer = null;
    if (this.stopped) return;
    if (this.at >= this.deadline) {
      this.stopped = true;
      this.onGiveUp();
      return;
    }
    this.retransmit();
    if (this.stopped) return;
    this.interval = Math.min(2 * this.interval, this.timers.T2);
    this.arm();
  }
}
