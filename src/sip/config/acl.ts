/**
 * deny=/permit= access lists as Asterisk's acl.c applies them: every rule is tested in order and
 * the LAST matching rule decides (no match → allowed). Forms accepted: `10.0.0.0/8`,
 * `10.0.0.0/255.0.0.0`, a bare address (a /32 or /128), IPv6 `fe80::/64`.
 * An IPv4 rule never matches an IPv6 source and vice versa (IPv4-mapped IPv6 sources are
 * compared as IPv4).
 */
import { isIP } from 'node:net';

export interface AclRule {
  action: 'deny' | 'permit';
  family: 4 | 6;
  /** Network address bits (masked). */
  network: bigint;
  mask: bigint;
  /** As written in the file, for `sip show peer`. */
  text: string;
}

function ipv4ToBig(a: string): bigint {
  const parts = a.split('.');
  let n = 0n;
  for (const p of parts) n = (n << 8n) | BigInt(Number(p));
  return n;
}

function ipv6ToBig(a: string): bigint {
  let text = a;
  // Embedded IPv4 tail (::ffff:1.2.3.4).
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: string[] = [];
  if (v4) {
    const n = Number(ipv4ToBig(v4[1]));
    tail = [((n >>> 16) & 0xffff).toString(16), (n & 0xffff).toString(16)];
    text = text.slice(0, text.length - v4[1].length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, rest] = text.split('::');
  const h = head ? head.split(':').filter((x) => x !== '') : [];
  const r = rest !== undefined ? rest.split(':').filter((x) => x !== '') : [];
  const groups = rest !== undefined
    ? [...h, ...new Array<string>(8 - h.length - r.length - tail.length).fill('0'), ...r, ...tail]
    : [...h, ...tail];
  let n = 0n;
  for (const g of groups) n = (n << 16n) | BigInt(parseInt(g, 16));
  return n;
}

function prefixMask(bits: number, width: number): bigint {
  if (bits <= 0) return 0n;
  const all = (1n << BigInt(width)) - 1n;
  return (all << BigInt(width - bits)) & all;
}

/** Parse `addr[/prefix|/mask]`; throws Error with a short reason on bad input. */
export function parseAclRule(action: 'deny' | 'permit', text: string): AclRule {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addr = slash >= 0 ? t.slice(0, slash) : t;
  const maskText = slash >= 0 ? t.slice(slash + 1) : null;
  const fam = isIP(addr);
  if (fam === 0) throw new Error(`not an IP address: '${addr}'`);
  const family = fam as 4 | 6;
  const width = family === 4 ? 32 : 128;
  let mask: bigint;
  if (maskText === null) {
    mask = prefixMask(width, width);
  } else if (/^\d+$/.test(maskText)) {
    const bits = Number(maskText);
    if (bits > width) throw new Error(`prefix /${bits} too long`);
    mask = prefixMask(bits, width);
  } else if (family === 4 && isIP(maskText) === 4) {
    mask = ipv4ToBig(maskText);
  } else {
    throw new Error(`bad netmask '${maskText}'`);
  }
  const value = family === 4 ? ipv4ToBig(addr) : ipv6ToBig(addr);
  return { action, family, network: value & mask, mask, text: t };
}

/** True when `address` may pass; an empty list permits everything. */
export function aclAllows(rules: readonly AclRule[], address: string): boolean {
  if (rules.length === 0) return true;
  let addr = address;
  if (addr.startsWith('::ffff:') && isIP(addr.slice(7)) === 4) addr = addr.slice(7);
  const fam = isIP(addr);
  if (fam === 0) return false;
  const value = fam === 4 ? ipv4ToBig(addr) : ipv6ToBig(addr);
  let allowed = true;
  for (const r of rules) {
    if (r.family !== fam) continue;
    if ((value & r.mask) === r.network) allowed = r.action === 'permit';
  }
  return allowed;
}
