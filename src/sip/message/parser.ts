/**
 * parseMessage: one SIP message from a Buffer (RFC 3261 §7). The header section is decoded as
 * latin1 (one byte per char) to find offsets; values with bytes ≥ 0x80 are re-decoded as UTF-8.
 * Only the start line, header split and Content-Length are checked here; header values are
 * parsed lazily by the message accessors (and validateRequest).
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { SipParseError, badRequest, type PartialMessage } from './errors.js';
import { lookupHeaderName, lookupHeaderNameAt, type HeaderName } from './header-names.js';
import { SipHeaders } from './headers.js';
import { isToken, knownMethod, parseUint, trimLws } from './lex.js';
import { SipRequest, SipResponse, type SipMessage } from './message.js';

const CONTENT_LENGTH = lookupHeaderName('Content-Length');
const CRLFCRLF = Buffer.from('\r\n\r\n');
const LFLF = Buffer.from('\n\n');
/** Shared by every message without a body (zero length, so nothing can write into it). */
const EMPTY = Buffer.alloc(0);
const HIGH_BYTE = /[\x80-\xff]/;
/** parseMessage's header lines while it reads them (it is never re-entered). */
const scratchDefs: HeaderName[] = [];
const scratchValues: string[] = [];
/** Headers a stack needs to answer a broken request with 400 (§8.2.6.2). */
const PARTIAL_KEYS = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

/**
 * A latin1-decoded span with bytes ≥ 0x80: UTF-8 as RFC 3261 §7.3.1 says (TEXT-UTF8); bytes that are
 * not valid UTF-8 (old phones sending ISO-8859-1 display names) are kept as latin1 characters.
 */
function fromLatin1(v: string): string {
  const bytes = Buffer.from(v, 'latin1');
  return isUtf8(bytes) ? bytes.toString('utf8') : v;
}

function isLatinSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** RFC 3261 §7.1: SIP-Version is "SIP/2.0" (case-insensitive). Other SIP/x.y → 505. */
function checkVersion(v: string): void {
  if (v === 'SIP/2.0') return;
  if (v.length >= 4 && v.slice(0, 4).toUpperCase() === 'SIP/') {
    if (v.toUpperCase() === 'SIP/2.0') return;
    throw new SipParseError(505, 'Version Not Supported');
  }
  throw badRequest('malformed start line');
}

/** A tolerant rescan for Via/From/To/Call-ID/CSeq so an error response can still be built. */
function readPartial(s: string, from: number): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const line of s.slice(from).split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const h = lookupHeaderName(trimLws(line.slice(0, colon)));
    if (PARTIAL_KEYS.has(h.key)) out.push([h.name, trimLws(line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' '))]);
  }
  return out;
}

interface StartLine {
  request: boolean;
  method: string;
  uri: string;
  status: number;
  reason: string;
}

/** parseStartLine's result: one object reused by every parse (read before the next one starts). */
const startLine: StartLine = { request: false, method: '', uri: '', status: 0, reason: '' };

/** s[at, at + 7) is "SIP/2.0" in any case (§7.1: SIP-Version is case-insensitive). */
function isSip20At(s: string, at: number): boolean {
  return (
    (s.charCodeAt(at) | 0x20) === 0x73 &&
    (s.charCodeAt(at + 1) | 0x20) === 0x69 &&
    (s.charCodeAt(at + 2) | 0x20) === 0x70 &&
    s.startsWith('/2.0', at + 3)
  );
}

/** The start line s[0, end) into `startLine`. */
function parseStartLine(s: string, end: number): StartLine {
  // §7.1/§7.2: no control characters (bare CR, NUL …) on the start line.
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw badRequest('control character in start line');
  }
  const sl = startLine;
  let sp1 = s.indexOf(' ');
  if (sp1 >= end) sp1 = -1;
  if (sp1 <= 0) throw badRequest('malformed start line');
  if (sp1 === 7 && (s.charCodeAt(0) | 0x20) === 0x73 && s.slice(0, 4).toUpperCase() === 'SIP/') {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2)
    if (!isSip20At(s, 0)) checkVersion(s.slice(0, 7));
    let sp2 = s.indexOf(' ', sp1 + 1);
    if (sp2 >= end) sp2 = -1;
    const codeEnd = sp2 < 0 ? end : sp2;
    let status = -1;
    if (codeEnd - sp1 - 1 === 3) {
      status = 0;
      for (let i = sp1 + 1; i < codeEnd; i++) {
        const d = s.charCodeAt(i) - 0x30;
        if (d < 0 || d > 9) {
          status = -1;
          break;
        }
        status = status * 10 + d;
      }
    }
    if (status < 100 || status > 699) throw badRequest('malformed status code');
    sl.request = false;
    sl.method = '';
    sl.uri = '';
    sl.status = status;
    sl.reason = sp2 < 0 ? '' : s.slice(sp2 + 1, end);
    return sl;
  }
  // Request-Line = Method SP Request-URI SP SIP-Version (§7.1): exactly one SP between elements.
  let method = knownMethod(s, 0, sp1);
  if (method === null) {
    method = s.slice(0, sp1);
    if (!isToken(method)) throw badRequest('malformed method');
  }
  let sp2 = s.indexOf(' ', sp1 + 1);
  if (sp2 >= end) sp2 = -1;
  if (sp2 < 0) throw badRequest('malformed request line');
  // The version: no SP/HT in it, then "SIP/2.0" (any case) or 505 / 400.
  for (let i = sp2 + 1; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x20 || c === 0x09) throw badRequest('malformed request line');
  }
  if (end - sp2 - 1 !== 7 || !isSip20At(s, sp2 + 1)) checkVersion(s.slice(sp2 + 1, end));
  if (sp2 === sp1 + 1) throw badRequest('malformed request line');
  const c0 = s.charCodeAt(sp1 + 1) | 0x20;
  // RFC 4475 §3.1.2.7: a Request-URI in <> is rejected, never forwarded.
  const colon = s.indexOf(':', sp1 + 1);
  if (c0 < 0x61 || c0 > 0x7a || colon < 0 || colon >= sp2) throw badRequest('malformed Request-URI');
  sl.request = true;
  sl.method = method;
  sl.uri = s.slice(sp1 + 1, sp2);
  sl.status = 0;
  sl.reason = '';
  return sl;
}

/** Parse one message (a UDP datagram, or a frame from StreamFramer). Throws SipParseError only. */
export function parseMessage(buf: Buffer): SipMessage {
  const len = buf.length;
  // §7.5: ignore CRLFs before the start line.
  let start = 0;
  while (start < len && (buf[start] === 0x0d || buf[start] === 0x0a)) start++;
  if (start >= len) throw badRequest('empty message');
  let end = buf.indexOf(CRLFCRLF, start);
  let headEnd: number;
  if (end >= 0) headEnd = end + 2;
  else {
    end = buf.indexOf(LFLF, start);
    if (end >= 0) headEnd = end + 1;
    else if (buf[len - 1] === 0x0a) headEnd = len; // datagram ends right after the last header line
    else throw badRequest('truncated header section');
  }
  const s = buf.toString('latin1', start, headEnd);
  const sLen = s.length;
  let eol = s.indexOf('\n');
  const firstEol = eol;
  const firstLineEnd = eol > 0 && s.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol;
  let sl: StartLine;
  try {
    sl = parseStartLine(s, firstLineEnd);
  } catch (e) {
    if (e instanceof SipParseError) {
      // Never answer a (broken) response: mark it as one when it looks like a Status-Line.
      const kind = s.slice(0, 4).toUpperCase() === 'SIP/' ? 'response' : 'request';
      e.partial = { kind, headers: readPartial(s, eol + 1) };
    }
    throw e;
  }
  // Lines go into the reused scratch arrays, then into exact-size copies (pushing to fresh
  // arrays reserved 17 slots for a 13-line SUBSCRIBE, and kept messages carry that).
  const defs = scratchDefs;
  const values = scratchValues;
  let count = 0;
  let clean = true;
  let contentLength = -1;
  let pos = eol + 1;
  let nextCr = -1;
  let bodyStart = headEnd >= len ? len : headEnd + (buf[headEnd] === 0x0d ? 2 : 1);
  try {
    while (pos < sLen) {
      eol = s.indexOf('\n', pos);
      if (eol < 0) eol = sLen;
      let lineEnd = eol;
      if (lineEnd > pos && s.charCodeAt(lineEnd - 1) === 0x0d) lineEnd--;
      else clean = false;
      // §7.3.1: CR only as part of CRLF; a bare CR inside a line is malformed.
      if (nextCr < pos) {
        nextCr = s.indexOf('\r', pos);
        if (nextCr < 0) nextCr = sLen;
      }
      if (nextCr < lineEnd) throw badRequest('bare CR in header line');
      if (lineEnd === pos) {
        // An empty line earlier than the one found above (mixed line endings): headers end here.
        bodyStart = start + eol + 1;
        break;
      }
      const c0 = s.charCodeAt(pos);
      if (isLatinSpace(c0)) {
        // §7.3.1 folding: a line starting with SP/HT continues the previous value.
        const n = count - 1;
        if (n < 0) throw badRequest('continuation line without header');
        const more = trimLws(s.slice(pos, lineEnd));
        const prev = values[n] as string;
        values[n] = prev.length === 0 ? more : more.length === 0 ? prev : prev + ' ' + more;
        clean = false;
        pos = eol + 1;
        continue;
      }
      const colon = s.indexOf(':', pos);
      if (colon < 0 || colon > lineEnd) throw badRequest('header line without colon');
      let nameEnd = colon;
      while (nameEnd > pos && isLatinSpace(s.charCodeAt(nameEnd - 1))) nameEnd--;
      const h: HeaderName = lookupHeaderNameAt(s, pos, nameEnd);
      if (!h.valid) throw badRequest('malformed header name');
      let vs = colon + 1;
      while (vs < lineEnd && isLatinSpace(s.charCodeAt(vs))) vs++;
      let ve = lineEnd;
      while (ve > vs && isLatinSpace(s.charCodeAt(ve - 1))) ve--;
      if (h === CONTENT_LENGTH) {
        // §20.14: Content-Length counts body bytes. Negative / non-numeric → 400 (RFC 4475 §3.1.2.3);
        // conflicting repeats → 400 (§3.3.9).
        const n = parseUint(s.slice(vs, ve), 0x7fffffff);
        if (n < 0) throw badRequest('malformed Content-Length');
        if (contentLength >= 0 && n !== contentLength) throw badRequest('conflicting Content-Length');
        if (contentLength >= 0) clean = false;
        contentLength = n;
      }
      defs[count] = h;
      values[count] = s.slice(vs, ve);
      count++;
      pos = eol + 1;
    }
  } catch (e) {
    if (e instanceof SipParseError) e.partial = partialOf(sl, readPartial(s, firstEol + 1));
    throw e;
  }
  const headers = new SipHeaders(undefined, defs.slice(0, count), values.slice(0, count));
  // isAscii over the whole buffer (SIMD, no subarray): a non-ASCII body only costs the per-value test.
  if (!isAscii(buf)) {
    const own = headers.values;
    for (let i = 0; i < own.length; i++) {
      const v = own[i] as string;
      if (HIGH_BYTE.test(v)) own[i] = fromLatin1(v);
    }
    if (!sl.request && HIGH_BYTE.test(sl.reason)) sl.reason = fromLatin1(sl.reason);
    if (sl.request && HIGH_BYTE.test(sl.uri)) sl.uri = fromLatin1(sl.uri);
  }
  let body: Buffer;
  if (contentLength < 0) {
    // No Content-Length on a datagram: the body is the rest of it (§18.3 / RFC 4475 §3.4.1).
    body = buf.subarray(bodyStart);
    clean = false;
  } else {
    if (bodyStart + contentLength > len) {
      const err = badRequest('Content-Length larger than message');
      err.partial = partialOf(sl, headers.entries().filter((_, i) => PARTIAL_KEYS.has((headers.defs[i] as HeaderName).key)));
      throw err;
    }
    // §18.3: octets after Content-Length bytes are discarded.
    body = contentLength === 0 ? EMPTY : buf.subarray(bodyStart, bodyStart + contentLength);
  }
  if (clean) {
    headers.raw = buf;
    headers.rawOffset = start + firstEol + 1;
    headers.rawEnd = headEnd;
    headers.rawContentLength = contentLength;
  }
  return sl.request ? new SipRequest(sl.method, sl.uri, headers, body) : new SipResponse(sl.status, sl.reason, headers, body);
}

function partialOf(sl: StartLine, headers: Array<[string, string]>): PartialMessage {
  return sl.request
    ? { kind: 'request', method: sl.method, uri: sl.uri, headers }
    : { kind: 'response', status: sl.status, headers };
}
