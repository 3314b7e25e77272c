/**
 * A message as its wire text: the serialized bytes as a one-byte string (each byte one
 * character, so any UTF-8 content survives), and back. fromWireText(wireText(m)) serializes to
 * exactly the same bytes (serializeMessage re-emits received header lines as they were).
 * Completed transactions no longer keep messages this way (they keep the bytes they sent, see
 * src/sip/transaction/completed.ts); this stays for tools and tests that compare messages as text.
 */
import type { SipMessage } from './message.js';
import { parseMessage } from './parser.js';
import { serializeMessage } from './serialize.js';

export function wireText(msg: SipMessage): string {
  return serializeMessage(msg).toString('latin1');
}

export function fromWireText(text: string): SipMessage {
  return parseMessage(Buffer.from(text, 'latin1'));
}
