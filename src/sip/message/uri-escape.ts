/**
 * %-escaping for SIP URIs (RFC 3261 §25.1 "escaped"): decoding happens exactly once (RFC 4475
 * §3.1.1.3), encoding escapes what each part of the grammar does not allow unescaped.
 */
const HEX = '0123456789ABCDEF';

function hexVal(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Decode %HH escapes once (as UTF-8 bytes). A '%' not followed by two hex digits stays literal. */
export function unescapeUri(s: string): string {
  if (s.indexOf('%') < 0) return s;
  const src = Buffer.from(s, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i] as number;
    if (c === 0x25 && i + 2 < src.length) {
      const h = hexVal(src[i + 1] as number);
      const l = hexVal(src[i + 2] as number);
      if (h >= 0 && l >= 0) {
        out[n++] = h * 16 + l;
        i += 2;
        continue;
      }
    }
    out[n++] = c;
  }
  return out.toString('utf8', 0, n);
}

/** unreserved = alphanum / mark ("-" / "_" / "." / "!" / "~" / "*" / "'" / "(" / ")") */
function allowedTable(extra: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let c = 0x30; c <= 0x39; c++) t[c] = 1;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = 1;
  for (let c = 0x61; c <= 0x7a; c++) t[c] = 1;
  for (const ch of "-_.!~*'()" + extra) t[ch.charCodeAt(0)] = 1;
  return t;
}
/** user-unreserved = "&" / "=" / "+" / "$" / "," / ";" / "?" / "/" */
const USER_OK = allowedTable('&=+$,;?/');
/** password = *( unreserved / escaped / "&" / "=" / "+" / "$" / "," ) */
const PASSWORD_OK = allowedTable('&=+$,');
/** param-unreserved = "[" / "]" / "/" / ":" / "&" / "+" / "$" */
const PARAM_OK = allowedTable('[]/:&+$');
/** hnv-unreserved = "[" / "]" / "/" / "?" / ":" / "+" / "$" */
const HEADER_OK = allowedTable('[]/?:+$');

export function escapeWith(s: string, ok: Uint8Array): string {
  let plain = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || ok[c] !== 1) {
      plain = false;
      break;
    }
  }
  if (plain) return s;
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if (b < 128 && ok[b] === 1) out += String.fromCharCode(b);
    else out += '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

export const escapeUser = (s: string): string => escapeWith(s, USER_OK);
export const escapePassword = (s: string): string => escapeWith(s, PASSWORD_OK);
export const escapeParam = (s: string): string => escapeWith(s, PARAM_OK);
export const escapeHeader = (s: string): string => escapeWith(s, HEADER_OK);
