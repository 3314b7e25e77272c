/**
 * The astdb-like store: family/key → value, keys shown as `/family/key` like Asterisk's
 * `database show`. Families may contain '/' (e.g. family "SIP/Registry", key "6002").
 *
 * Reads are synchronous from the backend's in-memory read cache (the dialplan's DB() and the
 * registrar need them on hot paths); writes return a promise that resolves only once the write
 * is durable (committed), so callers acknowledge to the network after that. A networked backend
 * (PostgreSQL/Redis) implements the same interface by keeping its cache current from the server.
 */
export interface StoreEntry {
  /** Full key: `/family/key`. */
  key: string;
  value: string;
}

export interface KvStore {
  get(family: string, key: string): string | undefined;
  put(family: string, key: string, value: string): Promise<void>;
  /** Resolves true when a key was deleted. */
  del(family: string, key: string): Promise<boolean>;
  /** Delete `/family` or `/family/keytree` and everything below; resolves the count deleted. */
  deltree(family: string, keytree?: string): Promise<number>;
  /**
   * Entries whose full key starts with `/prefix` on a path boundary (`database show SIP` lists
   * `/SIP/...` but not `/SIPX/...`), sorted by key. No prefix: everything.
   */
  entries(prefix?: string): StoreEntry[];
  /** Wait for every pending write, then release the backend. */
  close(): Promise<void>;
}
