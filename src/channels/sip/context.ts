/**
 * What the pieces of the SIP channel driver share: the stack, our addresses, the dialog table
 * (in-dialog requests find their call here), the channel registry and the hooks the module uses
 * for device state and call records.
 */
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/bus.js';
import type { Logger } from '../../core/log.js';
import type { Dialog } from '../../sip/dialog/dialog.js';
import type { SipRequest, SipResponse } from '../../sip/message/index.js';
import type { DialplanChannel } from '../../pbx/types.js';
import type { RequestContext, ServerTransaction, SipStack } from '../../sip/transaction/types.js';
import type { Endpoint } from '../../sip/transport/types.js';
import type { ChannelIds, ChannelRegistry } from '../channel.js';
import type { SipChannel } from './sip-channel.js';

/** A call milestone with its performance.now() time. */
export interface CallTrace {
  kind: 'invite-received' | 'cancel-received' | 'bye-received' | 'dialplan-ended';
  channel: string;
  at: number;
}

/** One end of a dialog herald is in: it receives the requests inside it. */
export interface DialogUser {
  readonly dialog: Dialog;
  /** A request inside the dialog (BYE, re-INVITE, UPDATE, INFO, ACK with tx null). */
  onInDialog(req: SipRequest, ctx: RequestContext): void;
}

/** Where the caller's PRACK for a relayed reliable 1xx goes: the leg whose 1xx it was. */
export interface PrackTarget {
  /** PRACK the callee's 1xx with the body of `from` (null: herald's own, bodiless); tx gets the answer. */
  relayPrack(from: SipRequest | null, tx: ServerTransaction | null): void;
}

/**
 * One side's early dialog as the other side of the call sees it: where an UPDATE before the answer
 * (RFC 3311) is relayed. dialog(): the early dialog (the confirmed one once answered), null when gone.
 */
export interface EarlyDialogRef {
  dialog(): Dialog | null;
}

export interface CallsContext {
  /**
   * Set by a leg while Dial hears of its reliable 1xx: the caller's side takes it (and sets null)
   * when it sends that indication to the caller reliably, so the caller's PRACK is relayed; a 1xx
   * nobody took is PRACKed by herald at once.
   */
  reliableSource: PrackTarget | null;
  /** Set by a leg while Dial hears of its 1xx: the caller's side takes it when it passes that 1xx on. */
  earlySource: EarlyDialogRef | null;
  /** The caller's early dialog (UPDATE from a callee before the answer), null when there is none. */
  earlyCaller(caller: DialplanChannel): EarlyDialogRef | null;
  /** Set by a leg while Dial hears of its answer: the callee's 2xx (session timer of the 200 to the caller). */
  answering: SipResponse | null;
  /** Extra headers for a Dial leg's INVITE from the caller's (session timer). */
  legInviteHeaders(caller: DialplanChannel): Array<[string, string]>;
  /** A leg's INVITE got 422: the retry's Session-Expires and Min-SE within the caller's limits, else null. */
  legIntervalAfter422(caller: DialplanChannel, sent: SipRequest, res: SipResponse): { sessionExpires: string; minSe: string } | null;
  stack: SipStack;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  ids: ChannelIds;
  channels: ChannelRegistry;
  dialogs: Map<string, DialogUser>;
  /** Our `address:port` as seen toward dest (From/Contact hosts). */
  hostFor(dest: Endpoint): string;
  /** `<sip:user@our-address:port>` for Contact headers toward dest. */
  contactFor(user: string, dest: Endpoint): string;
  /** A Via value with a fresh branch, for 2xx ACKs we send without a transaction. */
  viaFor(dest: Endpoint): string;
  /** A Dial leg's channel is hung up: run the hangup handlers pushed on it (b() routines), if any. */
  legGone(chan: SipChannel): void;
  /** A channel appeared, changed state, or went away. */
  channelChanged(chan: SipChannel, gone: boolean): void;
  /** Call milestones for observers (benchmarks, tests). */
  trace(e: CallTrace): void;
  /** `verbose(level, text)` on the console. */
  verbose(level: number, text: string): void;
}
