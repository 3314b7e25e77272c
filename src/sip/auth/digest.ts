/**
 * HTTP Digest for SIP: RFC 2617 (MD5, qop=auth, and the RFC 2069 no-qop form old phones send),
 * RFC 7616 (SHA-256) as RFC 8760 brings it to SIP.
 *
 * Nonces are stateless: `<issued ms, hex><random, hex>.<HMAC-SHA256 over both, truncated>` keyed
 * by a per-process secret, so any nonce we issued can be checked without a table. A nonce older
 * than the lifetime gets `stale=true` (RFC 2617 §3.2.1: the client retries with the new nonce
 * without asking the user). Replays are caught by remembering, per nonce, the highest
 * nonce-count seen (RFC 7616 §3.4: the server should check nc increases), in a bounded LRU; a
 * nonce that fell out of the LRU is answered stale so it cannot be replayed.
 * The key is random per process (or given by the caller): after a restart, an answer to an old
 * nonce is simply challenged again with a fresh 401, which every UA handles.
 */
import { createHmac, createSecretKey, hash, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

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
  const ha2 = digestHash(d.algorithm, `${d.method}:${d.uri}`);
  if (d.qop) return digestHash(d.algorithm, `${ha1}:${d.nonce}:${d.nc ?? ''}:${d.cnonce ?? ''}:${d.qop}:${ha2}`);
  return digestHash(d.algorithm, `${ha1}:${d.nonce}:${ha2}`);
}

/** Equal-time comparison of two hex strings. */
export function safeEqualHex(a: string, b: string): boolean {
  const ab = Buffer.from(a.toLowerCase(), 'latin1');
  const bb = Buffer.from(b.toLowerCase(), 'latin1');
  if (ab.length !== bb.length) {
    // Still spend the time of a comparison so the length is not a timing oracle.
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
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

/** Unused issued nonces remembered (~70 bytes each): a few seconds of challenges at 5,000/s. */
const ISSUED_REMEMBERED = 20_000;

export class DigestAuthenticator {
  readonly realm: string;
  readonly algorithms: DigestAlgorithm[];
  private readonly lifetimeMs: number;
  private readonly now: () => number;
  /** A KeyObject: createHmac with a raw Buffer re-imports the key on every call. */
  private readonly key: KeyObject;
  private readonly opaque: string;
  private readonly maxTracked: number;
  /** nonce → highest nc seen; Map insertion order is the LRU order. */
  private readonly ncSeen = new Map<string, number>();
  /** Newest issue time of any nonce evicted from ncSeen; older untracked nonces are stale. */
  private evictedIssuedAt = -1;
  /**
   * Nonces issued lately and not yet used (insertion order = age, at most ISSUED_REMEMBERED): the
   * usual answer to a 401 is checked without an HMAC. A cache only: a nonce that fell out is
   * checked by its signature as before.
   */
  private readonly issued = new Set<string>();

  constructor(opts: DigestAuthOptions) {
    this.realm = opts.realm;
    this.algorithms = PREFERENCE.filter((a) => opts.algorithms.includes(a));
    if (this.algorithms.length === 0) this.algorithms = ['MD5'];
    this.lifetimeMs = opts.nonceLifetimeMs;
    this.now = opts.now;
    this.key = createSecretKey(opts.secret ?? randomBytes(32));
    this.opaque = createHmac('sha256', this.key).update('opaque').digest('hex').slice(0, 16);
    this.maxTracked = opts.maxTrackedNonces ?? 100_000;
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('hex').slice(0, 24);
  }

  /** Unique per nonce; the HMAC makes it unforgeable, so a counter is enough. */
  private counter = randomBytes(4).readUInt32BE(0);

  newNonce(): string {
    this.counter = (this.counter + 1) >>> 0;
    const body = Math.floor(this.now()).toString(16).padStart(12, '0') + this.counter.toString(16).padStart(8, '0');
    const nonce = `${body}${this.sign(body)}`;
    this.issued.add(nonce);
    if (this.issued.size > ISSUED_REMEMBERED) this.issued.delete(this.issued.values().next().value as string);
    return nonce;
  }

  /** Issue time of one of our nonces, or null when the signature does not check. */
  private nonceIssuedAt(nonce: string): number | null {
    if (nonce.length !== 44) return null;
    // A nonce we issued lately, or one in ncSeen (only nonces whose signature checked are put
    // there: re-SUBSCRIBE, unSUBSCRIBE, re-REGISTER with it), needs no HMAC.
    if (!this.issued.has(nonce) && !this.ncSeen.has(nonce) && !safeEqualHex(nonce.slice(20), this.sign(nonce.slice(0, 20)))) return null;
    return parseInt(nonce.slice(0, 12), 16);
  }

  /** True when the nonce carries our signature (any age). */
  isOurNonce(nonce: string): boolean {
    return this.nonceIssuedAt(nonce) !== null;
  }

  /**
   * WWW-Authenticate values, most preferred first. `only` narrows the list (a peer that only has
   * an md5secret can answer MD5 only).
   */
  challenge(opts: { stale?: boolean; only?: DigestAlgorithm[] } = {}): string[] {
    const nonce = this.newNonce();
    const algos = opts.only ? this.algorithms.filter((a) => opts.only?.includes(a)) : this.algorithms;
    const list = algos.length > 0 ? algos : this.algorithms;
    const stale = opts.stale ? ', stale=true' : '';
    return list.map(
      (a) => `Digest realm="${this.realm}", nonce="${nonce}", opaque="${this.opaque}", algorithm=${a}, qop="auth"${stale}`,
    );
  }

  /** Which algorithms a peer's credentials can be checked with. */
  static usableAlgorithms(cred: PeerSecret): DigestAlgorithm[] {
    if (cred.secret !== null) return ['SHA-256', 'MD5'];
    if (cred.md5secret !== null) return ['MD5'];
    return [];
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
      return { ok: false, reason: 'malformed' };
    }
    const algoText = (params.get('algorithm') ?? 'MD5').toUpperCase();
    if (algoText !== 'MD5' && algoText !== 'SHA-256') return { ok: false, reason: 'algorithm' };
    const algorithm: DigestAlgorithm = algoText;
    if (!this.algorithms.includes(algorithm)) return { ok: false, reason: 'algorithm' };
    if (realm !== this.realm) return { ok: false, reason: 'realm' };
    const qop = params.get('qop');
    if (qop !== undefined && qop.toLowerCase() !== 'auth') return { ok: false, reason: 'malformed' };
    const nc = params.get('nc');
    const cnonce = params.get('cnonce');
    let ncValue = 0;
    if (qop !== undefined) {
      if (nc === undefined || cnonce === undefined || !/^[0-9a-fA-F]{8}$/.test(nc)) return { ok: false, reason: 'malformed' };
      ncValue = parseInt(nc, 16);
    }
    const issuedAt = this.nonceIssuedAt(nonce);
    if (issuedAt === null) return { ok: false, reason: 'nonce' };
    // Check the password before saying "stale": stale=true promises the credentials were right
    // (RFC 2617 §3.2.1), so a wrong password with an old nonce is a plain failure.
    let ha1: string;
    if (cred.secret !== null) ha1 = digestHash(algorithm, `${username}:${realm}:${cred.secret}`);
    else if (cred.md5secret !== null && algorithm === 'MD5') ha1 = cred.md5secret;
    else return { ok: false, reason: 'mismatch' };
    const expected = computeDigestResponse({ algorithm, username, realm, ha1, method, uri, nonce, qop, nc, cnonce });
    if (!safeEqualHex(expected, response)) return { ok: false, reason: 'mismatch' };
    const age = this.now() - issuedAt;
    if (age > this.lifetimeMs || age < -60_000) return { ok: false, reason: 'stale' };
    const seen = this.ncSeen.get(nonce);
    if (seen === undefined) {
      if (issuedAt <= this.evictedIssuedAt) return { ok: false, reason: 'stale' };
    } else {
      // RFC 2069 form has no nc: each nonce authorises requests for its lifetime (chan_sip does so).
      if (qop !== undefined && ncValue <= seen) return { ok: false, reason: 'replay' };
      this.ncSeen.delete(nonce);
    }
    this.ncSeen.set(nonce, ncValue);
    this.issued.delete(nonce); // ncSeen remembers it from now on
    if (this.ncSeen.size > this.maxTracked) this.evictOldest();
    return { ok: true, algorithm };
  }

  private evictOldest(): void {
    const first = this.ncSeen.keys().next();
    if (first.done) return;
    this.ncSeen.delete(first.value);
    const at = parseInt(first.value.slice(0, 12), 16);
    if (at > this.evictedIssuedAt) this.evictedIssuedAt = at;
  }

  /** Tracked nonce count (tests, stats). */
  trackedNonces(): number {
    return this.ncSeen.size;
  }
}
