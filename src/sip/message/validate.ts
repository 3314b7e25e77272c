/**
 * Checks a UAS makes before processing a request (RFC 3261 §8.2, §16.3; RFC 4475 §3.1.2, §3.3),
 * and the ones a UAC makes before accepting a response (§8.1.3). Each returns the error to answer
 * with (or, for a response, the reason to drop it), or null when the message is acceptable.
 */
import { SipParseError, badRequest } from './errors.js';
import type { SipRequest, SipResponse } from './message.js';

/**
 * RFC 3261 §20.17 / §25.1: rfc1123-date with the zone "GMT" only (RFC 4475 §3.1.2.12). A one-digit
 * day is tolerated (phones send it); another zone or other shape is not.
 */
const DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function check(fn: () => void): SipParseError | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof SipParseError) return e;
    return badRequest(e instanceof Error ? e.message : 'malformed message');
  }
}

/** The headers a message is matched and routed by, plus Max-Forwards, Content-Length and Date. */
function routing(msg: SipRequest | SipResponse): void {
  // Mandatory and single-valued (§8.1.1, §7.3.1): each accessor throws 400 when missing/repeated/malformed.
  void msg.callId;
  void msg.cseq;
  if (msg.vias.length === 0) throw badRequest('missing Via');
  void msg.maxForwards;
  if (msg.headers.count('content-length') > 1) throw badRequest('multiple Content-Length');
  const date = msg.headers.get('date');
  if (date !== undefined && !DATE.test(date.trim())) throw badRequest('malformed Date');
}

/** From, To (mandatory, single) and Contact: what a transaction's user may read of the parties. */
function parties(msg: SipRequest | SipResponse): void {
  void msg.from;
  void msg.to;
  void msg.contacts;
}

function common(msg: SipRequest | SipResponse): void {
  routing(msg);
  parties(msg);
}

/**
 * What must hold before a request is processed: Request-URI scheme supported (else 416) and
 * without escaped headers (RFC 4475 §3.1.2.11), To/From/Call-ID/CSeq/Via present, single and
 * well-formed, Max-Forwards 0–255 when present (absent is tolerated for RFC 2543 peers, RFC 4475
 * §3.4.1), Contact well-formed, CSeq method equal to the request method (§8.2.6 / RFC 4475
 * §3.1.2.17), Date in GMT.
 */
export function validateRequest(req: SipRequest): SipParseError | null {
  return check(() => {
    const uri = req.requestUri;
    if (uri.headers.size > 0) throw badRequest('Request-URI with headers');
    common(req);
    if (req.cseq.method !== req.method) throw badRequest('CSeq method does not match request method');
  });
}

/** A response the UAC should drop: malformed mandatory headers, or no Via (§8.1.3.3). */
export function validateResponse(res: SipResponse): SipParseError | null {
  return check(() => common(res));
}

/**
 * The part of validateResponse a response needs before it is matched to a client transaction:
 * Via, CSeq, Call-ID (which it is matched by), Max-Forwards, Content-Length and Date.
 */
export function validateResponseRouting(res: SipResponse): SipParseError | null {
  return check(() => routing(res));
}

/** The rest of validateResponse: From, To and Contact well-formed and From/To single. */
export function validateResponseParties(res: SipResponse): SipParseError | null {
  return check(() => parties(res));
}
