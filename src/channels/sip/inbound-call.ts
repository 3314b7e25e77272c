/**
 * The caller's side of an inbound call (herald as UAS): the INVITE's server transaction, the
 * indications Dial or the dialplan give (180, 183 with early media, 200), the 2xx retransmissions
 * until the ACK (RFC 3261 §13.3.1.4: "starting with T1 and doubling up to T2 ... until an ACK";
 * no ACK after 64*T1 → end the session with BYE), CANCEL, BYE either way, and the final response
 * for a call the dialplan ends unanswered (cause → status as chan_sip maps it).
 */
import { Dialog, dialogKey } from '../../sip/dialog/dialog.js';
import { createResponse, newTag, type SipRequest, type SipResponse } from '../../sip/message/index.js';
import { listsOptionTag, parseRAck, ReliableProvisionals } from '../../sip/transaction/reliable-provisional.js';
import type { RequestContext, ServerTransaction } from '../../sip/transaction/types.js';
import type { InboundMessage } from '../../sip/transport/types.js';
import type { CallerLine, MediaBody } from '../../pbx/apps/dial.js';
import { performance } from 'node:perf_hooks';
import { OkRetransmission } from './ok-retransmission.js';
import { CAUSE, causeToSipStatus } from './causes.js';
import type { CallsContext, DialogUser, EarlyDialogRef, PrackTarget } from './context.js';
import type { SipChannel } from './sip-channel.js';
import { refuseGlaringInvite, relayEarlyUpdate, type Relay } from './relay.js';
import { BlindTransfer, referTarget } from './refer.js';
import type { TransferLine, TransferOutcome } from '../../pbx/apps/transfer.js';
import { bodyOf, declineAllStreams, holdInBody } from './sdp.js';
import { intervalAfter422, legInviteHeaders, negotiate, type SessionTimerSettings } from './session-timer.js';
import { CallerSession } from './caller-session.js';

type CallState = 'early' | 'answered' | 'ended';

/** RFC 3326 Reason with cause 200: the CANCEL says another branch of the caller's fork answered. */
function reasonSaysCompletedElsewhere(cancel: SipRequest): boolean {
  return cancel.headers.getAll('Reason').some((r) => /^\s*SIP\s*;(.*;)?\s*cause\s*=\s*200\b/i.test(r));
}

export const COMPLETED_ELSEWHERE_VAR = 'CALL_COMPLETED_ELSEWHERE';

export class InboundCall implements CallerLine, DialogUser, TransferLine {
  readonly technology = 'SIP';
  private transferring: BlindTransfer | null = null;
  private state: CallState = 'early';
  private finalSent = false;
  private ringSent = false;
  private progressSent = false;
  private ok: SipResponse | null = null;
  private dialogRef: Dialog | null = null;
  private retransmit: OkRetransmission | null = null;
  private acked = false;
  private byeReceived = false;
  private elsewhere = false;
  /** The body of the caller's ACK to our 2xx (undefined until it arrives). */
  private ackBody: MediaBody | null | undefined = undefined;
  private ackWaiter: ((body: MediaBody | null) => void) | null = null;
  private readonly contact: string;
  /** RFC 3262: the caller offered 100rel, so our 1xx go reliably (their PRACK may go to a leg). */
  private readonly reliable: ReliableProvisionals<PrackTarget | null> | null;
  /** The To tag of our 1xx (every response of the INVITE carries the same one). */
  private earlyTag: string | null = null;
  /** The early dialog's key while a PRACK or UPDATE may come in it. */
  private earlyKey: string | null = null;
  /** The early dialog our 1xx created (RFC 3311: UPDATE may be sent in it both ways). */
  private earlyDialog: Dialog | null = null;
  /** The leg whose 1xx the caller was last sent: its early dialog gets the caller's early UPDATEs. */
  private earlyPeer: EarlyDialogRef | null = null;
  /** The 2xx has gone out (it waits while a reliable 1xx with a body is unacknowledged). */
  private okSent = false;
  /** RFC 4028: the call's session timer once the 200 is out (null: none). */
  private session: CallerSession | null = null;
  /** The bridged leg gets in-dialog requests relayed (re-INVITE, UPDATE, INFO). */
  relay: Relay | null = null;

  constructor(
    private readonly ctx: CallsContext,
    readonly invite: SipRequest,
    private readonly tx: ServerTransaction,
    private readonly inbound: InboundMessage,
    readonly channel: SipChannel,
    private readonly timerSettings: SessionTimerSettings | null = null,
  ) {
    this.contact = ctx.contactFor(invite.requestUri.user ?? 's', inbound.source);
    const offers100rel = listsOptionTag([...invite.headers.getAll('Supported'), ...invite.headers.getAll('Require')], '100rel');
    this.reliable = offers100rel
      ? new ReliableProvisionals<PrackTarget | null>({
          tx,
          clock: ctx.clock,
          timers: ctx.stack.timers,
          inviteSeq: invite.cseq.seq,
          onGiveUp: () => this.noPrack(),
          onSent: (res) => this.enterEarlyDialog(res),
        })
      : null;
    tx.onCancel((cancel) => this.onCancel(cancel));
    channel.onIndicate = (condition) => {
      // chan_sip: 180 while the call is unanswered, once; 183 once (its PROGRESS_SENT flag), and
      // neither after the answer. Asterisk's 183 carries SDP for in-band progress; herald has no
      // media, so its 183 has no body.
      if (condition === 'ringing') this.ring();
      else if (!this.progressSent) this.progress(null);
    };
    channel.onStateSet = (next) => {
      if (next === 'Up') this.answer(declineAllStreams(this.offer(), this.inbound.local.address));
      else if (next === 'Busy') {
        // chan_sip on a busy indication before the answer: 486 and the channel is hung up.
        this.reject(486, 'Busy Here');
        this.channel.requestHangup(CAUSE.USER_BUSY);
      }
    };
  }

  get dialog(): Dialog {
    if (!this.dialogRef) throw new Error('call not answered yet');
    return this.dialogRef;
  }

  get answered(): boolean {
    return this.state === 'answered';
  }

  offer(): MediaBody | null {
    return bodyOf(this.invite);
  }

  completedElsewhere(): boolean {
    return this.elsewhere;
  }

  ring(): void {
    if (this.state !== 'early' || this.finalSent || this.ringSent) return;
    this.ringSent = true;
    this.provisional(180, 'Ringing', null);
    this.channel.setStateQuietly('Ringing');
  }

  progress(body: MediaBody | null): void {
    if (this.state !== 'early' || this.finalSent) return;
    this.progressSent = true;
    this.provisional(183, 'Session Progress', body);
  }

  /**
   * A 1xx to the caller: reliably when it offered 100rel (RFC 3262 §3), taking the leg's 1xx being
   * relayed (if any) so that the caller's PRACK for it goes on to that leg.
   */
  private provisional(status: number, reason: string, body: MediaBody | null): void {
    const headers: Array<[string, string]> = [['Contact', this.contact]];
    if (this.ctx.earlySource) this.earlyPeer = this.ctx.earlySource;
    if (this.reliable) {
      const source = this.ctx.reliableSource;
      this.ctx.reliableSource = null;
      this.reliable.send(status, reason, headers, body, source);
      return;
    }
    this.enterEarlyDialog(this.tx.reply(status, reason, headers, body ?? undefined));
  }

  private enterEarlyDialog(res: SipResponse): void {
    this.earlyTag ??= res.toTag;
    if (this.earlyKey !== null || this.earlyTag === null) return;
    this.earlyKey = dialogKey(this.invite.callId, this.earlyTag, this.invite.fromTag ?? '');
    this.ctx.dialogs.set(this.earlyKey, this);
  }

  /** The early dialog, made when first needed (most calls never send anything in it). */
  private early(): Dialog | null {
    if (this.earlyDialog === null && this.earlyKey !== null && this.earlyTag !== null) {
      this.earlyDialog = Dialog.asUas(this.invite, this.earlyTag, this.inbound.source, this.inbound.connectionId, this.contact);
    }
    return this.earlyDialog;
  }

  /** Where a callee's UPDATE before the answer goes: our early dialog with the caller (null: none yet). */
  earlyDialogRef(): EarlyDialogRef | null {
    if (this.earlyKey === null) return null;
    return { dialog: () => (this.state === 'ended' || this.byeReceived ? null : (this.dialogRef ?? this.early())) };
  }

  answer(body: MediaBody | null): void {
    if (this.state !== 'early' || this.finalSent || this.channel.hungUp) return;
    this.finalSent = true;
    // The same To tag as our 1xx: the 2xx confirms the early dialog they created.
    const res = createResponse(this.invite, 200, 'OK', { toTag: this.earlyTag ?? newTag() });
    res.headers.append('Contact', this.contact);
    res.headers.append('Allow', this.ctx.stack.allowedMethods().join(', '));
    const negotiated = this.timerSettings ? negotiate(this.invite, this.ctx.answering, this.timerSettings) : null;
    for (const [name, value] of negotiated?.headers ?? []) res.headers.append(name, value);
    if (body) {
      res.headers.set('Content-Type', body.type);
      res.body = body.data;
    }
    this.ok = res;
    // The early dialog (same tag) becomes the confirmed one; requests we sent in it used CSeqs.
    const dialog = this.earlyDialog ?? Dialog.asUas(this.invite, res.toTag ?? '', this.inbound.source, this.inbound.connectionId, this.contact);
    this.dialogRef = dialog;
    this.ctx.dialogs.set(dialog.key, this);
    this.state = 'answered';
    this.channel.setStateQuietly('Up');
    this.ctx.channelChanged(this.channel, false);
    const send = (): void => {
      if (this.state !== 'answered' || this.ok !== res || this.okSent) return;
      this.okSent = true;
      this.reliable?.stop();
      this.tx.respond(res);
      this.startRetransmit(res);
      if (negotiated) {
        this.session = new CallerSession(this.ctx, this.invite, negotiated, {
          liveDialog: () => (this.state === 'answered' && !this.byeReceived ? this.dialogRef : null),
          hangUp: (why) => {
            if (this.state !== 'answered' || this.byeReceived) return;
            this.ctx.log.info({ channel: this.channel.name }, `${why}: hanging up`);
            this.channel.requestHangup(CAUSE.RECOVERY_ON_TIMER_EXPIRE);
          },
        });
      }
    };
    // RFC 3262 §3: no 2xx while a reliable 1xx carrying a session description is unacknowledged.
    if (this.reliable) this.reliable.whenClear(send);
    else send();
  }

  reject(status: number, reason: string): void {
    if (this.state !== 'early' || this.finalSent) return;
    this.finalSent = true;
    this.reliable?.stop();
    this.tx.reply(status, reason);
  }

  /**
   * Transfer(): REFER on an answered call; before the answer chan_sip redirects the caller with
   * 302 Moved Temporarily and the Contact of the destination (SUCCESS once sent).
   */
  transfer(destination: string): Promise<TransferOutcome> {
    if (this.state === 'early' && !this.finalSent && !this.channel.hungUp) {
      this.finalSent = true;
      this.reliable?.stop();
      this.tx.reply(302, 'Moved Temporarily', [['Contact', referTarget(destination, this.ctx.hostFor(this.inbound.source))]]);
      return Promise.resolve({ ok: true, protocol: 302 });
    }
    if (this.state !== 'answered' || this.byeReceived || this.transferring) return Promise.resolve({ ok: false, protocol: 0 });
    const run = new BlindTransfer(this.ctx, this.dialog);
    this.transferring = run;
    const by = this.contact;
    return run.start(destination, by).finally(() => {
      if (this.transferring === run) this.transferring = null;
    });
  }

  /**
   * fn gets the body of the caller's ACK to the 2xx (null when it had none) once it arrives. Late
   * offer (RFC 3264 §4, RFC 3261 §13.2.2.4): when our 2xx carried the callee's offer, that ACK
   * holds the caller's answer, which the callee's ACK must carry.
   */
  onAck(fn: (body: MediaBody | null) => void): void {
    if (this.ackBody !== undefined) fn(this.ackBody);
    else this.ackWaiter = fn;
  }

  onInDialog(req: SipRequest, rctx: RequestContext): void {
    if (req.method === 'ACK') {
      if (req.cseq.seq === this.invite.cseq.seq) {
        this.stopRetransmit(true);
        if (this.ackBody === undefined) {
          this.ackBody = bodyOf(req);
          const waiter = this.ackWaiter;
          this.ackWaiter = null;
          waiter?.(this.ackBody);
        }
      } else this.relay?.(req, rctx);
      return;
    }
    const tx = rctx.tx;
    if (!tx) return;
    if (req.method === 'PRACK') {
      this.onPrack(req, tx);
      return;
    }
    if (req.method === 'BYE') {
      tx.reply(200, 'OK');
      this.ctx.trace({ kind: 'bye-received', channel: this.channel.name, at: performance.now() });
      this.byeReceived = true;
      this.transferring?.abandon();
      this.stopRetransmit(false);
      this.dropDialog();
      this.channel.requestHangup(CAUSE.NORMAL_CLEARING);
      return;
    }
    if (req.method === 'NOTIFY') {
      // RFC 6665 §4.1.3: a NOTIFY matching no subscription gets 481.
      if (!this.transferring?.onNotify(req, tx)) tx.reply(481, 'Subscription Does Not Exist');
      return;
    }
    if (!this.dialogRef) {
      // Before the answer (RFC 3311 §5.1): an UPDATE goes to the leg whose early dialog the caller sees.
      if (req.method === 'UPDATE') relayEarlyUpdate(this.ctx, req, rctx, this.early(), () => this.earlyPeer?.dialog() ?? null);
      else tx.reply(req.method === 'INFO' ? 200 : 481, req.method === 'INFO' ? 'OK' : 'Call/Transaction Does Not Exist');
      return;
    }
    const own = this.session?.answerCallerUpdate(req) ?? null;
    if (own) {
      tx.reply(200, 'OK', [['Contact', this.contact], ...own]);
      return;
    }
    if (refuseGlaringInvite(this.dialog, req, tx)) return;
    if (req.method === 'INVITE' || req.method === 'UPDATE') {
      this.channel.onHold = holdInBody(bodyOf(req));
      this.ctx.channelChanged(this.channel, false);
    }
    if (this.relay) this.relay(req, rctx);
    else tx.reply(req.method === 'INFO' ? 200 : 488);
  }

  /**
   * Headers for a Dial leg's INVITE: `Supported` (100rel, timer) and the session timer of the
   * caller's request. 100rel is offered to the callee only when its reliable 1xx can be PRACKed
   * properly (RFC 3262 §5: a PRACK must answer an offer in the 1xx): the caller's INVITE has an
   * offer (the 1xx then carries an answer, and herald's own bodiless PRACK fits) or the caller
   * does 100rel itself (its PRACK, with the answer, is relayed).
   */
  legInviteHeaders(): Array<[string, string]> {
    const timer = this.timerSettings ? legInviteHeaders(this.invite, this.timerSettings) : [];
    const supported = this.reliable !== null || bodyOf(this.invite) !== null ? ['100rel'] : [];
    for (const [name, value] of timer) if (name === 'Supported') supported.push(value);
    const rest = timer.filter(([name]) => name !== 'Supported');
    return supported.length > 0 ? [['Supported', supported.join(', ')], ...rest] : rest;
  }

  /** A leg's INVITE got 422 (RFC 4028): Session-Expires and Min-SE for its one retry, or null. */
  legIntervalAfter422(sent: SipRequest, res: SipResponse): { sessionExpires: string; minSe: string } | null {
    return this.timerSettings ? intervalAfter422(sent, res, this.timerSettings) : null;
  }

  /** A relayed re-INVITE/UPDATE got a 2xx (a session refresh): headers for the 2xx going back. */
  sessionRefreshed(req: SipRequest, res: SipResponse): Array<[string, string]> {
    return this.session?.relayedRefresh(req, res) ?? [];
  }

  /** A callee's refresh the caller cannot take, answered by herald: its 200's headers, else null. */
  answerCalleeRefresh(req: SipRequest): Array<[string, string]> | null {
    return this.session?.answerCalleeUpdate(req) ?? null;
  }

  /** The dialplan is done with the channel: answer the INVITE or end the dialog accordingly. */
  end(): void {
    if (this.state === 'ended') return;
    const was = this.state;
    this.state = 'ended';
    this.channel.onStateSet = null;
    this.channel.onIndicate = null;
    this.ackWaiter = null;
    this.reliable?.stop();
    this.session?.stop();
    this.transferring?.abandon();
    this.stopRetransmit(false);
    this.relay?.stop();
    this.relay = null;
    if (was === 'early' && !this.finalSent) {
      this.finalSent = true;
      const [status, reason] = causeToSipStatus(this.channel.hangupCause || CAUSE.NORMAL_CLEARING);
      this.tx.reply(status, reason);
    } else if (was === 'answered' && !this.byeReceived && this.dialogRef) {
      const d = this.dialogRef;
      this.ctx.stack.request(d.request('BYE'), d.dest, { onFinal: () => undefined }, { connectionId: d.connectionId });
    }
    this.dropDialog();
  }

  /**
   * RFC 3262 §3: a PRACK matching our unacknowledged reliable 1xx stops its retransmissions and is
   * answered 200 (by the callee when it was its 1xx, relayed); any other PRACK gets 481.
   */
  private onPrack(req: SipRequest, tx: ServerTransaction): void {
    const hit = this.reliable?.acknowledge(parseRAck(req.headers.get('RAck'))) ?? null;
    if (!hit) tx.reply(481, 'Call/Transaction Does Not Exist');
    else if (hit.tag) hit.tag.relayPrack(req, tx);
    else tx.reply(200, 'OK');
  }

  /** RFC 3262 §3: 64*T1 without a PRACK → "reject the original request with a 5xx response". */
  private noPrack(): void {
    if (this.okSent || this.channel.hungUp || (this.state === 'early' && this.finalSent)) return;
    this.ctx.log.info({ channel: this.channel.name }, 'no PRACK for a reliable provisional response: rejecting the call');
    this.tx.reply(500, 'Provisional Response Not Acknowledged');
    // A 2xx waiting for that PRACK never went out: there is no dialog to end with BYE.
    this.dropDialog();
    this.dialogRef = null;
    this.ok = null;
    this.state = 'early';
    this.finalSent = true;
    this.channel.requestHangup(CAUSE.RECOVERY_ON_TIMER_EXPIRE);
  }

  private onCancel(cancel: SipRequest): void {
    if (this.state !== 'early') return;
    this.reliable?.stop();
    this.ctx.trace({ kind: 'cancel-received', channel: this.channel.name, at: performance.now() });
    this.elsewhere = reasonSaysCompletedElsewhere(cancel);
    if (this.elsewhere) this.channel.setVar(COMPLETED_ELSEWHERE_VAR, '1');
    // The stack answers the INVITE 487 once this returns; nothing else may answer it now.
    this.finalSent = true;
    this.channel.requestHangup(this.elsewhere ? CAUSE.ANSWERED_ELSEWHERE : CAUSE.NORMAL_CLEARING);
  }

  /** §13.3.1.4: our 2xx goes again at T1 doubling up to T2 until the ACK; 64*T1 without one → BYE. */
  private startRetransmit(res: SipResponse): void {
    if (this.acked) return;
    this.retransmit = new OkRetransmission(
      this.ctx.clock,
      this.ctx.stack.timers,
      () => {
        if (!this.acked && this.state === 'answered' && this.ok === res) this.tx.respond(res);
      },
      () => {
        this.retransmit = null;
        if (this.acked || this.state !== 'answered') return;
        // §13.3.1.4: no ACK → "the session SHOULD be terminated" with BYE.
        this.ctx.log.info({ channel: this.channel.name }, 'no ACK for 2xx: hanging up');
        this.channel.requestHangup(CAUSE.NORMAL_CLEARING);
      },
    );
  }

  private stopRetransmit(acked: boolean): void {
    if (acked) this.acked = true;
    this.retransmit?.stop();
    this.retransmit = null;
  }

  private dropDialog(): void {
    const d = this.dialogRef;
    if (d && this.ctx.dialogs.get(d.key) === this) this.ctx.dialogs.delete(d.key);
    if (this.earlyKey !== null && this.ctx.dialogs.get(this.earlyKey) === this) this.ctx.dialogs.delete(this.earlyKey);
  }
}
