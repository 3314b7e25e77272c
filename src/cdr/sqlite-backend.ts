/**
 * Call records in their own SQLite table, `cdr` in `<astvarlibdir>/cdr.sqlite3` (the columns of
 * Asterisk's cdr_sqlite3_custom default: calldate, clid, src, dst, dcontext, channel, dstchannel,
 * lastapp, lastdata, duration, billsec, disposition, amaflags, accountcode, uniqueid, linkedid,
 * userfield). Records posted in one event-loop turn are inserted in one transaction on
 * setImmediate; WAL with synchronous=NORMAL (a record may be lost in a power cut, never
 * corrupted), so thousands of calls a second cost one commit per turn.
 */
import Database from 'better-sqlite3';
import type { Logger } from '../core/log.js';
import type { CdrRecord } from './record.js';

export const CDR_COLUMNS = [
  'calldate', 'clid', 'src', 'dst', 'dcontext', 'channel', 'dstchannel', 'lastapp', 'lastdata',
  'duration', 'billsec', 'disposition', 'amaflags', 'accountcode', 'uniqueid', 'linkedid', 'userfield',
] as const;

type Row = Record<(typeof CDR_COLUMNS)[number], string | number>;

export class CdrSqliteTable {
  private queue: CdrRecord[] = [];
  private scheduled = false;
  private closed = false;
  private readonly insertMany: (rows: Row[]) => void;
  private readonly countStmt: Database.Statement<[], { n: number }>;

  constructor(private readonly db: Database.Database, private readonly log: Logger) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(
      `CREATE TABLE IF NOT EXISTS cdr (id INTEGER PRIMARY KEY AUTOINCREMENT, ` +
        CDR_COLUMNS.map((c) => (c === 'duration' || c === 'billsec' ? `${c} INTEGER` : `${c} TEXT`)).join(', ') +
        ')',
    );
    const insert = db.prepare(`INSERT INTO cdr (${CDR_COLUMNS.join(', ')}) VALUES (${CDR_COLUMNS.map((c) => `@${c}`).join(', ')})`);
    this.insertMany = db.transaction((rows: Row[]) => {
      for (const r of rows) insert.run(r);
    });
    this.countStmt = db.prepare('SELECT count(*) AS n FROM cdr');
  }

  static open(path: string, log: Logger): CdrSqliteTable {
    return new CdrSqliteTable(new Database(path), log);
  }

  write(rec: CdrRecord): void {
    if (this.closed) return;
    this.queue.push(rec);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  count(): number {
    this.flush();
    return this.countStmt.get()?.n ?? 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0 || this.closed) return;
    const batch = this.queue;
    this.queue = [];
    try {
      this.insertMany(batch.map(toRow));
    } catch (err) {
      this.log.error({ err, records: batch.length }, 'could not write call records');
    }
  }
}

function toRow(r: CdrRecord): Row {
  const row = {} as Row;
  for (const c of CDR_COLUMNS) row[c] = r[c];
  return row;
}
