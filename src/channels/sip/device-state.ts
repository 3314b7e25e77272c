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

/** Live SIP channels per peer (lower-cased name). */
export class PeerCalls {
  private readonly byPeer = new Map<string, Set<SipChannel>>();

  update(chan: SipChannel, gone: boolean): void {
    if (!chan.peer) return;
    const key = chan.peer.toLowerCase();
    let set = this.byPeer.get(key);
    if (gone) {
      set?.delete(chan);
      if (set && set.size === 0) this.byPeer.delete(key);
      return;
    }
    if (!set) {
      set = new Set();
      this.byPeer.set(key, set);
    }
    set.add(chan);
  }

  of(peer: string): SipChannel[] {
    return [...(this.byPeer.get(peer.toLowerCase()) ?? [])];
  }

  /** [peer key, channels] for `sip show inuse`. */
  entries(): Array<[string, SipChannel[]]> {
    return [...this.byPeer].map(([k, v]) => [k, [...v]]);
  }
}

export function sipPeerDeviceState(view: PeerView, calls: PeerCalls, resource: string): DeviceState {
  const peer = view.getPeer(resource);
  if (!peer) return 'INVALID';
  const chans = calls.of(peer.name);
  if (chans.length === 0) return peer.dynamic && view.contactsOf(peer.name).length === 0 ? 'UNAVAILABLE' : 'NOT_INUSE';
  const limit = peer.busyLevel ?? peer.callLimit;
  const inUse = chans.filter((c) => c.state === 'Up' || c.state === 'Ring').length;
  const states = chans.map(channelDeviceState);
  if (limit !== null && limit > 0 && inUse >= limit) states.push('BUSY');
  return aggregateDeviceStates(states);
}
