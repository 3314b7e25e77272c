/**
 * Where call records go: the store (family `CDR`, key `<start ms>-<uniqueid>` so keys sort by
 * time, value the record as JSON) plus the most recent ones in memory for `cdr show last`.
 */
import type { KvStore } from '../store/types.js';
import type { Logger } from '../core/log.js';
import type { CdrRecord } from './record.js';

export const CDR_FAMILY = 'CDR';
const KEEP_IN_MEMORY = 1000;

export class CdrEngine {
  private readonly recent: CdrRecord[] = [];
  private posted = 0;
  private failed = 0;

  constructor(private readonly store: KvStore, private readonly log: Logger) {}

  post(rec: CdrRecord): void {
    this.posted++;
    this.recent.push(rec);
    if (this.recent.length > KEEP_IN_MEMORY) this.recent.splice(0, this.recent.length - KEEP_IN_MEMORY);
    const key = `${String(rec.startMs).padStart(13, '0')}-${rec.uniqueid}`;
    this.store.put(CDR_FAMILY, key, JSON.stringify(rec)).catch((err: unknown) => {
      this.failed++;
      this.log.error({ err, uniqueid: rec.uniqueid }, 'could not store CDR');
    });
  }

  /** The last n records posted since start, oldest first. */
  last(n: number): CdrRecord[] {
    return this.recent.slice(Math.max(0, this.recent.length - n));
  }

  /** Records kept in the store (all time). */
  stored(): number {
    return this.store.entries(CDR_FAMILY).length;
  }

  counts(): { posted: number; failed: number } {
    return { posted: this.posted, failed: this.failed };
  }
}
