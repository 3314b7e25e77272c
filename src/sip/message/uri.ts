/**
 * SIP/SIPS/tel URIs (RFC 3261 §19.1, §25.1; RFC 3966). %-escapes are decoded exactly once
 * (RFC 4475 §3.1.1.3: "value%25%41" → "value%41"); %00 is kept as a NUL character.
 */
import { SipParseError, badRequest } from './errors.js';
import { NO_PARAMS, NO_URI_HEADERS } from './empty-maps.js';
import { knownParamName, lower } from './lex.js';
import type { Params, SipUri } from './types.js';
import { escapeHeader, escapeParam, escapePassword, escapeUser, unescapeUri } from './uri-escape.js';

export { unescapeUri };

/** Host name characters (alphanum, '-', '.', '_'): 1, or 2 for an upper-case letter. */
const HOST_CHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) HOST_CHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) HOST_CHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) HOST_CHAR[c] = 2;
for (const ch of '-._') HOST_CHAR[ch.charCodeAt(0)] = 1;

function isIpv6Char(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46) || c === 0x3a || c === 0x2e;
}

/** After "host:", another ':' before the end of the hex/colon run means a bare IPv6 address. */
function looksLikeBareIpv6(s: string, colon: number): boolean {
  for (let k = colon + 1; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c === 0x3a) return true;
    if (!isIpv6Char(c)) return false;
  }
  return false;
}

/**
 * Real phones write IPv6 hosts without brackets ("sip:4321@fec0:0:0:0:216:d3ff:fe0d:22c:5060").
 * Accept that when it is unambiguous: 8 groups = address, a 9th group = port.
 */
function unbracketedIpv6(s: string, i: number): HostPort | null {
  let j = i;
  while (j < s.length && isIpv6Char(s.charCodeAt(j))) j++;
  const groups = s.slice(i, j).split(':');
  if (groups.length < 3 || groups.length > 9 || groups.some((g) => g.length > 4 && g.indexOf('.') < 0)) return null;
  if (groups.length === 9) {
    const port = parseInt(groups[8] as string, 10);
    if (!(groups[8] as string).match(/^\d{1,5}$/) || port > 65535) return null;
    return { host: groups.slice(0, 8).join(':').toLowerCase(), port, end: j };
  }
  if (groups.length < 8 && s.slice(i, j).indexOf('::') < 0) return null;
  return { host: s.slice(i, j).toLowerCase(), port: null, end: j };
}

export interface HostPort {
  host: string;
  port: number | null;
  /** Index just after the host[:port]. */
  end: number;
}

/**
 * host[:port] starting at `i`: a name, IPv4, or [IPv6] (returned without brackets, lower-cased).
 * Stops at the first character that cannot belong to it. Throws 400 for an empty/invalid host or port.
 * Written into `out` (the URI and Via parsers reuse one object each instead of allocating a
 * result per host: a SUBSCRIBE has five).
 */
export function parseHostPortInto(s: string, i: number, what: string, out: HostPort): void {
  let host: string;
  let j = i;
  if (s.charCodeAt(i) === 0x5b) {
    const close = s.indexOf(']', i);
    if (close < 0) throw badRequest(`malformed ${what} host`);
    for (let k = i + 1; k < close; k++) if (!isIpv6Char(s.charCodeAt(k))) throw badRequest(`malformed ${what} host`);
    host = s.slice(i + 1, close).toLowerCase();
    if (host.length < 2) throw badRequest(`malformed ${what} host`);
    j = close + 1;
  } else {
    // One pass: find the end of the name and whether it needs lower-casing.
    let upperSeen = false;
    for (; j < s.length; j++) {
      const c = s.charCodeAt(j);
      const kind = c < 128 ? (HOST_CHAR[c] as number) : 0;
      if (kind === 0) break;
      if (kind === 2) upperSeen = true;
    }
    if (j === i) throw badRequest(`malformed ${what} host`);
    host = upperSeen ? s.slice(i, j).toLowerCase() : s.slice(i, j);
    if (s.charCodeAt(j) === 0x3a && looksLikeBareIpv6(s, j)) {
      const v6 = unbracketedIpv6(s, i);
      if (v6 !== null) {
        out.host = v6.host;
        out.port = v6.port;
        out.end = v6.end;
        return;
      }
    }
  }
  let port: number | null = null;
  if (s.charCodeAt(j) === 0x3a) {
    let k = j + 1;
    let n = 0;
    while (k < s.length) {
      const d = s.charCodeAt(k) - 0x30;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
      if (n > 65535) throw badRequest(`malformed ${what} port`);
      k++;
    }
    if (k === j + 1) throw badRequest(`malformed ${what} port`);
    port = n;
    j = k;
  }
  out.host = host;
  out.port = port;
  out.end = j;
}

function parseUriParams(s: string, what: string): Params {
  const params: Params = new Map();
  const n = s.length;
  let start = 0;
  while (start <= n) {
    let end = s.indexOf(';', start);
    if (end < 0) end = n;
    let eq = s.indexOf('=', start);
    if (eq > end) eq = -1;
    const nameEnd = eq < 0 ? end : eq;
    let name = knownParamName(s, start, nameEnd);
    if (name === null) {
      const rawName = s.slice(start, nameEnd);
      name = lower(rawName.indexOf('%') < 0 ? rawName : unescapeUri(rawName));
    }
    if (name.length === 0) throw badRequest(`malformed ${what} parameter`);
    if (eq < 0) params.set(name, null);
    else {
      const rawValue = s.slice(eq + 1, end);
      params.set(name, rawValue.indexOf('%') < 0 ? rawValue : unescapeUri(rawValue));
    }
    start = end + 1;
  }
  return params;
}


function parseUriHeaders(s: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const part of s.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    headers.set(unescapeUri(eq < 0 ? part : part.slice(0, eq)), eq < 0 ? '' : unescapeUri(part.slice(eq + 1)));
  }
  return headers;
}

/** Characters that cannot appear in a URI: controls, SP, DEL, '<', '>', '"'. */
const NOT_IN_URI = new Uint8Array(128);
for (let c = 0; c <= 0x20; c++) NOT_IN_URI[c] = 1;
for (const c of [0x7f, 0x3c, 0x3e, 0x22]) NOT_IN_URI[c] = 1;

function checkNoSpace(text: string, what: string): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128 && NOT_IN_URI[c] === 1) throw badRequest(`malformed ${what}`);
  }
}

function schemeEnd(text: string): number {
  const colon = text.indexOf(':');
  if (colon <= 0) return -1;
  const c0 = text.charCodeAt(0) | 0x20;
  if (c0 < 0x61 || c0 > 0x7a) return -1;
  for (let i = 1; i < colon; i++) {
    const c = text.charCodeAt(i);
    const lc = c | 0x20;
    if (!((lc >= 0x61 && lc <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e)) return -1;
  }
  return colon;
}

/**
 * Parse a URI. sip:/sips:/tel: are parsed fully; another scheme throws 416, unless
 * `allowOpaque` (inside a name-addr, RFC 4475 §3.3.4) where it is kept as `opaque`.
 */
export function parseUriText(text: string, allowOpaque: boolean, what = 'URI'): SipUri {
  checkNoSpace(text, what);
  // Fast path for the usual lower-case schemes.
  if (text.startsWith('sip:')) return parseSipUri('sip', text.slice(4), what);
  if (text.startsWith('sips:')) return parseSipUri('sips', text.slice(5), what);
  const colon = schemeEnd(text);
  if (colon < 0) throw badRequest(`malformed ${what}`);
  const scheme = lower(text.slice(0, colon));
  const rest = text.slice(colon + 1);
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(scheme, rest, what);
  if (scheme === 'tel') return parseTelUri(rest, what);
  if (!allowOpaque) throw new SipParseError(416, 'Unsupported URI Scheme');
  if (rest.length === 0) throw badRequest(`malformed ${what}`);
  return { scheme, user: null, password: null, host: '', port: null, params: new Map(), headers: new Map(), opaque: rest };
}

/** parseSipUri's host[:port] result, read before the next URI is parsed. */
const uriHostPort: HostPort = { host: '', port: null, end: 0 };

function parseSipUri(scheme: string, rest: string, what: string): SipUri {
  let user: string | null = null;
  let password: string | null = null;
  let hostStart = 0;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const info = rest.slice(0, at);
    const pc = info.indexOf(':');
    user = unescapeUri(pc < 0 ? info : info.slice(0, pc));
    if (pc >= 0) password = unescapeUri(info.slice(pc + 1));
    if (user.length === 0 && pc < 0) throw badRequest(`malformed ${what} user`);
    hostStart = at + 1;
  }
  const hp = uriHostPort;
  parseHostPortInto(rest, hostStart, what, hp);
  const i = hp.end;
  const q = rest.indexOf('?', i);
  const paramsEnd = q < 0 ? rest.length : q;
  // A Map made only when there are parameters (a call parses some 40 URIs, most without).
  let params: Params;
  if (i < paramsEnd) {
    if (rest.charCodeAt(i) !== 0x3b) throw badRequest(`malformed ${what} host`);
    params = parseUriParams(rest.slice(i + 1, paramsEnd), what);
  } else params = NO_PARAMS;
  const headers = q >= 0 ? parseUriHeaders(rest.slice(q + 1)) : NO_URI_HEADERS;
  return { scheme, user, password, host: hp.host, port: hp.port, params, headers };
}

function parseTelUri(rest: string, what: string): SipUri {
  const semi = rest.indexOf(';');
  const number = unescapeUri(semi < 0 ? rest : rest.slice(0, semi));
  if (number.length === 0) throw badRequest(`malformed ${what}`);
  const params = semi < 0 ? NO_PARAMS : parseUriParams(rest.slice(semi + 1), what);
  return { scheme: 'tel', user: number, password: null, host: '', port: null, params, headers: NO_URI_HEADERS };
}

/** Parse a Request-URI or other URI: sip, sips, tel; any other scheme → SipParseError 416. */
export function parseUri(text: string): SipUri {
  return parseUriText(text, false);
}

/** Write a URI back, escaping what its part of the grammar requires; IPv6 hosts get brackets. */
export function formatUri(uri: SipUri): string {
  if (uri.opaque !== undefined) return `${uri.scheme}:${uri.opaque}`;
  let out = uri.scheme + ':';
  if (uri.scheme === 'tel') {
    out += escapeUser(uri.user ?? '');
  } else {
    if (uri.user !== null) {
      out += escapeUser(uri.user);
      if (uri.password !== null) out += ':' + escapePassword(uri.password);
      out += '@';
    }
    out += uri.host.indexOf(':') >= 0 ? `[${uri.host}]` : uri.host;
    if (uri.port !== null) out += ':' + uri.port;
  }
  for (const [k, v] of uri.params) out += ';' + escapeParam(k) + (v === null ? '' : '=' + escapeParam(v));
  let sep = '?';
  for (const [k, v] of uri.headers) {
    out += sep + escapeHeader(k) + '=' + escapeHeader(v);
    sep = '&';
  }
  return out;
}
