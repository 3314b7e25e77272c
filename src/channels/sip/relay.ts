/**
 * While two dialogs are bridged, a re-INVITE, UPDATE or INFO from one side is sent to the other
 * in its dialog with the same body, and the answer comes back to the sender with the body it
 * carried (SDP passthrough: hold, codec changes and DTMF INFO reach the other phone). The 2xx of
 * a relayed re-INVITE is acknowledged toward the side that answered at once (our client
 * transaction's job, §13.2.2.4).
 * Glare (RFC 3261 §14.2): while a relayed re-INVITE waits for its answer, the dialog it was sent
 * in has an INVITE of ours outstanding (a re-INVITE from that side gets 491) and the dialog it
 * came from has one of its own unanswered (a second one gets 500 with Retry-After); the call
 * stays up either way.
 * The 2xx going back for a relayed re-INVITE is ours as UAS (§13.3.1.4): retransmitted at T1
 * doubling up to T2 until the sender's ACK for it arrives; 64*T1 without one → onNoAck (the call
 * ends with BYE). stop() clears those timers when the bridge ends.
 */
import type { Dialog } from '../../sip/dialog/dialog.js';
import type { SipRequest, SipResponse } from '../../sip/message/index.js';
import type { TimerHandle } from '../../core/clock.js';
import type { MediaBody } from '../../pbx/apps/dial.js';
import type { RequestContext, ServerTransaction } from '../../sip/transaction/types.js';
import type { CallsContext } from './context.js';
import { bodyOf } from './sdp.js';
import { OkRetransmission } from './ok-retransmission.js';

/** Relays one side's in-dialog requests into the other's dialog; stop() when the bridge ends. */
export type Relay = ((req: SipRequest, rctx: RequestContext) => void) & { stop(): void };

export interface RelayOptions {
  /** The dialog requests are relayed into (null once that side is gone). */
  target: () => Dialog | null;
  /** The sending side's dialog (its Contact goes back in a 2xx to a re-INVITE). */
  source: Dialog;
  /**
   * A relayed re-INVITE/UPDATE got a 2xx (a session refresh); returns headers to add to the 2xx
   * going back (Session-Expires when the answering side left it out).
   */
  onRefreshed?: (req: SipRequest, res: SipResponse) => Array<[string, string]>;
  /** Headers of a 200 herald gives itself instead of relaying (a refresh the other side cannot take), else null. */
  answerHere?: (req: SipRequest) => Array<[string, string]> | null;
  /** The sender never acknowledged our 2xx to its re-INVITE within 64*T1: end the call. */
  onNoAck: () => void;
}

const PASSED_HEADERS = ['Content-Disposition', 'Info-Package', 'Event', 'Session-Expires', 'Min-SE'];

/** Offers in UPDATEs (RFC 3311) relayed through a dialog and not answered yet. */
interface UpdateOffers {
  /** We sent an UPDATE with an offer into this dialog. */
  out: boolean;
  /** The phone of this dialog sent us an UPDATE with an offer. */
  in: boolean;
}

const updateOffers = new WeakMap<Dialog, UpdateOffers>();

function offersOf(d: Dialog): UpdateOffers {
  let o = updateOffers.get(d);
  if (!o) {
    o = { out: false, in: false };
    updateOffers.set(d, o);
  }
  return o;
}

function retryAfter(): Array<[string, string]> {
  return [['Retry-After', String(Math.floor(Math.random() * 11))]];
}

/**
 * Answer a re-INVITE, or an UPDATE with an offer, that glares in `own`; true when it was refused.
 * RFC 3261 §14.2 (re-INVITE), RFC 3311 §5.2 (UPDATE): an offer received while an offer we sent in
 * that dialog (INVITE or UPDATE) is unanswered → 491; one received while we have not answered an
 * offer from the same side → 500 with Retry-After (0-10 s).
 */
export function refuseGlaringInvite(own: Dialog, req: SipRequest, tx: ServerTransaction): boolean {
  const isUpdateOffer = req.method === 'UPDATE' && req.body.length > 0;
  if (req.method !== 'INVITE' && !isUpdateOffer) return false;
  const offers = updateOffers.get(own);
  if (own.inviteOutPending || offers?.out) {
    tx.reply(491, 'Request Pending');
    return true;
  }
  if (own.inviteInPending || offers?.in) {
    tx.reply(500, 'Server Internal Error', retryAfter());
    return true;
  }
  return false;
}

/**
 * An UPDATE in an early dialog (RFC 3311 §5.1: allowed before the 2xx), from `source` to the other
 * side's early dialog `target`. When there is none (the other side has no early dialog with us, or
 * it is gone), herald answers itself: 200 for a bodiless UPDATE (e.g. a session refresh), 488 for
 * an offer it cannot pass on.
 */
export function relayEarlyUpdate(ctx: CallsContext, req: SipRequest, rctx: RequestContext, source: Dialog | null, target: () => Dialog | null): void {
  const tx = rctx.tx;
  if (!tx) return;
  if (!source || !target()) {
    if (req.body.length > 0) tx.reply(488, 'Not Acceptable Here');
    else tx.reply(200, 'OK', source ? [['Contact', source.localContact]] : []);
    return;
  }
  if (refuseGlaringInvite(source, req, tx)) return;
  relayInto(ctx, { target, source, onNoAck: () => undefined })(req, rctx);
}

export function relayInto(ctx: CallsContext, opts: RelayOptions): Relay {
  const { target, source, onRefreshed, answerHere } = opts;
  const ownContact = source.localContact;
  /** Late-offer re-INVITEs whose 2xx waits for the sender's ACK, by the sender's CSeq. */
  const heldAcks = new Map<number, (body: MediaBody | null) => void>();
  /** Our 2xx to the sender's re-INVITEs, retransmitted until its ACK, by its CSeq. */
  const unacked = new Map<number, OkRetransmission>();
  let stopped = false;
  const relay = (req: SipRequest, rctx: RequestContext): void => {
    const tx = rctx.tx;
    const dialog = target();
    if (req.method === 'ACK') {
      unacked.get(req.cseq.seq)?.stop();
      unacked.delete(req.cseq.seq);
      heldAcks.get(req.cseq.seq)?.(bodyOf(req));
      return;
    }
    if (!tx) return;
    const own = answerHere?.(req) ?? null;
    if (own) {
      tx.reply(200, 'OK', own);
      return;
    }
    if (!dialog) {
      tx.reply(481, 'Call/Transaction Does Not Exist');
      return;
    }
    const extra: Array<[string, string]> = [];
    for (const name of PASSED_HEADERS) for (const v of req.headers.getAll(name)) extra.push([name, v]);
    const out = dialog.request(req.method, bodyOf(req) ?? undefined, extra);
    const seq = out.cseq.seq;
    const isInvite = req.method === 'INVITE';
    const isUpdateOffer = req.method === 'UPDATE' && req.body.length > 0;
    if (isInvite) {
      dialog.inviteOutPending = true;
      source.inviteInPending = true;
    } else if (isUpdateOffer) {
      offersOf(dialog).out = true;
      offersOf(source).in = true;
    }
    const settled = (): void => {
      if (isInvite) {
        dialog.inviteOutPending = false;
        source.inviteInPending = false;
      } else if (isUpdateOffer) {
        offersOf(dialog).out = false;
        offersOf(source).in = false;
      }
    };
    // RFC 3264 §4 / RFC 3261 §13.2.2.4: a re-INVITE without an offer gets the offer in its 2xx
    // and the answer in the ACK, so our ACK toward the answering side waits for the sender's ACK
    // (bodiless after 64*T1 if it never comes: the 2xx must be acknowledged).
    let ack: SipRequest | null = null;
    let giveUp: TimerHandle | null = null;
    const sendAck = (body: MediaBody | null): void => {
      ctx.clock.clear(giveUp);
      giveUp = null;
      heldAcks.delete(req.cseq.seq);
      if (ack) return;
      ack = dialog.ack(seq, ctx.viaFor(dialog.dest));
      if (body) {
        ack.headers.append('Content-Type', body.type);
        ack.body = body.data;
      }
      ctx.stack.sendStateless(ack, dialog.dest, { connectionId: dialog.connectionId });
    };
    ctx.stack.request(out, dialog.dest, {
      onProvisional: () => undefined,
      onFinal: (res) => {
        settled();
        if (isInvite && res.status >= 200 && res.status < 300) {
          if (ack) ctx.stack.sendStateless(ack, dialog.dest, { connectionId: dialog.connectionId });
          else if (!bodyOf(req) && bodyOf(res)) {
            if (!heldAcks.has(req.cseq.seq)) {
              heldAcks.set(req.cseq.seq, sendAck);
              giveUp = ctx.clock.setTimer(64 * ctx.stack.timers.T1, () => sendAck(null));
            }
          } else sendAck(null);
        }
        const headers: Array<[string, string]> = [];
        // Target refresh requests (INVITE, UPDATE: RFC 3311 §5.2) get our Contact in their 2xx.
        if ((isInvite || req.method === 'UPDATE') && res.status < 300) headers.push(['Contact', ownContact]);
        if ((isInvite || req.method === 'UPDATE') && res.status >= 200 && res.status < 300 && onRefreshed) headers.push(...onRefreshed(req, res));
        const body = bodyOf(res);
        const sent = tx.reply(res.status, res.reason, headers, body ?? undefined);
        if (isInvite && res.status >= 200 && res.status < 300 && !stopped) retransmitUntilAck(req.cseq.seq, sent, tx);
      },
      onTimeout: () => {
        settled();
        tx.reply(408, 'Request Timeout');
      },
      onTransportError: () => {
        settled();
        tx.reply(503, 'Service Unavailable');
      },
    }, { connectionId: dialog.connectionId });
  };
  const retransmitUntilAck = (seq: number, res: SipResponse, tx: ServerTransaction): void => {
    unacked.get(seq)?.stop();
    const r = new OkRetransmission(
      ctx.clock,
      ctx.stack.timers,
      () => tx.respond(res),
      () => {
        unacked.delete(seq);
        ctx.log.info({ callId: source.callId }, 'no ACK for the 2xx to a re-INVITE: ending the call');
        opts.onNoAck();
      },
    );
    unacked.set(seq, r);
  };
  return Object.assign(relay, {
    stop(): void {
      stopped = true;
      for (const r of unacked.values()) r.stop();
      unacked.clear();
      // A 2xx we hold the ACK for is acknowledged without a body before the call ends (§13.2.2.4).
      for (const send of [...heldAcks.values()]) send(null);
    },
  });
}
