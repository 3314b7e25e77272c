/**
 * Where UDP and TCP transports deliver what they receive, and helpers they share: endpoint
 * keys, the CRLF keep-alive test, and parse-and-deliver with every error contained.
 */
import { isIP } from 'node:net';
import type { Logger } from '../../core/log.js';
import { parseMessage } from '../message/index.js';
import type { Endpoint, InboundMessage } from './types.js';

export type BadMessageHandler = (raw: Buffer, source: Endpoint, local: Endpoint, connectionId: string | null, err: Error) => void;
export type TraceHandler = (dir: 'in' | 'out', raw: Buffer, peer: Endpoint, local: Endpoint) => void;

/** Fan-out of the layer's handlers, shared by every socket. */
export class TransportSink {
  readonly messageHandlers: Array<(m: InboundMessage) => void> = [];
  readonly badHandlers: BadMessageHandler[] = [];
  readonly traceHandlers: TraceHandler[] = [];
  constructor(readonly log: Logger) {}

  trace(dir: 'in' | 'out', raw: Buffer, peer: Endpoint, local: Endpoint): void {
    for (const h of this.traceHandlers) {
      try {
        h(dir, raw, peer, local);
      } catch (err) {
        this.log.warn({ err }, 'SIP trace handler threw');
      }
    }
  }

  /** Parse one framed message and hand it on; a parse failure goes to the bad-message handlers. */
  deliver(raw: Buffer, source: Endpoint, local: Endpoint, connectionId: string | null): void {
    this.trace('in', raw, source, local);
    let msg;
    try {
      msg = parseMessage(raw);
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      this.log.debug({ err: e, source }, 'unparseable SIP message');
      for (const h of this.badHandlers) {
        try {
          h(raw, source, local, connectionId, e);
        } catch (herr) {
          this.log.warn({ err: herr }, 'SIP bad-message handler threw');
        }
      }
      return;
    }
    const inbound: InboundMessage = { msg, source, local, connectionId, raw };
    for (const h of this.messageHandlers) {
      try {
        h(inbound);
      } catch (err) {
        this.log.warn({ err }, 'SIP message handler threw');
      }
    }
  }
}

/** True for a buffer of only CR and LF bytes (RFC 5626 keep-alives and stray line ends). */
export function onlyLineEnds(buf: Buffer): boolean {
  for (const b of buf) if (b !== 0x0d && b !== 0x0a) return false;
  return true;
}

const FAMILY_MEMO_MAX = 1024;
const familyMemo = new Map<string, 0 | 4 | 6>();

/**
 * net.isIP(address), remembered for the last addresses asked about: every datagram sent asks
 * (dgram's lookup, the layer's socket choice) and isIP runs a regular expression each time. The
 * memo is emptied when full, so it never holds more than FAMILY_MEMO_MAX short names.
 */
export function addressFamily(address: string): 0 | 4 | 6 {
  // No IP literal is longer than 45 characters; longer names are not worth keeping.
  if (address.length > 45) return isIP(address) as 0 | 4 | 6;
  let fam = familyMemo.get(address);
  if (fam === undefined) {
    fam = isIP(address) as 0 | 4 | 6;
    if (familyMemo.size >= FAMILY_MEMO_MAX) familyMemo.clear();
    familyMemo.set(address, fam);
  }
  return fam;
}

export function ipFamily(address: string): 4 | 6 {
  return addressFamily(address) === 6 ? 6 : 4;
}

const NORMAL_MEMO_MAX = 1024;
const normalMemo = new Map<string, string>();

/**
 * "1.2.3.4:5060" / "[::1]:5060"; IPv4-mapped IPv6 peers are shown as plain IPv4. The answer for
 * one of the last addresses seen is the same string object as before: dgram makes a new address
 * string per datagram, and a completed transaction keeps its peer's address for 32 s.
 */
export function normalizeAddress(address: string): string {
  const known = normalMemo.get(address);
  if (known !== undefined) return known;
  // Only an address starting "::" can be IPv4-mapped: skip the expression for all others.
  const mapped = address.charCodeAt(0) === 0x3a ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address) : null;
  const normal = mapped?.[1] ?? address.toLowerCase();
  if (address.length <= 45) {
    if (normalMemo.size >= NORMAL_MEMO_MAX) normalMemo.clear();
    normalMemo.set(address, normal);
  }
  return normal;
}

export function endpointKey(address: string, port: number): string {
  return `${normalizeAddress(address)}|${port}`;
}

export function isUnspecified(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}
