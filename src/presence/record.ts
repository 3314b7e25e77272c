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

  /** Every stored record (undecodable ones are deleted). */
  loadAll(): SubscriptionRecord[] {
    const out: SubscriptionRecord[] = [];
    const prefix = `/${SUBSCRIPTION_FAMILY}/`;
    for (const e of this.store.entries(SUBSCRIPTION_FAMILY)) {
      const key = e.key.startsWith(prefix) ? e.key.slice(prefix.length) : e.key;
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
