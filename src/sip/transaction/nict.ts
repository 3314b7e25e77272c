/**
 * Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6).
 *
 *   Trying --1xx--> Proceeding --200-699--> Completed --Timer K--> Terminated
 *   Timer E retransmits on unreliable transports (doubling, capped at T2; "reset with a value
 *   of T2" once in Proceeding); Timer F (64*T1) ends the transaction with onTimeout.
 *
 * Completed only absorbs retransmitted responses until Timer K (T4 on UDP): the stack does that
 * with nothing but the transaction key (onEnd(tx, true)), so this object, its request included,
 * is not kept for those 5 s.
 *
 * Every wait is a slot in a shared deadline queue of its length (Timer F one, Timer E one per
 * interval: T1, 2*T1, … T2): a fan-out of 10,000 NOTIFYs used to start 20,000 Node timers with
 * their closures and a Map per transaction, most of them cleared again by the 200.
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import type { Endpoint } from '../transport/types.js';
import { deadlineQueue, type DeadlineQueue, type DeadlineTarget } from './deadline-queue.js';
import { isReliable, type TransactionEnv } from './env.js';
import { timerValues, type TimerValues } from './timers.js';
import type { ClientTransaction, ClientTransactionHandlers } from './types.js';

export type NictState = 'trying' | 'proceeding' | 'completed' | 'terminated';

const COMPLETED: ClientTransactionHandlers = { onFinal: () => undefined };

export class NonInviteClientTransaction implements ClientTransaction, DeadlineTarget {
  state: NictState = 'trying';
  /** Timer E (retransmit), running in Trying and Proceeding on unreliable transports. */
  private timerE: DeadlineQueue | null = null;
  private timerESeq = 0;
  /** Timer F (64*T1) in Trying and Proceeding. */
  private timerF: DeadlineQueue | null = null;
  private timerFSeq = 0;
  private readonly tv: TimerValues;
  private readonly reliable: boolean;
  private retransmitInterval: number;
  private readonly onSendError = (err: Error): void => this.onTransportError(err);

  constructor(
    readonly id: string,
    readonly request: SipRequest,
    private readonly dest: Endpoint,
    private readonly connectionId: string | null,
    private handlers: ClientTransactionHandlers,
    private readonly env: TransactionEnv,
    /** absorbing: Completed on an unreliable transport, the stack absorbs responses until Timer K. */
    private readonly onEnd: (tx: NonInviteClientTransaction, absorbing: boolean) => void,
  ) {
    this.reliable = isReliable(dest);
    this.tv = timerValues(env.timers, this.reliable);
    this.retransmitInterval = this.tv.E;
  }

  /** Send the request and arm Timers E and F. */
  start(): void {
    this.transmit();
    if (this.state === 'terminated') return;
    if (!this.reliable) this.startTimerE();
    // Timer F is 64*T1: the stack's queue of such waits.
    this.timerF = this.tv.F === this.env.longWaits.delayMs ? this.env.longWaits : deadlineQueue(this.env.clock, this.tv.F);
    this.timerFSeq = this.timerF.addSeq(this);
  }

  /** Non-INVITE requests cannot be cancelled (§9.1: "CANCEL ... SHOULD NOT be sent" for them). */
  cancel(): void {}

  receiveResponse(res: SipResponse): void {
    if (this.state === 'terminated' || this.state === 'completed') return; // absorbed
    if (res.status < 200) {
      this.state = 'proceeding';
      const onProvisional = this.handlers.onProvisional;
      if (onProvisional !== undefined) this.callTu('onProvisional', this.handlers, onProvisional, res);
      return;
    }
    this.state = 'completed';
    this.stopTimerE();
    this.stopTimerF();
    const handlers = this.handlers;
    // Completed: only absorbing retransmitted responses until Timer K; let go of the TU's callbacks.
    this.handlers = COMPLETED;
    this.callTu('onFinal', handlers, handlers.onFinal, res);
    if (this.state !== 'completed') return; // the TU closed the stack
    // "Timer K ... T4 for unreliable, zero for reliable" (§17.1.2.2); the stack keeps the key.
    this.state = 'terminated';
    this.onEnd(this, this.tv.K > 0);
  }

  /** Timer E or F ran out. */
  onDeadline(queue: DeadlineQueue, seq: number): void {
    if (this.timerE === queue && this.timerESeq === seq) {
      this.timerE = null;
      this.onTimerE();
      return;
    }
    this.timerF = null;
    if (this.state === 'trying' || this.state === 'proceeding') this.onTimerF();
  }

  /** Stop everything without calling the TU (stack shutdown). */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.stopTimerE();
    this.stopTimerF();
    this.onEnd(this, false);
  }

  /** Timer E at the current interval (the queue and place are kept, no slot object). */
  private startTimerE(): void {
    this.timerE = deadlineQueue(this.env.clock, this.retransmitInterval);
    this.timerESeq = this.timerE.addSeq(this);
  }

  private stopTimerE(): void {
    if (this.timerE === null) return;
    this.timerE.removeSeq(this.timerESeq);
    this.timerE = null;
  }

  private stopTimerF(): void {
    if (this.timerF === null) return;
    this.timerF.removeSeq(this.timerFSeq);
    this.timerF = null;
  }

  private transmit(): void {
    this.env.send(this.request, this.dest, this.connectionId, this.onSendError);
  }

  private onTimerE(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.transmit();
    if (this.state !== 'trying' && this.state !== 'proceeding') return; // transport error
    // Trying: "reset with a value of MIN(2*T1, T2)" and so on; Proceeding: "reset with T2".
    this.retransmitInterval = this.state === 'proceeding' ? this.env.timers.T2 : Math.min(2 * this.retransmitInterval, this.env.timers.T2);
    this.startTimerE();
  }

  private onTimerF(): void {
    this.terminate();
    const onTimeout = this.handlers.onTimeout;
    if (onTimeout !== undefined) this.callTu('onTimeout', this.handlers, onTimeout, undefined);
  }

  private onTransportError(err: Error): void {
    if (this.state === 'terminated' || this.state === 'completed') return;
    this.terminate();
    const onTransportError = this.handlers.onTransportError;
    if (onTransportError !== undefined) this.callTu('onTransportError', this.handlers, onTransportError, err);
  }

  /** A TU callback that throws never breaks the state machine (no closure per call). */
  private callTu<T>(what: string, handlers: ClientTransactionHandlers, fn: (arg: T) => void, arg: T): void {
    try {
      fn.call(handlers, arg);
    } catch (err) {
      this.env.log.warn({ err, what }, 'SIP transaction user callback threw');
    }
  }
}
