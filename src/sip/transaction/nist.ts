/**
 * Non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8).
 *
 *   Trying --TU 1xx--> Proceeding --TU 200-699--> Completed --Timer J--> Terminated
 *   Retransmitted requests are absorbed: nothing is sent in Trying, the last response is resent
 *   in Proceeding and Completed. Timer J is 64*T1 on unreliable transports, 0 on reliable ones.
 *
 * RFC 3261 gives the TU unlimited time to answer; a client gives up after Timer F (64*T1), so a
 * transaction still unanswered after that long is dropped (logged) rather than kept forever.
 */
import { wireText, type SipRequest, type SipResponse } from '../message/index.js';
import { deadlineQueue, type DeadlineSlot, type DeadlineTarget } from './deadline-queue.js';
import { ServerTransactionBase, type ServerTransactionInit } from './server-base.js';

export type NistState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export class NonInviteServerTransaction extends ServerTransactionBase implements DeadlineTarget {
  state: NistState = 'trying';
  /** The final response as wire text, once Completed on an unreliable transport. */
  private finalText: string | null = null;
  /**
   * The one wait running: the answer guard in Trying/Proceeding, Timer J in Completed. Both are
   * 64*T1 on UDP, so they share a queue with every other transaction of this clock (one timer).
   */
  private deadline: DeadlineSlot | null;

  constructor(init: ServerTransactionInit) {
    super(init);
    this.deadline = deadlineQueue(this.env.clock, 64 * this.env.timers.T1).add(this);
  }

  /** The answer guard or Timer J ran out. */
  onDeadline(): void {
    this.deadline = null;
    if (this.ended) return;
    if (this.state === 'completed') {
      this.end();
      return;
    }
    this.env.log.warn({ tx: this.id, method: this.request.method }, 'SIP request never answered; transaction dropped');
    this.state = 'terminated';
    this.finish('timeout');
  }

  override terminate(): void {
    this.stopDeadline();
    super.terminate();
  }

  private stopDeadline(): void {
    if (this.deadline === null) return;
    this.deadline.queue.remove(this.deadline);
    this.deadline = null;
  }

  respond(res: SipResponse): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') {
      this.env.log.debug({ tx: this.id, status: res.status, state: this.state }, 'response after final ignored');
      return;
    }
    this.lastResponse = res;
    if (res.status < 200) {
      this.state = 'proceeding';
      this.transmit(res);
      return;
    }
    this.state = 'completed';
    this.finalSent = true;
    this.stopDeadline();
    this.transmit(res);
    if (this.ended) return;
    this.shrink();
    if (this.tv.J === 0) {
      this.end();
      return;
    }
    // Kept 64*T1 only to answer retransmissions: its wire text is all that is needed.
    this.finalText = wireText(res);
    this.lastResponse = null;
    this.releaseRequest();
    this.deadline = deadlineQueue(this.env.clock, this.tv.J).add(this);
  }

  receiveRequest(_req: SipRequest): void {
    // "any retransmissions of the request received while in [Proceeding/Completed] MUST be passed
    // to the transport layer for retransmission" of the last response; in Trying they are discarded.
    if (this.state === 'completed' && this.finalText !== null) this.retransmit(this.finalText);
    else if (this.state === 'proceeding' && this.lastResponse) this.transmit(this.lastResponse);
  }

  private end(): void {
    this.state = 'terminated';
    this.finish('completed');
  }

  protected override onTransportError(err: Error): void {
    this.state = 'terminated';
    super.onTransportError(err);
  }
}
