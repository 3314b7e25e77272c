/** Small lexical helpers shared by the header parsers (RFC 3261 §25.1 basic rules). */
import { badRequest } from './errors.js';
import type { Params } from './types.js';

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
const TOKEN = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;
for (const ch of "-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1;

export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

export function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** Trim SP/HT/CR/LF at both ends without a regex. */
export function trimLws(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWs(s.charCodeAt(a))) a++;
  while (b > a && isWs(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** Index of the quote closing the quoted-string opened at `open`, honouring quoted-pair; -1 if unterminated. */
export function closingQuote(s: string, open: number): number {
  for (let i = open + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c === 0x22) return i;
  }
  return -1;
}

/**
 * Split on top-level `sep` characters: not inside a quoted-string (with quoted-pair) nor inside <>.
 * Items are LWS-trimmed. Throws 400 for an unterminated quote or bracket.
 */
export function splitTopLevel(s: string, sep: number): string[] {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) {
      const q = closingQuote(s, i);
      if (q < 0) throw badRequest('unterminated quoted string');
      i = q;
    } else if (c === 0x3c) angle = true;
    else if (c === 0x3e) angle = false;
    else if (c === sep && !angle) {
      out.push(trimLws(s.slice(start, i)));
      start = i + 1;
    }
  }
  if (angle) throw badRequest('unterminated <');
  out.push(trimLws(s.slice(start)));
  return out;
}

/** Split a list header value on top-level commas (§7.3.1). Empty elements are dropped. */
export function splitList(value: string): string[] {
  if (value.indexOf(',') < 0) {
    const t = trimLws(value);
    return t.length === 0 ? [] : [t];
  }
  const parts = splitTopLevel(value, 0x2c);
  const out: string[] = [];
  for (const p of parts) if (p.length > 0) out.push(p);
  return out;
}

/** Remove surrounding quotes and quoted-pair escapes; other text is returned as is. */
export function unquote(s: string): string {
  if (s.length < 2 || s.charCodeAt(0) !== 0x22 || s.charCodeAt(s.length - 1) !== 0x22) return s;
  const inner = s.slice(1, -1);
  if (inner.indexOf('\\') < 0) return inner;
  let out = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (c === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i++;
    } else out += c;
  }
  return out;
}

/** Quote a string for a quoted-string, escaping `"` and `\` (§25.1 quoted-pair). */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) out += ch === '"' || ch === '\\' ? '\\' + ch : ch;
  return out + '"';
}

/** Upper-case only when needed. */
export function upper(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) return s.toUpperCase();
  }
  return s;
}

/** Lower-case only when needed (most names on the wire already are). */
export function lower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) return s.toLowerCase();
  }
  return s;
}

/**
 * The parameter names nearly every message carries, by length. A name found here is returned as
 * this constant (no slice, no lower-casing, and a Map key whose hash V8 already has).
 */
const KNOWN_PARAMS: string[][] = [];
for (const name of ['tag', 'branch', 'rport', 'received', 'lr', 'expires', 'transport', 'maddr', 'ttl', 'q', 'user', 'method']) {
  (KNOWN_PARAMS[name.length] ??= []).push(name);
}

/** s[start, end) as one of KNOWN_PARAMS, matched case-insensitively; null when it is none of them. */
export function knownParamName(s: string, start: number, end: number): string | null {
  const candidates = KNOWN_PARAMS[end - start];
  if (candidates === undefined) return null;
  for (let k = 0; k < candidates.length; k++) {
    const name = candidates[k] as string;
    let j = 0;
    // Every known name is lower-case letters only: `| 0x20` folds exactly the ASCII letters onto them.
    while (j < name.length && (s.charCodeAt(start + j) | 0x20) === name.charCodeAt(j)) j++;
    if (j === name.length) return name;
  }
  return null;
}

/** Methods of RFC 3261 and its extensions, by length: what start lines and CSeqs nearly always carry. */
const KNOWN_METHODS: string[][] = [];
for (const m of ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE', 'PRACK']) {
  (KNOWN_METHODS[m.length] ??= []).push(m);
}

/**
 * s[start, end) as the constant for a known method (methods are case-sensitive, §7.1), else null.
 * A constant costs no allocation and compares with other constants ('ACK', handler keys) by identity.
 */
export function knownMethod(s: string, start: number, end: number): string | null {
  const candidates = KNOWN_METHODS[end - start];
  if (candidates === undefined) return null;
  for (let k = 0; k < candidates.length; k++) {
    const m = candidates[k] as string;
    if (s.startsWith(m, start)) return m;
  }
  return null;
}

/** In an unquoted parameter value: 1 ends it (';' or LWS), 2 is not allowed ('"', ','). */
const VALUE_END = new Uint8Array(128);
for (const c of [0x3b, 0x20, 0x09, 0x0d, 0x0a]) VALUE_END[c] = 1;
VALUE_END[0x22] = 2;
VALUE_END[0x2c] = 2;

/** Index of the first character at or after `i` that is not LWS (SP, HT, CR, LF). */
export function skipLws(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) break;
    i++;
  }
  return i;
}

/**
 * Generic parameters `;name[=value]…` (leading ';' optional). Names are lower-cased; values are
 * kept as written (quotes included for quoted-string values); a flag parameter has value null.
 * LWS around ';' and '=' is allowed (§7.3.1). Empty or non-token names, empty values → 400.
 * One pass, no intermediate arrays: this runs for every Via, From, To and Contact read.
 */
export function parseParams(text: string): Params {
  return parseParamsAt(text, 0);
}

/** parseParams on text.slice(from), without the slice. */
export function parseParamsAt(text: string, from: number): Params {
  const params: Params = new Map();
  const s = text;
  const n = s.length;
  let i = skipLws(s, from);
  if (i < n && s.charCodeAt(i) === 0x3b) i = skipLws(s, i + 1);
  if (i >= n) return params;
  for (;;) {
    const nameStart = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c >= 128 || TOKEN[c] !== 1) break;
      i++;
    }
    if (i === nameStart) throw badRequest('malformed parameter');
    const name = knownParamName(s, nameStart, i) ?? lower(s.slice(nameStart, i));
    i = skipLws(s, i);
    let value: string | null = null;
    if (i < n && s.charCodeAt(i) === 0x3d) {
      i = skipLws(s, i + 1);
      const vStart = i;
      if (i < n && s.charCodeAt(i) === 0x22) {
        const q = closingQuote(s, i);
        if (q < 0) throw badRequest('malformed quoted parameter');
        i = q + 1;
      } else {
        for (; i < n; i++) {
          const c = s.charCodeAt(i);
          const k = c < 128 ? (VALUE_END[c] as number) : 0;
          if (k === 1) break;
          if (k === 2) throw badRequest('malformed parameter value');
        }
      }
      if (i === vStart) throw badRequest('empty parameter value');
      value = s.slice(vStart, i);
      i = skipLws(s, i);
    }
    params.set(name, value);
    if (i >= n) return params;
    if (s.charCodeAt(i) !== 0x3b) throw badRequest('malformed parameter');
    i = skipLws(s, i + 1);
    if (i >= n) throw badRequest('malformed parameter');
  }
}

/** `;a=b;c` text for a Params map (values written as stored). */
export function formatParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

/** Parse a non-negative decimal integer ≤ max; leading zeros allowed. Returns -1 when invalid. */
export function parseUint(s: string, max: number): number {
  if (s.length === 0 || s.length > 20) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i) - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
    if (n > max) return -1;
  }
  return n;
}
