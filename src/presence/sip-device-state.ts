/**
 * Device state of `SIP/<peer>` from registrations, until the SIP channel driver provides it:
 * a configured peer with at least one contact is NOT_INUSE, without contacts UNAVAILABLE
 * (observed §10.5: REGISTER turns `SIP/6002` from UNAVAILABLE to NOT_INUSE), an unknown peer
 * INVALID. Registered as the `SIP` technology provider and kept current from the bus's
 * PeerRegistration events. If another module already provides `SIP`, nothing is wired.
 */
import type { EventBus } from '../core/bus.js';
import type { DeviceState, DeviceStateEngine } from '../state/device-state.js';

export interface RegistrationView {
  getPeer(name: string): { name: string } | undefined;
  listPeers(): Array<{ name: string }>;
  contactsOf(name: string): readonly unknown[];
}

export function peerDeviceState(sip: RegistrationView, name: string): DeviceState {
  const peer = sip.getPeer(name);
  if (!peer) return 'INVALID';
  return sip.contactsOf(peer.name).length > 0 ? 'NOT_INUSE' : 'UNAVAILABLE';
}

/** Returns the function that undoes the wiring, or null when `SIP` already had a provider. */
export function wireSipDeviceState(devices: DeviceStateEngine, bus: EventBus, sip: RegistrationView): (() => void) | null {
  let removeProvider: () => void;
  try {
    removeProvider = devices.registerProvider('SIP', (resource) => peerDeviceState(sip, resource), 'tech');
  } catch {
    return null;
  }
  const off = bus.on('PeerRegistration', (e) => {
    const peer = sip.getPeer(e.peer);
    const name = peer ? peer.name : e.peer;
    devices.setState(`SIP/${name}`, e.contacts > 0 ? 'NOT_INUSE' : 'UNAVAILABLE');
  });
  // Registrations restored before this module started were announced before we listened.
  for (const p of sip.listPeers()) devices.setState(`SIP/${p.name}`, peerDeviceState(sip, p.name));
  return () => {
    off();
    removeProvider();
  };
}
