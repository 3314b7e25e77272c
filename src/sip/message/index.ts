/**
 * The SIP message layer: everything listed in types.ts, plus helpers other layers use.
 *
 * Behaviour worth knowing:
 * - parseMessage checks framing only: start line (400 / 505), header-line syntax, Content-Length
 *   (400 when larger than the datagram, negative, non-numeric or conflicting). Header values are
 *   parsed on first access (callId, cseq, from, to, vias, contacts, maxForwards, expires,
 *   requestUri), which throw SipParseError. Call validateRequest(req) before acting on a request:
 *   it returns the SipParseError to answer with (416 unsupported Request-URI scheme, 400 missing /
 *   repeated / malformed To, From, Call-ID, CSeq, Via, Max-Forwards, Contact, CSeq method ≠
 *   method, non-GMT Date, Request-URI with ?headers) or null.
 * - No Content-Length on a datagram: the body is the rest of it. Bare-LF line ends are accepted.
 * - Hosts are lower-cased; IPv6 hosts come WITHOUT brackets (formatUri/formatVia add them).
 *   Parameter names are lower-cased; parameter values keep their case, and header-parameter values
 *   keep their quotes (use unquote()). URI user/password/params/headers are %-decoded once.
 * - A parsed URI, name-addr or Via without parameters (or URI without ?headers) shares one
 *   read-only empty map: copy before editing (`new Map(na.params)`); set() on it throws.
 * - A name-addr with another scheme keeps it opaque (uri.opaque, e.g. To: <http://…>); a
 *   Request-URI with another scheme throws 416 from requestUri.
 * - Parsed-and-unmodified messages re-emit their received header lines; any SipHeaders mutation
 *   (set/append/prepend/remove) drops that and the message's cached parses.
 * - createErrorResponse(err) builds the response to a request that failed parseMessage from
 *   err.partial (null when Via/From/To/Call-ID/CSeq could not all be read).
 */
export type { AuthHeader, CSeq, NameAddr, Params, SipHeadersShape, SipRequestShape, SipResponseShape, SipUri, Via } from './types.js';
export { SipParseError, type PartialMessage } from './errors.js';
export { SipHeaders } from './headers.js';
export { SipRequest, SipResponse, parseCSeq, type SipMessage } from './message.js';
export { parseMessage } from './parser.js';
export { serializeMessage } from './serialize.js';
export { wireText, fromWireText } from './wire-copy.js';
export { StreamFramer } from './framer.js';
export { parseUri, formatUri, unescapeUri } from './uri.js';
export { parseNameAddr, formatNameAddr } from './name-addr.js';
export { parseVia, formatVia } from './via.js';
export { parseParams, formatParams, splitList, unquote, quote } from './lex.js';
export { parseAuthHeader, formatAuthHeader } from './auth.js';
export { createResponse, createErrorResponse, reasonPhrase } from './response.js';
export { newBranch, newTag, newCallId, isRfc3261Branch, MAGIC_COOKIE } from './ids.js';
export { canonicalHeaderName, isListHeader } from './header-names.js';
export { validateRequest, validateResponse, validateResponseParties, validateResponseRouting } from './validate.js';
