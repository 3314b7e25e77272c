/**
 * Digest challenges and credentials (RFC 3261 §20.7, §20.27, §20.44; RFC 2617 §3.2):
 * `Digest realm="x", nonce="y", …`. These headers are not comma lists: the commas separate params.
 */
import { badRequest } from './errors.js';
import { closingQuote, isToken, isTokenChar, isWs, lower, quote, skipLws, unquote } from './lex.js';
import type { AuthHeader } from './types.js';

/** Parameter names of challenges and credentials (RFC 2617 §3.2.1, §3.2.2; RFC 7616 §3.3, §3.4). */
const KNOWN_NAMES = [
  'username', 'realm', 'nonce', 'uri', 'response', 'algorithm', 'cnonce', 'opaque', 'qop', 'nc', 'stale', 'domain',
  'userhash', 'charset',
];

/** KNOWN_NAMES by length: a name is compared with one to three of them. */
const NAMES_BY_LENGTH: string[][] = [];
for (const name of KNOWN_NAMES) (NAMES_BY_LENGTH[name.length] ??= []).push(name);

/**
 * The name text[from, to) lower-cased: one of KNOWN_NAMES itself when it is one (a constant
 * string: no copy, its hash is known to the Map), else a new string.
 */
function paramName(text: string, from: number, to: number): string {
  const candidates = NAMES_BY_LENGTH[to - from];
  if (candidates !== undefined) for (const known of candidates) if (text.startsWith(known, from)) return known;
  return lower(text.slice(from, to));
}

/** End of the LWS-trimmed text[from, to). */
function trimEnd(s: string, from: number, to: number): number {
  while (to > from && isWs(s.charCodeAt(to - 1))) to--;
  return to;
}

/**
 * `scheme param=value, param="quoted", …` (rules: parseParamsScanning). No intermediate arrays
 * or slices: this runs for every authenticated request.
 */
export function parseAuthHeader(text: string): AuthHeader {
  const s = text;
  const end = trimEnd(s, 0, s.length);
  const start = skipLws(s, 0);
  let sp = start;
  while (sp < end && !isWs(s.charCodeAt(sp))) sp++;
  const scheme = s.slice(start, sp);
  if (!isToken(scheme)) throw badRequest('malformed authentication header');
  const params = new Map<string, string>();
  if (!parsePlainParams(s, sp, end, params)) {
    params.clear();
    parseParamsScanning(s, sp, end, params);
  }
  return { scheme, params };
}

/**
 * The usual shape, `name=token, name="text"` with no quoted-pairs, <…> or quotes inside unquoted
 * values, found with indexOf (V8 searches a string several times faster than a charCodeAt loop
 * walks it). Returns false, params half filled, at anything else: parseParamsScanning decides.
 */
function parsePlainParams(s: string, from: number, end: number, params: Map<string, string>): boolean {
  let i = from;
  for (;;) {
    i = skipLws(s, i);
    if (i >= end) return true;
    const eq = s.indexOf('=', i);
    if (eq < 0 || eq >= end) return false;
    const nameEnd = trimEnd(s, i, eq);
    if (nameEnd === i) return false;
    for (let k = i; k < nameEnd; k++) if (!isTokenChar(s.charCodeAt(k))) return false;
    const v = skipLws(s, eq + 1);
    let value: string;
    let next: number;
    if (v < end && s.charCodeAt(v) === 0x22) {
      const q = s.indexOf('"', v + 1);
      if (q < 0 || q >= end) return false;
      const backslash = s.indexOf('\\', v + 1);
      if (backslash >= 0 && backslash < q) return false;
      value = s.slice(v + 1, q);
      next = skipLws(s, q + 1);
      if (next < end && s.charCodeAt(next) !== 0x2c) return false;
    } else {
      next = s.indexOf(',', v);
      if (next < 0) next = end;
      for (let k = v; k < next; k++) {
        const c = s.charCodeAt(k);
        if (c === 0x22 || c === 0x3c || c === 0x3e) return false;
      }
      value = v < next ? s.slice(v, trimEnd(s, v, next)) : '';
    }
    params.set(paramName(s, i, nameEnd), value);
    i = next + 1;
  }
}

/**
 * Every shape: parameters separated by commas outside quoted-strings and <…>; empty ones
 * skipped; a value is unquoted when it is one whole quoted-string (quoted-pairs undone), else
 * kept as written.
 */
function parseParamsScanning(s: string, from: number, end: number, params: Map<string, string>): void {
  let i = from;
  while (i < end) {
    // One parameter: up to the next comma outside quotes and <…>.
    const partStart = skipLws(s, i);
    let eq = -1;
    let angle = false;
    let j = partStart;
    for (; j < end; j++) {
      const c = s.charCodeAt(j);
      if (c === 0x22) {
        const q = closingQuote(s, j);
        if (q < 0) throw badRequest('unterminated quoted string');
        j = q;
      } else if (c === 0x3c) angle = true;
      else if (c === 0x3e) angle = false;
      else if (c === 0x2c && !angle) break;
      else if (c === 0x3d && eq < 0) eq = j;
    }
    if (angle) throw badRequest('unterminated <');
    const partEnd = trimEnd(s, partStart, j);
    i = j + 1;
    if (partEnd === partStart) continue;
    if (eq <= partStart) throw badRequest('malformed authentication parameter');
    const nameEnd = trimEnd(s, partStart, eq);
    for (let k = partStart; k < nameEnd; k++) {
      if (!isTokenChar(s.charCodeAt(k))) throw badRequest('malformed authentication parameter');
    }
    params.set(paramName(s, partStart, nameEnd), paramValue(s, skipLws(s, eq + 1), partEnd));
  }
}

/** text[from, to) as a value: a quoted-string spanning all of it is unquoted. */
function paramValue(s: string, from: number, to: number): string {
  if (to - from >= 2 && s.charCodeAt(from) === 0x22 && s.charCodeAt(to - 1) === 0x22) {
    for (let k = from + 1; k < to - 1; k++) if (s.charCodeAt(k) === 0x5c) return unquote(s.slice(from, to));
    return s.slice(from + 1, to - 1);
  }
  return s.slice(from, to);
}

/**
 * The Digest credentials to check among a request's Authorization values: the ones for `realm`,
 * else the first Digest ones (whose realm then fails the check), else null. Other schemes are
 * skipped; a malformed value throws the parser's 400.
 */
export function findDigestCredentials(authorizationValues: readonly string[], realm: string): Map<string, string> | null {
  let first: Map<string, string> | null = null;
  for (const value of authorizationValues) {
    const h = parseAuthHeader(value);
    if (h.scheme !== 'Digest' && h.scheme.toLowerCase() !== 'digest') continue;
    if (h.params.get('realm') === realm) return h.params;
    first ??= h.params;
  }
  return first;
}

/** Parameters written without quotes (RFC 2617: algorithm, nc, stale; qop in credentials). */
const UNQUOTED = new Set(['algorithm', 'nc', 'stale']);

/**
 * Writes `Scheme a="b", c=d`. qop is unquoted in credentials (when nc is present) and quoted in
 * challenges, as RFC 2617 §3.2.1/§3.2.2 require.
 */
export function formatAuthHeader(h: AuthHeader): string {
  const isCredentials = h.params.has('nc');
  const parts: string[] = [];
  for (const [k, v] of h.params) {
    const bare = UNQUOTED.has(k) || (k === 'qop' && isCredentials);
    parts.push(`${k}=${bare ? v : quote(v)}`);
  }
  return parts.length === 0 ? h.scheme : `${h.scheme} ${parts.join(', ')}`;
}
