/**
 * One subscription as stored: everything needed to continue the dialog after a restart (same
 * Call-ID, tags, CSeq, route set, remote target) and to rebuild its bodies. Stored as JSON in
 * the store family SIP/Subscription, one key per subscription, written before the 200 OK.
 */
import { createHash } from 'node:crypto';
import type { KvStore } from '../store/types.js';
import type { Logger } from '../core/log.js';
import type { PresenceInfo } from '../state/presence-state.js';
import type { BodyType, PresenceCompat } from './bodies/types.js';
import type { NotifierDialog } from './dialog.js';
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
const FORMAT_VERSION = 1;

export interface SubscriptionRecord {
  /** Store key: a hash of Call-ID and both tags (no '/' whatever the Call-ID holds). */
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

export function subscriptionId(callId: string, remoteTag: string, localTag: string): string {
  return createHash('sha1').update(`${callId}\u0000${remoteTag}\u0000${localTag}`).digest('hex').slice(0, 24);
}

interface StoredShape extends SubscriptionRecord {
  v: number;
}

export function encodeRecord(rec: SubscriptionRecord): string {
  const out: StoredShape = { v: FORMAT_VERSION, ...rec };
  return JSON.stringify(out);
}

/** Parse a stored record; null when it is not one this version understands. */
export function decodeRecord(text: string): SubscriptionRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const r = raw as Partial<StoredShape>;
  if (r.v !== FORMAT_VERSION || typeof r.id !== 'string' || typeof r.dialog !== 'object' || r.dialog === null) return null;
  if (typeof r.expiresAt !== 'number' || typeof r.exten !== 'string' || typeof r.event !== 'string') return null;
  const { v: _v, ...rec } = r as StoredShape;
  return rec;
}

/** Writes records; failures are logged (the caller decides whether they matter). */
export class SubscriptionStore {
  constructor(
    private readonly store: KvStore,
    private readonly log: Logger,
  ) {}

  put(rec: SubscriptionRecord): Promise<void> {
    return this.store.put(SUBSCRIPTION_FAMILY, rec.id, encodeRecord(rec));
  }

  /** Best-effort update (CSeq/version moved on); errors only logged. */
  update(rec: SubscriptionRecord): void {
    this.put(rec).catch((err: unknown) => this.log.warn({ err, id: rec.id }, 'could not store SIP subscription'));
  }

  remove(id: string): void {
    this.store.del(SUBSCRIPTION_FAMILY, id).catch((err: unknown) => this.log.warn({ err, id }, 'could not delete SIP subscription'));
  }

  /** Mark that every record is current (clean shutdown). */
  markClean(): void {
    this.store.put(SUBSCRIPTION_FAMILY, CLEAN_SHUTDOWN_KEY, String(Date.now())).catch((err: unknown) => this.log.warn({ err }, 'could not mark SIP subscriptions clean'));
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
      const rec = decodeRecord(e.value);
      if (rec && rec.id === key) out.push(rec);
      else {
        this.log.warn({ key: e.key }, 'dropping unreadable stored SIP subscription');
        this.remove(key);
      }
    }
    return out;
  }
}
