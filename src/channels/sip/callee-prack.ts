/**
 * The UAC side of RFC 3262 (100rel) for one Dial leg: each reliable 1xx the callee sends
 * (`Require: 100rel` with `RSeq`) is acknowledged with a PRACK in the early dialog it creates
 * (§4: "RAck ... response-num ... CSeq-num ... method"). The PRACK either relays the caller's own
 * PRACK (its body, e.g. the answer to an offer in the 1xx, goes along and the callee's response
 * goes back) or, when the caller is not sent that 1xx reliably, is herald's own, without a body.
 * §4: "If the UAC receives another reliable provisional response to the same request, and its
 * RSeq value is not one higher than the value of the sequence number, that response MUST NOT be
 * acknowledged with a PRACK, and MUST NOT be processed further" — retransmissions included.
 * It also keeps the early dialog of every tagged 1xx, reliable or not (RFC 3311 UPDATE before the
 * answer goes in it).
 */
import { Dialog } from '../../sip/dialog/dialog.js';
import type { SipRequest, SipResponse } from '../../sip/message/index.js';
import type { ServerTransaction } from '../../sip/transaction/types.js';
import { listsOptionTag } from '../../sip/transaction/reliable-provisional.js';
import type { Endpoint } from '../../sip/transport/types.js';
import type { CallsContext, PrackTarget } from './context.js';
import { bodyOf } from './sdp.js';

interface EarlyDialog {
  dialog: Dialog;
  /** RSeq of the last reliable 1xx in it (null: none yet). */
  lastRSeq: number | null;
}

export class CalleePracks {
  /** Early dialogs by the callee's To tag. */
  private readonly early = new Map<string, EarlyDialog>();

  constructor(private readonly ctx: CallsContext) {}

  /**
   * The early dialog a 1xx with a To tag (not 100) creates or belongs to; `created` when it is new.
   * Null for a 1xx without a tag.
   */
  track(res: SipResponse, invite: SipRequest, dest: Endpoint, connectionId: string | null, localContact: string): { dialog: Dialog; created: boolean } | null {
    const tag = res.toTag;
    if (res.status === 100 || !tag) return null;
    const e = this.early.get(tag);
    if (e) return { dialog: e.dialog, created: false };
    const dialog = Dialog.asUac(invite, res, dest, connectionId, localContact);
    this.early.set(tag, { dialog, lastRSeq: null });
    return { dialog, created: true };
  }

  /** The early (or, once confirmed, the confirmed) dialog with the callee's tag, if any. */
  dialogByTag(tag: string | null): Dialog | null {
    return tag !== null ? (this.early.get(tag)?.dialog ?? null) : null;
  }

  /** Every dialog kept, for the leg to forget its keys when it ends. */
  dialogs(): Dialog[] {
    return [...this.early.values()].map((e) => e.dialog);
  }

  /**
   * A provisional response to our INVITE: null when it is not reliable, 'drop' when it must not
   * be processed (a retransmission or out of order), else the PRACK to send for it.
   */
  receive(res: SipResponse, invite: SipRequest, dest: Endpoint, connectionId: string | null, localContact: string): PrackTarget | 'drop' | null {
    if (res.status === 100 || !listsOptionTag(res.headers.getAll('Require'), '100rel')) return null;
    const rseq = Number(res.headers.get('RSeq') ?? '');
    const tag = res.toTag;
    if (!Number.isInteger(rseq) || rseq < 1 || !tag) return null;
    this.track(res, invite, dest, connectionId, localContact);
    const e = this.early.get(tag);
    if (!e) return null;
    e.lastRSeq ??= rseq - 1;
    if (rseq !== e.lastRSeq + 1) return 'drop';
    e.lastRSeq = rseq;
    const early = e;
    const rack = `${rseq} ${invite.cseq.seq} ${invite.method}`;
    let sent = false;
    return {
      relayPrack: (from, tx) => {
        if (sent) {
          tx?.reply(200, 'OK');
          return;
        }
        sent = true;
        // The dialog as it is now: confirmed by a 2xx in the meantime, the PRACK goes in it.
        this.send(early.dialog, rack, from, tx);
      },
    };
  }

  /**
   * A 2xx confirmed the early dialog with this tag as `dialog`: its CSeq continues from the
   * early one's (PRACKs used numbers), and a PRACK still to be relayed goes in it.
   */
  confirm(tag: string | null, dialog: Dialog): void {
    const e = tag !== null ? this.early.get(tag) : undefined;
    if (!e) return;
    dialog.localSeq = Math.max(dialog.localSeq, e.dialog.localSeq);
    e.dialog = dialog;
  }

  private send(dialog: Dialog, rack: string, from: SipRequest | null, tx: ServerTransaction | null): void {
    const prack = dialog.request('PRACK', (from ? bodyOf(from) : null) ?? undefined, [['RAck', rack]]);
    this.ctx.stack.request(prack, dialog.dest, {
      onFinal: (res) => tx?.reply(res.status, res.reason, [], bodyOf(res) ?? undefined),
      onTimeout: () => tx?.reply(408, 'Request Timeout'),
      onTransportError: () => tx?.reply(503, 'Service Unavailable'),
    }, { connectionId: dialog.connectionId });
  }
}
