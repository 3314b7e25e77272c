/**
 * Bodies herald passes between the two sides of a call without looking inside, except to tell
 * hold: RFC 3264 §8.4 — an offer with a=sendonly or a=inactive puts the other side on hold;
 * RFC 2543's c=0.0.0.0 means the same for older phones.
 */
import type { SipMessage } from '../../sip/message/index.js';
import type { MediaBody } from '../../pbx/apps/dial.js';

export function bodyOf(msg: SipMessage): MediaBody | null {
  if (msg.body.length === 0) return null;
  return { type: msg.headers.get('Content-Type') ?? 'application/sdp', data: msg.body };
}

export function holdInBody(body: MediaBody | null): boolean {
  if (!body || !/^application\/sdp/i.test(body.type)) return false;
  const text = body.data.toString('latin1');
  return /^a=(sendonly|inactive)\s*$/m.test(text) || /^c=IN IP4 0\.0\.0\.0\s*$/m.test(text);
}

/**
 * An answer that declines every offered stream (RFC 3264 §6: "a port number of zero" rejects a
 * stream): what herald, which has no media of its own, answers when the dialplan answers a call
 * itself (Answer()). Null when there was no SDP offer.
 */
export function declineAllStreams(offer: MediaBody | null, address: string): MediaBody | null {
  if (!offer || !/^application\/sdp/i.test(offer.type)) return null;
  const media = offer.data
    .toString('latin1')
    .split(/\r?\n/)
    .filter((l) => l.startsWith('m='))
    .map((l) => {
      const [kind = 'audio', , proto = 'RTP/AVP', ...fmts] = l.slice(2).trim().split(/\s+/);
      return `m=${kind} 0 ${proto} ${fmts.join(' ') || '0'}`;
    });
  const family = address.includes(':') ? 'IP6' : 'IP4';
  const sess = Date.now();
  const lines = ['v=0', `o=herald ${sess} ${sess} IN ${family} ${address}`, 's=herald', `c=IN ${family} ${address}`, 't=0 0', ...media];
  return { type: 'application/sdp', data: Buffer.from(lines.join('\r\n') + '\r\n') };
}
