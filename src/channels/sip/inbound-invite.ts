/**
 * A new INVITE (no To tag) → who calls, may they, where does it go (chan_sip's
 * handle_request_invite, facts only):
 *  - the caller is the configured user/friend named by the From user, else a static-host peer at
 *    the source address, else a guest (allowguest=yes; otherwise 403);
 *  - a peer with a secret is challenged with 401 WWW-Authenticate ("we are not a proxy", chan_sip
 *    challenges INVITE like REGISTER) unless insecure= contains "invite"; a wrong answer → 403;
 *  - CALLERID: the peer's callerid= when set, else P-Asserted-Identity, else From (name/number);
 *  - the destination is the Request-URI user (`s` without one) in the peer's context (the general
 *    one for guests); not found → 484 when a longer number could match (overlap), else 404.
 */
import type { SipGeneral, SipPeerConfig } from '../../sip/config/sip-conf.js';
import { aclAllows } from '../../sip/config/acl.js';
import type { DigestAuthenticator } from '../../sip/auth/digest.js';
import { parseNameAddr, type SipRequest } from '../../sip/message/index.js';
import { findDigestCredentials } from '../../sip/message/auth.js';
import type { ServerTransaction } from '../../sip/transaction/types.js';
import type { CallerId } from '../../pbx/types.js';
import type { Dialplan } from '../../pbx/dialplan.js';

export interface CallerIdentity {
  peer: SipPeerConfig | null;
  /** What goes after `SIP/` in the channel name. */
  resource: string;
  context: string;
}

export interface InviteRouting {
  general: SipGeneral;
  getPeer(name: string): SipPeerConfig | undefined;
  listPeers(): SipPeerConfig[];
  auth: DigestAuthenticator;
}

/** RFC 3261 §22.2: a UAS (not a proxy) takes the credentials from Authorization. */
function findCredentials(req: SipRequest, realm: string): Map<string, string> | null {
  return findDigestCredentials(req.headers.getAll('Authorization'), realm);
}

/** Who is calling; replies (401/403) and returns null when the call may not go on. */
export function identifyCaller(req: SipRequest, source: { address: string }, r: InviteRouting, tx: ServerTransaction): CallerIdentity | null {
  const fromUser = req.from.uri.user;
  let peer: SipPeerConfig | undefined = fromUser ? r.getPeer(fromUser) : undefined;
  if (peer && peer.type === 'peer') peer = undefined;
  peer ??= r.listPeers().find((p) => !p.dynamic && p.host === source.address);
  if (!peer) {
    if (!r.general.allowGuest) {
      tx.reply(403, 'Forbidden');
      return null;
    }
    return { peer: null, resource: source.address.includes(':') ? `[${source.address}]` : source.address, context: r.general.context };
  }
  if (!aclAllows(peer.acl, source.address)) {
    tx.reply(403, 'Forbidden');
    return null;
  }
  const insecure = (peer.extra.get('insecure') ?? '').toLowerCase().split(',').map((s) => s.trim());
  if ((peer.secret !== null || peer.md5secret !== null) && !insecure.includes('invite')) {
    const cred = findCredentials(req, r.general.realm);
    if (!cred) {
      tx.reply(401, 'Unauthorized', r.auth.challenge({}).map((v): [string, string] => ['WWW-Authenticate', v]));
      return null;
    }
    if (cred.get('username') !== peer.name) {
      tx.reply(403, 'Forbidden');
      return null;
    }
    const result = r.auth.verify(cred, req.method, peer);
    if (!result.ok) {
      if (result.reason === 'stale' || result.reason === 'replay') {
        tx.reply(401, 'Unauthorized', r.auth.challenge({ stale: true }).map((v): [string, string] => ['WWW-Authenticate', v]));
      } else tx.reply(403, 'Forbidden');
      return null;
    }
  }
  return { peer, resource: peer.name, context: peer.context || r.general.context };
}

/** `"Name" <1234>` or `1234` (callerid= in sip.conf) → name and number. */
export function parseCallerIdSetting(text: string): { name: string; num: string } {
  const m = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]*)>\s*$/.exec(text);
  if (m) return { name: (m[1] ?? m[2] ?? '').trim(), num: (m[3] ?? '').trim() };
  return { name: '', num: text.trim() };
}

export function callerIdFor(req: SipRequest, peer: SipPeerConfig | null): Partial<CallerId> {
  let name = req.from.displayName ?? '';
  let num = req.from.uri.user ?? '';
  const pai = req.headers.get('P-Asserted-Identity');
  if (pai) {
    try {
      const na = parseNameAddr(pai);
      name = na.displayName ?? name;
      num = na.uri.user ?? num;
    } catch {
      // A malformed P-Asserted-Identity is ignored; From stays.
    }
  }
  if (peer?.callerId) {
    const cid = parseCallerIdSetting(peer.callerId);
    if (cid.num) num = cid.num;
    if (cid.name) name = cid.name;
  }
  const dnid = req.requestUri.user ?? '';
  return { name, num, ani: num, dnid };
}

/** 404/484 unless the dialplan has the extension. */
export function routeOrReject(dp: Dialplan, context: string, exten: string, callerNum: string, tx: ServerTransaction): boolean {
  if (dp.exists(context, exten, callerNum)) return true;
  if (dp.matchMore(context, exten, callerNum)) tx.reply(484, 'Address Incomplete');
  else tx.reply(404, 'Not Found');
  return false;
}
