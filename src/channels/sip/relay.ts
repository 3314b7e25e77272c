/**
 * While two dialogs are bridged, a re-INVITE, UPDATE or INFO from one side is sent to the other
 * in its dialog with the same body, and the answer comes back to the sender with the body it
 * carried (SDP passthrough: hold, codec changes and DTMF INFO reach the other phone). The 2xx of
 * a relayed re-INVITE is acknowledged toward the side that answered at once (our client
 * transaction's job, §13.2.2.4).
 */
import type { Dialog } from '../../sip/dialog/dialog.js';
import type { SipRequest } from '../../sip/message/index.js';
import type { RequestContext } from '../../sip/transaction/types.js';
import type { CallsContext } from './context.js';
import { bodyOf } from './sdp.js';

const PASSED_HEADERS = ['Content-Disposition', 'Info-Package', 'Event', 'Session-Expires', 'Min-SE'];

/** ownContact: the Contact we gave the sending side when its dialog was set up. */
export function relayInto(ctx: CallsContext, target: () => Dialog | null, ownContact: string) {
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
    ctx.stack.request(out, dialog.dest, {
      onProvisional: () => undefined,
      onFinal: (res) => {
        if (req.method === 'INVITE' && res.status >= 200 && res.status < 300) {
          ctx.stack.sendStateless(dialog.ack(seq, ctx.viaFor(dialog.dest)), dialog.dest, { connectionId: dialog.connectionId });
        }
        const headers: Array<[string, string]> = [];
        if (req.method === 'INVITE' && res.status < 300) headers.push(['Contact', ownContact]);
        const body = bodyOf(res);
        tx.reply(res.status, res.reason, headers, body ?? undefined);
      },
      onTimeout: () => tx.reply(408, 'Request Timeout'),
      onTransportError: () => tx.reply(503, 'Service Unavailable'),
    }, { connectionId: dialog.connectionId });
  };
}
