/**
 * TransportLayer: every UDP socket and TCP listener herald binds, behind the one SipTransport
 * interface the stack uses. Sends pick the transport by dest.proto and the socket by address
 * family.
 */
import { networkInterfaces } from 'node:os';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/log.js';
import type { SipMessage } from '../message/index.js';
import { ipFamily, isUnspecified, TransportSink, type BadMessageHandler, type TraceHandler } from './sink.js';
import { TcpTransport } from './tcp.js';
import type { Endpoint, InboundMessage, SendOptions, SipTransport, TransportLimits, TransportProto } from './types.js';
import { UdpTransport } from './udp.js';

export const DEFAULT_TRANSPORT_LIMITS: TransportLimits = {
  maxMessageBytes: 65535,
  maxConnections: 10000,
  tcpIdleTimeoutMs: 600000,
};

export interface BindAddress {
  address: string;
  port: number;
}

export interface TransportLayerOptions {
  udp?: BindAddress[];
  tcp?: BindAddress[];
  limits?: Partial<TransportLimits>;
  log: Logger;
  /** Accepted for symmetry with the other layers; socket idle timers use Node's own. */
  clock?: Clock;
}

export class TransportLayer implements SipTransport {
  readonly limits: TransportLimits;
  private readonly udp: UdpTransport[] = [];
  private tcp: TcpTransport | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly sink: TransportSink,
    limits: TransportLimits,
  ) {
    this.limits = limits;
  }

  /** Bind every requested socket; if one fails, the ones already bound are closed and the error thrown. */
  static async create(opts: TransportLayerOptions): Promise<TransportLayer> {
    const limits: TransportLimits = { ...DEFAULT_TRANSPORT_LIMITS, ...opts.limits };
    const layer = new TransportLayer(new TransportSink(opts.log), limits);
    try {
      for (const b of opts.udp ?? []) layer.udp.push(await UdpTransport.bind(b.address, b.port, layer.sink, limits.maxMessageBytes));
      if (opts.tcp && opts.tcp.length > 0) {
        layer.tcp = new TcpTransport(layer.sink, limits);
        for (const b of opts.tcp) await layer.tcp.listen(b.address, b.port);
      }
    } catch (err) {
      await layer.close();
      throw err;
    }
    return layer;
  }

  /** What was actually bound (real ports when 0 was asked for). */
  boundEndpoints(): Endpoint[] {
    return [...this.udp.map((u) => u.local), ...(this.tcp?.listeners() ?? [])];
  }

  /** Open TCP connections (inbound + outbound). */
  tcpConnectionCount(): number {
    return this.tcp?.connectionCount() ?? 0;
  }

  send(msg: SipMessage, dest: Endpoint, opts?: SendOptions, onError?: (err: Error) => void): void {
    try {
      const out = this.outletFor(dest, onError);
      if (out instanceof UdpTransport) out.send(msg, dest, onError);
      else out?.send(msg, dest, opts?.connectionId, onError);
    } catch (err) {
      onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  sendBytes(bytes: Buffer, dest: Endpoint, opts?: SendOptions, onError?: (err: Error) => void): void {
    try {
      const out = this.outletFor(dest, onError);
      if (out instanceof UdpTransport) out.sendRaw(bytes, dest, onError);
      else out?.sendBytes(bytes, dest, opts?.connectionId, onError);
    } catch (err) {
      onError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** The UDP socket or the TCP transport a message to dest leaves by; null once onError was told why there is none. */
  private outletFor(dest: Endpoint, onError?: (err: Error) => void): UdpTransport | TcpTransport | null {
    if (dest.proto === 'UDP') {
      const sock = this.udpFor(dest.address);
      if (sock) return sock;
      onError?.(new Error(`no UDP socket for IPv${ipFamily(dest.address)}`));
    } else if (dest.proto === 'TCP') {
      if (this.tcp) return this.tcp;
      onError?.(new Error('TCP transport not enabled'));
    } else {
      onError?.(new Error(`transport ${dest.proto} not supported`));
    }
    return null;
  }

  localEndpoint(proto: TransportProto, dest?: Endpoint): Endpoint {
    const family = dest ? ipFamily(dest.address) : 4;
    let local: Endpoint | undefined;
    if (proto === 'UDP') {
      // Every request sent asks: the sockets are searched without building arrays and closures.
      local = this.udpFor(dest ? dest.address : '0.0.0.0')?.local ?? this.udp[0]?.local;
    } else {
      const candidates = proto === 'TCP' ? (this.tcp?.listeners() ?? []) : [];
      local = candidates.find((c) => ipFamily(c.address) === family) ?? candidates[0];
    }
    if (!local) return { proto, address: family === 6 ? '::1' : '127.0.0.1', port: 5060 };
    if (!isUnspecified(local.address)) return local;
    return { proto, address: concreteAddress(ipFamily(local.address), dest), port: local.port };
  }

  onMessage(handler: (m: InboundMessage) => void): void {
    this.sink.messageHandlers.push(handler);
  }

  onBadMessage(handler: BadMessageHandler): void {
    this.sink.badHandlers.push(handler);
  }

  onTrace(handler: TraceHandler): void {
    this.sink.traceHandlers.push(handler);
  }

  close(): Promise<void> {
    this.closing ??= Promise.all([...this.udp.map((u) => u.close()), this.tcp?.close()]).then(() => undefined);
    return this.closing;
  }

  private udpFor(address: string): UdpTransport | undefined {
    const family = ipFamily(address);
    // A loop, not find(): this runs for every datagram sent and a closure each adds up.
    for (const u of this.udp) if (u.family === family) return u;
    return undefined;
  }
}

/** For a wildcard bind: loopback toward loopback peers, else the first external interface address. */
function concreteAddress(family: 4 | 6, dest?: Endpoint): string {
  const loopback = family === 6 ? '::1' : '127.0.0.1';
  if (dest && (dest.address === loopback || dest.address.startsWith('127.'))) return loopback;
  return externalAddress(family) ?? loopback;
}

/**
 * networkInterfaces() costs about 0.1 ms (getifaddrs) and every request sent from a wildcard bind
 * asks for it (a NOTIFY fan-out asks once per watcher), so the answer is kept for a second.
 */
const INTERFACES_TTL_MS = 1000;
const externalByFamily = new Map<4 | 6, { address: string | undefined; readAt: number }>();

function externalAddress(family: 4 | 6): string | undefined {
  const now = performance.now();
  const cached = externalByFamily.get(family);
  if (cached && now - cached.readAt < INTERFACES_TTL_MS) return cached.address;
  const address = firstExternalInterface(family);
  externalByFamily.set(family, { address, readAt: now });
  return address;
}

function firstExternalInterface(family: 4 | 6): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const ni of list ?? []) {
      if (!ni.internal && ni.family === (family === 6 ? 'IPv6' : 'IPv4') && !ni.address.startsWith('fe80')) return ni.address;
    }
  }
  return undefined;
}
