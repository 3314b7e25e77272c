/**
 * Who is ringing a hinted extension, for the presence module's dialog-info early state (what BLF
 * phones show, RFC 4235 §4.1 <remote><identity>): the caller ID of the newest leg Dial is
 * ringing toward a peer behind one of the hint's `SIP/<peer>` devices. The leg carries the
 * caller's CALLERID(num)/CALLERID(name) (Dial copies them to every leg it creates).
 */
import type { RingingCaller } from '../../presence/bodies/types.js';
import { splitDevice } from '../../state/device-state.js';
import type { PeerCalls } from './device-state.js';
import type { SipChannel } from './sip-channel.js';

/** ast_extension_state bit for a ringing device (8 RINGING, 9 RINGINUSE). */
const EXTENSION_RINGING_BIT = 8;

/** The peer names behind a hint's devices: `SIP/<peer>` (technology in any case); others skipped. */
export function sipPeersOfDevices(devices: readonly string[]): string[] {
  const peers: string[] = [];
  for (const device of devices) {
    const parts = splitDevice(device);
    if (parts?.form !== 'tech' || parts.name.toUpperCase() !== 'SIP') continue;
    const peer = parts.resource.split('/')[0] ?? '';
    if (peer !== '') peers.push(peer);
  }
  return peers;
}

/** The allocation counter in a `<epoch>.<n>` unique id: larger is newer. */
function creationOrder(chan: SipChannel): number {
  const n = Number(chan.uniqueid.slice(chan.uniqueid.lastIndexOf('.') + 1));
  return Number.isFinite(n) ? n : -1;
}

/** The caller of the newest ringing outbound leg toward any of `peers`, null when none rings. */
export function newestRingingCaller(peers: readonly string[], calls: PeerCalls): RingingCaller | null {
  let newest: SipChannel | null = null;
  for (const peer of peers) {
    for (const chan of calls.of(peer)) {
      if (chan.direction !== 'outbound' || chan.state !== 'Ringing' || chan.hungUp) continue;
      if (!newest || creationOrder(chan) > creationOrder(newest)) newest = chan;
    }
  }
  return newest ? { number: newest.callerId.num, name: newest.callerId.name } : null;
}

/** What the presence module asks for: the hint of (context, exten), its devices and state. */
export interface HintLookup {
  find(context: string, exten: string): { devices: string[]; state: number } | undefined;
}

/**
 * The source for PresenceModule.setRingingCallerSource: null unless the hint is ringing, so the
 * NOTIFY bodies of other states stay shared between watchers.
 */
export function ringingCallerSource(hints: HintLookup, calls: PeerCalls): (context: string, exten: string) => RingingCaller | null {
  return (context, exten) => {
    const hint = hints.find(context, exten);
    if (!hint || (hint.state & EXTENSION_RINGING_BIT) === 0) return null;
    return newestRingingCaller(sipPeersOfDevices(hint.devices), calls);
  };
}
