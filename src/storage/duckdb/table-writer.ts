/**
 * @module storage/duckdb/table-writer
 * The write connection and how rows reach a table: append, falling back to a keyed merge.
 *
 * Fast path: an appender straight into the table. DuckDB's planner makes every
 * `INSERT … ON CONFLICT` cost ~15 ms on these wide tables; an appender flush costs a few ms
 * however many rows it carries and is atomic. A key that already exists (a redelivery, a re-seed)
 * makes the flush fail as a whole, and only then do we take the keyed merge: rows go through an
 * appender into a connection-local stage table, then one `INSERT … SELECT … ON CONFLICT (key) DO
 * UPDATE` merges them (one statement, atomic).
 *
 * Callers sequence their use through one queue (see write-queue.ts): this class assumes it is
 * never entered twice at once.
 */
import type { DuckDBConnection, DuckDBInstance, DuckDBType, DuckDBValue } from '@duckdb/node-api';
import { lastPerKey } from '../keys.js';
import type { AnyTable } from '../tables/index.js';
import { message } from './serial-queue.js';
import { mergeSql, rowParams, stageDdl, stageName } from './values.js';

export type Rows = readonly Record<string, unknown>[];

export class TableWriter {
  /** Tables whose TEMP stage exists on the write connection. */
  private readonly staged = new Set<AnyTable>();

  constructor(
    private readonly instance: DuckDBInstance,
    private conn: DuckDBConnection,
  ) {}

  /** Run one statement on the write connection. */
  async run(sql: string, values?: DuckDBValue[], types?: DuckDBType[]): Promise<void> {
    await this.conn.run(sql, values, types);
  }

  /** Run `body` inside BEGIN…COMMIT; ROLLBACK and rethrow when it throws. */
  async transaction(body: () => Promise<void>): Promise<void> {
    await this.conn.run('BEGIN TRANSACTION');
    try {
      await body();
      await this.conn.run('COMMIT');
    } catch (err) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /**
   * Store rows (last row per key wins). Outside a caller's transaction: append when every key is
   * new, else stage + merge in one transaction (a group costs one commit instead of three).
   * Inside one (`inTransaction`): stage + merge; the stage is left empty.
   */
  async write(table: AnyTable, rows: Rows, inTransaction = false): Promise<void> {
    const unique = lastPerKey(table, rows); // one statement may not update the same key twice
    if (unique.length === 0) return;
    if (!inTransaction) {
      if (unique.length === rows.length && (await this.appendNew(table, unique))) return;
      await this.transaction(() => this.stageAndMerge(table, unique));
      return;
    }
    await this.stageAndMerge(table, unique);
  }

  /** Append rows to the table's stage and merge them (one statement); the stage is left empty. */
  private async stageAndMerge(table: AnyTable, unique: Rows): Promise<void> {
    if (!this.staged.has(table)) {
      await this.conn.run(stageDdl(table));
      this.staged.add(table);
    }
    try {
      const appender = await this.conn.createAppender(stageName(table));
      try {
        for (const row of unique) {
          for (const [value, type] of rowParams(table, row)) appender.appendValue(value, type);
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      await this.conn.run(mergeSql(table));
    } finally {
      await this.conn.run(`DELETE FROM ${stageName(table)}`);
    }
  }

  /** Appends rows whose keys are all new; false (nothing written) when any key already exists. */
  private async appendNew(table: AnyTable, rows: Rows): Promise<boolean> {
    const appender = await this.conn.createAppender(table.name, table.dataset);
    try {
      for (const row of rows) {
        for (const [value, type] of rowParams(table, row)) appender.appendValue(value, type);
        appender.endRow();
      }
      appender.flushSync();
    } catch (err) {
      // Drop the rows the failed flush kept: otherwise closing (or, later, garbage collection)
      // flushes them again and aborts whatever the connection is doing then.
      try {
        appender.clear();
        appender.closeSync();
      } catch {
        // closing a failed appender may report the same error again
      }
      // A failed flush can leave the connection's transaction aborted (seen intermittently even
      // after a ROLLBACK): carry on with a fresh write connection instead.
      await this.replaceConnection();
      if (/duplicate key|constraint/i.test(message(err))) return false;
      throw err;
    }
    appender.closeSync();
    return true;
  }

  /** Swap the write connection for a new one (TEMP stage tables are per connection: recreate them). */
  private async replaceConnection(): Promise<void> {
    const old = this.conn;
    this.conn = await this.instance.connect();
    this.staged.clear();
    try {
      old.closeSync();
    } catch {
      // the old connection is being discarded because it is in a bad state
    }
  }

  /** Close the write connection (call once the queue is idle). */
  close(): void {
    this.conn.closeSync();
  }
}
