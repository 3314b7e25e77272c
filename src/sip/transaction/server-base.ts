/**
 * What the INVITE and non-INVITE server transactions share: identity, the response destination,
 * reply() with a stable To tag, TU callbacks, and removal from the table when terminated.
 */
import { createResponse, newTag, type SipRequest, type SipResponse } from '../message/index.js';
import type { Endpoint } from '../transport/types.js';
import { callSafely, isReliable, type TransactionEnv } from './env.js';
import { timerValues, type TimerValues } from './timers.js';
import type { ServerTransaction } from './types.js';

/** A tag parameter after the URI (a quick look; the full parse is not needed to decide). */
const HAS_TAG = /;\s*tag\s*=/i;

export type TerminationReason = 'completed' | 'timeout' | 'transport-error';

export interface ServerTransactionInit {
  id: string;
  /** §8.2.2.2 merged-request key the stack filed the transaction under, if any. */
  mergeKey?: string | null;
  request: SipRequest;
  /** The socket peer the request came from. */
  source: Endpoint;
  connectionId: string | null;
  /** Where responses go (RFC 3261 §18.2.2 with RFC 3581 rport), computed by the stack. */
  responseDest: Endpoint;
  env: TransactionEnv;
  onEnd: (tx: ServerTransactionBase) => void;
}

export abstract class ServerTransactionBase implements ServerTransaction {
  readonly id: string;
  readonly mergeKey: string | null;
  /**
   * The request that created the transaction. Once a non-INVITE transaction has sent its final
   * response on UDP the stack keeps only that response's bytes (CompletedServerRecord), so this
   * object, request included, lives only as long as the TU holds it.
   */
  readonly request: SipRequest;
  readonly source: Endpoint;
  readonly connectionId: string | null;
  readonly responseDest: Endpoint;
  /** Our To tag, made on first use (a TU that sets its own, e.g. a dialog's, never needs it). */
  private tag: string | null;
  /** The request came without a To tag (responses get ours). */
  private readonly toTagMissing: boolean;
  protected readonly env: TransactionEnv;
  protected readonly tv: TimerValues;
  protected readonly reliable: boolean;
  protected lastResponse: SipResponse | null = null;
  protected ended = false;
  protected finalSent = false;
  private readonly onEnd: (tx: ServerTransactionBase) => void;
  // Allocated on first use: most transactions never get a handler.
  private cancelHandlers: Array<(cancel: SipRequest) => void> | null = null;
  private terminatedHandlers: Array<(reason: TerminationReason) => void> | null = null;
  private terminationReported = false;

  constructor(init: ServerTransactionInit) {
    this.id = init.id;
    this.mergeKey = init.mergeKey ?? null;
    this.request = init.request;
    this.source = init.source;
    this.connectionId = init.connectionId;
    this.responseDest = init.responseDest;
    this.env = init.env;
    this.onEnd = init.onEnd;
    this.reliable = isReliable(init.responseDest);
    this.tv = timerValues(init.env.timers, this.reliable);
    this.tag = init.request.toTag;
    this.toTagMissing = this.tag === null;
  }

  /** The To tag this transaction uses in every response it builds (§8.2.6.2). */
  get toTag(): string {
    return (this.tag ??= newTag());
  }

  abstract respond(res: SipResponse): void;
  /** A retransmission of the request that created this transaction arrived. */
  abstract receiveRequest(req: SipRequest): void;
  /** True once a final response has been handed to the transport. */
  get hasFinalResponse(): boolean {
    return this.finalSent;
  }

  reply(status: number, reason?: string, extraHeaders?: Array<[string, string]>, body?: { type: string; data: Buffer }): SipResponse {
    const res = createResponse(this.request, status, reason, status > 100 ? { toTag: this.toTag } : undefined);
    for (const [name, value] of extraHeaders ?? []) res.headers.append(name, value);
    if (body) {
      res.headers.set('Content-Type', body.type);
      res.body = body.data;
    }
    this.respond(res);
    return res;
  }

  /**
   * §8.2.7 stateless answer. Only a non-INVITE transaction can forget itself at once (an INVITE's
   * non-2xx final stays in its transaction to absorb the ACK), so here it is an ordinary reply.
   */
  replyStateless(status: number, reason?: string, extraHeaders?: Array<[string, string]>): SipResponse {
    return this.reply(status, reason, extraHeaders);
  }

  onCancel(handler: (cancel: SipRequest) => void): void {
    (this.cancelHandlers ??= []).push(handler);
  }

  onTerminated(handler: (reason: TerminationReason) => void): void {
    (this.terminatedHandlers ??= []).push(handler);
  }

  /**
   * The stack has handed the request to the TU (or answered it itself) and that call returned;
   * a transaction still unanswered now waits for its answer (non-INVITE: at most 64*T1).
   */
  dispatched(): void {}

  /** Stop timers and leave the table without telling the TU (stack shutdown). */
  terminate(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd(this);
  }

  /**
   * Once a final response is out, the transaction only retransmits it: drop the parsed-header
   * caches of the request and response (they are rebuilt lazily if anyone asks again), which
   * keeps a completed transaction small while it waits out Timer J / H / L.
   */
  protected shrink(): void {
    this.request.invalidate();
    this.lastResponse?.invalidate();
  }

  protected finish(reason: TerminationReason): void {
    this.reportTermination(reason);
    this.terminate();
  }

  protected reportTermination(reason: TerminationReason): void {
    if (this.terminationReported) return;
    this.terminationReported = true;
    if (this.terminatedHandlers === null) return;
    for (const h of this.terminatedHandlers) callSafely(this.env.log, 'onTerminated', () => h(reason));
  }

  protected runCancelHandlers(cancel: SipRequest): void {
    for (const h of this.cancelHandlers ?? []) callSafely(this.env.log, 'onCancel', () => h(cancel));
  }

  /**
   * §8.2.6.2: "the UAS MUST add a tag to the To header field in the response (with the exception
   * of the 100 (Trying) response". A TU that built its own response without one gets ours.
   */
  protected transmit(res: SipResponse): void {
    this.prepare(res);
    this.env.send(res, this.responseDest, this.connectionId, (err) => this.onTransportError(err));
  }

  /** Our To tag on a response that lacks one, where §8.2.6.2 asks for it. */
  protected prepare(res: SipResponse): void {
    if (res.status > 100 && this.toTagMissing) this.ensureToTag(res);
  }

  private ensureToTag(res: SipResponse): void {
    try {
      const to = res.headers.get('To');
      if (to === undefined || HAS_TAG.test(to)) return;
      res.headers.set('To', `${to};tag=${this.toTag}`);
      res.invalidate();
    } catch (err) {
      this.env.log.debug({ err, tx: this.id }, 'could not add To tag');
    }
  }

  /** §17.2.4: "the server transaction ... SHOULD ... inform the TU that a failure has occurred". */
  protected onTransportError(err: Error): void {
    if (this.ended) return;
    this.env.log.debug({ err, tx: this.id }, 'SIP response could not be sent');
    this.finish('transport-error');
  }
}
