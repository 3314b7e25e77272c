/**
 * The `SIP` technology for Dial: `SIP/peer` rings every registered contact of the peer at once
 * (one leg each); a static host peer is rung at its host; an unknown peer, or a dynamic peer
 * without contacts, cannot be called (CHANUNAVAIL: cause 20 SUBSCRIBER_ABSENT when unregistered,
 * 3 NO_ROUTE_DESTINATION when unknown). `SIP/peer/exten` is not supported.
 */
import type { DialLeg, DialRequest, DialTechnology } from '../../pbx/apps/dial.js';
import type { ContactBinding } from '../../registrar/binding.js';
import type { SipPeerConfig } from '../../sip/config/sip-conf.js';
import { CAUSE } from './causes.js';
import { parseUri } from '../../sip/message/index.js';
import type { Endpoint, TransportProto } from '../../sip/transport/types.js';
import type { CallsContext } from './context.js';
import { OutboundLeg } from './outbound-leg.js';

export interface PeerDirectory {
  getPeer(name: string): SipPeerConfig | undefined;
  contactsOf(name: string): readonly ContactBinding[];
}

function staticBinding(peer: SipPeerConfig): ContactBinding | null {
  if (peer.dynamic || !peer.host) return null;
  const port = peer.port ?? 5060;
  const user = peer.defaultUser ?? peer.name;
  return {
    uri: `sip:${user}@${peer.host}:${port}`,
    user,
    expiresSec: 0,
    expiresAt: Number.MAX_SAFE_INTEGER,
    source: { proto: 'UDP', address: peer.host, port },
    connectionId: null,
    callId: '',
    cseq: 0,
    userAgent: '',
    q: null,
    instanceId: null,
    path: [],
    registeredAt: 0,
  };
}

/**
 * Where a leg's INVITE goes. chan_sip's nat=auto_force_rport: a contact whose address is the one
 * the REGISTER came from is not behind NAT, so its own port is used (a phone may register from
 * one socket and take calls on another); otherwise (NAT) the REGISTER's source address and port.
 */
export function legDestination(binding: ContactBinding): Endpoint {
  try {
    const uri = parseUri(binding.uri);
    if (uri.host === binding.source.address) {
      const t = (uri.params.get('transport') ?? '').toUpperCase();
      const proto: TransportProto = t === 'TCP' ? 'TCP' : t === 'UDP' ? 'UDP' : binding.source.proto;
      return { proto, address: uri.host, port: uri.port ?? 5060 };
    }
  } catch {
    // An unparsable contact: fall back to where it registered from.
  }
  return binding.source;
}

export function sipTechnology(ctx: CallsContext, peers: PeerDirectory, onLeg: (caller: DialRequest['caller'], leg: OutboundLeg) => void): DialTechnology {
  return {
    call(resource: string, req: DialRequest): DialLeg[] | number {
      const peerName = resource.split('/')[0] ?? '';
      const peer = peers.getPeer(peerName);
      if (!peer || peer.type === 'user') return CAUSE.NO_ROUTE_DESTINATION;
      const bindings = peer.dynamic ? [...peers.contactsOf(peer.name)] : [staticBinding(peer)].filter((b): b is ContactBinding => b !== null);
      if (bindings.length === 0) return CAUSE.SUBSCRIBER_ABSENT;
      const legs = bindings.map(
        (binding) => new OutboundLeg({ ctx, peer: peer.name, number: resource, binding, caller: req.caller, offer: req.offer, onEvent: req.onEvent }),
      );
      for (const leg of legs) {
        onLeg(req.caller, leg);
        // Started after Dial has taken the legs, so an immediate failure reaches a leg it knows.
        // With holdStart Dial starts them itself once its b() routines ran on their channels.
        if (!req.holdStart) queueMicrotask(() => leg.start());
      }
      return legs;
    },
  };
}
