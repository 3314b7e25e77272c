/**
 * serializeMessage: start line, headers in order with canonical names, Content-Length from the
 * body's byte length (§20.14), CRLF line ends (§7), body.
 */
import type { SipMessage } from './message.js';

/** A value set by code may not smuggle in extra header lines: CR/LF become spaces. */
function safeValue(v: string): string {
  return v.indexOf('\n') < 0 && v.indexOf('\r') < 0 ? v : v.replace(/[\r\n]/g, ' ');
}

function startLine(msg: SipMessage): string {
  return msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
}

export function serializeMessage(msg: SipMessage): Buffer {
  const body = msg.body;
  const h = msg.headers;
  const first = startLine(msg);
  // Parsed and unmodified with a matching Content-Length: re-send the received header lines.
  if (h.raw !== null && h.rawContentLength === body.length) {
    const firstLen = Buffer.byteLength(first);
    const rawLen = h.rawEnd - h.rawOffset;
    const out = Buffer.allocUnsafe(firstLen + rawLen + 2 + body.length);
    out.write(first, 0, 'utf8');
    h.raw.copy(out, firstLen, h.rawOffset, h.rawEnd);
    out[firstLen + rawLen] = 0x0d;
    out[firstLen + rawLen + 1] = 0x0a;
    body.copy(out, firstLen + rawLen + 2);
    return out;
  }
  let text = first;
  let wroteLength = false;
  const { keys, names, values } = h;
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === 'content-length') {
      if (!wroteLength) text += `Content-Length: ${body.length}\r\n`;
      wroteLength = true;
      continue;
    }
    text += `${names[i] as string}: ${safeValue(values[i] as string)}\r\n`;
  }
  if (!wroteLength) text += `Content-Length: ${body.length}\r\n`;
  text += '\r\n';
  if (body.length === 0) return Buffer.from(text, 'utf8');
  const headLen = Buffer.byteLength(text);
  const out = Buffer.allocUnsafe(headLen + body.length);
  out.write(text, 0, 'utf8');
  body.copy(out, headLen);
  return out;
}
