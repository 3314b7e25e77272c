/** A KvStore kept only in memory, for unit tests of the layers above the store. */
import { HeraldError } from '../core/errors.js';
import { fullKey, selectEntries, treeKeys } from './keys.js';
import type { KvStore, StoreEntry } from './types.js';

export class MemoryStore implements KvStore {
  private readonly data = new Map<string, string>();
  private closed = false;

  constructor(initial: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(initial)) this.data.set(k, v);
  }

  get(family: string, key: string): string | undefined {
    return this.data.get(fullKey(family, key));
  }

  async put(family: string, key: string, value: string): Promise<void> {
    this.checkOpen();
    this.data.set(fullKey(family, key), value);
  }

  async del(family: string, key: string): Promise<boolean> {
    this.checkOpen();
    return this.data.delete(fullKey(family, key));
  }

  async deltree(family: string, keytree?: string): Promise<number> {
    this.checkOpen();
    const keys = treeKeys(this.data, family, keytree);
    for (const k of keys) this.data.delete(k);
    return keys.length;
  }

  entries(prefix?: string): StoreEntry[] {
    return selectEntries(this.data, prefix);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private checkOpen(): void {
    if (this.closed) throw new HeraldError('STORE_CLOSED', 'the store is closed');
  }
}
