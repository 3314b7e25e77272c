/**
 * A message reduced to its bytes: what a completed server transaction keeps to answer
 * retransmitted requests (RFC 3261 §17.2.2: the last response is passed to the transport again
 * for every retransmission, for 64*T1 = 32 s on UDP). The copy serializes to exactly the bytes the
 * original serialized to (serializeMessage re-emits received header lines when the headers are
 * untouched), but holds no header strings, arrays or parse caches: one buffer instead of a few
 * kilobytes of objects per transaction, which adds up at thousands of requests a second.
 *
 * Its headers read as empty: it is only for sending again as it is (no header may be added).
 */
import { SipHeaders } from './headers.js';
import { SipRequest, SipResponse, type SipMessage } from './message.js';
import { serializeMessage } from './serialize.js';

const CRLF_CRLF = Buffer.from('\r\n\r\n');

export function wireCopy<M extends SipMessage>(msg: M): M {
  const serialized = serializeMessage(msg);
  // An exact-size buffer of its own: a slice of Node's shared 8 KB allocation pool would keep the
  // whole pool chunk (and every short-lived message in it) alive for as long as the copy lives.
  const bytes = Buffer.allocUnsafeSlow(serialized.length);
  serialized.copy(bytes);
  const firstLineEnd = bytes.indexOf('\r\n') + 2;
  // The blank line ending the header section; serializeMessage always writes Content-Length.
  const blank = bytes.indexOf(CRLF_CRLF, firstLineEnd - 2);
  const h = new SipHeaders();
  h.raw = bytes;
  h.rawOffset = firstLineEnd;
  h.rawEnd = blank + 2;
  const body = bytes.subarray(blank + 4);
  h.rawContentLength = body.length;
  const copy = msg.kind === 'request' ? new SipRequest(msg.method, msg.uri, h, body) : new SipResponse(msg.status, msg.reason, h, body);
  return copy as M;
}
