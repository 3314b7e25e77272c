/**
 * HTTP Digest for SIP: RFC 2617 (MD5, qop=auth, and the RFC 2069 no-qop form old phones send),
 * RFC 7616 (SHA-256) as RFC 8760 brings it to SIP.
 *
 * Nonces are `<issued ms, 12 hex><counter, 8 hex><HMAC-SHA256 of both, first 24 hex>` keyed by a
 * per-process secret (or one the caller gives), so a nonce from another process or another key
 * is refused. A nonce older than the lifetime gets `stale=true` (RFC 2617 §3.2.1: the client
 * retries with the new nonce without asking the user). Replays are caught by remembering, per
 * nonce, the highest nonce-count seen (RFC 7616 §3.4: the server should check nc increases): for
 * the newest nonces we issued in a NonceRing (no HMAC needed to recognise them), for valid nonces
 * signed by another authenticator with the same key (a reloaded registrar) in a bounded Map. A
 * nonce no longer remembered is answered stale so it cannot be replayed.
 * After a restart with a new key, an answer to an old nonce is challenged again with a fresh
 * 401, which every UA handles.
 */
import { createHash, createHmac, hash, randomBytes } from 'node:crypto';
import { hexValue, NONCE_BODY_LENGTH, NONCE_LENGTH, nonceBody, NonceRing } from './nonce-ring.js';

export type DigestAlgorithm = 'MD5' | 'SHA-256';

/** RFC 8760 §2.4: challenges are listed most preferred first. */
const PREFERENCE: DigestAlgorithm[] = ['SHA-256', 'MD5'];

export function digestHash(algorithm: DigestAlgorithm, text: string): string {
  // One-shot crypto.hash (Node >= 20.12): no Hash object per call, three calls per verified REGISTER.
  return hash(algorithm === 'MD5' ? 'md5' : 'sha256', text, 'hex');
}

export interface DigestInput {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  /** Plain password; or give ha1 directly (chan_sip md5secret = MD5(user:realm:secret)). */
  password?: string;
  ha1?: string;
  method: string;
  uri: string;
  nonce: string;
  /** 'auth' or undefined for the RFC 2069 form. */
  qop?: string;
  nc?: string;
  cnonce?: string;
}

/** The `response=` value a client must send (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1). */
export function computeDigestResponse(d: DigestInput): string {
  const ha1 = d.ha1 ?? digestHash(d.algorithm, `${d.username}:${d.realm}:${d.password ?? ''}`);
  return responseFrom(d.algorithm, ha1, ha2Of(d.algorithm, d.method, d.uri), d.nonce, d.qop, d.nc, d.cnonce);
}

/** ASCII upper case to lower case; other characters unchanged. */
function lowerAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/**
 * Equal-time comparison of two hex strings, case-insensitive (RFC 7616 §3.4.1: the response is
 * lower-case hex; some UAs write upper case). Every character is looked at whatever differs, so
 * the time does not tell how much of `b` was right; no Buffers, unlike timingSafeEqual.
 */
export function safeEqualHex(a: string, b: string): boolean {
  // A length difference says nothing about the expected value (its length is the algorithm's).
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= lowerAscii(a.charCodeAt(i)) ^ lowerAscii(b.charCodeAt(i));
  return diff === 0;
}

/**
 * HMAC-SHA256 (RFC 2104) of a fixed-length ASCII text, as two one-shot SHA-256 hashes over
 * preallocated blocks: H((K ^ opad) || H((K ^ ipad) || text)). Same value as createHmac, about
 * 2.5× cheaper per nonce: createHmac builds a stream object, a native context and a digest Buffer
 * every call.
 */
class FixedLengthHmac {
  /** K ^ ipad, then the text. */
  private readonly inner: Buffer;
  /** K ^ opad, then the inner digest. */
  private readonly outer: Buffer;

  constructor(secret: Buffer, readonly textLength: number) {
    // RFC 2104 §2: a key longer than the block (64 bytes) is hashed first; shorter ones are zero-padded.
    const key = secret.length > 64 ? createHash('sha256').update(secret).digest() : secret;
    this.inner = Buffer.alloc(64 + textLength, 0x36);
    this.outer = Buffer.alloc(64 + 32, 0x5c);
    for (let i = 0; i < key.length; i++) {
      this.inner[i] ^= key[i];
      this.outer[i] ^= key[i];
    }
  }

  /** Hex HMAC of `text` (ASCII, exactly textLength characters). */
  hex(text: string): string {
    this.inner.write(text, 64, 'latin1');
    // 'binary' (latin1) keeps the 32 digest bytes as one char each, written back byte for byte.
    this.outer.write(hash('sha256', this.inner, 'binary'), 64, 'latin1');
    return hash('sha256', this.outer, 'hex');
  }
}

export interface DigestAuthOptions {
  realm: string;
  /** Which algorithms to challenge with (order here does not matter: SHA-256 goes first). */
  algorithms: DigestAlgorithm[];
  /** Nonce validity, ms. */
  nonceLifetimeMs: number;
  /** Wall clock in ms (the nonce timestamp). */
  now: () => number;
  /** HMAC key; random per process when absent. */
  secret?: Buffer;
  /** Nonces whose nonce-count is remembered, default 100000. */
  maxTrackedNonces?: number;
}

/** What the peer's credentials are, as sip.conf gives them. */
export interface PeerSecret {
  secret: string | null;
  md5secret: string | null;
}

export type DigestFailure =
  | 'malformed' // missing fields, unknown qop
  | 'realm' // not our realm
  | 'algorithm' // algorithm we did not offer
  | 'nonce' // not a nonce we issued
  | 'stale' // ours but expired or evicted from the replay cache
  | 'replay' // nonce-count not increasing
  | 'mismatch'; // wrong password

export type DigestResult = { ok: true; algorithm: DigestAlgorithm } | { ok: false; reason: DigestFailure };

/** usableAlgorithms' answers, shared (it runs for every challenge). */
const EITHER: readonly DigestAlgorithm[] = Object.freeze(['SHA-256', 'MD5']);
const MD5_ONLY: readonly DigestAlgorithm[] = Object.freeze(['MD5']);
const NEITHER: readonly DigestAlgorithm[] = Object.freeze([]);

/** Results are constants: verify runs for every authenticated request. */
const PASSED_MD5: DigestResult = Object.freeze({ ok: true, algorithm: 'MD5' });
const PASSED_SHA256: DigestResult = Object.freeze({ ok: true, algorithm: 'SHA-256' });
const FAILED: Record<DigestFailure, DigestResult> = {
  malformed: Object.freeze({ ok: false, reason: 'malformed' }),
  realm: Object.freeze({ ok: false, reason: 'realm' }),
  algorithm: Object.freeze({ ok: false, reason: 'algorithm' }),
  nonce: Object.freeze({ ok: false, reason: 'nonce' }),
  stale: Object.freeze({ ok: false, reason: 'stale' }),
  replay: Object.freeze({ ok: false, reason: 'replay' }),
  mismatch: Object.freeze({ ok: false, reason: 'mismatch' }),
};

/** The algorithm= value of credentials (case-insensitive, MD5 when absent: RFC 2617 §3.2.2). */
function algorithmNamed(text: string | undefined): DigestAlgorithm | null {
  if (text === undefined || text === 'MD5') return 'MD5';
  if (text === 'SHA-256') return 'SHA-256';
  const upper = text.toUpperCase();
  return upper === 'MD5' || upper === 'SHA-256' ? upper : null;
}

/** Equal-time comparison of two strings, case-sensitive. */
function safeEqualText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The response= value expected, from HA1 and HA2 (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1). */
function responseFrom(
  algorithm: DigestAlgorithm,
  ha1: string,
  ha2: string,
  nonce: string,
  qop: string | undefined,
  nc: string | undefined,
  cnonce: string | undefined,
): string {
  if (qop) return digestHash(algorithm, `${ha1}:${nonce}:${nc ?? ''}:${cnonce ?? ''}:${qop}:${ha2}`);
  return digestHash(algorithm, `${ha1}:${nonce}:${ha2}`);
}

/**
 * A copy of `text` sharing no storage with it, for strings kept past the request: a value parsed
 * from a request is a V8 sliced string whose parent, the whole request text, lives as long as
 * the slice does (a Map of nonces keyed so once kept every authenticated request's text alive).
 * UTF-16 code units copied as they are, so any string comes back equal.
 */
function detachedCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}

/** HA2 = H(method:uri) for qop=auth or no qop (RFC 2617 §3.2.2.3). */
function ha2Of(algorithm: DigestAlgorithm, method: string, uri: string): string {
  return digestHash(algorithm, `${method}:${uri}`);
}

/** HA2 values remembered, at most (then forgotten all at once). */
const HA2_REMEMBERED = 4096;

/**
 * HA2 by algorithm, method and request URI: UAs answer with the same few URIs (the registrar's,
 * a hint's), so most verifies find theirs. Nested Maps: no key string to build per lookup.
 */
class Ha2Cache {
  private readonly byMethod: Record<DigestAlgorithm, Map<string, Map<string, string>>> = { MD5: new Map(), 'SHA-256': new Map() };
  private size = 0;

  get(algorithm: DigestAlgorithm, method: string, uri: string): string {
    let byUri = this.byMethod[algorithm].get(method);
    const known = byUri?.get(uri);
    if (known !== undefined) return known;
    const ha2 = ha2Of(algorithm, method, uri);
    if (this.size >= HA2_REMEMBERED) {
      this.byMethod.MD5.clear();
      this.byMethod['SHA-256'].clear();
      this.size = 0;
      byUri = undefined;
    }
    if (byUri === undefined) {
      byUri = new Map();
      this.byMethod[algorithm].set(detachedCopy(method), byUri);
    }
    byUri.set(detachedCopy(uri), ha2);
    this.size++;
    return ha2;
  }
}

/** HA1 values of one peer's plain secret (see DigestAuthenticator.ha1). */
interface Ha1Entry {
  secret: string;
  username: string;
  md5: string | undefined;
  sha256: string | undefined;
}

/** Valid nonces of another authenticator with our key whose nc is remembered, at most. */
const OTHERS_REMEMBERED = 10_000;

export class DigestAuthenticator {
  readonly realm: string;
  readonly algorithms: DigestAlgorithm[];
  private readonly lifetimeMs: number;
  private readonly now: () => number;
  /** Signs nonce bodies (HMAC-SHA256, see FixedLengthHmac). */
  private readonly signer: FixedLengthHmac;
  private readonly opaque: string;
  /** `Digest realm="…", nonce="`: the part of every challenge before the nonce. */
  private readonly challengeHead: string;
  /** After the nonce, per algorithm: [fresh, stale=true]. */
  private readonly challengeTail: Record<DigestAlgorithm, [string, string]>;
  /**
   * HA1 = H(username:realm:secret) per peer credentials object (RFC 7616 §3.4.2): the same for
   * every request of a peer, so it is hashed once per peer, not once per request.
   */
  private readonly ha1Cache = new WeakMap<PeerSecret, Ha1Entry>();
  private readonly ha2 = new Ha2Cache();
  /** Our newest nonces (maxTrackedNonces of them) and their highest nc. */
  private readonly ring: NonceRing;
  /** Valid nonces we did not issue (same key, other authenticator) → highest nc seen. */
  private readonly othersSeen = new Map<string, number>();
  /** Newest issue time among othersSeen. */
  private othersNewest = -1;
  /** Newest issue time of any nonce no longer remembered; older ones not remembered are stale. */
  private evictedIssuedAt = -1;

  constructor(opts: DigestAuthOptions) {
    this.realm = opts.realm;
    this.algorithms = PREFERENCE.filter((a) => opts.algorithms.includes(a));
    if (this.algorithms.length === 0) this.algorithms = ['MD5'];
    this.lifetimeMs = opts.nonceLifetimeMs;
    this.now = opts.now;
    const secret = opts.secret ?? randomBytes(32);
    this.signer = new FixedLengthHmac(secret, NONCE_BODY_LENGTH);
    this.opaque = createHmac('sha256', secret).update('opaque').digest('hex').slice(0, 16);
    this.ring = new NonceRing(Math.max(1, opts.maxTrackedNonces ?? 100_000));
    this.challengeHead = `Digest realm="${this.realm}", nonce="`;
    const tail = (a: DigestAlgorithm): [string, string] => {
      const fresh = `", opaque="${this.opaque}", algorithm=${a}, qop="auth"`;
      return [fresh, `${fresh}, stale=true`];
    };
    this.challengeTail = { MD5: tail('MD5'), 'SHA-256': tail('SHA-256') };
  }

  /** The nonce's signature: HMAC of its body, first 24 hex digits. */
  private sign(body: string): string {
    return this.signer.hex(body).slice(0, NONCE_LENGTH - NONCE_BODY_LENGTH);
  }

  /** Unique per nonce; the HMAC makes it unforgeable, so a counter is enough. */
  private counter = randomBytes(4).readUInt32BE(0);

  newNonce(): string {
    this.counter = (this.counter + 1) >>> 0;
    const issuedAt = Math.floor(this.now());
    const body = nonceBody(issuedAt, this.counter);
    const signature = this.signer.hex(body);
    const pushedOut = this.ring.add(this.counter, issuedAt, signature);
    if (pushedOut > this.evictedIssuedAt) this.evictedIssuedAt = pushedOut;
    return body + signature.slice(0, NONCE_LENGTH - NONCE_BODY_LENGTH);
  }

  /**
   * Issue time of a nonce not in the ring (our newest nonces, which need no HMAC) with a valid
   * signature of our key, or null. Other nonces already checked need no HMAC either.
   */
  private signedIssuedAt(nonce: string): number | null {
    if (nonce.length !== NONCE_LENGTH) return null;
    // Hex digits only: the HMAC input is written as latin1 bytes, where U+0131 would pass for '1'.
    const issuedAt = hexValue(nonce, 0, 12);
    if (issuedAt < 0 || hexValue(nonce, 12, NONCE_BODY_LENGTH) < 0) return null;
    // The signature is compared as written (we issue lower-case hex and a UA echoes the nonce
    // unchanged), so an upper-cased copy of a used nonce is not a second, unused one.
    if (!this.othersSeen.has(nonce) && !safeEqualText(nonce.slice(NONCE_BODY_LENGTH), this.sign(nonce.slice(0, NONCE_BODY_LENGTH)))) {
      return null;
    }
    return issuedAt;
  }

  /** True when the nonce carries our signature (any age). */
  isOurNonce(nonce: string): boolean {
    return this.ring.find(nonce) >= 0 || this.signedIssuedAt(nonce) !== null;
  }

  /**
   * WWW-Authenticate values, most preferred first. `only` narrows the list (a peer that only has
   * an md5secret can answer MD5 only).
   */
  challenge(opts: { stale?: boolean; only?: readonly DigestAlgorithm[] } = {}): string[] {
    const head = this.challengeHead + this.newNonce();
    const stale = opts.stale === true ? 1 : 0;
    const only = opts.only;
    const values: string[] = [];
    for (const a of this.algorithms) if (only === undefined || only.includes(a)) values.push(head + this.challengeTail[a][stale]);
    if (values.length === 0) for (const a of this.algorithms) values.push(head + this.challengeTail[a][stale]);
    return values;
  }

  /** Which algorithms a peer's credentials can be checked with. */
  static usableAlgorithms(cred: PeerSecret): readonly DigestAlgorithm[] {
    if (cred.secret !== null) return EITHER;
    if (cred.md5secret !== null) return MD5_ONLY;
    return NEITHER;
  }

  /**
   * Check an Authorization header's parameters (names lower-case, values unquoted) for `method`.
   * `username` in the header must already have been matched to the peer by the caller.
   */
  verify(params: Map<string, string>, method: string, cred: PeerSecret): DigestResult {
    const username = params.get('username');
    const realm = params.get('realm');
    const nonce = params.get('nonce');
    const uri = params.get('uri');
    const response = params.get('response');
    if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) {
      return FAILED.malformed;
    }
    const algorithm = algorithmNamed(params.get('algorithm'));
    if (algorithm === null || !this.algorithms.includes(algorithm)) return FAILED.algorithm;
    if (realm !== this.realm) return FAILED.realm;
    const qop = params.get('qop');
    if (qop !== undefined && qop !== 'auth' && qop.toLowerCase() !== 'auth') return FAILED.malformed;
    const nc = params.get('nc');
    const cnonce = params.get('cnonce');
    let ncValue = 0;
    if (qop !== undefined) {
      // nc = 8LHEX (RFC 7616 §3.4).
      ncValue = nc === undefined || nc.length !== 8 ? -1 : hexValue(nc, 0, 8);
      if (ncValue < 0 || cnonce === undefined) return FAILED.malformed;
    }
    const slot = this.ring.find(nonce);
    const issuedAt = slot >= 0 ? this.ring.issuedAtOf(slot) : this.signedIssuedAt(nonce);
    if (issuedAt === null) return FAILED.nonce;
    // Check the password before saying "stale": stale=true promises the credentials were right
    // (RFC 2617 §3.2.1), so a wrong password with an old nonce is a plain failure.
    let ha1: string;
    if (cred.secret !== null) ha1 = this.ha1(cred, cred.secret, algorithm, username);
    else if (cred.md5secret !== null && algorithm === 'MD5') ha1 = cred.md5secret;
    else return FAILED.mismatch;
    const expected = responseFrom(algorithm, ha1, this.ha2.get(algorithm, method, uri), nonce, qop, nc, cnonce);
    if (!safeEqualHex(expected, response)) return FAILED.mismatch;
    const age = this.now() - issuedAt;
    if (age > this.lifetimeMs || age < -60_000) return FAILED.stale;
    // RFC 2069 form has no nc: each nonce authorises requests for its lifetime (chan_sip does so).
    if (slot >= 0) {
      const seen = this.ring.lastNc(slot);
      if (seen >= 0 && qop !== undefined && ncValue <= seen) return FAILED.replay;
      this.ring.use(slot, ncValue);
    } else {
      const seen = this.othersSeen.get(nonce);
      if (seen === undefined) {
        if (issuedAt <= this.evictedIssuedAt) return FAILED.stale;
        this.rememberOther(nonce, issuedAt, ncValue);
      } else {
        if (qop !== undefined && ncValue <= seen) return FAILED.replay;
        this.othersSeen.set(nonce, ncValue);
      }
    }
    return algorithm === 'MD5' ? PASSED_MD5 : PASSED_SHA256;
  }

  /**
   * Remembers a first-used nonce of another authenticator. When the Map is full it is emptied
   * at once (everything in it becomes stale) rather than trimmed one by one.
   */
  private rememberOther(nonce: string, issuedAt: number, nc: number): void {
    if (this.othersSeen.size >= OTHERS_REMEMBERED) {
      this.othersSeen.clear();
      if (this.othersNewest > this.evictedIssuedAt) this.evictedIssuedAt = this.othersNewest;
      this.othersNewest = -1;
    }
    this.othersSeen.set(detachedCopy(nonce), nc);
    if (issuedAt > this.othersNewest) this.othersNewest = issuedAt;
  }

  /** HA1 from a plain secret, hashed once per peer credentials, username and algorithm. */
  private ha1(cred: PeerSecret, secret: string, algorithm: DigestAlgorithm, username: string): string {
    let entry = this.ha1Cache.get(cred);
    if (entry === undefined || entry.secret !== secret || entry.username !== username) {
      entry = { secret, username: detachedCopy(username), md5: undefined, sha256: undefined };
      this.ha1Cache.set(cred, entry);
    }
    if (algorithm === 'MD5') return (entry.md5 ??= digestHash('MD5', `${username}:${this.realm}:${secret}`));
    return (entry.sha256 ??= digestHash('SHA-256', `${username}:${this.realm}:${secret}`));
  }

  /** Tracked nonce count (tests, stats). */
  trackedNonces(): number {
    return this.ring.usedCount() + this.othersSeen.size;
  }
}
