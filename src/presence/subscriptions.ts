/**
 * The SUBSCRIBE/NOTIFY notifier (RFC 6665) for the presence (RFC 3856), dialog (RFC 4235) and
 * message-summary (RFC 3842) packages, with chan_sip's policies where a phone can tell.
 *
 * Initial SUBSCRIBE: authenticated like chan_sip (authenticate.ts); allowsubscribe=no → 403;
 * a missing or unknown Event → 489 with Allow-Events; Accept negotiation (negotiate.ts); no
 * Contact → 400; Expires below the minimum → 423 with Min-Expires; above the maximum → capped;
 * the Request-URI user is the extension, looked up in the peer's subscribecontext (else its
 * context): no hint → 404; message-summary is the peer's own mailbox (404 without one). The
 * subscription is stored, then 200 OK (chan_sip answers 200, not 202) with Expires and Contact,
 * then the first NOTIFY at once.
 *
 * In-dialog SUBSCRIBE: unknown dialog → 481; a refresh re-arms the timer and sends a full-state
 * NOTIFY; Expires: 0 ends it with a final NOTIFY. An initial Expires: 0 is a fetch (RFC 6665
 * §4.2.1.1: 200, one terminated NOTIFY) — in asterisk compat mode 400 like PJSIP.
 *
 * Subscription-State: herald writes `active;expires=<left>` (RFC 6665 §4.1.3 MUST) and, for an
 * unsubscribe, plain `terminated`: none of RFC 6665's reasons describes a subscriber-initiated
 * end (PJSIP also sends no reason). Expiry → `terminated;reason=timeout`, hint removed →
 * `terminated;reason=noresource`. asterisk compat: chan_sip's `active` and
 * `terminated;reason=timeout` for the unsubscribe too.
 *
 * NOTIFY delivery: one NOTIFY in flight per subscription; changes arriving meanwhile are
 * coalesced into one NOTIFY with the newest state once the previous one is answered (so CSeq
 * order is the arrival order and a slow phone never holds others up). 481 ends the subscription
 * at once (RFC 6665 §4.2.2); a timeout or 408 does not: only 3 in a row end it; another error
 * without Retry-After ends it (pjproject's rule), with Retry-After it is kept.
 *
 * Which changes notify (HintEngine watch callbacks follow Asterisk's rules for device changes):
 * herald notifies presence-document subscribers of custom presence changes (their RPID changes)
 * but not dialog-info subscribers (their body does not change); asterisk compat follows
 * chan_sip: presence changes reach Digium phones only, on both packages.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { SipGeneral, SipPeerConfig } from '../sip/config/sip-conf.js';
import type { DigestAuthenticator } from '../sip/auth/digest.js';
import { createResponse, formatUri, SipParseError, type SipRequest, type SipResponse } from '../sip/message/index.js';
import type { ClientTransactionHandlers, RequestContext, ServerTransaction, SipStack } from '../sip/transaction/types.js';
import type { Endpoint } from '../sip/transport/types.js';
import type { PresenceInfo } from '../state/presence-state.js';
import { extensionStateText } from '../state/extension-state.js';
import { authenticateSubscribe } from './authenticate.js';
import { buildExtenStateBody, buildMessageSummary } from './bodies/index.js';
import type { BodyType, PresenceCompat, RingingCaller } from './bodies/types.js';
import { acceptRefresh, dialogFromSubscribe, notifyRequest } from './dialog.js';
import { ExpiryQueue } from './expiry.js';
import { intern, randomTag } from './intern.js';
import { ALLOW_EVENTS, eventPackage, isEventPackage, negotiateBody, type EventPackage } from './negotiate.js';
import { CRASH_SEQUENCE_MARGIN, NOT_SET, type StoreWaiter, type SubscriptionRecord, SubscriptionStore } from './record.js';

/** What the notifier needs to know about a hint (the state module's HintSnapshot has it). */
export interface HintView {
  devices: string[];
  state: number;
  presence: PresenceInfo;
}

export interface HintUpdate {
  state: number;
  reason: 'device' | 'presence' | 'removed';
}

/** The state module seen from here (HintEngine.find/watch and DeviceStateEngine.getState). */
export interface HintSource {
  find(context: string, exten: string): HintView | undefined;
  /** Whether find() would return the hint (without building a view of it); find() is used when absent. */
  has?(context: string, exten: string): boolean;
  /** Throws when there is no such hint. */
  watch(context: string, exten: string, cb: (u: HintUpdate) => void): () => void;
  deviceState(device: string): string;
}

export interface MailboxCounts {
  newMessages: number;
  oldMessages: number;
  urgentNew: number;
  urgentOld: number;
}

/** Voicemail counts for `mailbox@context` lists; herald has no voicemail yet: 0/0 is the true answer. */
export type MailboxCountProvider = (mailboxes: string) => MailboxCounts;

export const NO_MESSAGES: MailboxCountProvider = () => ({ newMessages: 0, oldMessages: 0, urgentNew: 0, urgentOld: 0 });

export interface SubscriptionServerDeps {
  /** The SIP stack NOTIFYs go out on (looked up per NOTIFY: a `sip reload` may rebind it). */
  stack(): SipStack | null;
  general(): SipGeneral;
  getPeer(name: string): SipPeerConfig | undefined;
  auth(): DigestAuthenticator;
  hints: HintSource;
  store: SubscriptionStore;
  clock: Clock;
  log: Logger;
  mailboxCounts?: MailboxCountProvider;
  /** Who is ringing an extension (dialog-info early state), when a call layer knows. */
  ringingCaller?: (context: string, exten: string) => RingingCaller | null;
}

/** NOTIFY timeouts in a row after which a subscription is dropped. */
export const MAX_NOTIFY_TIMEOUTS = 3;

/** RFC 3856 §6.4 / RFC 4235 §3.2 / RFC 3842 §4.4: each package's default duration is one hour. */
const PACKAGE_DEFAULT_EXPIRES = 3600;

/**
 * NOTIFYs of one hint change sent per event-loop turn; the rest follow on setImmediate. libuv
 * reads at most 32 datagrams per socket per turn, so sending about as many per turn lets the
 * 200 OKs be read (and their transactions completed) as fast as NOTIFYs go out: a 10,000-NOTIFY
 * loop would leave them piling up in the socket buffer until it overflows (then every lost 200
 * costs a retransmission 500 ms later).
 */
export const FANOUT_CHUNK = 32;
/** Bodies kept per hint between changes (distinct body types, URIs, dialog-info versions). */
const BODY_CACHE_MAX = 256;

interface LiveSubscription {
  rec: SubscriptionRecord;
  /** The hint it watches (null for message-summary, or while waiting for its hint). */
  group: HintGroup | null;
  /** Body-cache key of what does not change between NOTIFYs (interned: shared by alike watchers). */
  bodyKey: string;
  /** Its place in the ExpiryQueue (due at rec.expiresAt). */
  expiryIndex: number;
  inFlight: boolean;
  pending: boolean;
  /** In the fan-out queue. */
  queued: boolean;
  /** Set when the next NOTIFY is the last one. */
  terminate: string | null;
  timeouts: number;
  ended: boolean;
}

/**
 * The watchers of one hint: one HintEngine watch for all of them (not one closure per
 * subscription), the hint's state read once per change, and each distinct body built once per
 * change and shared by every NOTIFY that carries it.
 */
interface HintGroup {
  key: string;
  context: string;
  exten: string;
  members: Set<LiveSubscription>;
  unwatch: (() => void) | null;
  /** The hint as of its last change (null: read it again). */
  view: HintView | null;
  bodies: Map<string, Buffer>;
}

type NotifyResult = 'ok' | 'gone' | 'timeout' | 'keep';

/**
 * The client-transaction handlers of one NOTIFY: one object with its methods on the prototype
 * (a fan-out sends thousands; three closures and a context each were garbage to collect).
 */
class NotifyOutcome implements ClientTransactionHandlers {
  constructor(
    private readonly live: LiveSubscription,
    private readonly done: (live: LiveSubscription, outcome: NotifyResult) => void,
  ) {}

  onFinal(res: SipResponse): void {
    const status = res.status;
    if (status < 300) this.done(this.live, 'ok');
    // RFC 6665 §4.2.2: 481 ends the subscription at once; a timeout/408 only after MAX_NOTIFY_TIMEOUTS.
    else if (status === 481) this.done(this.live, 'gone');
    else if (status === 408) this.done(this.live, 'timeout');
    else if (status === 401 || status === 407 || res.headers.has('Retry-After')) this.done(this.live, 'keep');
    else this.done(this.live, 'gone');
  }

  onTimeout(): void {
    this.done(this.live, 'timeout');
  }

  onTransportError(): void {
    this.done(this.live, 'timeout');
  }
}

/** One row of `sip show subscriptions`. */
export interface SubscriptionSummary {
  address: string;
  peer: string;
  callId: string;
  exten: string;
  context: string;
  lastState: string;
  event: EventPackage;
  bodyType: BodyType;
  mailbox: string | null;
  expiresSec: number;
  createdAt: number;
}

function groupKey(context: string, exten: string): string {
  return `${exten}\u0000${context}`;
}

function dialogKey(callId: string, remoteTag: string, localTag: string): string {
  return `${callId}\u0000${remoteTag}\u0000${localTag}`;
}

/** Attempts at drawing a local tag no live subscription has (64 random bits: the first nearly always). */
const LOCAL_TAG_ATTEMPTS = 8;

function compatOf(peer: SipPeerConfig, g: SipGeneral): PresenceCompat {
  const v = (peer.extra.get('presence_compat') ?? g.extra.get('presence_compat') ?? '').trim().toLowerCase();
  return v === 'asterisk' ? 'asterisk' : 'herald';
}

function intSetting(g: SipGeneral, key: string, fallback: number): number {
  const v = g.extra.get(key);
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : fallback;
}

/** The Event header as the subscriber sent it, trimmed; the package's constant when it is just the name. */
function eventHeaderOf(req: SipRequest, name: EventPackage): string {
  const value = req.headers.get('Event');
  if (value === undefined) return name;
  const trimmed = value.trim();
  return trimmed === name ? name : intern(trimmed);
}

/** The 200 to a SUBSCRIBE: our To tag, the granted Expires and our Contact (chan_sip answers 200, not 202). */
function subscribeOk(req: SipRequest, localTag: string, expires: number, ourContact: string): SipResponse {
  const res = createResponse(req, 200, 'OK', { toTag: localTag });
  res.headers.append('Expires', String(expires));
  res.headers.append('Contact', `<${ourContact}>;expires=${expires}`);
  return res;
}

/** A new subscription waiting for its store commit (one object, not two closures and a promise). */
class PendingSubscribe implements StoreWaiter {
  constructor(
    readonly req: SipRequest,
    readonly tx: ServerTransaction,
    readonly rec: SubscriptionRecord,
    readonly ourContact: string,
    private readonly done: (p: PendingSubscribe, err: unknown) => void,
  ) {}

  stored(): void {
    this.done(this, null);
  }

  failed(err: unknown): void {
    this.done(this, err ?? new Error('store write failed'));
  }
}

/** No URI headers (formatUri only reads it). */
const NO_URI_HEADERS = new Map<string, string>();
const NO_URI_PARAMS = new Map<string, string | null>();

/** The last sipUri() made: many SUBSCRIBEs in a row give us the same Contact (one hint's watchers). */
let lastUri = { user: '', host: '', port: 0, transport: '', text: '' };

/** A sip: URI; formatUri does the §25.1 escaping of the user part and brackets IPv6 hosts. */
function sipUri(user: string, host: string, port: number, transport?: string): string {
  const t = transport ?? '';
  const last = lastUri;
  if (last.text !== '' && last.port === port && last.user === user && last.host === host && last.transport === t) return last.text;
  const params = transport === undefined ? NO_URI_PARAMS : new Map<string, string | null>([['transport', transport]]);
  const text = formatUri({ scheme: 'sip', user, password: null, host, port, params, headers: NO_URI_HEADERS });
  lastUri = { user, host, port, transport: t, text };
  return text;
}

export class SubscriptionServer {
  /**
   * Live subscriptions by our (local) tag: it is unique among them (newLocalTag), so the tag
   * alone is the key and a lookup checks Call-ID and remote tag — no composite key string per
   * subscription. A restored one from an older herald (whose tags were not checked for
   * uniqueness) that shares its tag with another goes in `collided`, by its full dialog key.
   */
  private readonly byDialog = new Map<string, LiveSubscription>();
  private readonly collided = new Map<string, LiveSubscription>();
  private readonly groups = new Map<string, HintGroup>();
  private readonly expiry: ExpiryQueue<LiveSubscription>;
  /** Fan-out: subscriptions with a NOTIFY to send, drained FANOUT_CHUNK at a time. */
  private queue: LiveSubscription[] = [];
  private queueHead = 0;
  private drainScheduled = false;
  private draining = false;
  private closed = false;

  constructor(private readonly deps: SubscriptionServerDeps) {
    this.expiry = new ExpiryQueue<LiveSubscription>(
      deps.clock,
      (live) => live.rec.expiresAt,
      (live) => this.end(live, 'terminated;reason=timeout'),
    );
  }

  /** The MethodHandler for SUBSCRIBE. */
  readonly handle = (req: SipRequest, ctx: RequestContext): void => {
    const tx = ctx.tx;
    if (!tx) return;
    try {
      if (req.toTag !== null) this.inDialog(req, ctx, tx);
      else this.initial(req, ctx, tx);
    } catch (err) {
      // A transaction that already sent its final response ignores another one.
      if (err instanceof SipParseError) {
        tx.reply(err.status === 416 ? 416 : 400, err.status === 416 ? undefined : err.reason);
      } else {
        this.deps.log.error({ err }, 'SUBSCRIBE failed');
        tx.reply(500, 'Server Internal Error');
      }
    }
  };

  // ---- initial SUBSCRIBE ------------------------------------------------------------------------

  private initial(req: SipRequest, ctx: RequestContext, tx: ServerTransaction): void {
    const g = this.deps.general();
    const source = ctx.inbound.source;
    const peer = authenticateSubscribe(this.deps, req, tx, source);
    if (!peer) return;
    if (!g.allowSubscribe || !peer.allowSubscribe) {
      tx.reply(403, 'Forbidden (policy)');
      return;
    }
    const name = eventPackage(req.headers.get('Event'));
    if (!isEventPackage(name)) {
      tx.reply(489, 'Bad Event', [['Allow-Events', ALLOW_EVENTS]]);
      return;
    }
    const compat = compatOf(peer, g);
    const userAgent = req.headers.get('User-Agent') ?? '';
    const accept = req.headers.getAll('Accept');
    const negotiated = negotiateBody(name, accept, req.headers.has('Accept'), userAgent, compat);
    if (!negotiated.ok) {
      tx.reply(negotiated.status, negotiated.reason, negotiated.status === 489 ? [['Allow-Events', ALLOW_EVENTS]] : []);
      return;
    }
    const contact = req.contacts[0];
    if (!contact || contact.wildcard) {
      tx.reply(400, 'Missing Contact');
      return;
    }
    const requested = req.expires;
    const minExpires = intSetting(g, 'subminexpiry', g.minExpiry);
    const maxExpires = intSetting(g, 'submaxexpiry', g.maxExpiry);
    let expires = requested ?? (compat === 'asterisk' ? g.defaultExpiry : PACKAGE_DEFAULT_EXPIRES);
    if (requested === 0 && compat === 'asterisk') {
      tx.reply(400, 'Bad Request');
      return;
    }
    if (expires !== 0 && expires < minExpires) {
      tx.reply(423, 'Interval Too Brief', [['Min-Expires', String(minExpires)]]);
      return;
    }
    expires = Math.min(expires, maxExpires);

    const exten = req.requestUri.user ?? '';
    const context = peer.subscribeContext ?? peer.context;
    let mailbox: string | null = null;
    if (name === 'message-summary') {
      mailbox = peer.mailbox;
      if (mailbox === null || mailbox === '') {
        tx.reply(404, 'Not found (no mailbox)');
        return;
      }
    } else if (exten === '' || !this.hintExists(context, exten)) {
      this.deps.log.info({ peer: peer.name, exten, context }, 'SUBSCRIBE to an extension without hint');
      tx.reply(404, 'Not found');
      return;
    }

    const localTag = this.newLocalTag();
    const local = ctx.inbound.local;
    const ruri = req.requestUri;
    const ourHost = local.address === '0.0.0.0' || local.address === '::' ? ruri.host : local.address;
    const ourContact = sipUri(exten === '' ? 'herald' : exten, ourHost, local.port, source.proto === 'UDP' ? undefined : source.proto.toLowerCase());
    const dialog = dialogFromSubscribe(req, source, ctx.inbound.connectionId, localTag, ourContact);
    const now = this.deps.clock.wallNow();
    const vmexten = peer.extra.get('vmexten') ?? g.extra.get('vmexten') ?? 'asterisk';
    const rec: SubscriptionRecord = {
      // The local tag is unique among live subscriptions and has no '/': the store key too.
      id: dialog.localTag,
      // The package and the negotiated type are shared constants (eventPackage, negotiateBody).
      event: name,
      eventHeader: eventHeaderOf(req, name),
      bodyType: negotiated.type,
      peer: intern(peer.name),
      context: intern(context),
      exten: intern(exten),
      mailbox: mailbox === null ? null : intern(mailbox),
      account: name === 'message-summary' ? intern(sipUri(vmexten, ruri.host, ruri.port ?? local.port)) : null,
      userAgent: intern(userAgent),
      digium: compat === 'asterisk' ? userAgent.includes('Digium') : /digium|sangoma/i.test(userAgent),
      compat,
      expiresSec: expires,
      expiresAt: now + expires * 1000,
      version: 0,
      lastState: -1,
      lastPresence: NOT_SET,
      createdAt: now,
      dialog,
    };
    if (expires === 0) {
      // RFC 6665 §4.4.3 fetch: one NOTIFY with the current state, nothing kept.
      tx.respond(subscribeOk(req, localTag, expires, ourContact));
      const live = this.makeLive(rec);
      live.terminate = 'terminated;reason=timeout';
      this.schedule(live);
      return;
    }
    // Stored before the 200, so a restart never forgets a subscription the phone believes in.
    this.deps.store.putThen(rec, new PendingSubscribe(req, tx, rec, ourContact, this.subscribeStored));
  }

  /** The store answered for a new subscription: 200 and the first NOTIFY, or an error response. */
  private readonly subscribeStored = (p: PendingSubscribe, err: unknown): void => {
    const tx = p.tx;
    if (err !== null) {
      this.deps.log.error({ err }, 'could not store SIP subscription');
      tx.reply(500, 'Server Internal Error');
      return;
    }
    if (this.closed) {
      tx.reply(503, 'Service Unavailable');
      return;
    }
    const rec = p.rec;
    tx.respond(subscribeOk(p.req, rec.dialog.localTag, rec.expiresSec, p.ourContact));
    const live = this.makeLive(rec);
    this.activate(live);
    this.schedule(live);
  };

  private hintExists(context: string, exten: string): boolean {
    const hints = this.deps.hints;
    return hints.has !== undefined ? hints.has(context, exten) : hints.find(context, exten) !== undefined;
  }

  private makeLive(rec: SubscriptionRecord): LiveSubscription {
    const bodyKey = this.bodyKeyOf(rec);
    return { rec, group: null, bodyKey, expiryIndex: -1, inFlight: false, pending: false, queued: false, terminate: null, timeouts: 0, ended: false };
  }

  /** The last body key made: one hint's watchers mostly share it (no key string to build and hash). */
  private lastBodyKey: { rec: SubscriptionRecord; key: string } | null = null;

  /** The body-cache key of what does not change between NOTIFYs (interned). */
  private bodyKeyOf(rec: SubscriptionRecord): string {
    const d = rec.dialog;
    const last = this.lastBodyKey;
    if (last !== null) {
      const p = last.rec;
      if (
        p.bodyType === rec.bodyType &&
        p.compat === rec.compat &&
        p.digium === rec.digium &&
        p.exten === rec.exten &&
        p.dialog.localUri === d.localUri &&
        (rec.compat !== 'asterisk' || p.dialog.remoteUri === d.remoteUri)
      ) {
        return last.key;
      }
    }
    const key = intern(`${rec.bodyType}\u0000${rec.compat}\u0000${rec.digium ? 1 : 0}\u0000${rec.exten}\u0000${d.localUri}\u0000${rec.compat === 'asterisk' ? d.remoteUri : ''}`);
    this.lastBodyKey = { rec, key };
    return key;
  }

  /**
   * Our To tag for a new subscription: randomTag()'s 64 random bits (RFC 3261 §19.3 asks for at
   * least 32), drawn again in the unlikely case a live subscription has it — it is also the
   * dialog index and store key.
   */
  private newLocalTag(): string {
    let tag = randomTag();
    for (let i = 1; i < LOCAL_TAG_ATTEMPTS && this.byDialog.has(tag); i++) tag = randomTag();
    if (this.byDialog.has(tag)) throw new Error('no unused local tag');
    return tag;
  }

  private index(live: LiveSubscription): void {
    const d = live.rec.dialog;
    const other = this.byDialog.get(d.localTag);
    if (other === undefined || other === live) this.byDialog.set(d.localTag, live);
    else this.collided.set(dialogKey(d.callId, d.remoteTag, d.localTag), live);
  }

  private unindex(live: LiveSubscription): void {
    const d = live.rec.dialog;
    if (this.byDialog.get(d.localTag) === live) this.byDialog.delete(d.localTag);
    else if (this.collided.size > 0) {
      const key = dialogKey(d.callId, d.remoteTag, d.localTag);
      if (this.collided.get(key) === live) this.collided.delete(key);
    }
  }

  private lookup(callId: string, remoteTag: string, localTag: string): LiveSubscription | undefined {
    const live = this.byDialog.get(localTag);
    if (live !== undefined && live.rec.dialog.callId === callId && live.rec.dialog.remoteTag === remoteTag) return live;
    return this.collided.size > 0 ? this.collided.get(dialogKey(callId, remoteTag, localTag)) : undefined;
  }

  /** Every indexed subscription. */
  private *allLive(): IterableIterator<LiveSubscription> {
    yield* this.byDialog.values();
    yield* this.collided.values();
  }

  /** Index it, watch its hint, arm its expiry. False when its hint is gone. */
  private activate(live: LiveSubscription): boolean {
    const rec = live.rec;
    this.index(live);
    this.expiry.schedule(live);
    if (rec.event === 'message-summary') return true;
    return this.join(live);
  }

  /** Add it to its hint's group (watching the hint when it is the first). False when there is no such hint. */
  private join(live: LiveSubscription): boolean {
    const { context, exten } = live.rec;
    const key = groupKey(context, exten);
    let group = this.groups.get(key);
    if (!group) {
      const g: HintGroup = { key, context, exten, members: new Set(), unwatch: null, view: null, bodies: new Map() };
      try {
        g.unwatch = this.deps.hints.watch(context, exten, (u) => this.onHintUpdate(g, u));
      } catch {
        return false;
      }
      this.groups.set(key, g);
      group = g;
    }
    group.members.add(live);
    live.group = group;
    return true;
  }

  private leave(live: LiveSubscription): void {
    const group = live.group;
    if (!group) return;
    live.group = null;
    group.members.delete(live);
    if (group.members.size === 0 && this.groups.get(group.key) === group) {
      this.groups.delete(group.key);
      group.unwatch?.();
      group.unwatch = null;
    }
  }

  // ---- in-dialog SUBSCRIBE ------------------------------------------------------------------------

  private inDialog(req: SipRequest, ctx: RequestContext, tx: ServerTransaction): void {
    const live = this.lookup(req.callId, req.fromTag ?? '', req.toTag ?? '');
    if (!live || live.ended) {
      tx.reply(481, 'Call/Transaction Does Not Exist');
      return;
    }
    const rec = live.rec;
    const peer = authenticateSubscribe(this.deps, req, tx, ctx.inbound.source);
    if (!peer) return;
    if (peer.name !== rec.peer) {
      tx.reply(403, 'Forbidden');
      return;
    }
    const name = eventPackage(req.headers.get('Event'));
    // RFC 6665 §4.1.2: the refresh names the same package; another one has no subscription here.
    if (name !== null && name !== rec.event) {
      tx.reply(489, 'Bad Event', [['Allow-Events', ALLOW_EVENTS]]);
      return;
    }
    const g = this.deps.general();
    const requested = req.expires;
    const minExpires = intSetting(g, 'subminexpiry', g.minExpiry);
    const maxExpires = intSetting(g, 'submaxexpiry', g.maxExpiry);
    let expires = requested ?? (rec.compat === 'asterisk' ? g.defaultExpiry : PACKAGE_DEFAULT_EXPIRES);
    if (expires !== 0 && expires < minExpires) {
      tx.reply(423, 'Interval Too Brief', [['Min-Expires', String(minExpires)]]);
      return;
    }
    expires = Math.min(expires, maxExpires);
    if (!acceptRefresh(rec.dialog, req, ctx.inbound.source, ctx.inbound.connectionId)) {
      tx.reply(500, 'Server Internal Error', [['Retry-After', '1']]);
      return;
    }
    const res = createResponse(req, 200, 'OK', { toTag: rec.dialog.localTag });
    res.headers.append('Expires', String(expires));
    if (expires > 0) res.headers.append('Contact', `<${rec.dialog.contact}>;expires=${expires}`);
    tx.respond(res);
    if (expires === 0) {
      this.end(live, rec.compat === 'asterisk' ? 'terminated;reason=timeout' : 'terminated');
      return;
    }
    rec.expiresSec = expires;
    rec.expiresAt = this.deps.clock.wallNow() + expires * 1000;
    this.expiry.schedule(live);
    this.deps.store.update(rec);
    this.schedule(live);
  }

  // ---- changes ------------------------------------------------------------------------------------

  private onHintUpdate(group: HintGroup, u: HintUpdate): void {
    group.view = null;
    group.bodies.clear();
    if (u.reason === 'removed') {
      // The engine dropped its watchers with the hint.
      group.unwatch = null;
      if (this.groups.get(group.key) === group) this.groups.delete(group.key);
      for (const live of [...group.members]) {
        live.group = null;
        this.end(live, 'terminated;reason=noresource');
      }
      group.members.clear();
      return;
    }
    const presenceOnly = u.reason === 'presence';
    for (const live of group.members) {
      const rec = live.rec;
      if (presenceOnly && (rec.compat === 'asterisk' ? !rec.digium : rec.bodyType === 'application/dialog-info+xml')) continue;
      this.enqueue(live);
    }
    this.drain();
  }

  /** Like schedule(), but through the fan-out queue. */
  private enqueue(live: LiveSubscription): void {
    if (live.ended || this.closed) return;
    live.pending = true;
    if (live.inFlight || live.queued) return;
    live.queued = true;
    this.queue.push(live);
  }

  /** Send the next FANOUT_CHUNK queued NOTIFYs now; the rest on the next turn of the event loop. */
  private drain(): void {
    if (this.draining) return; // the loop below (or its scheduled continuation) picks new ones up
    this.draining = true;
    try {
      for (let budget = FANOUT_CHUNK; budget > 0 && this.queueHead < this.queue.length && !this.closed; budget--) {
        const live = this.queue[this.queueHead++] as LiveSubscription;
        live.queued = false;
        if (!live.inFlight) this.sendNext(live);
      }
    } finally {
      this.draining = false;
    }
    if (this.queueHead >= this.queue.length || this.closed) {
      this.queue = [];
      this.queueHead = 0;
      return;
    }
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(() => {
        this.drainScheduled = false;
        this.drain();
      });
    }
  }

  /** Voicemail counts changed for these mailboxes: NOTIFY their message-summary subscribers. */
  mailboxChanged(mailbox: string): void {
    const wanted = mailbox.toLowerCase();
    for (const live of this.allLive()) {
      const boxes = (live.rec.mailbox ?? '').toLowerCase().split(/[,&]/).map((b) => b.trim());
      if (live.rec.event === 'message-summary' && boxes.includes(wanted)) this.schedule(live);
    }
  }

  /** End a subscription with a final NOTIFY carrying `state`. */
  private end(live: LiveSubscription, state: string): void {
    if (live.ended || live.terminate !== null) return;
    live.terminate = state;
    this.schedule(live);
  }

  /** Stop tracking (no NOTIFY). */
  private drop(live: LiveSubscription, why: string): void {
    const rec = live.rec;
    live.ended = true;
    live.pending = false;
    this.leave(live);
    this.expiry.remove(live);
    this.unindex(live);
    this.deps.store.remove(rec.id);
    const log = this.deps.log;
    if (log.isLevelEnabled('debug')) log.debug({ id: rec.id, peer: rec.peer, exten: rec.exten, why }, 'SIP subscription ended');
  }

  // ---- NOTIFY ---------------------------------------------------------------------------------------

  private schedule(live: LiveSubscription): void {
    if (live.ended || this.closed) return;
    live.pending = true;
    if (!live.inFlight) this.sendNext(live);
  }

  private sendNext(live: LiveSubscription): void {
    if (!live.pending || live.ended || this.closed) return;
    live.pending = false;
    const rec = live.rec;
    const body = this.buildBody(live);
    // The hint is gone: the subscription ends with a body-less NOTIFY (RFC 6665 §4.2.2 allows it).
    if (body === null && live.terminate === null) live.terminate = 'terminated;reason=noresource';
    const final = live.terminate;
    const state = final ?? (rec.compat === 'asterisk' ? 'active' : this.activeState(rec.expiresAt));
    const req = notifyRequest(rec.dialog, {
      event: rec.eventHeader,
      subscriptionState: state,
      allowEvents: ALLOW_EVENTS,
      contentType: body === null ? null : rec.bodyType,
      body,
    });
    // CSeq and version are not written per NOTIFY (that would be a store write per NOTIFY on a
    // fan-out); refresh and shutdown write them, a crash is covered by CRASH_SEQUENCE_MARGIN.
    if (final !== null) this.drop(live, final);
    live.inFlight = true;
    const dest: Endpoint = rec.dialog.dest;
    const stack = this.deps.stack();
    if (!stack) {
      this.notifyDone(live, 'timeout');
      return;
    }
    try {
      const connectionId = rec.dialog.connectionId;
      stack.request(req, dest, new NotifyOutcome(live, this.notifyDone), connectionId === null ? undefined : { connectionId });
    } catch (err) {
      this.deps.log.warn({ err, id: rec.id }, 'NOTIFY could not be sent');
      this.notifyDone(live, 'timeout');
    }
  }

  /**
   * `active;expires=<seconds left>` (RFC 6665 §4.1.3). The text is kept for the next NOTIFY: in
   * a fan-out the watchers that subscribed about the same time share it.
   */
  private activeState(expiresAt: number): string {
    const left = Math.max(0, Math.round((expiresAt - this.deps.clock.wallNow()) / 1000));
    if (left !== this.lastLeft) {
      this.lastLeft = left;
      this.lastActiveState = `active;expires=${left}`;
    }
    return this.lastActiveState;
  }

  private lastLeft = -1;
  private lastActiveState = '';

  /** A NOTIFY of `live` was answered (or not): the next one, or the end of the subscription. */
  private readonly notifyDone = (live: LiveSubscription, outcome: NotifyResult): void => {
    live.inFlight = false;
    if (live.ended) return;
    if (outcome === 'ok' || outcome === 'keep') live.timeouts = 0;
    if (outcome === 'gone') {
      this.drop(live, 'NOTIFY rejected');
      return;
    }
    if (outcome === 'timeout') {
      live.timeouts += 1;
      if (live.timeouts >= MAX_NOTIFY_TIMEOUTS) {
        this.drop(live, `${MAX_NOTIFY_TIMEOUTS} NOTIFY timeouts`);
        return;
      }
    }
    this.sendNext(live);
  };

  /**
   * The body for the current state, or null when the hint no longer exists. Extension-state
   * bodies come from the hint group's cache: built once per hint change for each distinct input
   * (the builders are pure functions of it) and shared by every NOTIFY that carries them.
   */
  private buildBody(live: LiveSubscription): Buffer | null {
    const rec = live.rec;
    if (rec.bodyType === 'application/simple-message-summary') {
      const counts = (this.deps.mailboxCounts ?? NO_MESSAGES)(rec.mailbox ?? '');
      return Buffer.from(buildMessageSummary({ ...counts, account: rec.account, compat: rec.compat }), 'utf8');
    }
    const group = live.group;
    const hint = group ? (group.view ??= this.deps.hints.find(rec.context, rec.exten) ?? null) : (this.deps.hints.find(rec.context, rec.exten) ?? null);
    if (!hint) return null;
    const dialogInfo = rec.bodyType === 'application/dialog-info+xml';
    // chan_sip's "Not online" (asterisk bodies only) and the ringing caller (dialog-info only)
    // are read at send time, as they are not part of the hint's change notifications.
    const allDevicesUnavailable = rec.compat === 'asterisk' && hint.devices.length > 0 && hint.devices.every((d) => this.deps.hints.deviceState(d) === 'UNAVAILABLE');
    const ringingCaller = dialogInfo ? (this.deps.ringingCaller?.(rec.context, rec.exten) ?? null) : null;
    let key = live.bodyKey;
    if (allDevicesUnavailable) key += '\u0000u';
    if (dialogInfo) key += `\u0000${rec.version}\u0000${ringingCaller ? `${ringingCaller.number}\u0000${ringingCaller.name}` : ''}`;
    let body = group?.bodies.get(key);
    if (body === undefined) {
      const text = buildExtenStateBody(rec.bodyType, {
        exten: rec.exten,
        state: hint.state,
        presence: hint.presence,
        presentityUri: rec.dialog.localUri,
        watcherUri: rec.dialog.remoteUri,
        digium: rec.digium,
        compat: rec.compat,
        version: rec.version,
        allDevicesUnavailable,
        ringingCaller,
      });
      body = Buffer.from(text, rec.compat === 'asterisk' && rec.bodyType === 'application/pidf+xml' ? 'latin1' : 'utf8');
      if (group) {
        if (group.bodies.size >= BODY_CACHE_MAX) group.bodies.clear();
        group.bodies.set(key, body);
      }
    }
    if (dialogInfo) rec.version += 1;
    rec.lastState = hint.state;
    // The view is a snapshot nobody mutates: every watcher of this change shares it.
    rec.lastPresence = hint.presence;
    return body;
  }

  // ---- restart -------------------------------------------------------------------------------------

  /**
   * Continue stored subscriptions: expired ones are deleted; the others are indexed and their
   * timers re-armed; a NOTIFY goes out only when the state differs from the last one sent.
   * Subscriptions whose hint does not exist yet are returned so the caller can retry after the
   * dialplan's hints arrive (retryPending) — then they end with noresource.
   */
  restore(records: SubscriptionRecord[], cleanShutdown = true): { restored: number; expired: number } {
    const now = this.deps.clock.wallNow();
    let restored = 0;
    let expired = 0;
    for (const rec of records) {
      if (rec.expiresAt <= now) {
        expired += 1;
        this.deps.store.remove(rec.id);
        continue;
      }
      if (!cleanShutdown) {
        rec.dialog.localCseq += CRASH_SEQUENCE_MARGIN;
        if (rec.version > 0) rec.version += CRASH_SEQUENCE_MARGIN;
        this.deps.store.update(rec);
      }
      const live = this.makeLive(rec);
      restored += 1;
      if (this.activate(live)) this.notifyIfChanged(live);
      else this.waitingForHint.add(live);
    }
    return { restored, expired };
  }

  private readonly waitingForHint = new Set<LiveSubscription>();

  /** Hints were (re)loaded: attach restored subscriptions that were waiting; the rest end (noresource). */
  retryPending(): void {
    // A reload may change a hint's device list without a state change: read hints afresh.
    for (const g of this.groups.values()) {
      g.view = null;
      g.bodies.clear();
    }
    for (const live of [...this.waitingForHint]) {
      this.waitingForHint.delete(live);
      if (live.ended) continue;
      if (this.join(live)) this.notifyIfChanged(live);
      else this.end(live, 'terminated;reason=noresource');
    }
  }

  private notifyIfChanged(live: LiveSubscription): void {
    const rec = live.rec;
    if (rec.event === 'message-summary') return;
    const hint = this.deps.hints.find(rec.context, rec.exten);
    if (!hint) return;
    const p = rec.lastPresence;
    if (hint.state !== rec.lastState || hint.presence.state !== p.state || hint.presence.subtype !== p.subtype || hint.presence.message !== p.message) {
      this.schedule(live);
    }
  }

  // ---- views and shutdown -----------------------------------------------------------------------------

  list(): SubscriptionSummary[] {
    return [...this.allLive()]
      .filter((l) => !l.ended)
      .map((l) => ({
        address: l.rec.dialog.dest.address,
        peer: l.rec.peer,
        callId: l.rec.dialog.callId,
        exten: l.rec.exten,
        context: l.rec.context,
        lastState: l.rec.event === 'message-summary' ? '--' : extensionStateText(l.rec.lastState),
        event: l.rec.event,
        bodyType: l.rec.bodyType,
        mailbox: l.rec.event === 'message-summary' ? l.rec.mailbox : null,
        expiresSec: l.rec.expiresSec,
        createdAt: l.rec.createdAt,
      }));
  }

  count(): number {
    return this.byDialog.size + this.collided.size;
  }

  /**
   * Server shutdown: stop timers and watchers, write every subscription's current CSeq and
   * version and the clean-shutdown mark, keep them stored (the phones still hold their dialogs;
   * the next start continues them). No NOTIFY is sent.
   */
  close(): void {
    this.closed = true;
    for (const live of this.allLive()) {
      if (!live.ended) this.deps.store.update(live.rec);
      live.group = null;
    }
    for (const g of this.groups.values()) {
      g.unwatch?.();
      g.unwatch = null;
      g.members.clear();
    }
    this.groups.clear();
    this.expiry.clear();
    this.queue = [];
    this.queueHead = 0;
    this.byDialog.clear();
    this.collided.clear();
    this.waitingForHint.clear();
    this.deps.store.markClean();
  }
}
