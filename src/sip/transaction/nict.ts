/**
 * Non-INVITE client transaction, RFC 3261 §17.1.2 (Figure 6).
 *
 *   Trying --1xx--> Proceeding --200-699--> Completed --Timer K--> Terminated
 *   Timer E retransmits on unreliable transports (doubling, capped at T2; "reset with a value
 *   of T2" once in Proceeding); Timer F (64*T1) ends the transaction with onTimeout.
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import type { Endpoint } from '../transport/types.js';
import { deadlineQueue, type DeadlineSlot, type DeadlineTarget } from './deadline-queue.js';
import { callSafely, isReliable, type TransactionEnv } from './env.js';
import { NamedTimers, timerValues, type TimerValues } from './timers.js';
import type { ClientTransaction, ClientTransactionHandlers } from './types.js';

export type NictState = 'trying' | 'proceeding' | 'completed' | 'terminated';

const COMPLETED: ClientTransactionHandlers = { onFinal: () => undefined };

export class NonInviteClientTransaction implements ClientTransaction, DeadlineTarget {
  state: NictState = 'trying';
  private readonly timers: NamedTimers;
  /** Timer K: T4 for every completed transaction of this clock, so one shared queue serves them. */
  private timerK: DeadlineSlot | null = null;
  private readonly tv: TimerValues;
  private readonly reliable: boolean;
  private retransmitInterval: number;

  constructor(
    readonly id: string,
    readonly request: SipRequest,
    private readonly dest: Endpoint,
    private readonly connectionId: string | null,
    private handlers: ClientTransactionHandlers,
    private readonly env: TransactionEnv,
    private readonly onEnd: (tx: NonInviteClientTransaction) => void,
  ) {
    this.timers = new NamedTimers(env.clock);
    this.reliable = isReliable(dest);
    this.tv = timerValues(env.timers, this.reliable);
    this.retransmitInterval = this.tv.E;
  }

  /** Send the request and arm Timers E and F. */
  start(): void {
    this.transmit();
    if (this.state === 'terminated') return;
    if (!this.reliable) this.timers.start('E', this.retransmitInterval, () => this.onTimerE());
    this.timers.start('F', this.tv.F, () => this.onTimerF());
  }

  /** Non-INVITE requests cannot be cancelled (§9.1: "CANCEL ... SHOULD NOT be sent" for them). */
  cancel(): void {}

  receiveResponse(res: SipResponse): void {
    if (this.state === 'terminated' || this.state === 'completed') return; // absorbed
    if (res.status < 200) {
      this.state = 'proceeding';
      callSafely(this.env.log, 'onProvisional', () => this.handlers.onProvisional?.(res));
      return;
    }
    this.state = 'completed';
    this.timers.stop('E');
    this.timers.stop('F');
    const handlers = this.handlers;
    // Completed: only absorbing retransmitted responses until Timer K; let go of the TU's callbacks.
    this.handlers = COMPLETED;
    callSafely(this.env.log, 'onFinal', () => handlers.onFinal(res));
    // "Timer K ... T4 for unreliable, zero for reliable" (§17.1.2.2).
    if (this.tv.K === 0) this.terminate();
    else this.startTimerK();
  }

  /** No closure here: one created in receiveResponse would keep the response alive for Timer K. */
  private startTimerK(): void {
    if (this.state === 'completed') this.timerK = deadlineQueue(this.env.clock, this.tv.K).add(this);
  }

  /** Timer K ran out. */
  onDeadline(): void {
    this.timerK = null;
    this.terminate();
  }

  /** Stop everything without calling the TU (stack shutdown). */
  terminate(): void {
    if (this.state === 'terminated') return;
    this.state = 'terminated';
    this.timers.stopAll();
    if (this.timerK !== null) {
      this.timerK.queue.remove(this.timerK);
      this.timerK = null;
    }
    this.onEnd(this);
  }

  private transmit(): void {
    this.env.send(this.request, this.dest, this.connectionId, (err) => this.onTransportError(err));
  }

  private onTimerE(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.transmit();
    // Trying: "reset with a value of MIN(2*T1, T2)" and so on; Proceeding: "reset with T2".
    this.retransmitInterval = this.state === 'proceeding' ? this.env.timers.T2 : Math.min(2 * this.retransmitInterval, this.env.timers.T2);
    this.timers.start('E', this.retransmitInterval, () => this.onTimerE());
  }

  private onTimerF(): void {
    if (this.state !== 'trying' && this.state !== 'proceeding') return;
    this.terminate();
    callSafely(this.env.log, 'onTimeout', () => this.handlers.onTimeout?.());
  }

  private onTransportError(err: Error): void {
    if (this.state === 'terminated' || this.state === 'completed') return;
    this.terminate();
    callSafely(this.env.log, 'onTransportError', () => this.handlers.onTransportError?.(err));
  }
}
