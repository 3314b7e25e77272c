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
  /** How many of its channels are in each device state. */
  byState: Map<DeviceState, number>;
  /** Channels Up or dialing out (busylevel counts these). */
  inUse: number;
}

function countsAsInUse(chan: SipChannel): boolean {
  return chan.state === 'Up' || chan.state === 'Ring';
}

/**
 * Live SIP channels per peer (lower-cased name), with running counts per device state so a
 * state change costs O(1) however many calls the peer has.
 */
export class PeerCalls {
  private readonly byPeer = new Map<string, PeerTally>();
  /** What each channel contributes now: its device state and whether it is in use. */
  private readonly seen = new Map<SipChannel, { state: DeviceState; inUse: boolean }>();

  update(chan: SipChannel, gone: boolean): void {
    if (!chan.peer) return;
    const key = chan.peer.toLowerCase();
    let tally = this.byPeer.get(key);
    const before = this.seen.get(chan);
    if (tally && before) {
      tally.byState.set(before.state, (tally.byState.get(before.state) ?? 1) - 1);
      if (before.inUse) tally.inUse--;
    }
    if (gone) {
      this.seen.delete(chan);
      if (tally) {
        tally.channels.delete(chan);
        if (tally.channels.size === 0) this.byPeer.delete(key);
      }
      return;
    }
    if (!tally) {
      tally = { channels: new Set(), byState: new Map(), inUse: 0 };
      this.byPeer.set(key, tally);
    }
    tally.channels.add(chan);
    const now = { state: channelDeviceState(chan), inUse: countsAsInUse(chan) };
    this.seen.set(chan, now);
    tally.byState.set(now.state, (tally.byState.get(now.state) ?? 0) + 1);
    if (now.inUse) tally.inUse++;
  }

  of(peer: string): SipChannel[] {
    return [...(this.byPeer.get(peer.toLowerCase())?.channels ?? [])];
  }

  /** The device states present among the peer's channels, and how many are in use. */
  summary(peer: string): { states: DeviceState[]; inUse: number; channels: number } {
    const t = this.byPeer.get(peer.toLowerCase());
    if (!t) return { states: [], inUse: 0, channels: 0 };
    const states = [...t.byState].filter(([, n]) => n > 0).map(([st]) => st);
    return { states, inUse: t.inUse, channels: t.channels.size };
  }
}

export function sipPeerDeviceState(view: PeerView, calls: PeerCalls, resource: string): DeviceState {
  const peer = view.getPeer(resource);
  if (!peer) return 'INVALID';
  const { states, inUse, channels } = calls.summary(peer.name);
  if (channels === 0) return peer.dynamic && view.contactsOf(peer.name).length === 0 ? 'UNAVAILABLE' : 'NOT_INUSE';
  const limit = peer.busyLevel ?? peer.callLimit;
  if (limit !== null && limit > 0 && inUse >= limit) states.push('BUSY');
  return aggregateDeviceStates(states);
}
