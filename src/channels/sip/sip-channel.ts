/**
 * A channel of the SIP technology: the caller's side of an inbound call (it runs the dialplan) or
 * a leg Dial created toward a peer. The dialplan changes `state` itself (Answer() sets "Up",
 * Busy() "Busy"); the SIP side hears of it through onStateSet and answers or rejects the INVITE.
 */
import { Channel, type ChannelInit } from '../channel.js';
import type { DeviceState } from '../../state/device-state.js';

export type SipDirection = 'inbound' | 'outbound';

/** Indications the dialplan gives a channel (ast_indicate's RINGING and PROGRESS). */
export type SipIndication = 'ringing' | 'progress';

export interface SipChannelInit extends ChannelInit {
  direction: SipDirection;
  /** The configured peer this channel belongs to (device state), null for a guest. */
  peer: string | null;
  callId: string;
}

export class SipChannel extends Channel {
  readonly direction: SipDirection;
  readonly peer: string | null;
  readonly callId: string;
  /** Epoch ms of the answer (CDR billsec), null while unanswered. */
  answeredAt: number | null = null;
  /** The other side put the call on hold (a=sendonly/inactive or c=0.0.0.0 in its offer). */
  onHold = false;
  /** The bridged channel's name while bridged (`core show channel`, CDR dstchannel). */
  bridgedTo: string | null = null;
  /** Called after the dialplan (or herald) set a new state. */
  onStateSet: ((next: string, prev: string) => void) | null = null;
  /** The SIP side of an indication from the dialplan (Ringing(), Progress()). */
  onIndicate: ((condition: SipIndication) => void) | null = null;
  /** Called after every state change, quiet ones included (device state). */
  onStateChanged: (() => void) | null = null;
  /** PeerCalls' bookkeeping: the device state this channel is counted under (null: not counted). */
  countedState: DeviceState | null = null;
  /** PeerCalls' bookkeeping: counted as in use (busylevel). */
  countedInUse = false;
  constructor(init: SipChannelInit) {
    super(init);
    this.direction = init.direction;
    this.peer = init.peer;
    this.callId = init.callId;
  }

  /** Channel's hook after every state change: the SIP side follows what applications do. */
  protected override stateChanged(prev: string, next: string): void {
    if (next === 'Up' && this.answeredAt === null) this.answeredAt = Date.now();
    this.onStateSet?.(next, prev);
    this.onStateChanged?.();
  }

  /** Ringing()/Progress() call this (src/pbx/apps/basic.ts); the SIP side decides what to send. */
  indicate(condition: SipIndication): void {
    this.onIndicate?.(condition);
  }

  /** Change the state without telling the SIP side (it made the change itself). */
  setStateQuietly(next: string): void {
    const hook = this.onStateSet;
    this.onStateSet = null;
    this.state = next;
    this.onStateSet = hook;
  }
}
