/**
 * The nonces one DigestAuthenticator issued lately, and the highest nonce-count seen for each
 * (RFC 7616 §3.4: the server should check that nc increases, to catch replays).
 *
 * Our nonces are `<issued ms, 12 hex><counter, 8 hex><signature, 24 hex>` with a counter that
 * goes up by one per nonce, so a ring of `capacity` slots indexed by counter % capacity holds the
 * newest `capacity` of them without a Map: no string is kept (typed arrays only, nothing for the
 * garbage collector to trace or copy) and a lookup is a few character reads. Issuing a nonce
 * overwrites the one `capacity` nonces older; the authenticator answers such a pushed-out nonce
 * "stale" (it cannot tell whether it was used), which a UA retries without asking its user.
 *
 * A Map with a bounded LRU did this before; at its bound every insert deleted the oldest entry
 * and `keys().next()` walked the deleted slots at the front of V8's hash table, several µs each.
 */

/**
 * Value of the hex digits text[from, to) (at most 13), or -1 when one is not a hex digit
 * (lowerOnly: upper-case digits count as not hex, for the signatures we write in lower case).
 */
export function hexValue(text: string, from: number, to: number, lowerOnly = false): number {
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (!lowerOnly && c >= 0x41 && c <= 0x46) d = c - 0x37;
    else return -1;
    value = value * 16 + d;
  }
  return value;
}

/** Nonce layout: issued ms [0, 12), counter [12, 20), signature [20, 44) in three 8-digit words. */
export const NONCE_BODY_LENGTH = 20;
export const NONCE_LENGTH = 44;

const HEX_DIGITS = [0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66];

/**
 * The nonce body: issue time in ms as 12 hex digits (48 bits) then the counter as 8, lower case.
 * One string built from char codes: Number#toString(16) of a 41-bit time is several times slower.
 */
export function nonceBody(issuedAt: number, counter: number): string {
  const hi = Math.floor(issuedAt / 0x1000000) & 0xffffff;
  const lo = issuedAt % 0x1000000;
  const h = HEX_DIGITS;
  return String.fromCharCode(
    h[(hi >>> 20) & 15], h[(hi >>> 16) & 15], h[(hi >>> 12) & 15], h[(hi >>> 8) & 15], h[(hi >>> 4) & 15], h[hi & 15],
    h[(lo >>> 20) & 15], h[(lo >>> 16) & 15], h[(lo >>> 12) & 15], h[(lo >>> 8) & 15], h[(lo >>> 4) & 15], h[lo & 15],
    h[(counter >>> 28) & 15], h[(counter >>> 24) & 15], h[(counter >>> 20) & 15], h[(counter >>> 16) & 15],
    h[(counter >>> 12) & 15], h[(counter >>> 8) & 15], h[(counter >>> 4) & 15], h[counter & 15],
  );
}

/** nc of a slot whose nonce was issued and not answered yet. */
const UNUSED = -1;

export class NonceRing {
  private readonly counters: Uint32Array;
  private readonly issuedAt: Float64Array;
  /** The signature's three 32-bit words per slot. */
  private readonly signatures: Uint32Array;
  /** Highest nc seen (0 for the RFC 2069 form), UNUSED before the first answer. */
  private readonly ncs: Float64Array;
  /** Slots that ever held a nonce (a fresh slot's zeroes are no nonce). */
  private readonly filled: Uint8Array;
  private used = 0;

  constructor(readonly capacity: number) {
    this.counters = new Uint32Array(capacity);
    this.issuedAt = new Float64Array(capacity);
    this.signatures = new Uint32Array(capacity * 3);
    this.ncs = new Float64Array(capacity);
    this.filled = new Uint8Array(capacity);
  }

  /**
   * Records a nonce just issued: its counter, issue time and signature (lower-case hex, the first
   * 24 digits count). Returns the issue time of the nonce whose slot it took, or -1 when the slot
   * was free.
   */
  add(counter: number, issuedAt: number, signature: string): number {
    const slot = counter % this.capacity;
    const pushedOut = this.filled[slot] === 1 ? this.issuedAt[slot] : -1;
    if (this.filled[slot] === 1 && this.ncs[slot] !== UNUSED) this.used--;
    this.filled[slot] = 1;
    this.counters[slot] = counter;
    this.issuedAt[slot] = issuedAt;
    this.signatures[slot * 3] = hexValue(signature, 0, 8);
    this.signatures[slot * 3 + 1] = hexValue(signature, 8, 16);
    this.signatures[slot * 3 + 2] = hexValue(signature, 16, 24);
    this.ncs[slot] = UNUSED;
    return pushedOut;
  }

  /** The slot holding exactly this nonce, or -1 (not ours, pushed out, or not in our layout). */
  find(nonce: string): number {
    if (nonce.length !== NONCE_LENGTH) return -1;
    const counter = hexValue(nonce, 12, NONCE_BODY_LENGTH);
    if (counter < 0) return -1;
    const slot = counter % this.capacity;
    if (this.filled[slot] !== 1 || this.counters[slot] !== counter || this.issuedAt[slot] !== hexValue(nonce, 0, 12)) return -1;
    // Signature words compared as written: we issue lower-case hex, a UA echoes it unchanged.
    const w0 = hexValue(nonce, 20, 28, true);
    const w1 = hexValue(nonce, 28, 36, true);
    const w2 = hexValue(nonce, 36, 44, true);
    if (w0 < 0 || w1 < 0 || w2 < 0) return -1;
    const s = slot * 3;
    const diff = (this.signatures[s] ^ w0) | (this.signatures[s + 1] ^ w1) | (this.signatures[s + 2] ^ w2);
    return diff === 0 ? slot : -1;
  }

  issuedAtOf(slot: number): number {
    return this.issuedAt[slot];
  }

  /** Highest nc seen for the slot's nonce, or -1 when it was not answered yet. */
  lastNc(slot: number): number {
    return this.ncs[slot];
  }

  /** Remembers `nc` as the slot's highest nonce-count. */
  use(slot: number, nc: number): void {
    if (this.ncs[slot] === UNUSED) this.used++;
    this.ncs[slot] = nc;
  }

  /** Nonces answered at least once and still held. */
  usedCount(): number {
    return this.used;
  }
}

