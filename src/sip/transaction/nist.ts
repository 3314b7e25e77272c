/**
 * Non-INVITE server transaction, RFC 3261 §17.2.2 (Figure 8).
 *
 *   Trying --TU 1xx--> Proceeding --TU 200-699--> Completed --Timer J--> Terminated
 *   Retransmitted requests are absorbed: nothing is sent in Trying, the last response is resent
 *   in Proceeding and Completed. Timer J is 64*T1 on unreliable transports, 0 on reliable ones.
 *
 * Completed on UDP is the stack's: it keeps the final response's bytes under the transaction key
 * (CompletedServerRecord) and resends them for every retransmitted request until Timer J; this
 * object is done once the final response is out.
 *
 * RFC 3261 gives the TU unlimited time to answer; a client gives up after Timer F (64*T1), so a
 * transaction still unanswered after that long is dropped (logged) rather than kept forever.
 */
import type { SipRequest, SipResponse } from '../message/index.js';
import { createResponse } from '../message/index.js';
import type { DeadlineTarget } from './deadline-queue.js';
import { ServerTransactionBase } from './server-base.js';
import { statelessToTag } from './stateless-tag.js';

export type NistState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export class NonInviteServerTransaction extends ServerTransactionBase implements DeadlineTarget {
  state: NistState = 'trying';
  /** Place in the stack's queue of 64*T1 waits while the TU has not answered, -1 when not waiting. */
  private guardSeq = -1;

  /**
   * The answer guard starts once the TU's handler has returned without a final response: most
   * requests are answered within the handler, and need no place in the queue at all.
   */
  override dispatched(): void {
    if (this.ended || this.guardSeq >= 0 || (this.state !== 'trying' && this.state !== 'proceeding')) return;
    this.guardSeq = this.env.longWaits.addSeq(this);
  }

  /** The answer guard ran out. */
  onDeadline(): void {
    this.guardSeq = -1;
    if (this.ended) return;
    this.env.log.warn({ tx: this.id, method: this.request.method }, 'SIP request never answered; transaction dropped');
    this.state = 'terminated';
    this.finish('timeout');
  }

  override terminate(): void {
    this.stopGuard();
    super.terminate();
  }

  private stopGuard(): void {
    if (this.guardSeq < 0) return;
    this.env.longWaits.removeSeq(this.guardSeq);
    this.guardSeq = -1;
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
    this.stopGuard();
    if (this.tv.J === 0) {
      this.transmit(res);
      if (!this.ended) this.end();
      return;
    }
    this.prepare(res);
    this.env.complete(this, res, (err) => this.onTransportError(err));
    if (this.ended) return;
    // The stack answers retransmissions from here on: this object is the TU's alone.
    this.lastResponse = null;
    this.ended = true;
    this.reportTermination('completed');
  }

  /**
   * RFC 3261 §8.2.7 stateless UAS: the final response is sent and the transaction forgotten at
   * once (no Timer J). A retransmitted request then arrives as a new request and is answered
   * again; its To tag is the same for the same request (statelessToTag), as §8.2.7 requires.
   * Provisional statuses, or a transaction already answered, take the ordinary path.
   */
  override replyStateless(status: number, reason?: string, extraHeaders?: Array<[string, string]>): SipResponse {
    if (status < 200 || (this.state !== 'trying' && this.state !== 'proceeding')) return this.reply(status, reason, extraHeaders);
    const req = this.request;
    const res = createResponse(req, status, reason, { toTag: req.toTag ?? statelessToTag(req) });
    for (const [name, value] of extraHeaders ?? []) res.headers.append(name, value);
    this.state = 'terminated';
    this.finalSent = true;
    this.env.send(res, this.responseDest, this.connectionId, (err) => this.env.log.debug({ err, tx: this.id }, 'stateless SIP response could not be sent'));
    this.finish('completed');
    return res;
  }

  receiveRequest(_req: SipRequest): void {
    // "any retransmissions of the request received while in [Proceeding] MUST be passed to the
    // transport layer for retransmission" of the last response; in Trying they are discarded.
    if (this.state === 'proceeding' && this.lastResponse) this.transmit(this.lastResponse);
  }

  private end(): void {
    this.state = 'terminated';
    this.finish('completed');
  }

  protected override onTransportError(err: Error): void {
    if (this.ended) return;
    this.state = 'terminated';
    super.onTransportError(err);
  }
}
