/**
 * Header names: RFC 3261 §7.3.1 names are case-insensitive; §7.3.3 compact forms; §20 lists
 * which headers carry comma-separated lists.
 */
import { isToken } from './lex.js';

/** Compact form → canonical name (RFC 3261 §7.3.3 and later RFCs: 3265, 3515, 3841, 3892, 4028, 3891, 3903…). */
const COMPACT: Record<string, string> = {
  i: 'Call-ID', m: 'Contact', f: 'From', t: 'To', v: 'Via', l: 'Content-Length',
  c: 'Content-Type', e: 'Content-Encoding', k: 'Supported', s: 'Subject', o: 'Event',
  u: 'Allow-Events', r: 'Refer-To', b: 'Referred-By', x: 'Session-Expires',
  a: 'Accept-Contact', j: 'Reject-Contact', d: 'Request-Disposition', y: 'Identity', n: 'Identity-Info',
};

const KNOWN = [
  'Accept', 'Accept-Contact', 'Accept-Encoding', 'Accept-Language', 'Alert-Info', 'Allow', 'Allow-Events',
  'Authentication-Info', 'Authorization', 'Call-ID', 'Call-Info', 'Contact', 'Content-Disposition',
  'Content-Encoding', 'Content-Language', 'Content-Length', 'Content-Type', 'CSeq', 'Date', 'Error-Info',
  'Event', 'Expires', 'From', 'Identity', 'Identity-Info', 'In-Reply-To', 'Max-Forwards', 'MIME-Version',
  'Min-Expires', 'Min-SE', 'Organization', 'P-Asserted-Identity', 'P-Preferred-Identity', 'Path', 'Priority',
  'Privacy', 'Proxy-Authenticate', 'Proxy-Authorization', 'Proxy-Require', 'RAck', 'Reason', 'Record-Route',
  'Refer-To', 'Referred-By', 'Reject-Contact', 'Replaces', 'Reply-To', 'Request-Disposition', 'Require',
  'Retry-After', 'Route', 'RSeq', 'Server', 'Service-Route', 'Session-Expires', 'SIP-ETag', 'SIP-If-Match',
  'Subject', 'Subscription-State', 'Supported', 'Timestamp', 'To', 'Unsupported', 'User-Agent', 'Via',
  'Warning', 'WWW-Authenticate',
];

/** Lower-cased key (compact forms resolved) and the name to write on the wire. */
export interface HeaderName {
  key: string;
  name: string;
  /** False when the spelling is not a token (§25.1 field-name = token). */
  valid: boolean;
  /** "\r\n" + name + ": ": what the serializer writes before the value (one piece, not four). */
  line: string;
}

function headerName(key: string, name: string, valid: boolean): HeaderName {
  return { key, name, valid, line: `\r\n${name}: ` };
}

const byLower = new Map<string, HeaderName>();
for (const n of KNOWN) byLower.set(n.toLowerCase(), headerName(n.toLowerCase(), n, true));
for (const [c, n] of Object.entries(COMPACT)) byLower.set(c, byLower.get(n.toLowerCase()) as HeaderName);

/** Cache keyed by the exact spelling seen on the wire; bounded so hostile input cannot grow it. */
const bySpelling = new Map<string, HeaderName>();
const SPELLING_CACHE_MAX = 2000;

/** Resolve a header name as written (any case, compact or long). Unknown names keep their spelling. */
export function lookupHeaderName(raw: string): HeaderName {
  let h = bySpelling.get(raw);
  if (h !== undefined) return h;
  const lower = raw.toLowerCase();
  h = byLower.get(lower) ?? headerName(lower, raw, isToken(raw));
  if (bySpelling.size < SPELLING_CACHE_MAX) bySpelling.set(raw, h);
  return h;
}

/**
 * Known names (long and compact) in a small hash table keyed by length and first/last letter,
 * so the parser recognises a header name in place, case-insensitively, without slicing it out.
 * Unknown names go through lookupHeaderName (they keep their own spelling).
 */
interface FastEntry {
  lower: string;
  h: HeaderName;
}
const FAST_SIZE = 1024;
const fast: FastEntry[][] = [];
for (let i = 0; i < FAST_SIZE; i++) fast.push([]);

function slot(len: number, first: number, last: number): number {
  return (len * 37 + first * 11 + last) & (FAST_SIZE - 1);
}

for (const [lower, h] of byLower) {
  fast[slot(lower.length, lower.charCodeAt(0), lower.charCodeAt(lower.length - 1))]?.push({ lower, h });
}

/** The header name s[pos, end) as written: known names matched in place, others via lookupHeaderName. */
export function lookupHeaderNameAt(s: string, pos: number, end: number): HeaderName {
  const len = end - pos;
  if (len > 0) {
    const bucket = fast[slot(len, s.charCodeAt(pos) | 0x20, s.charCodeAt(end - 1) | 0x20)] as FastEntry[];
    for (let b = 0; b < bucket.length; b++) {
      const e = bucket[b] as FastEntry;
      const k = e.lower;
      if (k.length !== len) continue;
      let i = 0;
      for (; i < len; i++) {
        const kc = k.charCodeAt(i);
        const sc = s.charCodeAt(pos + i);
        // Letters match in either case; '-' and digits must match exactly.
        if (sc !== kc && !(kc >= 0x61 && (sc | 0x20) === kc)) break;
      }
      if (i === len) return e.h;
    }
  }
  return lookupHeaderName(s.slice(pos, end));
}

/** "i" → "Call-ID", "CONTENT-length" → "Content-Length"; unknown names are returned as given. */
export function canonicalHeaderName(name: string): string {
  return lookupHeaderName(name).name;
}

/**
 * Headers whose values are comma-separated lists (RFC 3261 §7.3.1 allows combining them).
 * Authorization, WWW-Authenticate, Proxy-Authenticate and Proxy-Authorization are NOT: their
 * values contain commas between parameters. Date too ("Sat, 13 Nov …").
 */
const LIST_KEYS = new Set([
  'via', 'contact', 'route', 'record-route', 'allow', 'supported', 'require', 'proxy-require',
  'unsupported', 'accept', 'accept-encoding', 'accept-language', 'allow-events', 'content-encoding',
  'content-language', 'alert-info', 'call-info', 'error-info', 'in-reply-to', 'path', 'service-route',
  'warning', 'p-asserted-identity', 'p-preferred-identity', 'privacy', 'reason', 'accept-contact',
  'reject-contact', 'request-disposition', 'p-associated-uri', 'history-info', 'diversion', 'security-client',
  'security-server', 'security-verify', 'resource-priority', 'accept-resource-priority', 'geolocation',
]);

export function isListHeader(key: string): boolean {
  return LIST_KEYS.has(key);
}
