/**
 * Buddies and their resources (asterisk-dialplan-xmpp.md §6.5). A buddy is a bare JID; each
 * online resource has a show value 1..5, a priority and a description. herald follows res_jabber
 * and RFC 6121 routing: a buddy's status is that of its HIGHEST-priority resource (ties: the one
 * that came online first). res_xmpp 13.16+ actually answers with the resource whose priority is
 * smallest modulo 53 (a hash-container iteration order); see docs/xmpp.md.
 *
 * Status codes: 1 Online, 2 Chatty, 3 Away, 4 XAway, 5 DND, 6 Offline (known, no resource
 * online), 7 Not in roster.
 */
import { bareOf } from './jid.js';

export const STATUS_ONLINE = 1;
export const STATUS_CHATTY = 2;
export const STATUS_OFFLINE = 6;
export const STATUS_NOT_IN_ROSTER = 7;

export const STATUS_NAMES: Record<number, string> = {
  1: 'Online', 2: 'Chatty', 3: 'Away', 4: 'XAway', 5: 'DND', 6: 'Offline', 7: 'Not in roster',
};

/** `<show>` text → status 1..5 (iksemel: no show or an unknown one means available). */
export function showToStatus(show: string | undefined): number {
  switch (show) {
    case 'chat': return 2;
    case 'away': return 3;
    case 'xa': return 4;
    case 'dnd': return 5;
    default: return 1;
  }
}

export interface ResourceInfo {
  name: string;
  status: number;
  priority: number;
  description: string;
  /** XEP-0115 caps node and ver when the presence carried them. */
  capsNode: string;
  capsVer: string;
  capsExt: string;
  /** Arrival order: ties in priority go to the earlier one. */
  seq: number;
}

export interface Buddy {
  jid: string;
  /** From a buddy= line. */
  configured: boolean;
  /** Roster subscription: none, to, from, both ('' before the roster said). */
  subscription: string;
  /** We asked to see this buddy's presence in this session (or the roster says ask=subscribe). */
  subscribeSent: boolean;
  resources: Map<string, ResourceInfo>;
}

export class BuddyTable {
  private readonly buddies = new Map<string, Buddy>();
  private seq = 0;

  /** Start from the configured buddies (all with no resource online). */
  constructor(configured: readonly string[] = []) {
    for (const j of configured) this.add(j, true);
  }

  add(jid: string, configured = false): Buddy {
    const key = jid.toLowerCase();
    let b = this.buddies.get(key);
    if (!b) {
      b = { jid: key, configured, subscription: '', subscribeSent: false, resources: new Map() };
      this.buddies.set(key, b);
    } else if (configured) b.configured = true;
    return b;
  }

  remove(jid: string): boolean {
    return this.buddies.delete(jid.toLowerCase());
  }

  get(jid: string): Buddy | undefined {
    return this.buddies.get(bareOf(jid) || jid.toLowerCase());
  }

  list(): Buddy[] {
    return [...this.buddies.values()];
  }

  /** Forget every resource (the connection dropped: nothing is known to be online). */
  clearResources(): void {
    for (const b of this.buddies.values()) b.resources.clear();
  }

  /** A presence with a resource: create or update it. Returns the buddy's status before and after. */
  setResource(bare: string, resource: string, info: Omit<ResourceInfo, 'name' | 'seq'>): { before: number; after: number } | null {
    const b = this.get(bare);
    if (!b) return null;
    const before = this.statusOf(b);
    const old = b.resources.get(resource);
    b.resources.set(resource, { ...info, name: resource, seq: old?.seq ?? this.seq++ });
    return { before, after: this.statusOf(b) };
  }

  /** `type="unavailable"`: the resource goes away. */
  removeResource(bare: string, resource: string): { before: number; after: number } | null {
    const b = this.get(bare);
    if (!b) return null;
    const before = this.statusOf(b);
    b.resources.delete(resource);
    return { before, after: this.statusOf(b) };
  }

  /** The resource that decides the buddy's status: highest priority, then earliest arrival. */
  topResource(b: Buddy): ResourceInfo | undefined {
    let best: ResourceInfo | undefined;
    for (const r of b.resources.values()) {
      if (!best || r.priority > best.priority || (r.priority === best.priority && r.seq < best.seq)) best = r;
    }
    return best;
  }

  statusOf(b: Buddy): number {
    return this.topResource(b)?.status ?? STATUS_OFFLINE;
  }

  /**
   * JABBER_STATUS's answer for `jid` or `jid/resource`: 7 when the buddy is unknown; with a
   * resource, that resource's status or 6; without, the top resource's status or 6.
   */
  status(jid: string): number {
    const b = this.get(jid);
    if (!b) return STATUS_NOT_IN_ROSTER;
    const slash = jid.indexOf('/');
    if (slash >= 0) return b.resources.get(jid.slice(slash + 1))?.status ?? STATUS_OFFLINE;
    return this.statusOf(b);
  }
}
