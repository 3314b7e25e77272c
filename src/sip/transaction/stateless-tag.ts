/**
 * RFC 3261 §8.2.7 stateless UAS: "the UAS MUST ... generate the To tag ... in a way that is
 * the same for the same request" — a retransmission of a request answered statelessly must get
 * the same To tag — so the tag is computed from what identifies the request: Call-ID, From tag,
 * CSeq and the top Via branch. Two FNV-1a lanes keyed with a per-process random value give 64
 * bits; such a tag only ever sits in a final response that creates no dialog (a 401 challenge),
 * so it needs uniqueness, not secrecy.
 */
import { randomBytes } from 'node:crypto';
import type { SipRequest } from '../message/index.js';

const key = randomBytes(8);
const SEED_A = key.readUInt32LE(0);
const SEED_B = key.readUInt32LE(4);

function fnv1a(text: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** The To tag for a stateless final response to req: the same for every copy of req. */
export function statelessToTag(req: SipRequest): string {
  const cseq = req.cseq;
  const id = `${req.callId}\n${req.fromTag ?? ''}\n${cseq.seq} ${cseq.method}\n${req.vias[0]?.params.get('branch') ?? ''}`;
  return hex8(fnv1a(id, SEED_A)) + hex8(fnv1a(id, SEED_B));
}
