/**
 * The location service: contacts per peer, their expiry, and their copy in the store.
 * Every change is written to the store (family "SIP/Registry") and the returned promise resolves
 * once it is durable, so the registrar answers 200 only after that.
 *
 * Expiry uses one sweep timer and per-second buckets instead of a timer per peer (a Node timer
 * costs about 500 bytes; with 100k registered peers that is a quarter of the memory per contact).
 * A peer sits in the bucket of its earliest contact expiry + grace; a refresh only moves expiry
 * later, so the peer stays in its earlier bucket and is simply re-filed when that bucket is swept.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { EventBus } from '../core/bus.js';
import type { Logger } from '../core/log.js';
import type { KvStore } from '../store/types.js';
import { decodeBindings, encodeBindings, type ContactBinding } from './binding.js';

export const REGISTRY_FAMILY = 'SIP/Registry';
/** chan_sip keeps a registration 10 s past its expiry before dropping it (EXPIRY_GUARD). */
export const EXPIRY_GRACE_MS = 10_000;

interface PeerEntry {
  /** Peer name as configured (store key). */
  name: string;
  bindings: ContactBinding[];
  /** Second (wall clock) of the expiry bucket the peer is filed in; -1 when none. */
  dueSec: number;
}

export interface LocationDeps {
  store: KvStore;
  clock: Clock;
  bus: EventBus;
  log: Logger;
  /**
   * Gather registry writes for this long (ms) and hand them to the store in one turn, so they share
   * one commit (one fsync) instead of one each; 0 writes at once. The 200 still waits for the commit.
   */
  writeDelayMs?: number;
}

/** Writes flushed at once when this many peers are waiting. */
const MAX_WRITE_BATCH = 1000;

interface QueuedWrite {
  name: string;
  waiters: Array<{ resolve: () => void; reject: (err: unknown) => void }>;
}

export class LocationService {
  private readonly peers = new Map<string, PeerEntry>();
  private readonly pendingWrites = new Set<Promise<unknown>>();
  private closed = false;
  /** Peers whose store copy is out of date, by key (several changes of one peer make one write). */
  private readonly queued = new Map<string, QueuedWrite>();
  private flushTimer: TimerHandle | null = null;
  /** Called when a peer's contacts changed (qualify follows them). */
  onChange: (peerKey: string) => void = () => {};

  constructor(private readonly deps: LocationDeps) {}

  /** Contacts of a peer (by lower-cased key), soonest-expiring last. Do not mutate. */
  contacts(peerKey: string): readonly ContactBinding[] {
    return this.peers.get(peerKey)?.bindings ?? [];
  }

  /** Peers that currently have at least one contact. */
  registeredPeers(): string[] {
    return [...this.peers.keys()];
  }

  /**
   * Replace a peer's contacts and persist. Resolves when the store has them.
   * `name` is the configured peer name (store key).
   */
  set(peerKey: string, name: string, bindings: ContactBinding[]): Promise<void> {
    let entry = this.peers.get(peerKey);
    if (bindings.length === 0) {
      if (entry) {
        this.unfile(peerKey, entry);
        this.peers.delete(peerKey);
      }
      this.onChange(peerKey);
      return this.persist(peerKey, name);
    }
    if (!entry) {
      entry = { name, bindings, dueSec: -1 };
      this.peers.set(peerKey, entry);
    } else {
      entry.bindings = bindings;
      entry.name = name;
    }
    this.armTimer(peerKey, entry);
    this.onChange(peerKey);
    return this.persist(peerKey, name);
  }

  /** Change the write gathering delay (sip reload). */
  setWriteDelay(ms: number): void {
    this.deps.writeDelayMs = ms;
  }

  private persist(peerKey: string, name: string): Promise<void> {
    const delay = this.deps.writeDelayMs ?? 0;
    if (delay <= 0 || this.closed) return this.track(this.writeNow(peerKey, name));
    return new Promise<void>((resolve, reject) => {
      let q = this.queued.get(peerKey);
      if (!q) {
        q = { name, waiters: [] };
        this.queued.set(peerKey, q);
      }
      q.name = name;
      q.waiters.push({ resolve, reject });
      if (this.queued.size >= MAX_WRITE_BATCH) this.flushWrites();
      else this.flushTimer ??= this.deps.clock.setTimer(delay, () => this.flushWrites());
    });
  }

  /** The store write for a peer's current state (put, or del when it has no contact). */
  private writeNow(peerKey: string, name: string): Promise<void> {
    const entry = this.peers.get(peerKey);
    if (!entry || entry.bindings.length === 0) return this.deps.store.del(REGISTRY_FAMILY, name).then(() => undefined);
    return this.deps.store.put(REGISTRY_FAMILY, name, encodeBindings(entry.bindings));
  }

  /** Hand every queued write to the store in this turn: the store commits them together. */
  private flushWrites(): void {
    this.deps.clock.clear(this.flushTimer);
    this.flushTimer = null;
    if (this.queued.size === 0) return;
    const batch = [...this.queued];
    this.queued.clear();
    for (const [key, q] of batch) {
      this.track(this.writeNow(key, q.name)).then(
        () => {
          for (const w of q.waiters) w.resolve();
        },
        (err: unknown) => {
          for (const w of q.waiters) w.reject(err);
        },
      );
    }
  }

  private track(p: Promise<void>): Promise<void> {
    this.pendingWrites.add(p);
    const done = (): void => {
      this.pendingWrites.delete(p);
    };
    p.then(done, done);
    return p;
  }

  private readonly buckets = new Map<number, Set<string>>();
  private sweepTimer: TimerHandle | null = null;
  /** Last second swept; buckets up to it are done. */
  private sweptSec = -1;

  /** File the peer under its earliest expiry (+ grace), unless already filed earlier. */
  private armTimer(peerKey: string, entry: PeerEntry): void {
    if (this.closed) return;
    let earliest = Infinity;
    for (const b of entry.bindings) if (b.expiresAt < earliest) earliest = b.expiresAt;
    // Never file into a second that was already swept.
    const dueSec = Math.max(Math.ceil((earliest + EXPIRY_GRACE_MS) / 1000), this.sweptSec + 1);
    if (entry.dueSec >= 0 && entry.dueSec <= dueSec) return;
    this.unfile(peerKey, entry);
    entry.dueSec = dueSec;
    let set = this.buckets.get(dueSec);
    if (!set) {
      set = new Set();
      this.buckets.set(dueSec, set);
    }
    set.add(peerKey);
    this.scheduleSweep();
  }

  private unfile(peerKey: string, entry: PeerEntry): void {
    if (entry.dueSec < 0) return;
    const set = this.buckets.get(entry.dueSec);
    if (set) {
      set.delete(peerKey);
      if (set.size === 0) this.buckets.delete(entry.dueSec);
    }
    entry.dueSec = -1;
  }

  private scheduleSweep(): void {
    if (this.sweepTimer || this.closed || this.buckets.size === 0) return;
    const now = this.deps.clock.wallNow();
    if (this.sweptSec < 0) this.sweptSec = Math.floor(now / 1000) - 1;
    // Wake at the next whole second: buckets are per second.
    this.sweepTimer = this.deps.clock.setTimer(1000 - (now % 1000), () => {
      this.sweepTimer = null;
      this.sweep();
    });
  }

  private sweep(): void {
    const nowSec = Math.floor(this.deps.clock.wallNow() / 1000);
    // Walk every second since the last sweep (bounded: a stalled loop catches up once).
    for (let sec = this.sweptSec + 1; sec <= nowSec; sec++) {
      const set = this.buckets.get(sec);
      if (!set) continue;
      this.buckets.delete(sec);
      for (const key of set) {
        const entry = this.peers.get(key);
        if (!entry || entry.dueSec !== sec) continue;
        entry.dueSec = -1;
        this.expire(key);
      }
    }
    if (nowSec > this.sweptSec) this.sweptSec = nowSec;
    this.scheduleSweep();
  }

  private expire(peerKey: string): void {
    const entry = this.peers.get(peerKey);
    if (!entry) return;
    const now = this.deps.clock.wallNow();
    const keep = entry.bindings.filter((b) => b.expiresAt + EXPIRY_GRACE_MS > now);
    const gone = entry.bindings.length - keep.length;
    if (gone === 0) {
      this.armTimer(peerKey, entry);
      return;
    }
    this.deps.log.info({ peer: entry.name, expired: gone }, 'SIP registration expired');
    if (keep.length === 0) {
      this.deps.bus.emit('Verbose', { level: 3, text: `Registration from '${entry.name}' expired` });
    }
    const name = entry.name;
    this.set(peerKey, name, keep).then(
      () => this.deps.bus.emit('PeerRegistration', { peer: name, contacts: keep.length, reason: 'expire' }),
      (err: unknown) => this.deps.log.error({ err, peer: name }, 'could not write expired registration'),
    );
  }

  /**
   * Load stored registrations. `resolve(storedName)` maps a store key to [peerKey, configured name]
   * or null for a peer that no longer exists (its entry is deleted). Expired contacts are dropped.
   */
  async restore(resolve: (storedName: string) => [string, string] | null): Promise<number> {
    const now = this.deps.clock.wallNow();
    const prefix = `/${REGISTRY_FAMILY}/`;
    let restored = 0;
    const writes: Array<Promise<unknown>> = [];
    for (const e of this.deps.store.entries(REGISTRY_FAMILY)) {
      if (!e.key.startsWith(prefix)) continue;
      const stored = e.key.slice(prefix.length);
      const target = resolve(stored);
      const { bindings, bad } = decodeBindings(e.value);
      if (bad > 0) this.deps.log.warn({ peer: stored, bad }, 'unreadable stored SIP registration records dropped');
      const live = bindings.filter((b) => b.expiresAt + EXPIRY_GRACE_MS > now);
      if (!target || live.length === 0) {
        writes.push(this.deps.store.del(REGISTRY_FAMILY, stored));
        continue;
      }
      const [peerKey, name] = target;
      const entry: PeerEntry = { name, bindings: live, dueSec: -1 };
      this.peers.set(peerKey, entry);
      this.armTimer(peerKey, entry);
      if (live.length !== bindings.length || stored !== name) {
        if (stored !== name) writes.push(this.deps.store.del(REGISTRY_FAMILY, stored));
        writes.push(this.deps.store.put(REGISTRY_FAMILY, name, encodeBindings(live)));
      }
      restored++;
      this.onChange(peerKey);
      this.deps.bus.emit('PeerRegistration', { peer: name, contacts: live.length, reason: 'restore' });
    }
    await Promise.all(writes);
    return restored;
  }

  /** Drop a peer's contacts (peer removed from sip.conf). */
  drop(peerKey: string): Promise<void> {
    const entry = this.peers.get(peerKey);
    if (!entry) return Promise.resolve();
    return this.set(peerKey, entry.name, []);
  }

  /** Stop timers and wait for every write in flight. */
  async close(): Promise<void> {
    this.closed = true;
    this.flushWrites();
    this.deps.clock.clear(this.sweepTimer);
    this.sweepTimer = null;
    this.buckets.clear();
    for (const e of this.peers.values()) e.dueSec = -1;
    await Promise.allSettled([...this.pendingWrites]);
  }

  /** Total contacts (stats). */
  contactCount(): number {
    let n = 0;
    for (const e of this.peers.values()) n += e.bindings.length;
    return n;
  }
}
