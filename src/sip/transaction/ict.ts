/**
 * INVITE client transaction, RFC 3261 §17.1.1 (Figure 5) as amended by RFC 6026 §7.2:
 *
 *   Calling --1xx--> Proceeding
 *   Calling/Proceeding --300-699--> Completed (ACK sent, same branch) --Timer D--> Terminated
 *   Calling/Proceeding --2xx--> Accepted --Timer M--> Terminated
 *
 * Timer A retransmits the INVITE on unreliable transports (T1, doubling, no cap); Timer B (64*T1)
 * ends a transaction still in Calling with onTimeout. In Accepted every 2xx (retransmissions and
 * forked answers) goes to the TU through onFinal, because acknowledging 2xx is the TU's job.
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import type { Endpoint } from '../transport/types.js';
import { deadlineQueue, type DeadlineSlot, type DeadlineTarget } from './deadline-queue.js';
import { buildCancel, buildNon2xxAck } from './derived-requests.js';
import { callSafely, isReliable, type TransactionEnv } from './env.js';
import { NamedTimers, timerValues, type TimerValues } from './timers.js';
import type { ClientTransaction, ClientTransactionHandlers } from './types.js';

export type IctState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

/** Starts the CANCEL's own non-INVITE client transaction (the stack does this, without a new Via). */
export type CancelSender = (cancel: SipRequest, dest: Endpoint, connectionId: string | null) => void;

export class InviteClientTransaction implements ClientTransaction, DeadlineTarget {
  state: IctState = 'calling';
  private readonly timers: NamedTimers;
  /**
   * Timer M (Accepted) or D (Completed): fixed waits, the same for every transaction of this
   * clock, so each length has one shared queue (one Node timer) instead of a timer per call.
   */
  private finalWait: DeadlineSlot | null = null;
  private readonly tv: TimerValues;
  private readonly reliable: boolean;
  private retransmitInterval: number;
  private ack: SipRequest | null = null;
  private cancelWanted: { reason: string | undefined } | null = null;
  private cancelSent = false;

  constructor(
    readonly id: string,
    readonly request: SipRequest,
    private readonly dest: Endpoint,
    private readonly connectionId: string | null,
    private readonly handlers: ClientTransactionHandlers,
    private readonly env: TransactionEnv,
    private readonly sendCancel: CancelSender,
    private readonly onEnd: (tx: InviteClientTransaction) => void,
  ) {
    this.timers = new NamedTimers(env.clock);
    this.reliable = isReliable(dest);
    this.tv = timerValues(env.timers, this.reliable);
    this.retransmitInterval = this.tv.A;
  }

  start(): void {
    this.transmit(this.request);
    if (this.state === 'terminated') return;
    if (!this.reliable) this.timers.start('A', this.retransmitInterval, () => this.onTimerA());
    this.timers.start('B', this.tv.B, () => this.onTimerB());
  }

  /**
   * §9.1: "If no provisional response has been received, the CANCEL request MUST NOT be sent;
   * rather, the client MUST wait for the arrival of a provisional response before sending the
   * request. If the original request has generated a final response, the CANCEL SHOULD NOT be
   * sent."
   */
  cancel(reason?: string): void {
    if (this.state === 'calling') this.cancelWanted = { reason };
    else if (this.state === 'proceeding') this.sendCancelNow(reason);
  }

  receiveResponse(res: SipResponse): void {
    switch (this.state) {
      case 'calling':
      case 'proceeding':
        if (res.status < 200) {
          this.enterProceeding();
          callSafely(this.env.log, 'onProvisional', () => this.handlers.onProvisional?.(res));
        } else if (res.status < 300) {
          this.enterAccepted();
          callSafely(this.env.log, 'onFinal', () => this.handlers.onFinal(res));
        } else {
          this.enterCompleted(res);
          callSafely(this.env.log, 'onFinal', () => this.handlers.onFinal(res));
        }
        return;
      case 'completed':
        // "Any retransmissions of the final response that are received while in the
        // 'Completed' state MUST cause the ACK to be re-passed to the transport layer".
        if (res.status >= 300 && this.ack) this.transmit(this.ack);
        return;
      case 'accepted':
        // RFC 6026 §7.2: 2xx in Accepted go to the TU; anything else is discarded.
        if (res.status >= 200 && res.status < 300) callSafely(this.env.log, 'onFinal', () => this.handlers.onFinal(res));
        return;
      case 'terminated':
        return;
    }
  }

  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timers.stopAll();
    if (this.finalWait !== null) {
      this.finalWait.queue.remove(this.finalWait);
      this.finalWait = null;
    }
    this.onEnd(this);
  }

  /** Timer M or D ran out. */
  onDeadline(): void {
    this.finalWait = null;
    this.terminate();
  }

  private enterProceeding(): void {
    if (this.state === 'calling') {
      this.state = 'proceeding';
      this.timers.stop('A');
      // Timer B only guards the Calling state (Figure 5).
      this.timers.stop('B');
      if (this.cancelWanted) this.sendCancelNow(this.cancelWanted.reason);
    }
  }

  private enterAccepted(): void {
    this.state = 'accepted';
    this.timers.stopAll();
    this.finalWait = deadlineQueue(this.env.clock, this.tv.M).add(this);
  }

  private enterCompleted(res: SipResponse): void {
    this.state = 'completed';
    this.timers.stopAll();
    this.ack = buildNon2xxAck(this.request, res);
    this.transmit(this.ack);
    if (this.tv.D === 0) this.terminate();
    else if (this.state === 'completed') this.finalWait = deadlineQueue(this.env.clock, this.tv.D).add(this);
  }

  private sendCancelNow(reason: string | undefined): void {
    if (this.cancelSent) return;
    this.cancelSent = true;
    this.cancelWanted = null;
    this.sendCancel(buildCancel(this.request, reason), this.dest, this.connectionId);
    // §9.1: "If no final response has been received after 64*T1 seconds, the client SHOULD then
    // consider the original transaction cancelled and SHOULD destroy the client transaction".
    this.timers.start('cancel', 64 * this.env.timers.T1, () => this.onTimerB());
  }

  private transmit(msg: SipRequest): void {
    this.env.send(msg, this.dest, this.connectionId, (err) => this.onTransportError(err));
  }

  private onTimerA(): void {
    if (this.state !== 'calling') return;
    this.transmit(this.request);
    this.retransmitInterval *= 2;
    this.timers.start('A', this.retransmitInterval, () => this.onTimerA());
  }

  private onTimerB(): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.terminate();
    callSafely(this.env.log, 'onTimeout', () => this.handlers.onTimeout?.());
  }

  private onTransportError(err: Error): void {
    if (this.state !== 'calling' && this.state !== 'proceeding') return;
    this.terminate();
    callSafely(this.env.log, 'onTransportError', () => this.handlers.onTransportError?.(err));
  }
}
