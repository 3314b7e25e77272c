/**
 * The astdb on SQLite (better-sqlite3), laid out like Asterisk's astdb.sqlite3: one table
 * `astdb(key, value)` whose keys are `/family/key`.
 *
 * Reads come from a full in-memory copy loaded at open. Writes update that copy at once and
 * are queued; everything queued in one event-loop turn is written in ONE transaction on
 * setImmediate (group commit), and each write's promise resolves only after that COMMIT
 * returned. With WAL and synchronous=FULL the commit is durable when it returns, so callers
 * can acknowledge to the network after awaiting the write, and thousands of writes share one
 * fsync.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { HeraldError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { fullKey, selectEntries, treeKeys, treePrefix } from './keys.js';
import type { KvStore, StoreEntry } from './types.js';

type WriteOp =
  | { kind: 'put'; key: string; value: string }
  | { kind: 'del'; key: string }
  | { kind: 'deltree'; prefix: string };

interface PendingWrite {
  op: WriteOp;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface Statements {
  put: Database.Statement<[string, string]>;
  del: Database.Statement<[string]>;
  delTree: Database.Statement<[string, string, string]>;
  all: Database.Statement<[], { key: string; value: string }>;
}

export interface SqliteStoreOptions {
  log?: Logger;
  /** How long a write waits for a lock held by another connection (default 5000 ms). */
  busyTimeoutMs?: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class SqliteStore implements KvStore {
  private readonly cache = new Map<string, string>();
  private pending: PendingWrite[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly runBatch: (ops: WriteOp[]) => void;

  private constructor(
    private readonly db: Database.Database,
    private readonly stmts: Statements,
    readonly path: string,
    private readonly log: Logger | undefined,
  ) {
    this.runBatch = db.transaction((ops: WriteOp[]) => {
      for (const op of ops) {
        if (op.kind === 'put') stmts.put.run(op.key, op.value);
        else if (op.kind === 'del') stmts.del.run(op.key);
        // `/p` itself and the half-open range [`/p/`, `/p0`) ('0' follows '/'): everything below it.
        else stmts.delTree.run(op.prefix, op.prefix + '/', op.prefix + '0');
      }
    });
    this.loadCache();
  }

  /**
   * Open (creating it and its parent directories if needed) the store at `path`.
   * Throws HeraldError STORE_OPEN naming the path when the file cannot be opened or is not
   * an SQLite database.
   */
  static open(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
    const full = resolve(path);
    let db: Database.Database | undefined;
    try {
      mkdirSync(dirname(full), { recursive: true });
      db = new Database(full, { timeout: opts.busyTimeoutMs ?? 5000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec('CREATE TABLE IF NOT EXISTS astdb (key TEXT PRIMARY KEY, value TEXT)');
      const stmts: Statements = {
        put: db.prepare<[string, string]>('INSERT OR REPLACE INTO astdb (key, value) VALUES (?, ?)'),
        del: db.prepare<[string]>('DELETE FROM astdb WHERE key = ?'),
        delTree: db.prepare<[string, string, string]>('DELETE FROM astdb WHERE key = ? OR (key >= ? AND key < ?)'),
        all: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM astdb'),
      };
      const store = new SqliteStore(db, stmts, full, opts.log);
      opts.log?.debug({ path: full, entries: store.cache.size }, 'store opened');
      return store;
    } catch (err) {
      try {
        db?.close();
      } catch {
        // already failing; the open error is the one to report
      }
      throw new HeraldError('STORE_OPEN', `cannot open store ${full}: ${message(err)}`, { cause: err });
    }
  }

  private loadCache(): void {
    this.cache.clear();
    for (const row of this.stmts.all.iterate()) this.cache.set(row.key, row.value ?? '');
  }

  get(family: string, key: string): string | undefined {
    return this.cache.get(fullKey(family, key));
  }

  entries(prefix?: string): StoreEntry[] {
    return selectEntries(this.cache, prefix);
  }

  put(family: string, key: string, value: string): Promise<void> {
    if (this.closed) return Promise.reject(closedError());
    const k = fullKey(family, key);
    this.cache.set(k, value);
    return this.enqueue({ kind: 'put', key: k, value });
  }

  del(family: string, key: string): Promise<boolean> {
    if (this.closed) return Promise.reject(closedError());
    const k = fullKey(family, key);
    const existed = this.cache.delete(k);
    return this.enqueue({ kind: 'del', key: k }).then(() => existed);
  }

  deltree(family: string, keytree?: string): Promise<number> {
    if (this.closed) return Promise.reject(closedError());
    const keys = treeKeys(this.cache, family, keytree);
    for (const k of keys) this.cache.delete(k);
    const prefix = keytree === undefined || keytree === '' ? treePrefix(family) : fullKey(family, keytree);
    return this.enqueue({ kind: 'deltree', prefix }).then(() => keys.length);
  }

  /** Number of writes queued and not yet committed. */
  get pendingWrites(): number {
    return this.pending.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    this.db.close();
    this.log?.debug({ path: this.path }, 'store closed');
  }

  private enqueue(op: WriteOp): Promise<void> {
    return new Promise<void>((resolvePromise, rejectPromise) => {
      this.pending.push({ op, resolve: resolvePromise, reject: rejectPromise });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commit every queued write in one transaction, then settle their promises. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      this.runBatch(batch.map((w) => w.op));
    } catch (err) {
      // The transaction rolled back: make the read copy match the database again.
      const error = new HeraldError('STORE_WRITE', `store ${this.path}: write failed: ${message(err)}`, { cause: err });
      this.log?.error({ err, path: this.path, writes: batch.length }, 'store write failed');
      try {
        this.loadCache();
      } catch (reloadErr) {
        this.log?.error({ err: reloadErr, path: this.path }, 'store cache reload failed');
      }
      for (const w of batch) w.reject(error);
      return;
    }
    for (const w of batch) w.resolve();
  }
}

function closedError(): HeraldError {
  return new HeraldError('STORE_CLOSED', 'the store is closed');
}
