/**
 * The event state compositor's soft state (RFC 3903 §6): each successful PUBLISH creates or
 * updates one publication, identified by an entity-tag, for one target entity, alive until its
 * expiry. The table knows nothing about SIP; the PUBLISH handler maps requests onto it.
 *
 *  - initial (no SIP-If-Match, body)      → publish(): a new publication, a new tag;
 *  - refresh (SIP-If-Match, no body)      → refresh(): same state, new expiry, new tag;
 *  - modify  (SIP-If-Match, body)         → modify():  new state, new expiry, new tag;
 *  - remove  (SIP-If-Match, Expires: 0)   → remove().
 * "the ESC MUST … assign a new entity-tag … and MUST NOT … the old one" (§6 step 7): every
 * successful refresh/modify retires the old tag. A tag that is unknown, expired or belongs to
 * another entity is refused (the handler answers 412).
 *
 * Composition: one entity may have several publications (two phones of one user). The most
 * recently published or modified one decides the entity's presence; when it goes (removed or
 * expired) the newest remaining one is applied again, and when none remain the sink is told
 * `null` (the entity's published presence is gone: herald sets it to not_set).
 */
import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { PublishedPresence } from './pidf-parse.js';

/** Where the composed state of an entity goes; resolves once it is applied (durably). */
export type PresenceSink = (entity: string, presence: PublishedPresence | null) => Promise<void>;

export interface PublicationRecord {
  etag: string;
  entity: string;
  presence: PublishedPresence;
  /** Wall-clock expiry, ms since the epoch (kept across restarts). */
  expiresAtWall: number;
  /** Monotonic order of the last publish/modify (the newest decides the entity). */
  seq: number;
}

/** Persistence of the soft state, so a restart neither forgets nor keeps a publication forever. */
export interface PublicationPersistence {
  save(rec: PublicationRecord): Promise<void>;
  drop(etag: string): Promise<void>;
}

export interface PublicationTableOptions {
  clock: Clock;
  sink: PresenceSink;
  persistence?: PublicationPersistence;
  /** Entity-tag generator (tests); default 16 random hex digits. */
  newTag?: () => string;
  /** An expiry whose sink or persistence failed (there is no request to answer). */
  onError?: (err: unknown, entity: string) => void;
}

interface Live extends PublicationRecord {
  timer: TimerHandle;
}

export interface PublishOutcome {
  etag: string;
  expires: number;
}

export class PublicationTable {
  private readonly byTag = new Map<string, Live>();
  private readonly byEntity = new Map<string, Set<Live>>();
  /** Per-entity chain so applications to one entity happen in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private seq = 0;
  private readonly newTag: () => string;

  constructor(private readonly opts: PublicationTableOptions) {
    this.newTag = opts.newTag ?? (() => randomBytes(8).toString('hex'));
  }

  /** Initial PUBLISH: a new publication for `entity`. */
  async publish(entity: string, presence: PublishedPresence, expiresSec: number): Promise<PublishOutcome> {
    return this.install(entity, presence, expiresSec);
  }

  /** The live publication behind `etag` for `entity`, or undefined (→ 412). */
  lookup(etag: string, entity: string): PublicationRecord | undefined {
    const live = this.byTag.get(etag);
    return live && live.entity === entity ? live : undefined;
  }

  /** Refresh: new expiry and tag, same state. Undefined when the tag is not live for the entity. */
  async refresh(etag: string, entity: string, expiresSec: number): Promise<PublishOutcome | undefined> {
    const old = this.take(etag, entity);
    if (!old) return undefined;
    const rec: PublicationRecord = { ...old, etag: this.uniqueTag(), expiresAtWall: this.opts.clock.wallNow() + expiresSec * 1000 };
    this.arm(rec, expiresSec * 1000);
    await this.opts.persistence?.drop(old.etag);
    await this.opts.persistence?.save(rec);
    return { etag: rec.etag, expires: expiresSec };
  }

  /** Modify: new state, expiry and tag. */
  async modify(etag: string, entity: string, presence: PublishedPresence, expiresSec: number): Promise<PublishOutcome | undefined> {
    const old = this.take(etag, entity);
    if (!old) return undefined;
    return this.install(entity, presence, expiresSec, old.etag);
  }

  /**
   * A publication with a new tag and sequence number for `entity`: armed to expire, stored in place
   * of the one tagged `replaces` (if any), then the entity's state composed again.
   */
  private async install(entity: string, presence: PublishedPresence, expiresSec: number, replaces?: string): Promise<PublishOutcome> {
    const rec: PublicationRecord = {
      etag: this.uniqueTag(),
      entity,
      presence,
      expiresAtWall: this.opts.clock.wallNow() + expiresSec * 1000,
      seq: ++this.seq,
    };
    this.arm(rec, expiresSec * 1000);
    if (replaces !== undefined) await this.opts.persistence?.drop(replaces);
    await this.opts.persistence?.save(rec);
    await this.compose(entity);
    return { etag: rec.etag, expires: expiresSec };
  }

  /** Remove (Expires: 0). False when the tag is not live for the entity. */
  async remove(etag: string, entity: string): Promise<boolean> {
    const old = this.take(etag, entity);
    if (!old) return false;
    await this.opts.persistence?.drop(old.etag);
    await this.compose(entity);
    return true;
  }

  /**
   * Bring back persisted publications after a restart: live ones are re-armed (the entity's
   * stored presence is already theirs); expired ones are dropped and their entity recomposed.
   */
  async restore(records: PublicationRecord[]): Promise<{ restored: number; expired: number }> {
    const now = this.opts.clock.wallNow();
    const touched = new Set<string>();
    let restored = 0;
    let expired = 0;
    for (const rec of records.sort((a, b) => a.seq - b.seq)) {
      if (this.byTag.has(rec.etag)) continue;
      const left = rec.expiresAtWall - now;
      if (left > 0) {
        this.arm({ ...rec, seq: ++this.seq }, left);
        restored++;
      } else {
        await this.opts.persistence?.drop(rec.etag);
        touched.add(rec.entity);
        expired++;
      }
    }
    for (const entity of touched) await this.compose(entity);
    return { restored, expired };
  }

  /** Live publications (tests, CLI). */
  size(): number {
    return this.byTag.size;
  }

  /** Live publications of one entity, newest first. */
  publicationsOf(entity: string): PublicationRecord[] {
    return [...(this.byEntity.get(entity) ?? [])].sort((a, b) => b.seq - a.seq);
  }

  /** Stop every expiry timer (module stop); persisted records stay for the next start. */
  close(): void {
    for (const live of this.byTag.values()) this.opts.clock.clear(live.timer);
    this.byTag.clear();
    this.byEntity.clear();
  }

  private uniqueTag(): string {
    for (let i = 0; i < 8; i++) {
      const tag = this.newTag();
      if (!this.byTag.has(tag)) return tag;
    }
    throw new Error('could not make a unique entity-tag');
  }

  private arm(rec: PublicationRecord, ms: number): void {
    const live: Live = {
      ...rec,
      timer: this.opts.clock.setTimer(ms, () => {
        this.expire(live).catch((err: unknown) => this.opts.onError?.(err, live.entity));
      }),
    };
    this.byTag.set(live.etag, live);
    let set = this.byEntity.get(live.entity);
    if (!set) {
      set = new Set();
      this.byEntity.set(live.entity, set);
    }
    set.add(live);
  }

  private take(etag: string, entity: string): Live | undefined {
    const live = this.byTag.get(etag);
    if (!live || live.entity !== entity) return undefined;
    this.opts.clock.clear(live.timer);
    this.forget(live);
    return live;
  }

  private forget(live: Live): void {
    this.byTag.delete(live.etag);
    const set = this.byEntity.get(live.entity);
    set?.delete(live);
    if (set && set.size === 0) this.byEntity.delete(live.entity);
  }

  /** RFC 3903 §6: "the ESC … MUST remove the event state" once a publication expires. */
  private async expire(live: Live): Promise<void> {
    if (this.byTag.get(live.etag) !== live) return;
    this.forget(live);
    await this.opts.persistence?.drop(live.etag);
    await this.compose(live.entity);
  }

  /** Apply the entity's newest live publication (or null), in order per entity. */
  private compose(entity: string): Promise<void> {
    const prev = this.chains.get(entity) ?? Promise.resolve();
    const next = prev.then(async () => {
      let newest: Live | undefined;
      for (const live of this.byEntity.get(entity) ?? []) if (!newest || live.seq > newest.seq) newest = live;
      await this.opts.sink(entity, newest ? newest.presence : null);
    });
    const settled = next.catch(() => undefined);
    this.chains.set(entity, settled);
    void settled.then(() => {
      if (this.chains.get(entity) === settled) this.chains.delete(entity);
    });
    return next;
  }
}
