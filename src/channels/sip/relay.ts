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
 */
import type { Dialog } from '../../sip/dialog/dialog.js';
import type { SipRequest } from '../../sip/message/index.js';
import type { RequestContext, ServerTransaction } from '../../sip/transaction/types.js';
import type { CallsContext } from './context.js';
import { bodyOf } from './sdp.js';

const PASSED_HEADERS = ['Content-Disposition', 'Info-Package', 'Event', 'Session-Expires', 'Min-SE'];

/** Answer a re-INVITE that glares in `own` (491 or 500); true when it was refused. */
export function refuseGlaringInvite(own: Dialog, req: SipRequest, tx: ServerTransaction): boolean {
  if (req.method !== 'INVITE') return false;
  const refusal = own.inviteRefusal();
  if (!refusal) return false;
  tx.reply(refusal.status, refusal.reason, refusal.headers);
  return true;
}

/** source: the sending side's dialog (its Contact goes back in a 2xx to a re-INVITE). */
export function relayInto(ctx: CallsContext, target: () => Dialog | null, source: Dialog) {
  const ownContact = source.localContact;
  return (req: SipRequest, rctx: RequestContext): void => {
    const tx = rctx.tx;
    const dialog = target();
    if (!tx) return;
    if (!dialog) {
      tx.reply(481, 'Call/Transaction Does Not Exist');
      return;
    }
    const extra: Array<[string, string]> = [];
    for (const name of PASSED_HEADERS) for (const v of req.headers.getAll(name)) extra.push([name, v]);
    const out = dialog.request(req.method, bodyOf(req) ?? undefined, extra);
    const seq = out.cseq.seq;
    const isInvite = req.method === 'INVITE';
    if (isInvite) {
      dialog.inviteOutPending = true;
      source.inviteInPending = true;
    }
    const settled = (): void => {
      if (!isInvite) return;
      dialog.inviteOutPending = false;
      source.inviteInPending = false;
    };
    ctx.stack.request(out, dialog.dest, {
      onProvisional: () => undefined,
      onFinal: (res) => {
        settled();
        if (req.method === 'INVITE' && res.status >= 200 && res.status < 300) {
          ctx.stack.sendStateless(dialog.ack(seq, ctx.viaFor(dialog.dest)), dialog.dest, { connectionId: dialog.connectionId });
        }
        const headers: Array<[string, string]> = [];
        if (req.method === 'INVITE' && res.status < 300) headers.push(['Contact', ownContact]);
        const body = bodyOf(res);
        tx.reply(res.status, res.reason, headers, body ?? undefined);
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
}
