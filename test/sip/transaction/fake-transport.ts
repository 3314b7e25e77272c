/**
 * A SipTransport for unit tests: records what the stack sends and lets a test inject inbound
 * bytes as if they had arrived on a socket (parsed by the real parser).
 */
import { parseMessage, SipHeaders, SipRequest, type SipMessage, type SipResponse } from '../../../src/sip/message/index.js';
import type { Endpoint, InboundMessage, SendOptions, SipTransport, TransportProto } from '../../../src/sip/transport/types.js';

export interface SentRecord {
  msg: SipMessage;
  dest: Endpoint;
  opts: SendOptions | undefined;
  onError: ((err: Error) => void) | undefined;
  /** The bytes, when the stack sent serialized bytes (sendBytes); msg is then their parse. */
  bytes?: Buffer;
}

export const LOCAL_UDP: Endpoint = { proto: 'UDP', address: '192.0.2.1', port: 5060 };
export const PEER_UDP: Endpoint = { proto: 'UDP', address: '192.0.2.9', port: 5070 };

export class FakeTransport implements SipTransport {
  readonly sent: SentRecord[] = [];
  closed = false;
  private messageHandlers: Array<(m: InboundMessage) => void> = [];
  private badHandlers: Array<(raw: Buffer, source: Endpoint, local: Endpoint, connectionId: string | null, err: Error) => void> = [];

  send(msg: SipMessage, dest: Endpoint, opts?: SendOptions, onError?: (err: Error) => void): void {
    this.sent.push({ msg, dest, opts, onError });
  }
  sendBytes(bytes: Buffer, dest: Endpoint, opts?: SendOptions, onError?: (err: Error) => void): void {
    this.sent.push({ msg: parseMessage(bytes), dest, opts, onError, bytes });
  }
  localEndpoint(proto: TransportProto): Endpoint {
    return { ...LOCAL_UDP, proto };
  }
  onMessage(handler: (m: InboundMessage) => void): void {
    this.messageHandlers.push(handler);
  }
  onBadMessage(handler: (raw: Buffer, source: Endpoint, local: Endpoint, connectionId: string | null, err: Error) => void): void {
    this.badHandlers.push(handler);
  }
  onTrace(): void {}
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Deliver raw text (CRLF line ends added) as if received from source. */
  inject(text: string, source: Endpoint = PEER_UDP, connectionId: string | null = null): void {
    const raw = Buffer.from(text);
    const local = { ...LOCAL_UDP, proto: source.proto };
    let msg: SipMessage;
    try {
      msg = parseMessage(raw);
    } catch (err) {
      for (const h of this.badHandlers) h(raw, source, local, connectionId, err as Error);
      return;
    }
    for (const h of this.messageHandlers) h({ msg, source, local, connectionId, raw });
  }

  /** Messages sent so far, then forget them. */
  take(): SentRecord[] {
    return this.sent.splice(0, this.sent.length);
  }
  responses(): SipResponse[] {
    return this.sent.map((s) => s.msg).filter((m): m is SipResponse => m.kind === 'response');
  }
  requests(): SipRequest[] {
    return this.sent.map((s) => s.msg).filter((m): m is SipRequest => m.kind === 'request');
  }
}

/** Build SIP text from lines, CRLF-terminated, with Content-Length. */
export function sipText(lines: string[], body = ''): string {
  return [...lines, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n');
}

export interface RequestSpec {
  method: string;
  branch?: string;
  cseq?: number;
  cseqMethod?: string;
  callId?: string;
  fromTag?: string;
  toTag?: string;
  via?: string;
  maxForwards?: number | null;
  extra?: string[];
  uri?: string;
}

/** A well-formed request from PEER_UDP. */
export function requestText(spec: RequestSpec): string {
  const via = spec.via ?? `SIP/2.0/UDP ${PEER_UDP.address}:${PEER_UDP.port};branch=${spec.branch ?? 'z9hG4bK-test-1'}`;
  const lines = [
    `${spec.method} ${spec.uri ?? 'sip:herald@192.0.2.1'} SIP/2.0`,
    `Via: ${via}`,
    ...(spec.maxForwards === null ? [] : [`Max-Forwards: ${spec.maxForwards ?? 70}`]),
    `From: <sip:alice@192.0.2.9>;tag=${spec.fromTag ?? 'fromtag1'}`,
    `To: <sip:herald@192.0.2.1>${spec.toTag ? `;tag=${spec.toTag}` : ''}`,
    `Call-ID: ${spec.callId ?? 'call-1@192.0.2.9'}`,
    `CSeq: ${spec.cseq ?? 1} ${spec.cseqMethod ?? spec.method}`,
    ...(spec.extra ?? []),
  ];
  return sipText(lines);
}

/** A response to a request we sent (copies its Via/From/To/Call-ID/CSeq). */
export function responseText(req: SipRequest, status: number, reason: string, toTag: string | null = 'remote-tag'): string {
  const lines = [`SIP/2.0 ${status} ${reason}`];
  for (const v of req.headers.getAll('Via')) lines.push(`Via: ${v}`);
  lines.push(`From: ${req.headers.get('From') ?? ''}`);
  const to = req.headers.get('To') ?? '';
  lines.push(`To: ${toTag && !/;tag=/.test(to) ? `${to};tag=${toTag}` : to}`);
  lines.push(`Call-ID: ${req.headers.get('Call-ID') ?? ''}`);
  lines.push(`CSeq: ${req.headers.get('CSeq') ?? ''}`);
  return sipText(lines);
}

/** An outgoing request for stack.request(): no Via (the stack adds it). */
export function outgoingRequest(method: string, n = 1): SipRequest {
  const h = new SipHeaders([
    ['From', '<sip:herald@192.0.2.1>;tag=ourtag'],
    ['To', '<sip:bob@192.0.2.9>'],
    ['Call-ID', `out-${method}-${n}@192.0.2.1`],
    ['CSeq', `1 ${method}`],
  ]);
  return new SipRequest(method, 'sip:bob@192.0.2.9:5070', h);
}
