/**
 * serializeMessage: start line, headers in order with canonical names, Content-Length from the
 * body's byte length (§20.14), CRLF line ends (§7), body.
 *
 * Allocation matters here (every message sent passes through, ~2 a presence cycle): the header
 * section is gathered in one reused array and joined into one flat string (no chain of
 * concatenations for V8 to flatten, no per-line template strings), its UTF-8 length is taken
 * once and it is written straight into the output buffer.
 */
import { lookupHeaderName, type HeaderName } from './header-names.js';
import { hasLineBreak } from './headers.js';
import type { SipMessage } from './message.js';

const CONTENT_LENGTH_LINE = lookupHeaderName('Content-Length').line;

/** A value set by code may not smuggle in extra header lines: CR/LF become spaces. */
function safeValue(v: string): string {
  return hasLineBreak(v) ? v.replace(/[\r\n]/g, ' ') : v;
}

/**
 * The pieces of the header section being serialized. Reused (serialization is synchronous and
 * never re-entered); slots past the current message are blanked, not cut off, so the array keeps
 * its backing store instead of being trimmed and grown again per message (a 200 and a NOTIFY
 * alternating did that). join() allocates a slot per element, so a length left by one huge
 * message is cut back.
 */
const parts: string[] = [];
let partsUsed = 0;

function joinParts(n: number): string {
  if (parts.length > 2 * n + 64) parts.length = n;
  else for (let i = n; i < partsUsed; i++) parts[i] = '';
  partsUsed = n;
  return parts.join('');
}

function startLine(msg: SipMessage): string {
  return msg.kind === 'request' ? msg.method + ' ' + msg.uri + ' SIP/2.0\r\n' : 'SIP/2.0 ' + msg.status + ' ' + msg.reason + '\r\n';
}

/** The start line without its CRLF, in `parts` from index 0; returns the next index. */
function startLineParts(msg: SipMessage): number {
  if (msg.kind === 'request') {
    parts[0] = msg.method;
    parts[1] = ' ';
    parts[2] = msg.uri;
    parts[3] = ' SIP/2.0';
    return 4;
  }
  parts[0] = 'SIP/2.0 ';
  parts[1] = String(msg.status);
  parts[2] = ' ';
  parts[3] = msg.reason;
  return 4;
}

export function serializeMessage(msg: SipMessage): Buffer {
  const body = msg.body;
  const h = msg.headers;
  // Parsed and unmodified with a matching Content-Length: re-send the received header lines.
  if (h.raw !== null && h.rawContentLength === body.length) {
    const first = startLine(msg);
    const firstLen = Buffer.byteLength(first);
    const rawLen = h.rawEnd - h.rawOffset;
    const out = Buffer.allocUnsafe(firstLen + rawLen + 2 + body.length);
    out.write(first, 0, firstLen);
    h.raw.copy(out, firstLen, h.rawOffset, h.rawEnd);
    out[firstLen + rawLen] = 0x0d;
    out[firstLen + rawLen + 1] = 0x0a;
    body.copy(out, firstLen + rawLen + 2);
    return out;
  }
  // Each line is two pieces: "\r\nName: " (HeaderName.line) and the value.
  let n = startLineParts(msg);
  let wroteLength = false;
  const { defs, values } = h;
  const clean = !h.lineBreaks;
  for (let i = 0; i < defs.length; i++) {
    const d = defs[i] as HeaderName;
    if (d.key === 'content-length') {
      if (wroteLength) continue;
      wroteLength = true;
      parts[n++] = CONTENT_LENGTH_LINE;
      parts[n++] = String(body.length);
      continue;
    }
    parts[n++] = d.line;
    parts[n++] = clean ? (values[i] as string) : safeValue(values[i] as string);
  }
  if (!wroteLength) {
    parts[n++] = CONTENT_LENGTH_LINE;
    parts[n++] = String(body.length);
  }
  parts[n++] = '\r\n\r\n';
  const text = joinParts(n);
  const headLen = Buffer.byteLength(text);
  const out = Buffer.allocUnsafe(headLen + body.length);
  out.write(text, 0, headLen);
  if (body.length > 0) body.copy(out, headLen);
  return out;
}
