/** Building responses (RFC 3261 §8.2.6) and the reason phrases of §21 and later RFCs. */
import type { SipParseError } from './errors.js';
import type { HeaderName } from './header-names.js';
import { hasLineBreak, SipHeaders } from './headers.js';
import { SipResponse, type SipRequest } from './message.js';

const REASONS: Record<number, string> = {
  100: 'Trying', 180: 'Ringing', 181: 'Call Is Being Forwarded', 182: 'Queued', 183: 'Session Progress',
  199: 'Early Dialog Terminated',
  200: 'OK', 202: 'Accepted', 204: 'No Notification',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Moved Temporarily', 305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required',
  408: 'Request Timeout', 410: 'Gone', 412: 'Conditional Request Failed', 413: 'Request Entity Too Large',
  414: 'Request-URI Too Long', 415: 'Unsupported Media Type', 416: 'Unsupported URI Scheme',
  417: 'Unknown Resource-Priority', 420: 'Bad Extension', 421: 'Extension Required',
  422: 'Session Interval Too Small', 423: 'Interval Too Brief', 424: 'Bad Location Information',
  428: 'Use Identity Header', 429: 'Provide Referrer Identity', 430: 'Flow Failed',
  433: 'Anonymity Disallowed', 436: 'Bad Identity-Info', 437: 'Unsupported Certificate',
  438: 'Invalid Identity Header', 439: 'First Hop Lacks Outbound Support', 440: 'Max-Breadth Exceeded',
  469: 'Bad Info Package', 470: 'Consent Needed', 480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist', 482: 'Loop Detected', 483: 'Too Many Hops',
  484: 'Address Incomplete', 485: 'Ambiguous', 486: 'Busy Here', 487: 'Request Terminated',
  488: 'Not Acceptable Here', 489: 'Bad Event', 491: 'Request Pending', 493: 'Undecipherable',
  494: 'Security Agreement Required',
  500: 'Server Internal Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Server Time-out', 505: 'Version Not Supported', 513: 'Message Too Large',
  555: 'Push Notification Service Not Supported', 580: 'Precondition Failure',
  600: 'Busy Everywhere', 603: 'Decline', 604: 'Does Not Exist Anywhere', 606: 'Not Acceptable',
  607: 'Unwanted', 608: 'Rejected',
};

/** The standard phrase, or a generic one for the status class. */
export function reasonPhrase(status: number): string {
  const r = REASONS[status];
  if (r !== undefined) return r;
  if (status >= 100 && status < 200) return 'Trying';
  if (status >= 200 && status < 300) return 'OK';
  if (status >= 300 && status < 400) return 'Redirected';
  if (status >= 400 && status < 500) return 'Client Error';
  if (status >= 500 && status < 600) return 'Server Error';
  return 'Global Failure';
}

/** Free slots left in a new response's header arrays (kept: V8 trims only when over half is unused). */
const RESPONSE_SPARE = 4;

function withToTag(to: string, toTag: string | undefined): string {
  if (toTag === undefined) return to;
  // A tag parameter outside <> or quotes already present? Then keep the existing one.
  const close = to.lastIndexOf('>');
  const tail = (close >= 0 ? to.slice(close) : to).toLowerCase();
  if (/;\s*tag\s*=/.test(tail)) return to;
  return `${to};tag=${toTag}`;
}

/** The request lines a response copies (§8.2.6.2), Timestamp for a 100 (§8.2.6.1). */
function copied(d: HeaderName, status: number): boolean {
  const k = d.key;
  return k === 'via' || k === 'from' || k === 'to' || k === 'call-id' || k === 'cseq' || (status === 100 && k === 'timestamp');
}

/**
 * §8.2.6.1/§8.2.6.2: the response copies every Via (same order), From, To (adding a tag when
 * given and none is present), Call-ID and CSeq; a 100 (Trying) also copies Timestamp.
 */
export function createResponse(req: SipRequest, status: number, reason?: string, opts?: { toTag?: string }): SipResponse {
  const src = req.headers;
  const srcDefs = src.defs;
  let n = 0;
  for (let i = 0; i < srcDefs.length; i++) if (copied(srcDefs[i] as HeaderName, status)) n++;
  // Arrays with room for the few lines callers append (Expires, Contact, Server, Allow …), so
  // those appends do not grow them to 17 slots.
  const defs = new Array<HeaderName>(n + RESPONSE_SPARE);
  const values = new Array<string>(n + RESPONSE_SPARE);
  let j = 0;
  for (let i = 0; i < srcDefs.length; i++) {
    const d = srcDefs[i] as HeaderName;
    if (!copied(d, status)) continue;
    const v = src.values[i] as string;
    defs[j] = d;
    values[j] = d.key === 'to' && status !== 100 ? withToTag(v, opts?.toTag) : v;
    j++;
  }
  defs.length = j;
  values.length = j;
  const h = new SipHeaders(undefined, defs, values);
  // Received lines hold no line breaks; a To tag from code might.
  h.lineBreaks = src.lineBreaks || (opts?.toTag !== undefined && hasLineBreak(opts.toTag));
  return new SipResponse(status, reason ?? reasonPhrase(status), h);
}

/**
 * The response to send for a request that failed to parse, built from `err.partial` when it holds
 * Via, From, To, Call-ID and CSeq; null when it does not (then the message can only be dropped).
 */
export function createErrorResponse(err: SipParseError, opts?: { toTag?: string }): SipResponse | null {
  const p = err.partial;
  if (p === undefined || p.kind === 'response') return null;
  const h = new SipHeaders();
  const seen = new Set<string>();
  for (const [name, value] of p.headers) {
    const k = name.toLowerCase();
    if (k !== 'via' && seen.has(k)) continue;
    seen.add(k);
    h.add(name, k === 'to' ? withToTag(value, opts?.toTag) : value);
  }
  for (const k of ['via', 'from', 'to', 'call-id', 'cseq']) if (!seen.has(k)) return null;
  return new SipResponse(err.status, err.reason, h);
}
