/**
 * Identifiers: branch (RFC 3261 §8.1.1.7: starts with the magic cookie "z9hG4bK", unique per
 * transaction), tags (§19.3: at least 32 bits of randomness), Call-IDs (§8.1.1.4).
 * Random bytes come from a pooled crypto.randomBytes buffer so each call is cheap.
 */
import { randomBytes } from 'node:crypto';

const POOL_SIZE = 8192;
let pool = randomBytes(POOL_SIZE);
let poolPos = 0;
const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/** `n` random bytes as lower-case hex. */
function randomHex(n: number): string {
  if (poolPos + n > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    poolPos = 0;
  }
  let s = '';
  for (let i = 0; i < n; i++) s += HEX[pool[poolPos++] as number] as string;
  return s;
}

export const MAGIC_COOKIE = 'z9hG4bK';

/** "z9hG4bK" + 96 random bits. */
export function newBranch(): string {
  return MAGIC_COOKIE + randomHex(12);
}

/** 64 random bits. */
export function newTag(): string {
  return randomHex(8);
}

/** 128 random bits, "@host" appended when given. */
export function newCallId(host?: string): string {
  const id = randomHex(16);
  return host === undefined || host.length === 0 ? id : `${id}@${host}`;
}

/** True when a branch follows RFC 3261 (magic cookie plus a non-empty id; RFC 4475 §3.2.1). */
export function isRfc3261Branch(branch: string | null | undefined): boolean {
  return typeof branch === 'string' && branch.length > MAGIC_COOKIE.length && branch.startsWith(MAGIC_COOKIE);
}
