/**
 * "Nothing lost" notifications (herald's own, not in Asterisk): JabberNotify keeps a message in
 * the store until the buddy is next Online or Chatty, then delivers it with its original time —
 * a XEP-0203 `<delay stamp=…>` element for clients that show it, and "(sent at HH:MM)" in the
 * text for those that do not. Entries expire (default 24 h, account option notify_expiry=).
 * The queue lives in the store (family `XMPPQueue/<account>`), so it survives restarts.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { KvStore } from '../store/types.js';

export const QUEUE_FAMILY = 'XMPPQueue';

export interface QueuedNotice {
  /** Store key (sorts in queue order). */
  id: string;
  account: string;
  /** Bare JID, lower-cased. */
  jid: string;
  body: string;
  /** Wall-clock ms when JabberNotify ran. */
  queuedAt: number;
  expiresAt: number;
}

interface StoredNotice {
  jid: string;
  body: string;
  queuedAt: number;
  expiresAt: number;
}

/** A sender the queue can deliver through (an XmppAccount). */
export interface NoticeSender {
  readonly name: string;
  readonly online: boolean;
  status(jid: string): number;
  sendChat(to: string, body: string, delay?: { stamp: Date }): boolean;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** "(sent at HH:MM)", with the date too when it was not today (server local time). */
export function sentAtText(queuedAt: number, now: number): string {
  const q = new Date(queuedAt);
  const n = new Date(now);
  const hm = `${pad2(q.getHours())}:${pad2(q.getMinutes())}`;
  const sameDay = q.getFullYear() === n.getFullYear() && q.getMonth() === n.getMonth() && q.getDate() === n.getDate();
  return sameDay ? `(sent at ${hm})` : `(sent at ${q.getFullYear()}-${pad2(q.getMonth() + 1)}-${pad2(q.getDate())} ${hm})`;
}

export class NotifyQueue {
  private seq = 0;
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly store: KvStore,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Every queued notice (optionally for one account), oldest first. */
  list(account?: string): QueuedNotice[] {
    const prefix = account === undefined ? QUEUE_FAMILY : `${QUEUE_FAMILY}/${account}`;
    const out: QueuedNotice[] = [];
    for (const e of this.store.entries(prefix)) {
      // /XMPPQueue/<account>/<id>
      const parts = e.key.split('/');
      if (parts.length !== 4) continue;
      try {
        const v = JSON.parse(e.value) as StoredNotice;
        if (typeof v.jid !== 'string' || typeof v.body !== 'string') continue;
        out.push({ id: parts[3]!, account: parts[2]!, jid: v.jid, body: v.body, queuedAt: Number(v.queuedAt), expiresAt: Number(v.expiresAt) });
      } catch {
        this.log.warn(`xmpp queue: unreadable entry ${e.key} ignored`);
      }
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Keep a message for `jid` (durable once the promise resolves). */
  async add(account: string, jid: string, body: string, expirySeconds: number): Promise<QueuedNotice> {
    const now = this.clock.wallNow();
    const id = `${String(now).padStart(15, '0')}-${String(this.seq++ % 1e6).padStart(6, '0')}`;
    const n: QueuedNotice = { id, account, jid: jid.toLowerCase(), body, queuedAt: now, expiresAt: now + expirySeconds * 1000 };
    const stored: StoredNotice = { jid: n.jid, body, queuedAt: n.queuedAt, expiresAt: n.expiresAt };
    await this.store.put(`${QUEUE_FAMILY}/${account}`, id, JSON.stringify(stored));
    return n;
  }

  /**
   * Deliver what waits for `jid` (every buddy when jid is omitted) through `sender` if that buddy
   * is Online (1) or Chatty (2) now. Expired entries are dropped with a log line. Resolves the number sent.
   */
  async deliver(sender: NoticeSender, jid?: string): Promise<number> {
    let sent = 0;
    const now = this.clock.wallNow();
    for (const n of this.list(sender.name)) {
      if (jid !== undefined && n.jid !== jid.toLowerCase()) continue;
      if (this.inFlight.has(n.id)) continue;
      if (n.expiresAt <= now) {
        await this.drop(n, 'expired');
        continue;
      }
      const st = sender.status(n.jid);
      if (!sender.online || (st !== 1 && st !== 2)) continue;
      this.inFlight.add(n.id);
      try {
        if (!sender.sendChat(n.jid, `${n.body} ${sentAtText(n.queuedAt, now)}`, { stamp: new Date(n.queuedAt) })) continue;
        sent++;
        await this.store.del(`${QUEUE_FAMILY}/${n.account}`, n.id);
        this.log.info(`xmpp ${n.account}: delivered a message queued at ${new Date(n.queuedAt).toISOString()} to ${n.jid}`);
      } finally {
        this.inFlight.delete(n.id);
      }
    }
    return sent;
  }

  /** Drop expired entries of every account; resolves how many. */
  async expire(): Promise<number> {
    const now = this.clock.wallNow();
    let n = 0;
    for (const e of this.list()) {
      if (e.expiresAt > now || this.inFlight.has(e.id)) continue;
      await this.drop(e, 'expired');
      n++;
    }
    return n;
  }

  private async drop(n: QueuedNotice, why: string): Promise<void> {
    await this.store.del(`${QUEUE_FAMILY}/${n.account}`, n.id);
    this.log.warn(`xmpp ${n.account}: message for ${n.jid} queued at ${new Date(n.queuedAt).toISOString()} dropped (${why}): ${n.body}`);
  }
}
