/**
 * The notifier's side of a SUBSCRIBE-created dialog (RFC 3261 §12.1.1, RFC 6665 §4.1.2.x):
 * Call-ID, tags, the route set from Record-Route (kept in received order for a UAS), the remote
 * target from Contact, our local CSeq counter and the last remote CSeq. It is plain data so the
 * subscription store can persist it as JSON and a restarted server continues the same dialog.
 *
 * Where requests go: to the transport address the last SUBSCRIBE came from (chan_sip's
 * nat=force_rport behaviour, which also works for phones behind NAT); the Request-URI is the
 * remote target and the route set goes in Route headers.
 */
import { formatUri, SipHeaders, SipRequest } from '../sip/message/index.js';
import type { Endpoint } from '../sip/transport/types.js';
import { detach, intern, internEndpoint } from './intern.js';

export interface NotifierDialog {
  callId: string;
  /** Our tag (the To tag we gave the SUBSCRIBE). */
  localTag: string;
  /** The subscriber's From tag. */
  remoteTag: string;
  /** The SUBSCRIBE's To header value without tag (our From in NOTIFY). */
  localAddress: string;
  /** The SUBSCRIBE's From header value without tag (our To in NOTIFY). */
  remoteAddress: string;
  /** URI of the watched resource (To URI), for bodies. */
  localUri: string;
  /** URI of the subscriber (From URI), for bodies. */
  remoteUri: string;
  /** Contact of the last SUBSCRIBE: the NOTIFY Request-URI. */
  remoteTarget: string;
  /** Record-Route values of the initial SUBSCRIBE, in order (never changed after the dialog began). */
  routeSet: readonly string[];
  /** CSeq of the last NOTIFY we sent. */
  localCseq: number;
  /** CSeq of the last SUBSCRIBE we accepted. */
  remoteCseq: number;
  /** Where in-dialog requests are sent. */
  dest: Endpoint;
  connectionId: string | null;
  /** Our Contact URI. */
  contact: string;
}

/** A header value with its tag parameter removed (the rest kept as the phone wrote it). */
export function withoutTag(value: string): string {
  const close = value.lastIndexOf('>');
  // Most phones: `<URI>` alone or followed by just `;tag=VALUE`.
  if (close === value.length - 1) return value;
  if (close >= 0 && value.startsWith(';tag=', close + 1) && value.indexOf(';', close + 5) < 0 && !/\s/.test(value.slice(close + 5))) {
    return value.slice(0, close + 1);
  }
  const head = close >= 0 ? value.slice(0, close + 1) : '';
  const tail = close >= 0 ? value.slice(close + 1) : value;
  const kept = tail.replace(/;\s*tag\s*=\s*[^;\s]*/i, '');
  return close >= 0 ? head + kept : kept;
}

/** The route set of the many dialogs without Record-Route: one shared empty array instead of one each. */
export const NO_ROUTES: readonly string[] = Object.freeze([]);

/** chan_sip starts its CSeq at 101 and increments before each request: the first NOTIFY is 102. */
export const FIRST_LOCAL_CSEQ = 101;

export function dialogFromSubscribe(
  req: SipRequest,
  source: Endpoint,
  connectionId: string | null,
  localTag: string,
  contact: string,
): NotifierDialog {
  const target = req.contacts[0];
  // Kept for the subscription's lifetime: own copies (not views into the received message) and
  // shared copies of what other subscriptions repeat (a hint's URIs, a phone's address and target).
  return {
    callId: detach(req.callId),
    // Our own tag is a fresh flat string already (randomTag), nothing to detach it from.
    localTag,
    remoteTag: detach(req.fromTag ?? ''),
    localAddress: intern(withoutTag(req.headers.get('To') ?? '')),
    remoteAddress: intern(withoutTag(req.headers.get('From') ?? '')),
    localUri: intern(formatUri(req.to.uri)),
    remoteUri: intern(formatUri(req.from.uri)),
    remoteTarget: intern(target ? formatUri(target.uri) : formatUri(req.from.uri)),
    routeSet: routeSetOf(req),
    localCseq: FIRST_LOCAL_CSEQ,
    remoteCseq: req.cseq.seq,
    dest: internEndpoint(source),
    connectionId: connectionId === null ? null : intern(connectionId),
    contact: intern(contact),
  };
}

/** RFC 3261 §12.1.1: the UAS's route set is the Record-Route values in the order received. */
function routeSetOf(req: SipRequest): readonly string[] {
  if (!req.headers.has('Record-Route')) return NO_ROUTES;
  return req.headers.getAll('Record-Route').map((r) => intern(r.trim()));
}

/** RFC 6665 §4.1.2.x / RFC 3261 §12.2.2: a refresh is a target refresh request; CSeq must grow. */
export function acceptRefresh(d: NotifierDialog, req: SipRequest, source: Endpoint, connectionId: string | null): boolean {
  if (req.cseq.seq <= d.remoteCseq) return false;
  d.remoteCseq = req.cseq.seq;
  const target = req.contacts[0];
  if (target && !target.wildcard) d.remoteTarget = intern(formatUri(target.uri));
  d.dest = internEndpoint(source);
  d.connectionId = connectionId === null ? null : intern(connectionId);
  return true;
}

/** What a NOTIFY says besides the dialog's own headers (RFC 6665 §8.2.1: Event, Subscription-State). */
export interface NotifyContent {
  event: string;
  subscriptionState: string;
  allowEvents: string;
  /** null: no body. */
  contentType: string | null;
  body: Buffer | null;
}

/**
 * A NOTIFY in the dialog (next local CSeq): Max-Forwards, the Route set, From/To with tags,
 * Contact, Call-ID, CSeq, then Event, Subscription-State, Allow-Events and the body's type.
 */
export function notifyRequest(d: NotifierDialog, c: NotifyContent): SipRequest {
  d.localCseq += 1;
  const from = `${d.localAddress};tag=${d.localTag}`;
  const to = `${d.remoteAddress};tag=${d.remoteTag}`;
  const contact = `<${d.contact}>`;
  const cseq = `${d.localCseq} NOTIFY`;
  // One pass through SipHeaders' own add() (its internals are the message layer's business),
  // with every line in at once: no second round of adds after the request is built.
  const h = new SipHeaders();
  h.add('Max-Forwards', '70');
  for (const r of d.routeSet) h.add('Route', r);
  h.add('From', from);
  h.add('To', to);
  h.add('Contact', contact);
  h.add('Call-ID', d.callId);
  h.add('CSeq', cseq);
  h.add('Event', c.event);
  h.add('Subscription-State', c.subscriptionState);
  h.add('Allow-Events', c.allowEvents);
  if (c.contentType !== null) h.add('Content-Type', c.contentType);
  return new SipRequest('NOTIFY', d.remoteTarget, h, c.body ?? undefined);
}
