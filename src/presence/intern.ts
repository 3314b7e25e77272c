/**
 * Keeping per-subscription strings small. Two things cost memory at 100,000 subscriptions:
 *
 * - V8 keeps a substring's parent alive (a "sliced string"): a Call-ID read from a SUBSCRIBE
 *   keeps the whole received message text (~400 bytes) for as long as the subscription lives.
 *   detach() returns an independent copy.
 * - Many subscriptions repeat the same values (the context, the Event header, a hint's URI and
 *   our Contact, a phone's URI and target when it watches 50 keys). intern() hands out one shared
 *   copy. The table is bounded: when it is full it starts afresh (strings already handed out stay
 *   shared; only later ones are deduplicated against the new table), so churn cannot grow it.
 */
import { randomFillSync } from 'node:crypto';
import type { Endpoint } from '../sip/transport/types.js';

/** V8 copies substrings shorter than this instead of slicing them (SlicedString::kMinLength). */
const SLICE_MIN = 13;
const MAX_ENTRIES = 50_000;

let strings = new Map<string, string>();
let endpoints = new Map<string, Endpoint>();
let lastEndpoint: Endpoint | null = null;

/** An independent copy of `s` (not a view into a larger string). */
export function detach(s: string): string {
  // JSON.parse builds a fresh sequential string; short strings are copied by V8 anyway.
  return s.length < SLICE_MIN ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/** The shared copy of `s`. */
export function intern(s: string): string {
  const hit = strings.get(s);
  if (hit !== undefined) return hit;
  if (strings.size >= MAX_ENTRIES) strings = new Map();
  const own = detach(s);
  strings.set(own, own);
  return own;
}

/** The shared (frozen) copy of an endpoint: one object per phone address instead of one per subscription. */
export function internEndpoint(e: Endpoint): Endpoint {
  // A phone subscribes to many keys at once: the last answer is usually the one (no key string).
  const last = lastEndpoint;
  if (last !== null && e.port === last.port && e.proto === last.proto && e.address === last.address) return last;
  const key = `${e.proto} ${e.address} ${e.port}`;
  let own = endpoints.get(key);
  if (own === undefined) {
    if (endpoints.size >= MAX_ENTRIES) endpoints = new Map();
    own = Object.freeze({ proto: e.proto, address: intern(e.address), port: e.port });
    endpoints.set(key, own);
  }
  lastEndpoint = own;
  return own;
}

/** Random bytes for tags, refilled from the CSPRNG when used up (one system call per 512 tags). */
const tagPool = Buffer.alloc(4096);
let tagPos = tagPool.length;

/**
 * 64 random bits as 16 hex digits (RFC 3261 §19.3: a tag MUST be globally unique and
 * cryptographically random with at least 32 bits of randomness), made as one flat string:
 * kept per subscription without a detach() copy, unlike a string built by concatenation.
 */
export function randomTag(): string {
  if (tagPos + 8 > tagPool.length) {
    randomFillSync(tagPool);
    tagPos = 0;
  }
  const tag = tagPool.toString('hex', tagPos, tagPos + 8);
  tagPos += 8;
  return tag;
}
