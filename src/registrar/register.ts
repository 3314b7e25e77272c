/**
 * REGISTER processing, RFC 3261 §10.3, with chan_sip's policies:
 *  - the peer is the user part of To (the address-of-record); only type=friend|peer with
 *    host=dynamic may register (chan_sip: users are not looked up for REGISTER; a static peer gets
 *    "not configured as host=dynamic");
 *  - deny/permit is applied to the source address;
 *  - a peer with secret/md5secret must pass digest auth: 401 challenge, 403 on a wrong password;
 *  - alwaysauthreject=yes (default): an unknown peer, a static one or an ACL refusal gets the same
 *    401 challenge as a real peer and then "403 Forbidden" for any answer to our nonce, exactly
 *    like a wrong password, so scanners cannot tell which names exist; with alwaysauthreject=no an
 *    unknown peer gets 404 and the others 403;
 *  - a peer with neither secret nor md5secret registers without a challenge (chan_sip does too).
 * Bindings are persisted before the 200 is sent.
 */
import type { EventBus } from '../core/bus.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import { formatUri, SipParseError, type NameAddr, type SipRequest } from '../sip/message/index.js';
import type { RequestContext, ServerTransaction } from '../sip/transaction/types.js';
import type { SipGeneral, SipPeerConfig } from '../sip/config/sip-conf.js';
import { aclAllows } from '../sip/config/acl.js';
import { DigestAuthenticator } from '../sip/auth/digest.js';
import { findDigestCredentials } from '../sip/message/auth.js';
import type { ContactBinding } from './binding.js';
import type { LocationService } from './location.js';
import type { PeerRegistry } from './peers.js';
import { formatHostPort } from '../sip/transport/endpoint.js';

export interface RegistrarDeps {
  peers: PeerRegistry;
  location: LocationService;
  bus: EventBus;
  log: Logger;
  clock: Clock;
  /** Current [general] (changes on reload). */
  general: () => SipGeneral;
  /** Current authenticator (realm/algorithms change on reload). */
  auth: () => DigestAuthenticator;
}

type Headers = Array<[string, string]>;

const DUMMY_SECRET = { secret: 'herald-no-such-peer', md5secret: null };

function contactExpires(c: NameAddr, header: number | null, fallback: number): number {
  const p = c.params.get('expires');
  if (p !== undefined && p !== null && /^\d+$/.test(p)) return Math.min(Number(p), 0xffffffff);
  return header ?? fallback;
}

/**
 * A copy of a header value that does not keep the whole received message alive: V8 keeps a
 * substring as a view of its parent, and a binding lives for hours. `(' ' + s).slice(1)` makes a
 * flat copy and takes the view of that instead.
 */
function detach(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

function unquoteInstance(v: string | null | undefined): string | null {
  if (v === undefined || v === null) return null;
  return v.replace(/^"|"$/g, '');
}

/** The Date header value, rebuilt at most once a second (every 200 carries one). */
class DateCache {
  private second = -1;
  private text = '';
  get(nowMs: number): string {
    const s = Math.floor(nowMs / 1000);
    if (s !== this.second) {
      this.second = s;
      this.text = new Date(s * 1000).toUTCString();
    }
    return this.text;
  }
}

export class Registrar {
  private readonly dates = new DateCache();

  constructor(private readonly deps: RegistrarDeps) {}

  /** The MethodHandler for REGISTER. */
  readonly handle = (req: SipRequest, ctx: RequestContext): void => {
    const tx = ctx.tx;
    if (!tx) return;
    try {
      this.process(req, ctx, tx);
    } catch (err) {
      if (err instanceof SipParseError) {
        tx.reply(err.status === 416 ? 416 : 400, err.status === 416 ? undefined : err.reason);
      } else {
        this.deps.log.error({ err }, 'REGISTER failed');
        tx.reply(500);
      }
    }
  };

  private challenge(tx: ServerTransaction, stale: boolean, peer: SipPeerConfig | null): void {
    const only = peer ? DigestAuthenticator.usableAlgorithms(peer) : undefined;
    const values = this.deps.auth().challenge({ stale, only });
    // RFC 3261 §8.2.7: challenged statelessly, no transaction is kept for Timer J.
    const headers = values.map((v): [string, string] => ['WWW-Authenticate', v]);
    tx.replyStateless(401, undefined, headers);
  }

  /**
   * chan_sip's transmit_fake_auth_response: no credentials (or not for our nonce) → the normal
   * challenge; credentials answering one of our nonces → 403, like a wrong password.
   */
  private fakeAuth(req: SipRequest, tx: ServerTransaction): void {
    const g = this.deps.general();
    const cred = findDigestCredentials(req.headers.getAll('Authorization'), g.realm);
    const nonce = cred?.get('nonce');
    if (cred && nonce !== undefined && this.deps.auth().isOurNonce(nonce)) {
      // Do the work of a real password check so the answer takes as long as for a known peer.
      this.deps.auth().verify(cred, req.method, DUMMY_SECRET);
      tx.reply(403, 'Forbidden');
    } else {
      this.challenge(tx, false, null);
    }
  }

  /**
   * The NOTICE chan_sip logs for a refused REGISTER, same wording, so fail2ban-style filters
   * written for Asterisk keep working on herald's log.
   */
  private refused(req: SipRequest, ctx: RequestContext, why: string): void {
    const src = ctx.inbound.source;
    const from = req.headers.get('From')?.replace(/;tag=.*$/, '') ?? '';
    const addr = formatHostPort(src.address, src.port);
    this.deps.log.info({ source: src }, `Registration from '${from}' failed for '${addr}' - ${why}`);
  }

  private process(req: SipRequest, ctx: RequestContext, tx: ServerTransaction): void {
    const g = this.deps.general();
    const to = req.to;
    const user = to.uri.user;
    const peer = user ? this.deps.peers.get(user) : undefined;
    const source = ctx.inbound.source;
    let refusal: 'not-found' | 'not-dynamic' | 'acl' | null = null;
    if (!peer || peer.type === 'user') refusal = 'not-found';
    else if (!peer.dynamic) refusal = 'not-dynamic';
    else if (!aclAllows(peer.acl, source.address)) refusal = 'acl';
    if (refusal !== null || !peer) {
      this.refused(req, ctx, refusal === 'not-found' ? 'No matching peer found' : refusal === 'acl' ? 'Device does not match ACL' : 'Peer is not supposed to register');
      if (g.alwaysAuthReject) this.fakeAuth(req, tx);
      else if (refusal === 'not-found') tx.reply(404, 'Not Found');
      else tx.reply(403, 'Forbidden');
      return;
    }
    if (peer.secret !== null || peer.md5secret !== null) {
      const cred = findDigestCredentials(req.headers.getAll('Authorization'), g.realm);
      if (!cred) {
        this.challenge(tx, false, peer);
        return;
      }
      // chan_sip compares the digest username with the peer name exactly (strcmp).
      if (cred.get('username') !== peer.name) {
        this.refused(req, ctx, 'Username/auth name mismatch');
        tx.reply(403, 'Forbidden');
        return;
      }
      const result = this.deps.auth().verify(cred, req.method, peer);
      if (!result.ok) {
        switch (result.reason) {
          case 'mismatch':
            this.refused(req, ctx, 'Wrong password');
            tx.reply(403, 'Forbidden');
            return;
          case 'stale':
          case 'replay':
            this.challenge(tx, true, peer);
            return;
          case 'malformed': {
            const nonce = cred.get('nonce');
            if (nonce !== undefined && this.deps.auth().isOurNonce(nonce)) tx.reply(403, 'Forbidden');
            else this.challenge(tx, false, peer);
            return;
          }
          default:
            this.challenge(tx, false, peer);
            return;
        }
      }
    }
    this.updateBindings(req, ctx, tx, peer, g);
  }

  private updateBindings(req: SipRequest, ctx: RequestContext, tx: ServerTransaction, peer: SipPeerConfig, g: SipGeneral): void {
    const key = peer.name.toLowerCase();
    const { location } = this.deps;
    const before = location.contacts(key);
    const contacts = req.contacts;
    if (contacts.length === 0) {
      // §10.3 step 8: a REGISTER without Contact is a query.
      this.replyOk(tx, before, null);
      return;
    }
    const callId = req.callId;
    const cseq = req.cseq.seq;
    const headerExpires = req.expires;
    // §10.3 step 6: a binding updated by the same Call-ID with an equal or higher CSeq wins.
    const outOfOrder = (b: ContactBinding): boolean => b.callId === callId && cseq <= b.cseq;
    if (contacts.some((c) => c.wildcard)) {
      // §10.3 step 6: "*" only alone and only with Expires: 0.
      if (contacts.length !== 1 || headerExpires !== 0) {
        tx.reply(400, 'Invalid wildcard Contact');
        return;
      }
      if (before.some(outOfOrder)) {
        tx.reply(500, 'Out of order CSeq');
        return;
      }
      this.commit(tx, peer, before, [], null);
      return;
    }
    const now = this.deps.clock.wallNow();
    const next = before.slice();
    let granted: number | null = null;
    for (const c of contacts) {
      let expires = contactExpires(c, headerExpires, g.defaultExpiry);
      // §10.3 step 7 / chan_sip: below minexpiry (and not 0) → 423 with Min-Expires.
      if (expires !== 0 && expires < g.minExpiry) {
        tx.reply(423, 'Interval Too Brief', [['Min-Expires', String(g.minExpiry)]]);
        return;
      }
      if (expires > g.maxExpiry) expires = g.maxExpiry;
      const uri = formatUri(c.uri);
      const instanceId = unquoteInstance(c.params.get('+sip.instance'));
      const idx = next.findIndex((b) => b.uri === uri || (instanceId !== null && b.instanceId === instanceId));
      const existing = idx >= 0 ? next[idx] : undefined;
      if (existing && outOfOrder(existing)) {
        tx.reply(500, 'Out of order CSeq');
        return;
      }
      if (idx >= 0) next.splice(idx, 1);
      if (expires === 0) continue;
      const qText = c.params.get('q');
      const q = qText !== undefined && qText !== null && /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(qText) ? Number(qText) : null;
      granted = expires;
      // Most recently updated last: overflow pushes out the front.
      next.push({
        uri,
        user: detach(c.uri.user ?? ''),
        expiresSec: expires,
        expiresAt: now + expires * 1000,
        source: ctx.inbound.source,
        connectionId: ctx.inbound.connectionId,
        callId: detach(callId),
        cseq,
        userAgent: detach(req.headers.get('User-Agent') ?? ''),
        q,
        instanceId: instanceId === null ? null : detach(instanceId),
        path: req.headers.getAll('Path').map(detach),
        registeredAt: existing?.registeredAt ?? now,
      });
    }
    while (next.length > peer.maxContacts) next.shift();
    this.commit(tx, peer, before, next, granted);
  }

  private commit(tx: ServerTransaction, peer: SipPeerConfig, before: readonly ContactBinding[], next: ContactBinding[], granted: number | null): void {
    const key = peer.name.toLowerCase();
    const name = peer.name;
    const beforeCount = before.length;
    const firstBefore = before[before.length - 1];
    this.deps.location.set(key, name, next).then(
      () => {
        this.replyOk(tx, next, granted);
        const { bus } = this.deps;
        if (next.length > 0) {
          const last = next[next.length - 1];
          const moved = !firstBefore || firstBefore.source.address !== last.source.address || firstBefore.source.port !== last.source.port;
          if (moved) bus.emit('Verbose', { level: 3, text: `Registered SIP '${name}' at ${last.source.address}:${last.source.port}` });
          bus.emit('PeerRegistration', { peer: name, contacts: next.length, reason: beforeCount === 0 ? 'register' : 'refresh' });
        } else if (beforeCount > 0) {
          bus.emit('Verbose', { level: 3, text: `Unregistered SIP '${name}'` });
          bus.emit('PeerRegistration', { peer: name, contacts: 0, reason: 'unregister' });
        }
      },
      (err: unknown) => {
        this.deps.log.error({ err, peer: name }, 'could not store SIP registration');
        tx.reply(500, 'Server Internal Error');
      },
    );
  }

  /** 200 OK: every current binding with its remaining time (§10.3 step 8), Expires, Date. */
  private replyOk(tx: ServerTransaction, bindings: readonly ContactBinding[], granted: number | null): void {
    const now = this.deps.clock.wallNow();
    const headers: Headers = [];
    // RFC 3327 §5.3: a registrar that supports Path echoes the request's Path values in the 200.
    const req = tx.request;
    if (req.headers.has('Path')) {
      const supported = req.headers.getAll('Supported').some((t) => t.trim().toLowerCase() === 'path');
      if (supported) for (const p of req.headers.getAll('Path')) headers.push(['Path', p]);
    }
    if (granted !== null) headers.push(['Expires', String(granted)]);
    for (const b of bindings) {
      const left = Math.max(0, Math.round((b.expiresAt - now) / 1000));
      headers.push(['Contact', `<${b.uri}>;expires=${left}`]);
    }
    headers.push(['Date', this.dates.get(now)]);
    tx.reply(200, 'OK', headers);
  }
}
