/**
 * SUBSCRIBE authentication the way chan_sip does it for every request from a peer (and the way
 * src/registrar/register.ts does it for REGISTER): the peer is the From user; deny/permit
 * applies to the source address; a peer with secret/md5secret must pass digest auth (401
 * challenge, 403 for a wrong password or a digest username that is not the peer name);
 * alwaysauthreject=yes (chan_sip's default) gives an unknown peer or an ACL refusal the same
 * 401 and then 403 for any answer to our nonce, so names cannot be probed; with
 * alwaysauthreject=no an unknown peer gets 403. In-dialog SUBSCRIBEs are challenged again
 * (observed: chan_sip challenges the unSUBSCRIBE too).
 */
import { findDigestCredentials } from '../sip/message/auth.js';
import type { SipRequest } from '../sip/message/index.js';
import type { SipGeneral, SipPeerConfig } from '../sip/config/sip-conf.js';
import { aclAllows } from '../sip/config/acl.js';
import { DigestAuthenticator } from '../sip/auth/digest.js';
import type { Endpoint } from '../sip/transport/types.js';
import type { ServerTransaction } from '../sip/transaction/types.js';

export interface SubscribeAuthDeps {
  general(): SipGeneral;
  getPeer(name: string): SipPeerConfig | undefined;
  auth(): DigestAuthenticator;
}

function challenge(deps: SubscribeAuthDeps, tx: ServerTransaction, stale: boolean, peer: SipPeerConfig | null): void {
  const only = peer ? DigestAuthenticator.usableAlgorithms(peer) : undefined;
  const values = deps.auth().challenge({ stale, only });
  // RFC 3261 §8.2.7: challenged statelessly, no transaction is kept for Timer J (a retransmitted
  // request is challenged again, with the same To tag).
  const headers = values.map((v): [string, string] => ['WWW-Authenticate', v]);
  tx.replyStateless(401, 'Unauthorized', headers);
}

/** Authenticate; returns the peer, or null after answering the request (401/403). */
export function authenticateSubscribe(
  deps: SubscribeAuthDeps,
  req: SipRequest,
  tx: ServerTransaction,
  source: Endpoint,
): SipPeerConfig | null {
  const g = deps.general();
  const user = req.from.uri.user;
  const peer = user ? deps.getPeer(user) : undefined;
  if (!peer || !aclAllows(peer.acl, source.address)) {
    if (!g.alwaysAuthReject) {
      tx.reply(403, 'Forbidden');
      return null;
    }
    const nonce = findDigestCredentials(req.headers.getAll('Authorization'), g.realm)?.get('nonce');
    if (nonce !== undefined && deps.auth().isOurNonce(nonce)) tx.reply(403, 'Forbidden');
    else challenge(deps, tx, false, null);
    return null;
  }
  if (peer.secret === null && peer.md5secret === null) return peer;
  const cred = findDigestCredentials(req.headers.getAll('Authorization'), g.realm);
  if (!cred) {
    challenge(deps, tx, false, peer);
    return null;
  }
  if (cred.get('username') !== peer.name) {
    tx.reply(403, 'Forbidden');
    return null;
  }
  const result = deps.auth().verify(cred, req.method, peer);
  if (result.ok) return peer;
  switch (result.reason) {
    case 'mismatch':
      tx.reply(403, 'Forbidden');
      return null;
    case 'stale':
    case 'replay':
      challenge(deps, tx, true, peer);
      return null;
    case 'malformed': {
      const nonce = cred.get('nonce');
      if (nonce !== undefined && deps.auth().isOurNonce(nonce)) tx.reply(403, 'Forbidden');
      else challenge(deps, tx, false, peer);
      return null;
    }
    default:
      challenge(deps, tx, false, peer);
      return null;
  }
}
