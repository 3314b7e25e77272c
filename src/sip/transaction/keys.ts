/**
 * Transaction matching keys.
 *
 * Server side, §17.2.3: with an RFC 3261 branch ("z9hG4bK" magic cookie) a request matches when
 * "the branch parameter in the request is equal to the one in the top Via header field of the
 * request that created the transaction, the sent-by value in the top Via of the request is equal
 * to the one in the request that created the transaction, and the method of the request matches
 * the one that created the transaction, except for ACK, where the method of the request that
 * created the transaction is INVITE." Without the cookie (RFC 2543 peers) we fall back to
 * Request-URI, From tag, Call-ID, CSeq number and top Via (the To tag is left out so the ACK for
 * our non-2xx final, which carries our To tag, still matches its INVITE).
 *
 * Client side, §17.1.3: the response's top Via branch equals the request's, and the CSeq method
 * equals the request's method.
 */
import type { SipRequest, SipResponse, Via } from '../message/index.js';

export const MAGIC_COOKIE = 'z9hG4bK';

/**
 * Keys live as long as their transaction (32 s for a completed non-INVITE server transaction on
 * UDP) and are built from header values, which V8 keeps as slices of the received message text:
 * an own flat copy lets the message go.
 */
function ownCopy(key: string): string {
  // normalize() of a string that is already in normal form (every key is: tokens, hosts, numbers)
  // returns V8's flattened copy of the concatenation, which refers to nothing else; slicing one
  // did the same but kept a sliced-string wrapper as well (32 bytes more per key).
  return key.normalize();
}

function sentBy(via: Via): string {
  return `${via.host.toLowerCase()}:${via.port ?? ''}`;
}

/** The key a request is matched under, for the given transaction method (ACK/CANCEL → 'INVITE'). */
export function serverKey(req: SipRequest, txMethod: string): string {
  const via = req.vias[0];
  if (!via) throw new Error('request without Via');
  const branch = via.params.get('branch') ?? '';
  if (branch.startsWith(MAGIC_COOKIE)) return ownCopy(`${branch}|${sentBy(via)}|${txMethod}`);
  const topVia = req.headers.getAll('Via')[0] ?? '';
  return ownCopy(`2543|${req.uri}|${req.fromTag ?? ''}|${req.callId}|${req.cseq.seq}|${topVia}|${txMethod}`);
}

/** Server key of the transaction a request belongs to (ACK → its INVITE). */
export function serverKeyFor(req: SipRequest): string {
  return serverKey(req, req.method === 'ACK' ? 'INVITE' : req.method);
}

/** §8.2.2.2 merged-request key: From tag, Call-ID and CSeq. */
export function mergeKey(req: SipRequest): string {
  return ownCopy(`${req.fromTag ?? ''}|${req.callId}|${req.cseq.seq}|${req.cseq.method}`);
}

export function clientKeyForRequest(branch: string, method: string): string {
  return ownCopy(`${branch}|${method}`);
}

/** Null when the response has no top Via branch (it cannot match anything). */
export function clientKeyForResponse(res: SipResponse): string | null {
  const branch = res.vias[0]?.params.get('branch');
  if (!branch) return null;
  // Only looked up, never kept: no copy needed.
  return `${branch}|${res.cseq.method}`;
}
