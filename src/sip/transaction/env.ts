/**
 * What a transaction state machine needs from the stack: a way to put a message on the wire,
 * the clock, timer settings, and a hook to be removed from the transaction table when it ends.
 */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { SipMessage, SipResponse } from '../message/index.js';
import type { Endpoint } from '../transport/types.js';
import type { DeadlineQueue } from './deadline-queue.js';
import type { ServerTransactionBase } from './server-base.js';
import type { TimerConfig } from './types.js';

export interface TransactionEnv {
  clock: Clock;
  log: Logger;
  timers: TimerConfig;
  /** Send msg to dest (preferring connectionId); onError is called for transport failures. */
  send(msg: SipMessage, dest: Endpoint, connectionId: string | null, onError: (err: Error) => void): void;
  /**
   * Send a non-INVITE transaction's final response on an unreliable transport and keep, in place
   * of tx, only what answers retransmitted requests until Timer J (§17.2.2): the key, the bytes
   * exactly as sent and where they went. tx is left to the TU.
   */
  complete(tx: ServerTransactionBase, res: SipResponse, onError: (err: Error) => void): void;
  /**
   * The stack's one queue for its waits of 64*T1: a non-INVITE server transaction's answer guard,
   * Timer J of completed ones (on UDP), Timer F, Timer L. Sharing it keeps its one clock timer
   * armed under load: a queue of its own for the answer guard alone emptied after nearly every
   * request and started and cleared a Node timer each time.
   */
  longWaits: DeadlineQueue;
}

/** Reliable transports (TCP, TLS, WS, WSS) need no retransmissions (RFC 3261 §17.1.1.2). */
export function isReliable(dest: Endpoint): boolean {
  return dest.proto !== 'UDP';
}

/** Runs a TU callback so that a throwing handler never breaks the state machine. */
export function callSafely(log: Logger, what: string, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    log.warn({ err, what }, 'SIP transaction user callback threw');
  }
}
