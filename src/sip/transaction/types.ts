/**
 * The SIP stack the upper layers (registrar, presence, channels) use: RFC 3261 §17 transactions
 * over a SipTransport, plus method dispatch. Implemented in src/sip/transaction/ and
 * src/sip/stack.ts (`createSipStack(opts): SipStack`).
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import type { Endpoint, InboundMessage } from '../transport/types.js';

export interface TimerConfig {
  /** RTT estimate, default 500 ms. */
  T1: number;
  /** Max retransmit interval for non-INVITE requests and INVITE responses, default 4000 ms. */
  T2: number;
  /** Max time a message stays in the network, default 5000 ms. */
  T4: number;
}

export interface ServerTransaction {
  readonly id: string;
  readonly request: SipRequest;
  /** Where the request came from (responses go here, per RFC 3261 §18.2.2 / RFC 3581). */
  readonly source: Endpoint;
  readonly connectionId: string | null;
  /** Send a response; a final response ends the transaction per its state machine. */
  respond(res: SipResponse): void;
  /** Convenience: createResponse(request, status, reason) with optional extra headers, then respond. */
  reply(status: number, reason?: string, extraHeaders?: Array<[string, string]>, body?: { type: string; data: Buffer }): SipResponse;
  /**
   * RFC 3261 §8.2.7 stateless UAS: like reply() for a final status, but a non-INVITE transaction
   * is then forgotten at once (no Timer J): a retransmitted request arrives as a new request and is
   * answered again, with the same To tag (computed from the request). For digest challenges. An
   * INVITE transaction, or a provisional status, replies as usual.
   */
  replyStateless(status: number, reason?: string, extraHeaders?: Array<[string, string]>): SipResponse;
  /** INVITE server transactions: called when a matching CANCEL arrives (the stack has already answered the CANCEL 200). */
  onCancel(handler: (cancel: SipRequest) => void): void;
  /** INVITE server transactions: called when the ACK for a non-2xx final arrives or Timer H fires. */
  onTerminated(handler: (reason: 'completed' | 'timeout' | 'transport-error') => void): void;
}

export interface ClientTransactionHandlers {
  onProvisional?(res: SipResponse): void;
  onFinal(res: SipResponse): void;
  /** Timer B/F fired (a 408 is also synthesised and passed to onFinal first? No: only onTimeout is called). */
  onTimeout?(): void;
  onTransportError?(err: Error): void;
}

export interface ClientTransaction {
  readonly id: string;
  readonly request: SipRequest;
  /** INVITE client transactions only: send CANCEL per §9.1 (waits for a provisional first). */
  cancel(reason?: string): void;
}

export interface RequestContext {
  inbound: InboundMessage;
  /** Null for ACK (no server transaction) and for stray requests handled statelessly. */
  tx: ServerTransaction | null;
}

/** A handler for one method; it must answer through ctx.tx (or ignore ACK). */
export type MethodHandler = (req: SipRequest, ctx: RequestContext) => void;

export interface SipStack {
  readonly timers: TimerConfig;
  /** Route requests of this method (upper-case) to handler. Unrouted methods get 501 with Allow. */
  handle(method: string, handler: MethodHandler): void;
  /** Methods currently routed, for Allow headers. */
  allowedMethods(): string[];
  /** Send a request through a new client transaction (adds Via with a fresh branch, Max-Forwards 70 if absent). */
  request(req: SipRequest, dest: Endpoint, handlers: ClientTransactionHandlers, opts?: { connectionId?: string | null }): ClientTransaction;
  /** Send a response or ACK outside a transaction (2xx ACK, stateless replies). */
  sendStateless(msg: SipRequest | SipResponse, dest: Endpoint, opts?: { connectionId?: string | null }): void;
  /** Counts for leak tests and `sip show` output. */
  stats(): { serverTransactions: number; clientTransactions: number };
  close(): Promise<void>;
}
