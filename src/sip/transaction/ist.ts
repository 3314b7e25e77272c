/**
 * INVITE server transaction, RFC 3261 §17.2.1 (Figure 7) as amended by RFC 6026 §7.1:
 *
 *   Proceeding --TU 2xx--> Accepted --Timer L--> Terminated
 *   Proceeding --TU 300-699--> Completed --ACK--> Confirmed --Timer I--> Terminated
 *                              Completed --Timer H--> Terminated (onTerminated 'timeout')
 *
 * 100 Trying is sent at once when the transaction is created (§17.2.1 allows answering at once
 * instead of waiting 200 ms). Timer G retransmits a non-2xx final on unreliable transports (T1,
 * doubling, capped at T2). In Accepted, retransmitted INVITEs are absorbed and 2xx
 * retransmissions are the TU's job (it calls respond() again); ACKs there go to the TU.
 */
import { createResponse, type SipRequest, type SipResponse } from '../message/index.js';
import type { DeadlineSlot, DeadlineTarget } from './deadline-queue.js';
import { ServerTransactionBase, type ServerTransactionInit } from './server-base.js';
import { NamedTimers } from './timers.js';

export type IstState = 'proceeding' | 'accepted' | 'completed' | 'confirmed' | 'terminated';

export class InviteServerTransaction extends ServerTransactionBase implements DeadlineTarget {
  state: IstState = 'proceeding';
  /** Timers G, H and I. */
  private readonly timers: NamedTimers;
  private retransmitInterval: number;
  /** Timer L (64*T1): one shared queue per clock serves every answered call's transaction. */
  private timerL: DeadlineSlot | null = null;

  constructor(init: ServerTransactionInit) {
    super(init);
    this.timers = new NamedTimers(init.env.clock);
    this.retransmitInterval = this.tv.G;
  }

  /** Send 100 Trying (§17.2.1: "the server transaction MUST generate a 100 (Trying) response"). */
  start(): void {
    const trying = createResponse(this.request, 100, 'Trying');
    this.lastResponse = trying;
    this.transmit(trying);
  }

  respond(res: SipResponse): void {
    if (this.state === 'accepted') {
      // RFC 6026 §7.1: 2xx from the TU in Accepted are passed to the transport (retransmissions).
      if (res.status >= 200 && res.status < 300) this.transmit(res);
      return;
    }
    if (this.state !== 'proceeding') {
      this.env.log.debug({ tx: this.id, status: res.status, state: this.state }, 'response after final ignored');
      return;
    }
    this.lastResponse = res;
    if (res.status < 200) {
      this.transmit(res);
      return;
    }
    this.finalSent = true;
    if (res.status < 300) {
      this.state = 'accepted';
      this.transmit(res);
      if (this.ended) return;
      this.shrink();
      this.timerL = this.env.longWaits.add(this); // Timer L = 64*T1
      return;
    }
    this.state = 'completed';
    this.transmit(res);
    if (this.ended) return;
    this.shrink();
    if (!this.reliable) this.timers.start('G', this.retransmitInterval, () => this.onTimerG());
    this.timers.start('H', this.tv.H, () => this.end('timeout'));
  }

  receiveRequest(_req: SipRequest): void {
    // Proceeding: "the most recent provisional response ... MUST be passed to the transport";
    // Completed: the final response is retransmitted; Accepted (RFC 6026): absorbed.
    if ((this.state === 'proceeding' || this.state === 'completed') && this.lastResponse) this.transmit(this.lastResponse);
  }

  /**
   * An ACK matching this transaction. Returns true when the transaction consumed it; false in
   * Accepted, where the ACK (for a 2xx) belongs to the TU (RFC 6026 §7.1).
   */
  receiveAck(_ack: SipRequest): boolean {
    if (this.state === 'accepted') return false;
    if (this.state === 'completed') {
      this.state = 'confirmed';
      this.timers.stop('G');
      this.timers.stop('H');
      this.reportTermination('completed');
      if (this.tv.I === 0) this.end('completed');
      else this.timers.start('I', this.tv.I, () => this.end('completed'));
    }
    return true;
  }

  /**
   * §9.2: the stack has answered the CANCEL 200; the TU hears of it, and if it has not sent a
   * final response by the time its handlers return, the INVITE is answered 487.
   */
  cancelled(cancel: SipRequest): void {
    if (this.state !== 'proceeding') return;
    this.runCancelHandlers(cancel);
    if (this.state === 'proceeding' && !this.ended) this.reply(487, 'Request Terminated');
  }

  private onTimerG(): void {
    if (this.state !== 'completed' || !this.lastResponse) return;
    this.transmit(this.lastResponse);
    this.retransmitInterval = Math.min(2 * this.retransmitInterval, this.env.timers.T2);
    this.timers.start('G', this.retransmitInterval, () => this.onTimerG());
  }

  /** Timer L ran out. */
  onDeadline(): void {
    this.timerL = null;
    if (!this.ended) this.end('completed');
  }

  override terminate(): void {
    this.timers.stopAll();
    if (this.timerL !== null) {
      this.timerL.queue.remove(this.timerL);
      this.timerL = null;
    }
    super.terminate();
  }

  private end(reason: 'completed' | 'timeout'): void {
    this.state = 'terminated';
    this.finish(reason);
  }

  protected override onTransportError(err: Error): void {
    this.state = 'terminated';
    super.onTransportError(err);
  }
}
