/**
 * Where call records go: the `cdr` table (src/cdr/sqlite-backend.ts) plus the most recent ones
 * in memory for `cdr show last`.
 */
import type { Logger } from '../core/log.js';
import type { CdrRecord } from './record.js';
import { CdrSqliteTable } from './sqlite-backend.js';

const KEEP_IN_MEMORY = 1000;

export class CdrEngine {
  private readonly recent: CdrRecord[] = [];
  private posted = 0;

  constructor(private readonly table: CdrSqliteTable, readonly where: string, private readonly log: Logger) {}

  /** The engine on `<dir>/cdr.sqlite3`. */
  static open(path: string, log: Logger): CdrEngine {
    return new CdrEngine(CdrSqliteTable.open(path, log), path, log);
  }

  post(rec: CdrRecord): void {
    this.posted++;
    this.recent.push(rec);
    if (this.recent.length > 2 * KEEP_IN_MEMORY) this.recent.splice(0, this.recent.length - KEEP_IN_MEMORY);
    this.table.write(rec);
    this.log.debug({ uniqueid: rec.uniqueid, disposition: rec.disposition }, 'CDR posted');
  }

  /** The last n records posted since start (at most 1000), oldest first. */
  last(n: number): CdrRecord[] {
    return this.recent.slice(Math.max(0, this.recent.length - Math.min(n, KEEP_IN_MEMORY)));
  }

  /** Rows in the table (all time). */
  stored(): number {
    return this.table.count();
  }

  counts(): { posted: number } {
    return { posted: this.posted };
  }

  close(): void {
    this.table.close();
  }
}
