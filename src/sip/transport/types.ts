/**
 * Transports sit behind this small interface so the transaction layer and tests can inject a
 * fake. Implementations: UdpTransport, TcpTransport (src/sip/transport/*.ts), bundled by
 * TransportLayer (src/sip/transport/layer.ts).
 */
import type { SipMessage } from '../message/index.js';

export type TransportProto = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';

export interface Endpoint {
  proto: TransportProto;
  /** IP address; IPv6 without brackets. */
  address: string;
  port: number;
}

export interface InboundMessage {
  msg: SipMessage;
  /** Where it came from (the socket peer). */
  source: Endpoint;
  /** Our socket it arrived on. */
  local: Endpoint;
  /** TCP/TLS/WS: the connection it arrived on, for responses and reuse toward that contact. */
  connectionId: string | null;
  /** The bytes as received (sip set debug). */
  raw: Buffer;
}

export interface SendOptions {
  /** Prefer this existing connection (TCP reuse); falls back to a new connection to dest. */
  connectionId?: string | null;
}

/** What the SIP stack needs from "the network". */
export interface SipTransport {
  /** Deliver a message; errors (unreachable, connection refused) are reported through the callback. */
  send(msg: SipMessage, dest: Endpoint, opts?: SendOptions, onError?: (err: Error) => void): void;
  /**
   * Send bytes serialized before (a completed transaction's final response, resent exactly as it
   * first went out). Optional: without it the stack parses the bytes and calls send().
   */
  sendBytes?(bytes: Buffer, dest: Endpoint, opts?: SendOptions, onError?: (err: Error) => void): void;
  /** Our address for Via/Contact for this protocol (the bound address, or the one toward dest). */
  localEndpoint(proto: TransportProto, dest?: Endpoint): Endpoint;
  /** Called for every well-framed, parsed message. */
  onMessage(handler: (m: InboundMessage) => void): void;
  /** Called for bytes that framed as a message but did not parse; the stack decides whether a 400 can be sent. */
  onBadMessage(handler: (raw: Buffer, source: Endpoint, local: Endpoint, connectionId: string | null, err: Error) => void): void;
  /** Tap for `sip set debug on`: every message in and out. */
  onTrace(handler: (dir: 'in' | 'out', raw: Buffer, peer: Endpoint, local: Endpoint) => void): void;
  close(): Promise<void>;
}

export interface TransportLimits {
  /** Largest message accepted (bytes), default 65535 for UDP datagrams, 65535 for TCP too. */
  maxMessageBytes: number;
  /** Most simultaneous TCP connections (inbound + outbound), default 10000. */
  maxConnections: number;
  /** Close a TCP connection idle this long (ms), default 600000 (RFC 5626-ish: phones keep-alive). */
  tcpIdleTimeoutMs: number;
}
