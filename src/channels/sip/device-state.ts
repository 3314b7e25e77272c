/**
 * Device state of `SIP/<peer>` from registrations and calls (asterisk-presence-state.md §3.1,
 * chan_sip's sip_devicestate with call counting): unknown peer → INVALID; no call and no contact
 * (dynamic peer) → UNAVAILABLE; idle → NOT_INUSE; otherwise the aggregate of its channels (a held
 * channel counts as ONHOLD, RINGING + in use → RINGINUSE) and BUSY once the peer's calls in use
 * reach busylevel= (or call-limit=).
 */
import type { DeviceState } from '../../state/device-state.js';
import { aggregateDeviceStates } from '../../state/device-state.js';
import type { SipChannel } from './sip-channel.js';

export interface PeerView {
  getPeer(name: string): { name: string; dynamic: boolean; busyLevel: number | null; callLimit: number | null } | undefined;
  contactsOf(name: string): readonly unknown[];
}

/** chan2dev plus hold. */
export function channelDeviceState(chan: SipChannel): DeviceState {
  if (chan.onHold) return 'ONHOLD';
  switch (chan.state) {
    case 'Down':
      return 'NOT_INUSE';
    case 'Ringing':
      return 'RINGING';
    case 'Busy':
      return 'BUSY';
    case 'Rsrvd':
    case 'OffHook':
    case 'Dialing':
    case 'Ring':
    case 'Up':
      return 'INUSE';
    default:
      return 'UNKNOWN';
  }
}

interface PeerTally {
  channels: Set<SipChannel>;
  /** How many of its channels are in each device state (entries stay at 0 once seen). */
  byState: Map<DeviceState, number>;
  /** Channels Up or dialing out (busylevel counts these). */
  inUse: number;
}

function countsAsInUse(chan: SipChannel): boolean {
  return chan.state === 'Up' || chan.state === 'Ring';
}

/**
 * Live SIP channels per peer (lower-cased name), with running counts per device state so a
 * state change costs O(1) however many calls the peer has. What a channel contributes now is
 * kept on the channel itself (`countedState`, `countedInUse`), and a peer's tally stays once
 * made (there is one per configured peer at most), so a state change allocates nothing.
 */
export class PeerCalls {
  private readonly byPeer = new Map<string, PeerTally>();
  /** Reused by deviceState(): the states present, handed to aggregateDeviceStates. */
  private readonly scratch: DeviceState[] = [];

  update(chan: SipChannel, gone: boolean): void {
    if (!chan.peer) return;
    const key = chan.peer.toLowerCase();
    let tally = this.byPeer.get(key);
    const before = chan.countedState;
    if (tally && before !== null) {
      tally.byState.set(before, (tally.byState.get(before) ?? 1) - 1);
      if (chan.countedInUse) tally.inUse--;
    }
    if (gone) {
      chan.countedState = null;
      chan.countedInUse = false;
      tally?.channels.delete(chan);
      return;
    }
    if (!tally) {
      tally = { channels: new Set(), byState: new Map(), inUse: 0 };
      this.byPeer.set(key, tally);
    }
    tally.channels.add(chan);
    const state = channelDeviceState(chan);
    const inUse = countsAsInUse(chan);
    chan.countedState = state;
    chan.countedInUse = inUse;
    tally.byState.set(state, (tally.byState.get(state) ?? 0) + 1);
    if (inUse) tally.inUse++;
  }

  of(peer: string): SipChannel[] {
    return [...(this.byPeer.get(peer.toLowerCase())?.channels ?? [])];
  }

  /**
   * The aggregate state of the peer's channels, BUSY added once `limit` of them are in use;
   * null when the peer has no channel.
   */
  deviceState(peer: string, limit: number | null): DeviceState | null {
    const t = this.byPeer.get(peer.toLowerCase());
    if (!t || t.channels.size === 0) return null;
    const states = this.scratch;
    states.length = 0;
    for (const [st, n] of t.byState) if (n > 0) states.push(st);
    if (limit !== null && limit > 0 && t.inUse >= limit) states.push('BUSY');
    return aggregateDeviceStates(states);
  }
}

export function sipPeerDeviceState(view: PeerView, calls: PeerCalls, resource: string): DeviceState {
  const peer = view.getPeer(resource);
  if (!peer) return 'INVALID';
  const state = calls.deviceState(peer.name, peer.busyLevel ?? peer.callLimit);
  if (state === null) return peer.dynamic && view.contactsOf(peer.name).length === 0 ? 'UNAVAILABLE' : 'NOT_INUSE';
  return state;
}
