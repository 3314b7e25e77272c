/**
 * PUBLISH for the presence event package (RFC 3903 with RFC 3856's `presence`), as an event
 * state compositor for phones' own presence.
 *
 * Order of checks (RFC 3903 §6, with chan_sip's authentication in front):
 *  1. authentication: the publisher is the peer named by the From user (chan_sip looks non-
 *     REGISTER requests up by From); a peer with secret/md5secret must answer a digest challenge
 *     (401; 403 on a wrong password); an unknown peer or an ACL refusal gets, with
 *     alwaysauthreject=yes, the same challenge and then 403 — otherwise 404 / 403 at once;
 *  2. the publisher may only publish its own presence: the Request-URI user must name the peer
 *     (403 otherwise), and publishing must not be switched off for it (403);
 *  3. Event must be `presence` → else 489 Bad Event with Allow-Events (§6 step 2);
 *  4. SIP-If-Match naming no live publication of this entity → 412 (§6 step 3);
 *  5. Expires below min_expiry (and not 0) → 423 with Min-Expires; above max_expiry it is
 *     lowered (§6 step 4);
 *  6. a body must be application/pidf+xml (415 with Accept) and well-formed PIDF (400); an
 *     initial PUBLISH (no SIP-If-Match) must have a body (400) (§6 step 5);
 *  7. the state changes, then 200 with SIP-ETag and Expires (§6 steps 6–8).
 */
import type { Logger } from '../../core/log.js';
import { SipParseError, type SipRequest } from '../../sip/message/index.js';
import { findDigestCredentials } from '../../sip/message/auth.js';
import type { RequestContext, ServerTransaction } from '../../sip/transaction/types.js';
import type { SipGeneral, SipPeerConfig } from '../../sip/config/sip-conf.js';
import { aclAllows } from '../../sip/config/acl.js';
import { DigestAuthenticator } from '../../sip/auth/digest.js';
import { PidfError, presenceFromPidf, type PublishedPresence } from './pidf-parse.js';
import type { PublicationTable, PublishOutcome } from './publication-table.js';

export const PIDF_CONTENT_TYPE = 'application/pidf+xml';
/** RFC 3856 §6.4: the default subscription/publication duration for presence is one hour. */
export const DEFAULT_PUBLISH_EXPIRES = 3600;

export interface PublishHandlerDeps {
  table: PublicationTable;
  log: Logger;
  /** Current [general] (changes on reload). */
  general: () => SipGeneral;
  /** A configured peer by name (case-insensitive). */
  peer: (name: string) => SipPeerConfig | undefined;
  /** The digest authenticator PUBLISH challenges with. */
  auth: () => DigestAuthenticator;
  /** The entity a peer's PUBLISH sets, or null when it may not publish. */
  entityOf: (peer: SipPeerConfig) => string | null;
}

type Headers = Array<[string, string]>;

/** RFC 3261 §22.2: a UAS (not a proxy) takes the credentials from Authorization. */
function findCredentials(req: SipRequest, realm: string): Map<string, string> | null {
  return findDigestCredentials(req.headers.getAll('Authorization'), realm);
}

/** The media type of a Content-Type value, lower-case, without parameters. */
function mediaType(value: string | undefined): string {
  if (value === undefined) return '';
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
}

/** The event package name of an Event header (`presence;id=1` → `presence`). */
function eventPackage(value: string | undefined): string {
  if (value === undefined) return '';
  const semi = value.indexOf(';');
  return (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
}

export class PublishHandler {
  constructor(private readonly deps: PublishHandlerDeps) {}

  /** The MethodHandler for PUBLISH. */
  readonly handle = (req: SipRequest, ctx: RequestContext): void => {
    const tx = ctx.tx;
    if (!tx) return;
    this.process(req, ctx, tx).catch((err: unknown) => {
      if (err instanceof SipParseError) {
        tx.reply(err.status === 416 ? 416 : 400, err.status === 416 ? undefined : err.reason);
      } else {
        this.deps.log.error({ err }, 'PUBLISH failed');
        tx.reply(500);
      }
    });
  };

  private challenge(tx: ServerTransaction, stale: boolean, peer: SipPeerConfig | null): void {
    const only = peer ? DigestAuthenticator.usableAlgorithms(peer) : undefined;
    const values = this.deps.auth().challenge({ stale, only });
    // RFC 3261 §8.2.7: challenged statelessly, no transaction is kept for Timer J.
    const headers = values.map((v): [string, string] => ['WWW-Authenticate', v]);
    tx.replyStateless(401, undefined, headers);
  }

  /** Returns the authenticated peer, or null after answering. */
  private authenticate(req: SipRequest, ctx: RequestContext, tx: ServerTransaction, g: SipGeneral): SipPeerConfig | null {
    const user = req.from.uri.user;
    const peer = user ? this.deps.peer(user) : undefined;
    const refused = !peer || !aclAllows(peer.acl, ctx.inbound.source.address);
    if (refused || !peer) {
      this.deps.log.info({ user, source: ctx.inbound.source }, 'PUBLISH refused');
      if (g.alwaysAuthReject) {
        // As for REGISTER: answer unknown names like a wrong password, so names cannot be probed.
        const nonce = findCredentials(req, g.realm)?.get('nonce');
        if (nonce !== undefined && this.deps.auth().isOurNonce(nonce)) tx.reply(403, 'Forbidden');
        else this.challenge(tx, false, null);
      } else if (!peer) tx.reply(404, 'Not Found');
      else tx.reply(403, 'Forbidden');
      return null;
    }
    if (peer.secret === null && peer.md5secret === null) return peer;
    const cred = findCredentials(req, g.realm);
    if (!cred) {
      this.challenge(tx, false, peer);
      return null;
    }
    if (cred.get('username') !== peer.name) {
      tx.reply(403, 'Forbidden');
      return null;
    }
    const result = this.deps.auth().verify(cred, req.method, peer);
    if (result.ok) return peer;
    switch (result.reason) {
      case 'mismatch':
        tx.reply(403, 'Forbidden');
        break;
      case 'stale':
      case 'replay':
        this.challenge(tx, true, peer);
        break;
      case 'malformed': {
        const nonce = cred.get('nonce');
        if (nonce !== undefined && this.deps.auth().isOurNonce(nonce)) tx.reply(403, 'Forbidden');
        else this.challenge(tx, false, peer);
        break;
      }
      default:
        this.challenge(tx, false, peer);
    }
    return null;
  }

  private async process(req: SipRequest, ctx: RequestContext, tx: ServerTransaction): Promise<void> {
    const g = this.deps.general();
    const peer = this.authenticate(req, ctx, tx, g);
    if (!peer) return;
    const target = req.requestUri.user;
    if (target === null || target.toLowerCase() !== peer.name.toLowerCase()) {
      tx.reply(403, 'Forbidden');
      return;
    }
    const entity = this.deps.entityOf(peer);
    if (entity === null) {
      tx.reply(403, 'Forbidden');
      return;
    }
    if (eventPackage(req.headers.get('Event')) !== 'presence') {
      tx.reply(489, 'Bad Event', [['Allow-Events', 'presence']]);
      return;
    }
    const ifMatch = req.headers.get('SIP-If-Match')?.trim();
    const { table } = this.deps;
    if (ifMatch !== undefined && !table.lookup(ifMatch, entity)) {
      tx.reply(412, 'Conditional Request Failed');
      return;
    }
    const asked = req.expires;
    if (asked !== null && asked !== 0 && asked < g.minExpiry) {
      tx.reply(423, 'Interval Too Brief', [['Min-Expires', String(g.minExpiry)]]);
      return;
    }
    const expires = Math.min(asked ?? DEFAULT_PUBLISH_EXPIRES, g.maxExpiry);
    let presence: PublishedPresence | null = null;
    if (req.body.length > 0) {
      if (mediaType(req.headers.get('Content-Type')) !== PIDF_CONTENT_TYPE) {
        tx.reply(415, 'Unsupported Media Type', [['Accept', PIDF_CONTENT_TYPE]]);
        return;
      }
      try {
        presence = presenceFromPidf(req.body);
      } catch (err) {
        if (!(err instanceof PidfError)) throw err;
        this.deps.log.info({ peer: peer.name, err: err.message }, 'PUBLISH with a malformed PIDF body');
        tx.reply(400, 'Bad Request', [['Warning', `399 herald "${err.message.replace(/["\\\r\n]/g, ' ').slice(0, 200)}"`]]);
        return;
      }
    }
    if (ifMatch === undefined) {
      if (expires === 0) {
        // Nothing to remove; answer like a removal so the publisher is not left retrying.
        tx.reply(200, 'OK', [['Expires', '0']]);
        return;
      }
      if (!presence) {
        tx.reply(400, 'Bad Request', [['Warning', '399 herald "initial PUBLISH without a body"']]);
        return;
      }
      this.ok(tx, await table.publish(entity, presence, expires));
      return;
    }
    if (expires === 0) {
      await table.remove(ifMatch, entity);
      tx.reply(200, 'OK', [['Expires', '0']]);
      return;
    }
    // The tag may have expired while the body was parsed or an earlier write was awaited.
    const outcome = presence ? await table.modify(ifMatch, entity, presence, expires) : await table.refresh(ifMatch, entity, expires);
    if (!outcome) {
      tx.reply(412, 'Conditional Request Failed');
      return;
    }
    this.ok(tx, outcome);
  }

  private ok(tx: ServerTransaction, outcome: PublishOutcome): void {
    const headers: Headers = [
      ['SIP-ETag', outcome.etag],
      ['Expires', String(outcome.expires)],
    ];
    tx.reply(200, 'OK', headers);
  }
}
