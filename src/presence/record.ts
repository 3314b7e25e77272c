/**
 * One subscription as stored: everything needed to continue the dialog after a restart (same
 * Call-ID, tags, CSeq, route set, remote target) and to rebuild its bodies. Stored as JSON in
 * the store family SIP/Subscription, one key per subscription, written before the 200 OK
 * (format 3: a compact JSON array, see encodeRecord; formats 2 and 1 are still read).
 */
import type { KvStore } from '../store/types.js';
import type { Clock, TimerHandle } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PresenceInfo } from '../state/presence-state.js';
import type { BodyType, PresenceCompat } from './bodies/types.js';
import { NO_ROUTES, type NotifierDialog } from './dialog.js';
import type { Endpoint } from '../sip/transport/types.js';
import type { EventPackage } from './negotiate.js';

export const SUBSCRIPTION_FAMILY = 'SIP/Subscription';
/** Written at a clean shutdown after every record was brought up to date; removed at start. */
export const CLEAN_SHUTDOWN_KEY = 'clean-shutdown';
/**
 * After a crash the stored CSeq and dialog-info version may be behind what was sent (they are
 * written on subscribe, refresh and shutdown, not per NOTIFY): both jump ahead by this much so
 * they still only grow (RFC 3261 §12.2.1.1; RFC 4235 §4.1 lets a full document skip versions).
 */
export const CRASH_SEQUENCE_MARGIN = 1000;
const FORMAT_VERSION = 3;

export interface SubscriptionRecord {
  /**
   * Store key (no '/'): our local tag, unique among live subscriptions (herald before format 3:
   * a hash of Call-ID and both tags; such records keep their key).
   */
  id: string;
  event: EventPackage;
  /** The Event header value as the subscriber sent it (echoed in NOTIFY, RFC 6665 §8.2.1 id param). */
  eventHeader: string;
  bodyType: BodyType;
  /** The authenticated peer's name. */
  peer: string;
  context: string;
  exten: string;
  /** message-summary: the peer's mailbox(es). */
  mailbox: string | null;
  /** message-summary: Message-Account URI. */
  account: string | null;
  userAgent: string;
  digium: boolean;
  compat: PresenceCompat;
  /** Granted duration, seconds. */
  expiresSec: number;
  /** Wall-clock ms when it ends without a refresh. */
  expiresAt: number;
  /** Next dialog-info version. */
  version: number;
  /** What the last NOTIFY said (CLI "Last state"; restart compares with it). */
  lastState: number;
  lastPresence: PresenceInfo;
  /** Wall-clock ms of the initial SUBSCRIBE. */
  createdAt: number;
  dialog: NotifierDialog;
}

interface StoredShapeV1 extends SubscriptionRecord {
  v: number;
}

/** How an Endpoint's address is written in a URI (IPv6 in brackets). */
function uriHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

const AT = 0x40; // '@'

/** The remote target most phones send: their From user at the address the SUBSCRIBE came from. */
function usualTarget(remoteUri: string, dest: Endpoint): string | null {
  const m = /^sip:([^@;?]+)@/.exec(remoteUri);
  return m ? `sip:${m[1]}@${uriHost(dest.address)}:${dest.port}` : null;
}

/** target === usualTarget(remoteUri, dest), without building it. */
function isUsualTarget(target: string, remoteUri: string, dest: Endpoint): boolean {
  if (!remoteUri.startsWith('sip:')) return false;
  let at = 4;
  for (; at < remoteUri.length; at++) {
    const c = remoteUri.charCodeAt(at);
    if (c === AT || c === 0x3b || c === 0x3f) break; // '@' ';' '?'
  }
  if (at === 4 || remoteUri.charCodeAt(at) !== AT) return false;
  // `sip:USER@` is the same in both.
  for (let i = 0; i <= at; i++) if (target.charCodeAt(i) !== remoteUri.charCodeAt(i)) return false;
  const address = dest.address;
  const v6 = address.includes(':');
  let pos = at + 1;
  if (v6) {
    if (target.charCodeAt(pos) !== 0x5b) return false; // '['
    pos += 1;
  }
  if (!target.startsWith(address, pos)) return false;
  pos += address.length;
  if (v6) {
    if (target.charCodeAt(pos) !== 0x5d) return false; // ']'
    pos += 1;
  }
  const port = String(dest.port);
  return target.charCodeAt(pos) === 0x3a && target.length === pos + 1 + port.length && target.endsWith(port);
}

/** address === `<${uri}>`, without building it. */
function isBracketed(address: string, uri: string): boolean {
  return address.length === uri.length + 2 && address.charCodeAt(0) === 0x3c && address.charCodeAt(address.length - 1) === 0x3e && address.startsWith(uri, 1);
}

/**
 * The subscriber's From as most phones write it, `<sip:PEER@DOMAIN>`, stored as `@DOMAIN`;
 * anything else as it is (a name-addr or URI never starts with '@').
 */
function encodeRemoteAddress(remoteAddress: string, peer: string): string {
  const at = 5 + peer.length;
  const last = remoteAddress.length - 1;
  if (remoteAddress.startsWith('<sip:') && remoteAddress.startsWith(peer, 5) && remoteAddress.charCodeAt(at) === AT && remoteAddress.indexOf('>', at) === last) {
    return remoteAddress.slice(at, last);
  }
  return remoteAddress;
}

function decodeRemoteAddress(stored: string, peer: string): string {
  return stored.startsWith('@') ? `<sip:${peer}${stored}>` : stored;
}

/** The To of the SUBSCRIBE when it is `<sip:EXTEN@DOMAIN>` with the From's domain (null: no such domain). */
function usualLocalAddress(exten: string, storedRemote: string): string | null {
  return storedRemote.startsWith('@') ? `<sip:${exten}${storedRemote}>` : null;
}

/** localAddress === usualLocalAddress(exten, storedRemote), without building it. */
function isUsualLocalAddress(localAddress: string, exten: string, storedRemote: string): boolean {
  return (
    storedRemote.charCodeAt(0) === AT &&
    localAddress.length === 6 + exten.length + storedRemote.length &&
    localAddress.startsWith('<sip:') &&
    localAddress.startsWith(exten, 5) &&
    localAddress.startsWith(storedRemote, 5 + exten.length) &&
    localAddress.charCodeAt(localAddress.length - 1) === 0x3e
  );
}

/** lastPresence of a subscription that has not notified yet (shared, never mutated). */
export const NOT_SET: PresenceInfo = Object.freeze({ state: 'not_set', subtype: '', message: '' });

const MEDIA_PREFIX = 'application/';
const EVENT_CODES: readonly EventPackage[] = ['presence', 'dialog', 'message-summary'];
/** RFC 6665 §8.2.1: each package's default body (written as 0). */
const DEFAULT_BODY: Readonly<Record<EventPackage, BodyType>> = {
  presence: 'application/pidf+xml',
  dialog: 'application/dialog-info+xml',
  'message-summary': 'application/simple-message-summary',
};
const FIELDS_V3 = 34;

/**
 * Format 3: one JSON array in a fixed field order, without field names; what can be derived
 * from other fields is written as 0 (or shortened): the event's default body type, an Event
 * header equal to the package name, null, the local tag when it is the store key, a From of
 * `<sip:PEER@DOMAIN>` (as `@DOMAIN`) and a To of `<sip:EXTEN@DOMAIN>`, URIs that merely repeat
 * their address, a creation time equal to expiresAt − expiresSec (never refreshed), an
 * unset lastPresence, an empty route set, UDP, the usual remote target (From user at the
 * source address), and our Contact's `sip:<exten>` start. ~170 bytes for a typical phone
 * where format 2 took ~260 and format 1 ~880; the store keeps every value in memory as well
 * as in SQLite, so this is per-subscription memory.
 */
export function encodeRecord(rec: SubscriptionRecord): string {
  const d = rec.dialog;
  const p = rec.lastPresence;
  const exten = rec.exten;
  // Written per SUBSCRIBE: the checks below compare in place instead of building the usual
  // forms as strings first.
  const remote = encodeRemoteAddress(d.remoteAddress, rec.peer);
  const contactAt = 4 + exten.length;
  return JSON.stringify([
    FORMAT_VERSION,
    EVENT_CODES.indexOf(rec.event),
    rec.eventHeader === rec.event ? 0 : rec.eventHeader,
    rec.bodyType === DEFAULT_BODY[rec.event] ? 0 : rec.bodyType.startsWith(MEDIA_PREFIX) ? rec.bodyType.slice(MEDIA_PREFIX.length) : rec.bodyType,
    rec.peer,
    rec.context,
    exten,
    rec.mailbox ?? 0,
    rec.account ?? 0,
    rec.userAgent,
    rec.digium ? 1 : 0,
    rec.compat === 'asterisk' ? 1 : 0,
    rec.expiresSec,
    rec.expiresAt,
    rec.createdAt === rec.expiresAt - rec.expiresSec * 1000 ? 0 : rec.createdAt,
    rec.version,
    rec.lastState,
    p.state === 'not_set' && p.subtype === '' && p.message === '' ? 0 : [p.state, p.subtype, p.message],
    d.callId,
    d.localTag === rec.id ? 0 : d.localTag,
    d.remoteTag,
    isUsualLocalAddress(d.localAddress, exten, remote) ? 0 : d.localAddress,
    remote,
    isBracketed(d.localAddress, d.localUri) ? 0 : d.localUri,
    isBracketed(d.remoteAddress, d.remoteUri) ? 0 : d.remoteUri,
    isUsualTarget(d.remoteTarget, d.remoteUri, d.dest) ? 0 : d.remoteTarget,
    d.routeSet.length === 0 ? 0 : d.routeSet,
    d.localCseq,
    d.remoteCseq,
    d.dest.proto === 'UDP' ? 0 : d.dest.proto,
    d.dest.address,
    d.dest.port,
    d.connectionId ?? 0,
    exten !== '' && d.contact.startsWith('sip:') && d.contact.startsWith(exten, 4) && d.contact.charCodeAt(contactAt) === AT ? d.contact.slice(contactAt) : d.contact,
  ]);
}

const isStr = (x: unknown): x is string => typeof x === 'string';
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const isStrOrNull = (x: unknown): x is string | null => x === null || typeof x === 'string';
const isStrOr0 = (x: unknown): x is string | 0 => x === 0 || typeof x === 'string';
const isProto = (x: unknown): x is Endpoint['proto'] => x === 'UDP' || x === 'TCP' || x === 'TLS' || x === 'WS' || x === 'WSS';
const routesOf = (x: string[]): readonly string[] => (x.length === 0 ? NO_ROUTES : x);

function decodeV3(a: unknown[], id: string): SubscriptionRecord | null {
  if (a.length !== FIELDS_V3) return null;
  const [, eventCode, eventHeader, body, peer, context, exten, mailbox, account, userAgent, digium, compat, expiresSec, expiresAt, createdAt, version, lastState] = a;
  const [presence, callId, localTag, remoteTag, localAddress, remoteAddress, localUri, remoteUri, remoteTarget, routeSet] = a.slice(17);
  const [localCseq, remoteCseq, proto, address, port, connectionId, contact] = a.slice(27);
  const event = typeof eventCode === 'number' ? EVENT_CODES[eventCode] : undefined;
  if (event === undefined || !isStrOr0(eventHeader) || !isStrOr0(body) || !isStr(peer) || !isStr(context) || !isStr(exten)) return null;
  if (!isStrOr0(mailbox) || !isStrOr0(account) || !isStr(userAgent) || (digium !== 0 && digium !== 1) || (compat !== 0 && compat !== 1)) return null;
  if (!isNum(expiresSec) || !isNum(expiresAt) || !isNum(createdAt) || !isNum(version) || !isNum(lastState)) return null;
  if (presence !== 0 && !(Array.isArray(presence) && presence.length === 3 && presence.every(isStr))) return null;
  if (!isStr(callId) || !isStrOr0(localTag) || !isStr(remoteTag) || !isStrOr0(localAddress) || !isStr(remoteAddress)) return null;
  if (!isStrOr0(localUri) || !isStrOr0(remoteUri) || !isStrOr0(remoteTarget)) return null;
  if (!(routeSet === 0 || (Array.isArray(routeSet) && routeSet.every(isStr))) || !isNum(localCseq) || !isNum(remoteCseq)) return null;
  if (!(proto === 0 || isProto(proto)) || !isStr(address) || !isNum(port) || !isStrOr0(connectionId) || !isStr(contact)) return null;
  const dest: Endpoint = { proto: proto === 0 ? 'UDP' : proto, address, port };
  const fromAddress = decodeRemoteAddress(remoteAddress, peer);
  const toAddress = localAddress === 0 ? usualLocalAddress(exten, remoteAddress) : localAddress;
  if (toAddress === null) return null;
  const fromUri = remoteUri === 0 ? fromAddress.slice(1, -1) : remoteUri;
  const target = remoteTarget === 0 ? usualTarget(fromUri, dest) : remoteTarget;
  if (target === null) return null;
  const bodyType = body === 0 ? DEFAULT_BODY[event] : ((body.includes('/') ? body : MEDIA_PREFIX + body) as BodyType);
  return {
    id,
    event,
    eventHeader: eventHeader === 0 ? event : eventHeader,
    bodyType,
    peer,
    context,
    exten,
    mailbox: mailbox === 0 ? null : mailbox,
    account: account === 0 ? null : account,
    userAgent,
    digium: digium === 1,
    compat: compat === 1 ? 'asterisk' : 'herald',
    expiresSec,
    expiresAt,
    version,
    lastState,
    lastPresence: presence === 0 ? NOT_SET : { state: presence[0] as PresenceInfo['state'], subtype: presence[1] as string, message: presence[2] as string },
    createdAt: createdAt === 0 ? expiresAt - expiresSec * 1000 : createdAt,
    dialog: {
      callId,
      localTag: localTag === 0 ? id : localTag,
      remoteTag,
      localAddress: toAddress,
      remoteAddress: fromAddress,
      localUri: localUri === 0 ? toAddress.slice(1, -1) : localUri,
      remoteUri: fromUri,
      remoteTarget: target,
      routeSet: routeSet === 0 ? NO_ROUTES : routesOf(routeSet as string[]),
      localCseq,
      remoteCseq,
      dest,
      connectionId: connectionId === 0 ? null : connectionId,
      contact: contact.startsWith('@') ? `sip:${exten}${contact}` : contact,
    },
  };
}

/** Format 2 (herald before format 3): the same order with fewer fields derived. */
const FIELDS_V2 = 36;

function decodeV2(a: unknown[], id: string): SubscriptionRecord | null {
  if (a.length !== FIELDS_V2) return null;
  const [, event, eventHeader, body, peer, context, exten, mailbox, account, userAgent, digium, compat, expiresSec, expiresAt, version, lastState] = a;
  const [ps, psub, pmsg, createdAt, callId, localTag, remoteTag, localAddress, remoteAddress, localUri, remoteUri, remoteTarget, routeSet] = a.slice(16);
  const [localCseq, remoteCseq, proto, address, port, connectionId, contact] = a.slice(29);
  if (!isStr(event) || !(EVENT_CODES as readonly string[]).includes(event) || !(eventHeader === 0 || isStr(eventHeader)) || !isStr(body) || !isStr(peer) || !isStr(context) || !isStr(exten)) return null;
  if (!isStrOrNull(mailbox) || !isStrOrNull(account) || !isStr(userAgent) || (digium !== 0 && digium !== 1) || (compat !== 'herald' && compat !== 'asterisk')) return null;
  if (!isNum(expiresSec) || !isNum(expiresAt) || !isNum(version) || !isNum(lastState) || !isStr(ps) || !isStr(psub) || !isStr(pmsg) || !isNum(createdAt)) return null;
  if (!isStr(callId) || !isStr(localTag) || !isStr(remoteTag) || !isStr(localAddress) || !isStr(remoteAddress)) return null;
  if (!(localUri === 0 || isStr(localUri)) || !(remoteUri === 0 || isStr(remoteUri)) || !isStr(remoteTarget)) return null;
  if (!Array.isArray(routeSet) || !routeSet.every(isStr) || !isNum(localCseq) || !isNum(remoteCseq)) return null;
  if (!isProto(proto) || !isStr(address) || !isNum(port) || !isStrOrNull(connectionId) || !isStr(contact)) return null;
  return {
    id,
    event: event as EventPackage,
    eventHeader: eventHeader === 0 ? event : eventHeader,
    bodyType: (body.includes('/') ? body : MEDIA_PREFIX + body) as BodyType,
    peer,
    context,
    exten,
    mailbox,
    account,
    userAgent,
    digium: digium === 1,
    compat,
    expiresSec,
    expiresAt,
    version,
    lastState,
    lastPresence: ps === 'not_set' && psub === '' && pmsg === '' ? NOT_SET : { state: ps as PresenceInfo['state'], subtype: psub, message: pmsg },
    createdAt,
    dialog: {
      callId,
      localTag,
      remoteTag,
      localAddress,
      remoteAddress,
      localUri: localUri === 0 ? localAddress.slice(1, -1) : localUri,
      remoteUri: remoteUri === 0 ? remoteAddress.slice(1, -1) : remoteUri,
      remoteTarget,
      routeSet: routesOf(routeSet as string[]),
      localCseq,
      remoteCseq,
      dest: { proto, address, port },
      connectionId,
      contact,
    },
  };
}

/**
 * Parse a stored record (format 3, 2, or format 1 from an older herald); null when it is not one
 * this version understands. `id` is its store key (format 1 also carries it inside).
 */
export function decodeRecord(text: string, id: string): SubscriptionRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (Array.isArray(raw)) {
    if (raw[0] === FORMAT_VERSION) return decodeV3(raw, id);
    return raw[0] === 2 ? decodeV2(raw, id) : null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Partial<StoredShapeV1>;
  if (r.v !== 1 || typeof r.id !== 'string' || typeof r.dialog !== 'object' || r.dialog === null) return null;
  if (typeof r.expiresAt !== 'number' || typeof r.exten !== 'string' || typeof r.event !== 'string') return null;
  const { v: _v, ...rec } = r as StoredShapeV1;
  return rec;
}

/** Told once a record's write was committed, or failed (putThen: no promise per write). */
export interface StoreWaiter {
  stored(): void;
  failed(err: unknown): void;
}

/**
 * Writes gathered for one store commit (id → record, or null: delete it) and the one promise
 * every put of them gets: no promise, executor and waiter list per SUBSCRIBE.
 */
class GatheredWrites {
  readonly writes = new Map<string, SubscriptionRecord | null>();
  /** putThen's waiters, told in order after the commit. */
  readonly waiters: StoreWaiter[] = [];
  readonly committed: Promise<void>;
  resolve!: () => void;
  reject!: (err: unknown) => void;

  constructor() {
    this.committed = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A batch of deletes only has no waiter; their failures are logged by deleteNow.
    this.committed.catch(() => undefined);
  }
}

/** A batch is handed to the store at once when it reaches this many writes. */
const MAX_WRITE_BATCH = 1000;

export interface SubscriptionStoreOptions {
  /**
   * Gather writes for this long (ms) so that many SUBSCRIBEs share one store commit (an SQLite
   * commit is an fsync, a few ms on a disk); 0 (default) hands each write to the store at once.
   * The 200 OK still waits for the commit of its subscription.
   */
  writeDelayMs?: number;
  clock?: Clock;
}

/** Writes records; failures are logged (the caller decides whether they matter). */
export class SubscriptionStore {
  private gathering: GatheredWrites | null = null;
  private flushTimer: TimerHandle | null = null;

  constructor(
    private readonly store: KvStore,
    private readonly log: Logger,
    private readonly opts: SubscriptionStoreOptions = {},
  ) {}

  /** Store a record (its latest state when the batch is written); resolves once committed. */
  put(rec: SubscriptionRecord): Promise<void> {
    const clock = this.gatherClock();
    if (!clock) return this.store.put(SUBSCRIPTION_FAMILY, rec.id, encodeRecord(rec));
    const batch = (this.gathering ??= new GatheredWrites());
    batch.writes.set(rec.id, rec);
    this.gathered(batch, clock);
    return batch.committed;
  }

  /**
   * put() for a caller with many writes in flight (a SUBSCRIBE burst): `waiter` is told after the
   * commit, all of a batch's waiters from one promise callback instead of one reaction each.
   */
  putThen(rec: SubscriptionRecord, waiter: StoreWaiter): void {
    const clock = this.gatherClock();
    if (!clock) {
      this.store.put(SUBSCRIPTION_FAMILY, rec.id, encodeRecord(rec)).then(
        () => waiter.stored(),
        (err: unknown) => waiter.failed(err),
      );
      return;
    }
    const batch = (this.gathering ??= new GatheredWrites());
    batch.writes.set(rec.id, rec);
    batch.waiters.push(waiter);
    this.gathered(batch, clock);
  }

  /** Tell every waiter of a batch; one failing callback does not keep the others waiting. */
  private tell(waiters: StoreWaiter[], err: unknown, ok: boolean): void {
    for (const w of waiters) {
      try {
        if (ok) w.stored();
        else w.failed(err);
      } catch (cbErr) {
        this.log.error({ err: cbErr }, 'SIP subscription store callback failed');
      }
    }
  }

  /** The clock writes are gathered on, or null when each goes to the store at once. */
  private gatherClock(): Clock | null {
    const delay = this.opts.writeDelayMs ?? 0;
    const clock = this.opts.clock;
    return delay <= 0 || !clock ? null : clock;
  }

  /** One more write gathered: the batch goes now when it is full, else once the delay has passed. */
  private gathered(batch: GatheredWrites, clock: Clock): void {
    if (batch.writes.size >= MAX_WRITE_BATCH) this.flush();
    else this.flushTimer ??= clock.setTimer(this.opts.writeDelayMs ?? 0, () => this.flush());
  }

  /** Best-effort update (CSeq/version moved on); errors only logged. */
  update(rec: SubscriptionRecord): void {
    this.put(rec).catch((err: unknown) => this.log.warn({ err, id: rec.id }, 'could not store SIP subscription'));
  }

  remove(id: string): void {
    const clock = this.gatherClock();
    if (!clock) {
      this.deleteNow(id);
      return;
    }
    // Gathered like the writes (an unSUBSCRIBE costs no commit of its own); it replaces a
    // gathered write of the same record, which must not bring it back after the delete.
    const batch = (this.gathering ??= new GatheredWrites());
    batch.writes.set(id, null);
    this.gathered(batch, clock);
  }

  private deleteNow(id: string): void {
    this.store.del(SUBSCRIPTION_FAMILY, id).catch((err: unknown) => this.log.warn({ err, id }, 'could not delete SIP subscription'));
  }

  /** Mark that every record is current (clean shutdown); gathered writes go first. */
  markClean(): void {
    this.flush();
    this.store.put(SUBSCRIPTION_FAMILY, CLEAN_SHUTDOWN_KEY, String(Date.now())).catch((err: unknown) => this.log.warn({ err }, 'could not mark SIP subscriptions clean'));
  }

  /** Hand every gathered write to the store in this turn: the store commits them together. */
  flush(): void {
    this.opts.clock?.clear(this.flushTimer);
    this.flushTimer = null;
    const batch = this.gathering;
    this.gathering = null;
    if (batch === null) return;
    // A store that commits a turn's writes together returns the same promise for all of them.
    let last: Promise<void> | null = null;
    let commits: Array<Promise<void>> | null = null;
    for (const [id, rec] of batch.writes) {
      if (rec === null) {
        this.deleteNow(id);
        continue;
      }
      const p = this.store.put(SUBSCRIPTION_FAMILY, id, encodeRecord(rec));
      if (p === last) continue;
      if (last !== null) (commits ??= [last]).push(p);
      last = p;
    }
    if (commits !== null) Promise.all(commits).then(() => batch.resolve(), batch.reject);
    else if (last !== null) last.then(batch.resolve, batch.reject);
    else batch.resolve();
    const waiters = batch.waiters;
    if (waiters.length > 0) {
      batch.committed.then(
        () => this.tell(waiters, null, true),
        (err: unknown) => this.tell(waiters, err, false),
      );
    }
  }

  /** Whether the last shutdown was clean; the mark is removed (a crash from now on leaves none). */
  takeCleanMark(): boolean {
    const clean = this.store.get(SUBSCRIPTION_FAMILY, CLEAN_SHUTDOWN_KEY) !== undefined;
    if (clean) this.remove(CLEAN_SHUTDOWN_KEY);
    return clean;
  }

  /** Every stored record (undecodable ones are deleted). */
  loadAll(): SubscriptionRecord[] {
    const out: SubscriptionRecord[] = [];
    const prefix = `/${SUBSCRIPTION_FAMILY}/`;
    for (const e of this.store.entries(SUBSCRIPTION_FAMILY)) {
      const key = e.key.startsWith(prefix) ? e.key.slice(prefix.length) : e.key;
      if (key === CLEAN_SHUTDOWN_KEY) continue;
      const rec = decodeRecord(e.value, key);
      if (rec && rec.id === key) out.push(rec);
      else {
        this.log.warn({ key: e.key }, 'dropping unreadable stored SIP subscription');
        this.remove(key);
      }
    }
    return out;
  }
}
