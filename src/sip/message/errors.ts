/**
 * Parse errors carry the SIP response a UAS should send (RFC 3261 §21: 400 for malformed input,
 * 505 for an unknown SIP version, 416 for an unsupported URI scheme, 513 for an oversized message).
 */

/** Whatever could be read from a message that failed to parse, so a 400 can still be formed. */
export interface PartialMessage {
  kind?: 'request' | 'response';
  method?: string;
  uri?: string;
  status?: number;
  /** Header lines read before (or despite) the failure, canonical names, wire order. */
  headers: Array<[string, string]>;
}

export class SipParseError extends Error {
  /** The response status to send (400, 416, 505, 513 …). */
  readonly status: number;
  /** Short reason phrase, e.g. "Bad Request - malformed Via". */
  readonly reason: string;
  partial?: PartialMessage;
  constructor(status: number, reason: string, partial?: PartialMessage) {
    super(`${status} ${reason}`);
    this.name = 'SipParseError';
    this.status = status;
    this.reason = reason;
    if (partial !== undefined) this.partial = partial;
  }
}

/** 400 with "Bad Request - <what>" as reason. */
export function badRequest(what: string): SipParseError {
  return new SipParseError(400, `Bad Request - ${what}`);
}
