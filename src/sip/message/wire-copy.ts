/**
 * A message kept as its wire text: what a completed server transaction keeps to answer
 * retransmitted requests (RFC 3261 §17.2.2: the last response is passed to the transport again
 * for every retransmission, for 64*T1 = 32 s on UDP).
 *
 * wireText gives the serialized bytes as a one-byte string (each byte one character, so any
 * UTF-8 content survives): it lives in the V8 heap, which compacts, instead of as a parsed
 * message (header arrays, value strings, the received text: a few kilobytes) or a malloc'd
 * buffer (thousands of those kept 32 s fragment the native heap). fromWireText parses it back:
 * the result serializes to exactly the same bytes (serializeMessage re-emits received header
 * lines as they were).
 */
import type { SipMessage } from './message.js';
import { parseMessage } from './parser.js';
import { lastSerialized, serializeMessage } from './serialize.js';

/** A response just sent and now kept is not serialized a second time (lastSerialized). */
export function wireText(msg: SipMessage): string {
  return (lastSerialized(msg) ?? serializeMessage(msg)).toString('latin1');
}

export function fromWireText(text: string): SipMessage {
  return parseMessage(Buffer.from(text, 'latin1'));
}
