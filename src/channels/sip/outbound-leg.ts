/**
 * One leg Dial places toward a registered contact of a peer (herald as UAC):
 * INVITE → 1xx relayed as ringing/progress → 2xx: ACK (our job, §13.2.2.4) and the dialog →
 * BYE from either side. A leg cancelled before its answer sends CANCEL (the transaction waits for
 * a provisional first, §9.1); a 2xx that still arrives is acknowledged and hung up with BYE.
 */
import { Dialog } from '../../sip/dialog/dialog.js';
import { SipHeaders, SipRequest, newCallId, newTag, quote, type SipResponse } from '../../sip/message/index.js';
import type { ClientTransaction, RequestContext } from '../../sip/transaction/types.js';
import type { ContactBinding } from '../../registrar/binding.js';
import type { DialLeg, DialLegEvent, MediaBody } from '../../pbx/apps/dial.js';
import type { DialplanChannel } from '../../pbx/types.js';
import { CAUSE, sipStatusToCause } from './causes.js';
import type { CallsContext, DialogUser } from './context.js';
import { SipChannel } from './sip-channel.js';
import { legDestination } from './technology.js';
import type { Endpoint } from '../../sip/transport/types.js';
import { refuseGlaringInvite, relayEarlyUpdate, type Relay } from './relay.js';
import { bodyOf, holdInBody } from './sdp.js';
import { CalleePracks } from './callee-prack.js';

type LegState = 'calling' | 'answered' | 'ended';

export interface OutboundLegInit {
  ctx: CallsContext;
  peer: string;
  /** DIALEDPEERNUMBER: the resource as dialed. */
  number: string;
  binding: ContactBinding;
  caller: DialplanChannel;
  offer: MediaBody | null;
  onEvent(leg: DialLeg, ev: DialLegEvent): void;
}

export class OutboundLeg implements DialLeg, DialogUser {
  readonly name: string;
  readonly number: string;
  readonly channel: SipChannel;
  private state: LegState = 'calling';
  private tx: ClientTransaction | null = null;
  private invite: SipRequest | null = null;
  private dialogRef: Dialog | null = null;
  private wantCancel = false;
  private dest: Endpoint;
  /** The ACK for the 2xx, kept for its retransmissions; null while held or not yet sent. */
  private ack: SipRequest | null = null;
  /** Late offer: the 2xx offered SDP to our bodiless INVITE, so the ACK waits for the caller's answer. */
  private ackHeld = false;
  /** RFC 3262: the callee's reliable 1xx and their early dialogs (made on the first one). */
  private pracks: CalleePracks | null = null;
  /** A 422 (RFC 4028) was answered by sending the INVITE again (only once). */
  private retried422 = false;
  /** The user part of our From and Contact (the leg's caller number when its INVITE went out). */
  private fromUser = 'anonymous';
  /** The bridged caller side gets in-dialog requests relayed (re-INVITE, UPDATE, INFO). */
  relay: Relay | null = null;

  constructor(private readonly init: OutboundLegInit) {
    const { ctx } = init;
    this.dest = init.binding.source;
    this.name = ctx.ids.nextName('SIP', init.peer);
    this.number = init.number;
    const callId = newCallId();
    this.channel = new SipChannel({
      name: this.name,
      uniqueid: ctx.ids.nextUniqueId(ctx.clock.wallNow() / 1000),
      direction: 'outbound',
      peer: init.peer,
      callId,
      state: 'Down',
      callerId: { num: init.caller.callerId.num, name: init.caller.callerId.name },
    }).inherit(init.caller);
    this.channel.exten = init.number;
    this.channel.context = init.caller.context;
    // A hangup asked from outside (CLI `channel request hangup`) ends the leg like the callee would.
    this.channel.onHangup((cause) => {
      if (this.state === 'calling') {
        this.cancel();
        this.init.onEvent(this, { kind: 'failed', status: null, cause: cause || CAUSE.NORMAL_CLEARING });
      } else if (this.state === 'answered') {
        this.hangup(cause || CAUSE.NORMAL_CLEARING);
        this.init.onEvent(this, { kind: 'hungup', cause: cause || CAUSE.NORMAL_CLEARING });
      }
    });
  }

  get dialog(): Dialog {
    if (!this.dialogRef) throw new Error('leg has no dialog yet');
    return this.dialogRef;
  }

  start(): void {
    const { ctx, binding, caller } = this.init;
    const dest = legDestination(binding);
    this.dest = dest;
    // The leg channel's caller ID as it is now: a b() routine (run before this INVITE) may have
    // set CALLERID(num)/CALLERID(name) on it; it starts as the caller's (chan_sip builds From from
    // the outgoing channel's caller ID when the call is placed).
    const cid = this.channel.callerId;
    const num = cid.num || 'anonymous';
    this.fromUser = num;
    const display = cid.name ? `${quote(cid.name)} ` : '';
    const h = new SipHeaders();
    h.append('From', `${display}<sip:${num}@${ctx.hostFor(dest)}>;tag=${newTag()}`);
    h.append('To', `<${binding.uri}>`);
    h.append('Call-ID', this.channel.callId);
    h.append('CSeq', '102 INVITE');
    h.append('Contact', ctx.contactFor(num, dest));
    for (const p of binding.path) h.append('Route', p);
    h.append('Allow', ctx.stack.allowedMethods().join(', '));
    for (const [name, value] of ctx.legInviteHeaders(caller)) h.append(name, value);
    if (this.init.offer) h.append('Content-Type', this.init.offer.type);
    const invite = new SipRequest('INVITE', binding.uri, h, this.init.offer?.data);
    // An outgoing channel stays Down until the far end rings (180 → Ringing), as in Asterisk.
    ctx.channels.add(this.channel);
    ctx.channelChanged(this.channel, false);
    this.send(invite);
  }

  private send(invite: SipRequest): void {
    const { ctx, binding } = this.init;
    this.tx = ctx.stack.request(invite, this.dest, {
      onProvisional: (res) => this.onProvisional(res),
      onFinal: (res) => this.onFinal(res),
      onTimeout: () => this.fail(null, CAUSE.NO_USER_RESPONSE),
      onTransportError: () => this.fail(null, CAUSE.DESTINATION_OUT_OF_ORDER),
    }, { connectionId: binding.connectionId });
    this.invite = this.tx.request;
  }

  /**
   * RFC 4028 §7.4: a 422 Session Interval Too Small is retried once with Session-Expires and
   * Min-SE raised to the callee's Min-SE, when the caller's limits allow it (same Call-ID and
   * From tag, the next CSeq). True when the INVITE went again.
   */
  private retryAfter422(res: SipResponse): boolean {
    const { ctx } = this.init;
    const sent = this.invite;
    if (this.retried422 || !sent || this.state !== 'calling' || this.wantCancel) return false;
    const raised = ctx.legIntervalAfter422(this.init.caller, sent, res);
    if (!raised) return false;
    this.retried422 = true;
    const skip = new Set(['via', 'cseq', 'session-expires', 'min-se', 'content-length']);
    const h = new SipHeaders(sent.headers.entries().filter(([name]) => !skip.has(name.toLowerCase())));
    h.append('CSeq', `${sent.cseq.seq + 1} INVITE`);
    h.append('Session-Expires', raised.sessionExpires);
    h.append('Min-SE', raised.minSe);
    ctx.verbose(3, `${this.name}: 422 Session Interval Too Small, trying again with Session-Expires ${raised.sessionExpires}`);
    this.send(new SipRequest('INVITE', this.init.binding.uri, h, this.init.offer?.data));
    return true;
  }

  cancel(reason?: string): void {
    if (this.state !== 'calling') return;
    this.wantCancel = true;
    this.tx?.cancel(reason);
    // The leg is over for Dial now; the transaction finishes on its own (487 or timeout).
    this.finish(reason ? CAUSE.ANSWERED_ELSEWHERE : CAUSE.NORMAL_CLEARING);
  }

  /** Send the ACK for the 2xx with the caller's answer (late offer); at most once. */
  acknowledge(body: MediaBody | null): void {
    const d = this.dialogRef;
    const invite = this.invite;
    if (!d || !invite || this.ack) return;
    this.ackHeld = false;
    const ack = d.ack(invite.cseq.seq, this.init.ctx.viaFor(d.dest));
    if (body) {
      ack.headers.append('Content-Type', body.type);
      ack.body = body.data;
    }
    this.ack = ack;
    this.init.ctx.stack.sendStateless(ack, d.dest, { connectionId: d.connectionId });
  }

  hangup(cause: number): void {
    if (this.state !== 'answered') return;
    // A 2xx is acknowledged before the BYE even when the caller never sent its answer (§13.2.2.4).
    if (this.ackHeld) this.acknowledge(null);
    this.sendBye();
    this.finish(cause);
  }

  onInDialog(req: SipRequest, rctx: RequestContext): void {
    if (req.method === 'ACK') {
      // The callee's ACK to a relayed re-INVITE's 2xx (it may carry a late answer).
      this.relay?.(req, rctx);
      return;
    }
    const tx = rctx.tx;
    if (!tx) return;
    if (req.method === 'BYE') {
      tx.reply(200, 'OK');
      if (this.state === 'answered') {
        this.finish(CAUSE.NORMAL_CLEARING);
        this.init.onEvent(this, { kind: 'hungup', cause: CAUSE.NORMAL_CLEARING });
      }
      return;
    }
    if (!this.dialogRef) {
      // Before the answer (RFC 3311 §5.1): the callee's UPDATE goes to the caller's early dialog.
      const { ctx, caller } = this.init;
      if (req.method === 'UPDATE' && this.state === 'calling') {
        const callerEarly = ctx.earlyCaller(caller);
        relayEarlyUpdate(ctx, req, rctx, this.pracks?.dialogByTag(req.fromTag) ?? null, () => callerEarly?.dialog() ?? null);
      } else tx.reply(req.method === 'INFO' ? 200 : 481, req.method === 'INFO' ? 'OK' : 'Call/Transaction Does Not Exist');
      return;
    }
    if (refuseGlaringInvite(this.dialog, req, tx)) return;
    if (req.method === 'INVITE' || req.method === 'UPDATE') {
      this.channel.onHold = holdInBody(bodyOf(req));
      this.init.ctx.channelChanged(this.channel, false);
    }
    if (this.relay) this.relay(req, rctx);
    else tx.reply(req.method === 'INFO' ? 200 : 488);
  }

  private onProvisional(res: SipResponse): void {
    if (this.state !== 'calling' || this.wantCancel || !this.invite) return;
    const { ctx } = this.init;
    const contact = ctx.contactFor(this.fromUser, this.dest);
    const pracks = (this.pracks ??= new CalleePracks(ctx));
    // RFC 3311: the callee may send UPDATE in the early dialog its 1xx created; it finds us by its key.
    const early = pracks.track(res, this.invite, this.dest, this.init.binding.connectionId, contact);
    if (early?.created) ctx.dialogs.set(early.dialog.key, this);
    const prack = pracks.receive(res, this.invite, this.dest, this.init.binding.connectionId, contact);
    if (prack === 'drop') return;
    // The caller's side takes a reliable 1xx it sends on reliably (ctx.reliableSource → null).
    ctx.reliableSource = prack;
    // ... and remembers whose 1xx it passed on: the caller's early UPDATEs go to this early dialog.
    const tag = res.toTag;
    ctx.earlySource = early ? { dialog: () => (this.state === 'ended' ? null : (this.dialogRef ?? pracks.dialogByTag(tag))) } : null;
    try {
      if (res.status === 180) {
        this.channel.setStateQuietly('Ringing');
        ctx.channelChanged(this.channel, false);
        this.init.onEvent(this, { kind: 'ringing' });
      } else if (res.status === 183) {
        this.init.onEvent(this, { kind: 'progress', body: bodyOf(res) });
      }
    } finally {
      if (prack && ctx.reliableSource === prack) prack.relayPrack(null, null);
      ctx.reliableSource = null;
      ctx.earlySource = null;
    }
  }

  private onFinal(res: SipResponse): void {
    const { ctx } = this.init;
    if (res.status >= 300) {
      if (res.status === 422 && this.retryAfter422(res)) return;
      this.fail(res.status, sipStatusToCause(res.status));
      return;
    }
    const invite = this.invite;
    if (!invite) return;
    if (this.dialogRef) {
      // A retransmitted 2xx: the ACK got lost, send it again (a held one is still to come).
      if (this.ack) ctx.stack.sendStateless(this.ack, this.dialogRef.dest, { connectionId: this.dialogRef.connectionId });
      return;
    }
    const { binding } = this.init;
    const dialog = Dialog.asUac(invite, res, this.dest, binding.connectionId, ctx.contactFor(this.fromUser, this.dest));
    this.pracks?.confirm(res.toTag, dialog);
    this.dialogRef = dialog;
    // RFC 3264 §4 late offer: an offer in the 2xx to an INVITE without one is answered in the ACK,
    // so a leg that is to be bridged holds its ACK until the caller's ACK brings the answer.
    this.ackHeld = this.state === 'calling' && this.init.offer === null && bodyOf(res) !== null;
    if (!this.ackHeld) this.acknowledge(null);
    if (this.state !== 'calling') {
      // Answered after we gave up on it (cancel raced the 2xx): hang it up.
      this.sendBye();
      return;
    }
    this.state = 'answered';
    ctx.dialogs.set(dialog.key, this);
    this.channel.setStateQuietly('Up');
    ctx.channelChanged(this.channel, false);
    // The caller's side reads the callee's 2xx (its Session-Expires) while Dial answers it.
    ctx.answering = res;
    try {
      this.init.onEvent(this, { kind: 'answered', body: bodyOf(res) });
    } finally {
      ctx.answering = null;
    }
  }

  private fail(status: number | null, cause: number): void {
    if (this.state !== 'calling') return;
    this.finish(cause);
    this.init.onEvent(this, { kind: 'failed', status, cause });
  }

  private sendBye(): void {
    const d = this.dialogRef;
    if (!d) return;
    const { ctx } = this.init;
    ctx.stack.request(d.request('BYE'), d.dest, { onFinal: () => undefined }, { connectionId: d.connectionId });
  }

  private finish(cause: number): void {
    if (this.state === 'ended') return;
    if (this.ackHeld) this.acknowledge(null);
    this.state = 'ended';
    const { ctx } = this.init;
    if (this.dialogRef && ctx.dialogs.get(this.dialogRef.key) === this) ctx.dialogs.delete(this.dialogRef.key);
    for (const d of this.pracks?.dialogs() ?? []) if (ctx.dialogs.get(d.key) === this) ctx.dialogs.delete(d.key);
    this.relay?.stop();
    this.relay = null;
    this.channel.hangupCause = cause;
    this.channel.requestHangup(cause);
    ctx.channels.remove(this.channel);
    ctx.channelChanged(this.channel, true);
    ctx.legGone(this.channel);
  }
}
