/**
 * SipRequest / SipResponse with lazily parsed, cached header accessors. A cache is dropped when
 * the headers change (SipHeaders.generation) or on invalidate().
 */
import { SipParseError, badRequest } from './errors.js';
import type { HeaderName } from './header-names.js';
import { SipHeaders } from './headers.js';
import { isToken, isWs, knownMethod, parseUint, splitList, trimLws } from './lex.js';
import { parseNameAddr } from './name-addr.js';
import type { CSeq, NameAddr, SipRequestShape, SipResponseShape, SipUri, Via } from './types.js';
import { parseUri } from './uri.js';
import { parseVia } from './via.js';

const MAX_U32 = 0xffffffff;
const EMPTY = Buffer.alloc(0);

/** CSeq = 1*DIGIT LWS Method (§20.16); the number must fit 32 bits (§8.1.1.5, RFC 4475 §3.1.2.4). */
export function parseCSeq(text: string): CSeq {
  let i = 0;
  let end = text.length;
  while (i < end && isWs(text.charCodeAt(i))) i++;
  while (end > i && isWs(text.charCodeAt(end - 1))) end--;
  // Read in place: no slices for the number and the blank before the method.
  const digits = i;
  let seq = 0;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    seq = seq * 10 + d;
  }
  if (i === digits || i - digits > 20 || seq > MAX_U32) throw badRequest('malformed CSeq');
  const blank = i;
  while (i < end && isWs(text.charCodeAt(i))) i++;
  if (i === blank || i === end) throw badRequest('malformed CSeq');
  let method = knownMethod(text, i, end);
  if (method === null) {
    method = text.slice(i, end);
    if (!isToken(method)) throw badRequest('malformed CSeq');
  }
  return { seq, method };
}

/** map() callbacks that take the value only. */
const parseOneVia = (text: string): Via => parseVia(text);
const parseOneNameAddr = (text: string): NameAddr => parseNameAddr(text);

abstract class SipMessageBase {
  headers: SipHeaders;
  body: Buffer;
  private cacheGen = -1;
  private cacheOwner: SipHeaders | null = null;
  private cCallId: string | undefined;
  private cCseq: CSeq | undefined;
  private cFrom: NameAddr | undefined;
  private cTo: NameAddr | undefined;
  private cVias: Via[] | undefined;
  private cContacts: NameAddr[] | undefined;
  protected cRequestUri: SipUri | undefined;

  constructor(headers: SipHeaders | undefined, body: Buffer | undefined) {
    this.headers = headers ?? new SipHeaders();
    this.body = body ?? EMPTY;
  }

  invalidate(): void {
    this.cCallId = undefined;
    this.cCseq = undefined;
    this.cFrom = undefined;
    this.cTo = undefined;
    this.cVias = undefined;
    this.cContacts = undefined;
    this.cRequestUri = undefined;
    this.cacheGen = this.headers.generation;
    this.cacheOwner = this.headers;
  }

  protected fresh(): void {
    if (this.cacheGen !== this.headers.generation || this.cacheOwner !== this.headers) this.invalidate();
  }

  /** The single value of a header that must occur once (§20: Call-ID, CSeq, From, To, Max-Forwards). */
  protected single(name: string, key: string, required: boolean): string | undefined {
    const h = this.headers;
    let found: string | undefined;
    const defs = h.defs;
    for (let i = 0; i < defs.length; i++) {
      if ((defs[i] as HeaderName).key !== key) continue;
      if (found !== undefined) throw badRequest(`multiple ${name} headers`);
      found = h.values[i];
    }
    if (found === undefined && required) throw badRequest(`missing ${name}`);
    return found;
  }

  get callId(): string {
    this.fresh();
    if (this.cCallId === undefined) {
      const v = trimLws(this.single('Call-ID', 'call-id', true) as string);
      if (v.length === 0) throw badRequest('empty Call-ID');
      this.cCallId = v;
    }
    return this.cCallId;
  }

  get cseq(): CSeq {
    this.fresh();
    return (this.cCseq ??= parseCSeq(this.single('CSeq', 'cseq', true) as string));
  }

  get from(): NameAddr {
    this.fresh();
    return (this.cFrom ??= parseNameAddr(this.single('From', 'from', true) as string));
  }

  get to(): NameAddr {
    this.fresh();
    return (this.cTo ??= parseNameAddr(this.single('To', 'to', true) as string));
  }

  get fromTag(): string | null {
    return this.from.params.get('tag') ?? null;
  }

  get toTag(): string | null {
    return this.to.params.get('tag') ?? null;
  }

  get vias(): Via[] {
    this.fresh();
    return (this.cVias ??= this.headers.allOf('via', true).map(parseOneVia));
  }

  /**
   * Rewrite the top Via (its value `text`, parsed `via`) where its header line holds it alone, and
   * keep every other cached parse: filling in received/rport (§18.2.1, RFC 3581) must not make
   * From, To, CSeq and Contact be parsed again. False (nothing changed) when the top Via shares
   * its line with others; the caller then rewrites the Via lines itself.
   */
  replaceTopVia(text: string, via: Via): boolean {
    const vias = this.vias;
    const h = this.headers;
    const first = h.indexOfKey('via');
    if (first < 0 || splitList(h.values[first] as string).length !== 1) return false;
    h.replaceAt(first, text);
    const next = vias.slice();
    next[0] = via;
    this.cVias = next;
    this.cacheGen = h.generation;
    return true;
  }

  get contacts(): NameAddr[] {
    this.fresh();
    return (this.cContacts ??= this.headers.allOf('contact', true).map(parseOneNameAddr));
  }

  /** Max-Forwards = 1*DIGIT, 0–255 (§20.22); out of range → 400. */
  get maxForwards(): number | null {
    const v = this.single('Max-Forwards', 'max-forwards', false);
    if (v === undefined) return null;
    const n = parseUint(trimLws(v), 255);
    if (n < 0) throw badRequest('malformed Max-Forwards');
    return n;
  }

  /** Expires = delta-seconds (§20.19), at most 2^32-1 here; malformed → 400. */
  get expires(): number | null {
    const v = this.headers.get('expires');
    if (v === undefined) return null;
    const n = parseUint(trimLws(v), MAX_U32);
    if (n < 0) throw badRequest('malformed Expires');
    return n;
  }
}

export class SipRequest extends SipMessageBase implements SipRequestShape {
  readonly kind = 'request' as const;
  method: string;
  private uriText: string;

  constructor(method: string, uri: string, headers?: SipHeaders, body?: Buffer) {
    super(headers, body);
    this.method = method;
    this.uriText = uri;
  }

  /** Request-URI as on the wire; assigning it drops the parsed form. */
  get uri(): string {
    return this.uriText;
  }

  set uri(value: string) {
    this.uriText = value;
    this.cRequestUri = undefined;
  }

  /** Parsed Request-URI; an unsupported scheme throws SipParseError 416 (§8.2.2.1). */
  get requestUri(): SipUri {
    this.fresh();
    return (this.cRequestUri ??= parseUri(this.uriText));
  }
}

export class SipResponse extends SipMessageBase implements SipResponseShape {
  readonly kind = 'response' as const;
  status: number;
  reason: string;

  constructor(status: number, reason: string, headers?: SipHeaders, body?: Buffer) {
    super(headers, body);
    this.status = status;
    this.reason = reason;
  }
}

export type SipMessage = SipRequest | SipResponse;

export { SipParseError };
