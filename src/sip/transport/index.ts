/** Public surface of the SIP transport layer. */
export { TransportLayer, DEFAULT_TRANSPORT_LIMITS, type TransportLayerOptions, type BindAddress } from './layer.js';
export { UdpTransport } from './udp.js';
export { TcpTransport } from './tcp.js';
export type { Endpoint, InboundMessage, SendOptions, SipTransport, TransportLimits, TransportProto } from './types.js';
