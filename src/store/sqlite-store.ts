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
 *
 * The COMMIT runs on a worker thread with its own connection: waiting for fsync (and the WAL
 * checkpoints SQLite runs inside some commits) no longer stops the event loop, which at
 * thousands of REGISTERs a second was 10-15% of the main thread. One batch is in flight at a
 * time; writes queued meanwhile go in the next. Without the worker (it failed to start or died)
 * batches commit on the main connection as before.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { HeraldError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { fullKey, selectEntries, treeKeys, treePrefix } from './keys.js';
import type { KvStore, StoreEntry } from './types.js';

/**
 * A batch of writes as one flat list of strings, three per write: PUT key value, DEL key '',
 * DELTREE prefix ''. Posting this to the writer thread clones a string array, not an object
 * with three named properties per write (the clone writes every property name again).
 */
type WriteOps = string[];
const PUT = 'p';
const DEL = 'd';
const DELTREE = 't';

/**
 * Writes queued for one transaction and the one promise all of them resolve with: no promise,
 * resolver pair and record per write (a burst of SUBSCRIBEs or REGISTERs queues thousands).
 */
class WriteBatch {
  readonly ops: WriteOps = [];
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (err: Error) => void;

  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  /** Writes in it. */
  get size(): number {
    return this.ops.length / 3;
  }
}

interface Statements {
  all: Database.Statement<[], { key: string; value: string }>;
}

export interface SqliteStoreOptions {
  log?: Logger;
  /** How long a write waits for a lock held by another connection (default 5000 ms). */
  busyTimeoutMs?: number;
}

/** Marks the worker started from this module (workerData), so no other worker runs the writer. */
const WRITER_MARK = 'herald-sqlite-writer';

interface WriterData {
  mark: typeof WRITER_MARK;
  path: string;
  busyTimeoutMs: number;
}

type WriterRequest = { kind: 'batch'; ops: WriteOps } | { kind: 'close' };
type WriterReply = { ok: true } | { ok: false; error: string };

const PUT_SQL = 'INSERT OR REPLACE INTO astdb (key, value) VALUES (?, ?)';
const DEL_SQL = 'DELETE FROM astdb WHERE key = ?';
const DELTREE_SQL = 'DELETE FROM astdb WHERE key = ? OR (key >= ? AND key < ?)';

/** One transaction running every op; throws (after rollback) when the commit fails. */
function batchRunner(db: Database.Database): (ops: WriteOps) => void {
  const put = db.prepare<[string, string]>(PUT_SQL);
  const del = db.prepare<[string]>(DEL_SQL);
  const delTree = db.prepare<[string, string, string]>(DELTREE_SQL);
  return db.transaction((ops: WriteOps) => {
    for (let i = 0; i + 2 < ops.length; i += 3) {
      const kind = ops[i];
      const key = ops[i + 1] as string;
      if (kind === PUT) put.run(key, ops[i + 2] as string);
      else if (kind === DEL) del.run(key);
      // `/p` itself and the half-open range [`/p/`, `/p0`) ('0' follows '/'): everything below it.
      else delTree.run(key, key + '/', key + '0');
    }
  });
}

/** Apply queued ops to the read copy (after a reload, for writes not committed yet). */
function applyToCache(cache: Map<string, string>, ops: WriteOps): void {
  for (let i = 0; i + 2 < ops.length; i += 3) {
    const kind = ops[i];
    const key = ops[i + 1] as string;
    if (kind === PUT) cache.set(key, ops[i + 2] as string);
    else if (kind === DEL) cache.delete(key);
    else for (const k of [...cache.keys()]) if (k === key || k.startsWith(key + '/')) cache.delete(k);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class SqliteStore implements KvStore {
  private readonly cache = new Map<string, string>();
  /** Writes not handed to SQLite yet (null: none). */
  private pending: WriteBatch | null = null;
  private flushScheduled = false;
  private closed = false;
  private readonly runBatch: (ops: WriteOps) => void;
  /** Commits off the main thread; null when it could not start or has died. */
  private writer: Worker | null = null;
  /** The batch the worker is committing. */
  private inFlight: WriteBatch | null = null;
  private idleWaiters: Array<() => void> = [];

  private constructor(
    private readonly db: Database.Database,
    private readonly stmts: Statements,
    readonly path: string,
    private readonly log: Logger | undefined,
    busyTimeoutMs: number,
  ) {
    this.runBatch = batchRunner(db);
    this.loadCache();
    this.startWriter(busyTimeoutMs);
  }

  private startWriter(busyTimeoutMs: number): void {
    try {
      const data: WriterData = { mark: WRITER_MARK, path: this.path, busyTimeoutMs };
      const w = new Worker(new URL(import.meta.url), { workerData: data });
      w.unref();
      w.on('message', (reply: WriterReply) => this.onWriterReply(reply));
      w.on('error', (err) => this.writerLost(err));
      w.on('exit', (code) => {
        if (this.writer === w && !this.closed) this.writerLost(new Error(`store writer exited with code ${code}`));
      });
      this.writer = w;
    } catch (err) {
      this.log?.warn({ err, path: this.path }, 'store writer thread did not start; committing on the main thread');
      this.writer = null;
    }
  }

  /** The worker is gone: its batch (if any) and everything after commit on the main thread. */
  private writerLost(err: Error): void {
    if (this.writer === null) return;
    this.log?.warn({ err, path: this.path }, 'store writer thread lost; committing on the main thread');
    this.writer = null;
    const batch = this.inFlight;
    this.inFlight = null;
    if (batch) this.commitHere(batch);
    this.flush();
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
        all: db.prepare<[], { key: string; value: string }>('SELECT key, value FROM astdb'),
      };
      const store = new SqliteStore(db, stmts, full, opts.log, opts.busyTimeoutMs ?? 5000);
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
    return this.enqueue(PUT, k, value);
  }

  del(family: string, key: string): Promise<boolean> {
    if (this.closed) return Promise.reject(closedError());
    const k = fullKey(family, key);
    const existed = this.cache.delete(k);
    return this.enqueue(DEL, k, '').then(() => existed);
  }

  deltree(family: string, keytree?: string): Promise<number> {
    if (this.closed) return Promise.reject(closedError());
    const keys = treeKeys(this.cache, family, keytree);
    for (const k of keys) this.cache.delete(k);
    const prefix = keytree === undefined || keytree === '' ? treePrefix(family) : fullKey(family, keytree);
    return this.enqueue(DELTREE, prefix, '').then(() => keys.length);
  }

  /** Number of writes queued and not yet committed. */
  get pendingWrites(): number {
    return this.pending?.size ?? 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Let the worker finish its batch, then commit the rest here and stop it.
    while (this.inFlight !== null && this.writer !== null) await new Promise<void>((r) => this.idleWaiters.push(r));
    const w = this.writer;
    this.writer = null;
    this.flush();
    if (w) {
      const exited = new Promise<void>((r) => w.once('exit', () => r()));
      w.ref(); // the wait for its exit keeps the process alive
      w.postMessage({ kind: 'close' } satisfies WriterRequest);
      await exited;
    }
    this.db.close();
    this.log?.debug({ path: this.path }, 'store closed');
  }

  /** Queue a write for the next transaction; the promise is the whole batch's (resolved by its COMMIT). */
  private enqueue(kind: string, key: string, value: string): Promise<void> {
    const batch = (this.pending ??= new WriteBatch());
    batch.ops.push(kind, key, value);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
    return batch.done;
  }

  /** Commit every queued write in one transaction (on the worker when there is one). */
  private flush(): void {
    this.flushScheduled = false;
    if (this.inFlight !== null) return; // sent when the batch in flight is answered
    const batch = this.pending;
    this.pending = null;
    if (batch === null) return;
    if (this.writer !== null) {
      this.inFlight = batch;
      this.writer.ref(); // a pending commit keeps the process alive
      this.writer.postMessage({ kind: 'batch', ops: batch.ops } satisfies WriterRequest);
      return;
    }
    this.commitHere(batch);
  }

  private commitHere(batch: WriteBatch): void {
    try {
      this.runBatch(batch.ops);
    } catch (err) {
      this.failed(batch, err);
      return;
    }
    batch.resolve();
  }

  private onWriterReply(reply: WriterReply): void {
    const batch = this.inFlight;
    this.inFlight = null;
    this.writer?.unref();
    if (batch) {
      if (reply.ok) batch.resolve();
      else this.failed(batch, new Error(reply.error));
    }
    for (const r of this.idleWaiters.splice(0)) r();
    if (this.pending !== null && !this.closed) this.flush();
  }

  /** The transaction rolled back: make the read copy match the database (plus queued writes). */
  private failed(batch: WriteBatch, err: unknown): void {
    const error = new HeraldError('STORE_WRITE', `store ${this.path}: write failed: ${message(err)}`, { cause: err });
    this.log?.error({ err, path: this.path, writes: batch.size }, 'store write failed');
    try {
      this.loadCache();
      if (this.pending !== null) applyToCache(this.cache, this.pending.ops);
    } catch (reloadErr) {
      this.log?.error({ err: reloadErr, path: this.path }, 'store cache reload failed');
    }
    batch.reject(error);
  }
}

/** The worker side: its own connection, one transaction per batch, ok or the error back. */
function runWriter(data: WriterData): void {
  const port = parentPort;
  if (!port) return;
  const db = new Database(data.path, { timeout: data.busyTimeoutMs });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  const run = batchRunner(db);
  port.on('message', (req: WriterRequest) => {
    if (req.kind === 'close') {
      db.close();
      port.close();
      return;
    }
    let reply: WriterReply;
    try {
      run(req.ops);
      reply = { ok: true };
    } catch (err) {
      reply = { ok: false, error: message(err) };
    }
    port.postMessage(reply);
  });
}

function isWriterData(x: unknown): x is WriterData {
  return typeof x === 'object' && x !== null && (x as { mark?: unknown }).mark === WRITER_MARK;
}

if (!isMainThread && isWriterData(workerData)) runWriter(workerData);

function closedError(): HeraldError {
  return new HeraldError('STORE_CLOSED', 'the store is closed');
}
