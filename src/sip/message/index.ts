/** The SIP message layer: everything listed in types.ts, plus helpers other layers use. */
export type { AuthHeader, CSeq, NameAddr, Params, SipHeadersShape, SipRequestShape, SipResponseShape, SipUri, Via } from './types.js';
export { SipParseError, type PartialMessage } from './errors.js';
export { SipHeaders } from './headers.js';
export { SipRequest, SipResponse, parseCSeq, type SipMessage } from './message.js';
export { parseMessage } from './parser.js';
export { serializeMessage } from './serialize.js';
export { StreamFramer } from './framer.js';
export { parseUri, formatUri, unescapeUri } from './uri.js';
export { parseNameAddr, formatNameAddr } from './name-addr.js';
export { parseVia, formatVia } from './via.js';
export { parseParams, formatParams, splitList, unquote, quote } from './lex.js';
export { parseAuthHeader, formatAuthHeader } from './auth.js';
export { createResponse, createErrorResponse, reasonPhrase } from './response.js';
export { newBranch, newTag, newCallId, isRfc3261Branch, MAGIC_COOKIE } from './ids.js';
export { canonicalHeaderName, isListHeader } from './header-names.js';
export { validateRequest, validateResponse } from './validate.js';
