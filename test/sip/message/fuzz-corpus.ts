/**
 * Mutation fuzzing of the SIP parser, shared by the short run in npm test (fuzz.test.ts) and the
 * long run (scripts/fuzz-parser.mjs). Seeded, so a failure can be replayed from its seed/iteration.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture } from '../../helpers/paths.js';
import {
  SipParseError, StreamFramer, formatNameAddr, formatUri, formatVia, parseAuthHeader, parseMessage, parseNameAddr,
  parseUri, parseVia, serializeMessage, validateRequest, validateResponse, type SipMessage,
} from '../../../src/sip/message/index.js';

/** mulberry32: small, fast, good enough to drive mutations reproducibly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every fixture message: RFC 4475 (all classes) and the real captures. */
export function loadCorpus(): Buffer[] {
  const out: Buffer[] = [];
  for (const sub of ['valid', 'invalid', 'variants', 'extra']) {
    const dir = fixture('sip', 'rfc4475', sub);
    for (const f of readdirSync(dir).sort()) out.push(readFileSync(join(dir, f)));
  }
  const real = fixture('sip', 'real');
  for (const f of readdirSync(real).sort()) if (f.endsWith('.sip')) out.push(readFileSync(join(real, f)));
  return out;
}

const TOKENS = [
  ':', ';', ',', '"', '\\', '<', '>', '\r\n', '\r\n ', '\n', ' ', '\t', '%', '%0', '%41', '@', '[', ']', '=', '?', '&',
  '*', 'SIP/2.0', 'SIP/', '\x00', '\xff\xfe', '\u00e9', 'sip:', 'sips:', 'tel:', 'x-y:', '0', '4294967296', '99999999999999999999',
  '-1', 'Content-Length: 12\r\n', 'l: 99999999\r\n', 'Via: SIP/2.0/UDP [::1;branch=z9hG4bK\r\n', 'To: "a\r\n',
  'Contact: *\r\n', 'Contact: <sip:a@[::1]:99999>\r\n', 'CSeq: 1\r\n', '\r\n\r\n', ';tag=', ';;', ',,', '<<', '>>', '""',
];

function randInt(rnd: () => number, n: number): number {
  return Math.floor(rnd() * n);
}

/** 1–4 random edits: byte changes, token inserts, deletions, duplications, splices, truncation. */
export function mutate(src: Buffer, corpus: Buffer[], rnd: () => number): Buffer {
  let b = Buffer.from(src);
  const edits = 1 + randInt(rnd, 4);
  for (let e = 0; e < edits; e++) {
    const at = b.length === 0 ? 0 : randInt(rnd, b.length);
    switch (randInt(rnd, 7)) {
      case 0:
        if (b.length > 0) b[at] = randInt(rnd, 256);
        break;
      case 1: {
        const t = Buffer.from(TOKENS[randInt(rnd, TOKENS.length)] as string, 'latin1');
        b = Buffer.concat([b.subarray(0, at), t, b.subarray(at)]);
        break;
      }
      case 2:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + randInt(rnd, 40)))]);
        break;
      case 3: {
        const len = 1 + randInt(rnd, 80);
        b = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
        break;
      }
      case 4: {
        const other = corpus[randInt(rnd, corpus.length)] as Buffer;
        const from = randInt(rnd, Math.max(1, other.length));
        b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + 1 + randInt(rnd, 120))]);
        break;
      }
      case 5:
        b = b.subarray(0, at);
        break;
      default: {
        // swap case of a run (header names are case-insensitive)
        for (let i = at; i < Math.min(b.length, at + 20); i++) {
          const c = b[i] as number;
          if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) b[i] = c ^ 0x20;
        }
      }
    }
  }
  return b;
}

/** Thrown when the parser misbehaves: anything but SipParseError escaped, or a property broke. */
export class FuzzFailure extends Error {
  constructor(message: string, readonly input: Buffer, override readonly cause?: unknown) {
    super(message);
  }
}

function onlyParseErrors(what: string, input: Buffer, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof SipParseError)) throw new FuzzFailure(`${what} threw ${String(e)}`, input, e);
    if (!(e.status >= 400 && e.status <= 699) || e.reason.length === 0) throw new FuzzFailure(`${what}: odd SipParseError ${e.status} ${e.reason}`, input, e);
  }
}

function sameHeaders(a: SipMessage, b: SipMessage): boolean {
  const x = a.headers.entries().filter(([n]) => n !== 'Content-Length');
  const y = b.headers.entries().filter(([n]) => n !== 'Content-Length');
  return x.length === y.length && x.every(([n, v], i) => y[i]?.[0] === n && y[i]?.[1] === v);
}

/** Exercise one input through everything a stack would do with it. */
export function exercise(input: Buffer, rnd: () => number): void {
  let msg: SipMessage | undefined;
  onlyParseErrors('parseMessage', input, () => {
    msg = parseMessage(input);
  });
  if (msg !== undefined) {
    const m: SipMessage = msg;
    onlyParseErrors('callId', input, () => void m.callId);
    onlyParseErrors('cseq', input, () => void m.cseq);
    onlyParseErrors('from', input, () => void formatNameAddr(m.from));
    onlyParseErrors('to', input, () => void m.toTag);
    onlyParseErrors('vias', input, () => {
      for (const v of m.vias) {
        const again = parseVia(formatVia(v));
        if (again.host !== v.host || again.port !== v.port || again.transport !== v.transport) throw new FuzzFailure('Via round trip', input);
      }
    });
    onlyParseErrors('contacts', input, () => {
      for (const c of m.contacts) {
        if (c.wildcard === true) continue;
        const again = parseNameAddr(formatNameAddr(c));
        if (formatNameAddr(again) !== formatNameAddr(c)) throw new FuzzFailure('Contact round trip', input);
      }
    });
    onlyParseErrors('maxForwards', input, () => void m.maxForwards);
    onlyParseErrors('expires', input, () => void m.expires);
    onlyParseErrors('auth', input, () => {
      const a = m.headers.get('authorization') ?? m.headers.get('www-authenticate');
      if (a !== undefined) parseAuthHeader(a);
    });
    if (m.kind === 'request') {
      onlyParseErrors('requestUri', input, () => {
        const u = m.requestUri;
        if (formatUri(parseUri(formatUri(u))) !== formatUri(u)) throw new FuzzFailure('Request-URI round trip', input);
      });
      onlyParseErrors('validateRequest', input, () => void validateRequest(m));
    } else onlyParseErrors('validateResponse', input, () => void validateResponse(m));
    // A parsed message must serialize, and re-parse to the same thing.
    let out: Buffer;
    try {
      out = serializeMessage(m);
    } catch (e) {
      throw new FuzzFailure(`serializeMessage threw ${String(e)}`, input, e);
    }
    let again: SipMessage;
    try {
      again = parseMessage(out);
    } catch (e) {
      throw new FuzzFailure(`re-parse of serialized message failed: ${String(e)}`, input, e);
    }
    if (!sameHeaders(m, again) || !again.body.equals(m.body)) throw new FuzzFailure('serialize/parse not equivalent', input);
  }
  // The same bytes as a TCP stream, in random chunk sizes.
  const framer = new StreamFramer(4096);
  onlyParseErrors('StreamFramer', input, () => {
    for (let i = 0; i < input.length; ) {
      const n = 1 + randInt(rnd, 300);
      for (const frame of framer.push(input.subarray(i, i + n))) onlyParseErrors('parseMessage(frame)', frame, () => void parseMessage(frame));
      i += n;
    }
  });
}

/** Run `iterations` mutated/truncated variants; returns how many inputs parsed. Throws FuzzFailure. */
export function fuzz(iterations: number, seed: number, corpus = loadCorpus()): { parsed: number } {
  const rnd = prng(seed);
  let parsed = 0;
  for (let i = 0; i < iterations; i++) {
    const base = corpus[randInt(rnd, corpus.length)] as Buffer;
    const input = rnd() < 0.15 ? base.subarray(0, randInt(rnd, base.length + 1)) : mutate(base, corpus, rnd);
    try {
      exercise(input, rnd);
      parsed++;
    } catch (e) {
      if (e instanceof FuzzFailure) e.message = `iteration ${i} (seed ${seed}): ${e.message}`;
      throw e;
    }
  }
  return { parsed };
}
