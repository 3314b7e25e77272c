/**
 * The SIP message model shared by every SIP layer. Implemented in this folder; everything is
 * exported from `src/sip/message/index.ts`:
 *
 *   class SipRequest  implements SipRequestShape   new SipRequest(method, uri: string, headers?: SipHeaders, body?: Buffer)
 *   class SipResponse implements SipResponseShape  new SipResponse(status, reason, headers?: SipHeaders, body?: Buffer)
 *   class SipHeaders  implements SipHeadersShape   new SipHeaders(entries?: Array<[name, value]>)
 *   type SipMessage = SipRequest | SipResponse
 *   class SipParseError extends Error { status: number; reason: string; partial?: PartialMessage }
 *   parseMessage(buf: Buffer): SipMessage                          (throws SipParseError)
 *   serializeMessage(msg: SipMessage): Buffer                       (Content-Length = body bytes)
 *   class StreamFramer { constructor(maxMessageBytes: number); push(chunk: Buffer): Buffer[] }
 *        (throws SipParseError on an unframeable stream; skips CRLF keep-alives; each Buffer is one message)
 *   parseUri(text: string): SipUri                                  (throws SipParseError 416 for an unsupported scheme / 400)
 *   formatUri(uri: SipUri): string
 *   parseNameAddr(text: string): NameAddr                           (From/To/Contact/Route/Record-Route value)
 *   formatNameAddr(na: NameAddr): string
 *   parseVia(text: string): Via        formatVia(via: Via): string
 *   parseParams(text: string): Params  (";a=b;c" → Map, names lower-cased)
 *   parseAuthHeader(text: string): AuthHeader   formatAuthHeader(h: AuthHeader): string
 *   createResponse(req: SipRequest, status: number, reason?: string, opts?: { toTag?: string }): SipResponse
 *        copies all Via, From, To (adding toTag when given and To has no tag), Call-ID, CSeq; Timestamp for 100
 *   reasonPhrase(status: number): string
 *   newBranch(): string  ("z9hG4bK" + random)   newTag(): string   newCallId(host?: string): string
 *   canonicalHeaderName(name: string): string   ("i" → "Call-ID", "CONTENT-length" → "Content-Length")
 */

/** URI/header parameters; names lower-cased, value null for a flag parameter (";lr"). Insertion order kept. */
export type Params = Map<string, string | null>;

export interface SipUri {
  /** Lower-cased: "sip", "sips", "tel" (others only where a caller accepts them). */
  scheme: string;
  /** %-unescaped user part (tel: the number); null when absent. */
  user: string | null;
  password: string | null;
  /** Lower-cased host name or IP; IPv6 literals WITHOUT brackets. Empty for tel:. */
  host: string;
  port: number | null;
  params: Params;
  /** `?h=v&…` URI headers, unescaped. */
  headers: Map<string, string>;
  /** For a URI of another scheme kept opaque (allowed inside name-addr): everything after "scheme:". */
  opaque?: string;
}

export interface NameAddr {
  /** Unquoted, unescaped display name; null when absent. */
  displayName: string | null;
  uri: SipUri;
  /** Header parameters after the URI (tag, expires, q, +sip.instance …). */
  params: Params;
  /** True for a Contact of exactly "*". */
  wildcard?: boolean;
}

export interface Via {
  /** "SIP/2.0" normally. */
  protocol: string;
  /** Upper-cased: "UDP", "TCP", "TLS", "WS", "WSS", "SCTP". */
  transport: string;
  host: string;
  port: number | null;
  /** branch, received, rport (null when present without value), maddr, ttl … */
  params: Params;
}

export interface CSeq {
  seq: number;
  method: string;
}

/** Digest credentials/challenges: `Digest realm="x", nonce="y", …` */
export interface AuthHeader {
  scheme: string; // "Digest"
  /** Names lower-cased, values unquoted. */
  params: Map<string, string>;
}

export interface SipHeadersShape {
  /** First value of the header (compact or long name, any case), raw text; undefined if absent. */
  get(name: string): string | undefined;
  /** All values: every occurrence, and for list headers (Via, Contact, Route, Record-Route, Allow,
   *  Supported, Require, Proxy-Require, Unsupported, Accept, Allow-Events …) split on top-level commas. */
  getAll(name: string): string[];
  has(name: string): boolean;
  /** Replace every occurrence with one (or several) values. */
  set(name: string, value: string | string[]): void;
  append(name: string, value: string): void;
  /** Insert before existing occurrences (e.g. a new top Via). */
  prepend(name: string, value: string): void;
  remove(name: string): void;
  /** [canonical name, raw value] in wire order. */
  entries(): Array<[string, string]>;
  clone(): SipHeadersShape;
}

interface SipMessageShapeBase {
  headers: SipHeadersShape;
  body: Buffer;
  /** Lazily parsed, cached accessors; they throw SipParseError when the header is malformed. */
  readonly callId: string;
  readonly cseq: CSeq;
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly fromTag: string | null;
  readonly toTag: string | null;
  /** Via values, top first. */
  readonly vias: Via[];
  /** Contact values ([] when absent; one entry with wildcard=true for "*"). */
  readonly contacts: NameAddr[];
  /** null when absent. */
  readonly maxForwards: number | null;
  readonly expires: number | null;
  /** Forget cached parses after headers were changed. */
  invalidate(): void;
}

export interface SipRequestShape extends SipMessageShapeBase {
  readonly kind: 'request';
  method: string;
  /** Request-URI as on the wire. */
  uri: string;
  /** Parsed Request-URI (lazy, cached). */
  readonly requestUri: SipUri;
}

export interface SipResponseShape extends SipMessageShapeBase {
  readonly kind: 'response';
  status: number;
  reason: string;
}
